package tiles

import (
	"math"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/clip"
	"github.com/paulmach/orb/maptile"
	"github.com/paulmach/orb/simplify"
)

// maxLat is the latitude limit of Web Mercator.
const maxLat = 85.05112877980659

// toWorld projects lon/lat to Web Mercator world coordinates in [0,1]², y down (the same axis
// direction as tile coordinates, so winding computed there carries over).
func toWorld(p orb.Point) orb.Point {
	lat := math.Max(-maxLat, math.Min(maxLat, p[1]))
	s := math.Sin(lat * math.Pi / 180)
	y := 0.5 - math.Log((1+s)/(1-s))/(4*math.Pi)
	return orb.Point{(p[0] + 180) / 360, y}
}

// fromWorld is the inverse of toWorld.
func fromWorld(p orb.Point) orb.Point {
	lon := p[0]*360 - 180
	n := math.Pi - 2*math.Pi*p[1]
	lat := 180 / math.Pi * math.Atan(math.Sinh(n))
	return orb.Point{lon, lat}
}

func worldRing(r orb.Ring) orb.Ring {
	out := make(orb.Ring, len(r))
	for i, p := range r {
		out[i] = toWorld(p)
	}
	return out
}

func worldPolygon(p orb.Polygon) orb.Polygon {
	out := make(orb.Polygon, len(p))
	for i, r := range p {
		out[i] = worldRing(r)
	}
	return out
}

func worldLine(l orb.LineString) orb.LineString {
	return orb.LineString(worldRing(orb.Ring(l)))
}

// worldBound returns the world-coordinate bound of a tile grown by buf tile units on each side.
func worldBound(t maptile.Tile, buf float64) orb.Bound {
	n := float64(uint64(1) << t.Z)
	d := buf / Extent
	return orb.Bound{
		Min: orb.Point{(float64(t.X) - d) / n, (float64(t.Y) - d) / n},
		Max: orb.Point{(float64(t.X) + 1 + d) / n, (float64(t.Y) + 1 + d) / n},
	}
}

// clipBox is the buffered tile in tile coordinates.
var clipBox = orb.Bound{Min: orb.Point{-Buffer, -Buffer}, Max: orb.Point{Extent + Buffer, Extent + Buffer}}

// tileProj maps world coordinates to one tile's coordinates and cleans geometry there.
type tileProj struct {
	scale, ox, oy float64
	tol           float64 // Douglas–Peucker tolerance in tile units, 0 = none
	scratch       orb.Ring
}

func newTileProj(t maptile.Tile, tol float64) *tileProj {
	s := float64(uint64(1)<<t.Z) * Extent
	return &tileProj{scale: s, ox: float64(t.X) * Extent, oy: float64(t.Y) * Extent, tol: tol}
}

func (tp *tileProj) pt(p orb.Point) orb.Point {
	return orb.Point{p[0]*tp.scale - tp.ox, p[1]*tp.scale - tp.oy}
}

func snap(p orb.Point) ipt {
	return ipt{int32(math.Round(p[0])), int32(math.Round(p[1]))}
}

// project copies pts into tile coordinates (the input is never written) and reports whether
// the copy touches and lies within the clip box.
func (tp *tileProj) project(pts []orb.Point) (out orb.Ring, touches, inside bool) {
	out = tp.scratch[:0]
	b := orb.Bound{Min: orb.Point{math.Inf(1), math.Inf(1)}, Max: orb.Point{math.Inf(-1), math.Inf(-1)}}
	for _, p := range pts {
		q := tp.pt(p)
		b = b.Extend(q)
		out = append(out, q)
	}
	tp.scratch = out
	return out, b.Intersects(clipBox), clipBox.Contains(b.Min) && clipBox.Contains(b.Max)
}

// ringArea2 is twice the signed shoelace area; positive means an MVT exterior ring.
func ringArea2(r []ipt) int64 {
	var a int64
	for i := range r {
		j := i + 1
		if j == len(r) {
			j = 0
		}
		a += int64(r[i].X)*int64(r[j].Y) - int64(r[j].X)*int64(r[i].Y)
	}
	return a
}

// snapRing rounds a ring, drops repeated points and the closing point, and returns nil for a
// ring with fewer than three distinct points or zero area.
func snapRing(r orb.Ring) ([]ipt, int64) {
	out := make([]ipt, 0, len(r))
	for _, p := range r {
		q := snap(p)
		if n := len(out); n > 0 && out[n-1] == q {
			continue
		}
		out = append(out, q)
	}
	for len(out) > 1 && out[0] == out[len(out)-1] {
		out = out[:len(out)-1]
	}
	if len(out) < 3 {
		return nil, 0
	}
	a := ringArea2(out)
	if a == 0 {
		return nil, 0
	}
	return out, a
}

func reverse(r []ipt) {
	for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
		r[i], r[j] = r[j], r[i]
	}
}

// ring projects, clips, simplifies and snaps one ring. exterior selects the winding.
func (tp *tileProj) ring(r orb.Ring, exterior bool) []ipt {
	pr, touches, inside := tp.project(r)
	if !touches {
		return nil
	}
	if !inside {
		pr = clip.Ring(clipBox, append(orb.Ring(nil), pr...))
		if pr == nil {
			return nil
		}
	}
	if tp.tol > 0 && len(pr) > 4 {
		pr = simplify.DouglasPeucker(tp.tol).Ring(append(orb.Ring(nil), pr...))
	}
	out, a := snapRing(pr)
	if out == nil {
		return nil
	}
	if (a > 0) != exterior {
		reverse(out)
	}
	return out
}

// polygon appends the clean rings of p to parts; an exterior that vanishes takes its holes.
func (tp *tileProj) polygon(parts [][]ipt, p orb.Polygon) [][]ipt {
	if len(p) == 0 {
		return parts
	}
	ext := tp.ring(p[0], true)
	if ext == nil {
		return parts
	}
	parts = append(parts, ext)
	for _, h := range p[1:] {
		if r := tp.ring(h, false); r != nil {
			parts = append(parts, r)
		}
	}
	return parts
}

// line appends the clean parts of a line: clipped pieces with at least two distinct points.
func (tp *tileProj) line(parts [][]ipt, l orb.LineString) [][]ipt {
	pr, touches, inside := tp.project(l)
	if !touches || len(pr) < 2 {
		return parts
	}
	pieces := orb.MultiLineString{orb.LineString(pr)}
	if !inside {
		pieces = clip.LineString(clipBox, append(orb.LineString(nil), pr...))
	}
	for _, piece := range pieces {
		if tp.tol > 0 && len(piece) > 2 {
			piece = simplify.DouglasPeucker(tp.tol).LineString(append(orb.LineString(nil), piece...))
		}
		out := make([]ipt, 0, len(piece))
		for _, p := range piece {
			q := snap(p)
			if n := len(out); n > 0 && out[n-1] == q {
				continue
			}
			out = append(out, q)
		}
		if len(out) >= 2 {
			parts = append(parts, out)
		}
	}
	return parts
}

// point returns the snapped point and whether it lies in the buffered tile.
func (tp *tileProj) point(p orb.Point) (ipt, bool) {
	q := tp.pt(p)
	if !clipBox.Contains(q) {
		return ipt{}, false
	}
	return snap(q), true
}
