package tiles

import (
	"math"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/clip"
	"github.com/paulmach/orb/maptile"
	"github.com/paulmach/orb/planar"
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

// tileProj maps world coordinates to one tile's coordinates and cleans geometry there. Its
// buffers live as long as the scratch that holds it (scratch.go) and are reused by every tile
// that scratch builds: pts, parts and tags are arenas that a tile's features slice into, so a
// built feature stays valid until the scratch is reset for the next tile.
type tileProj struct {
	tile          maptile.Tile
	scale, ox, oy float64
	tol           float64 // Douglas–Peucker tolerance in tile units, 0 = none

	proj, clipped orb.Ring    // float scratch of project, clipRing and simplify
	mask          []byte      // simplify's kept points
	stack         []int       // simplify's pending ranges
	rings         orb.Polygon // ring headers of a stored grid's polygon (gridTable.polygon)

	pts   []ipt   // arena: the snapped points of every part
	parts [][]ipt // arena: the parts of every feature
	tags  []Tag   // arena: the tags of every feature
}

// reset points tp at tile t with tolerance tol and empties its arenas.
func (tp *tileProj) reset(t maptile.Tile, tol float64) {
	tp.tile = t
	tp.scale = float64(uint64(1)<<t.Z) * Extent
	tp.ox, tp.oy = float64(t.X)*Extent, float64(t.Y)*Extent
	tp.tol = tol
	tp.pts, tp.parts, tp.tags = tp.pts[:0], tp.parts[:0], tp.tags[:0]
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
	out = tp.proj[:0]
	b := orb.Bound{Min: orb.Point{math.Inf(1), math.Inf(1)}, Max: orb.Point{math.Inf(-1), math.Inf(-1)}}
	for _, p := range pts {
		q := tp.pt(p)
		b = b.Extend(q)
		out = append(out, q)
	}
	tp.proj = out
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

// snapRing rounds a ring into the pts arena, drops repeated points and the closing point, and
// returns nil (leaving the arena as it was) for a ring with fewer than three distinct points or
// zero area.
func (tp *tileProj) snapRing(r orb.Ring) ([]ipt, int64) {
	start := len(tp.pts)
	for _, p := range r {
		q := snap(p)
		if n := len(tp.pts); n > start && tp.pts[n-1] == q {
			continue
		}
		tp.pts = append(tp.pts, q)
	}
	out := tp.pts[start:]
	for len(out) > 1 && out[0] == out[len(out)-1] {
		out = out[:len(out)-1]
	}
	if len(out) < 3 {
		tp.pts = tp.pts[:start]
		return nil, 0
	}
	a := ringArea2(out)
	if a == 0 {
		tp.pts = tp.pts[:start]
		return nil, 0
	}
	tp.pts = tp.pts[:start+len(out)]
	return out[:len(out):len(out)], a
}

func reverse(r []ipt) {
	for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
		r[i], r[j] = r[j], r[i]
	}
}

// ring projects, clips, simplifies and snaps one ring into the pts arena. exterior selects
// the winding.
func (tp *tileProj) ring(r orb.Ring, exterior bool) []ipt {
	pr, touches, inside := tp.project(r)
	if !touches {
		return nil
	}
	if !inside {
		if pr = tp.clipRing(pr); pr == nil {
			return nil
		}
	}
	if tp.tol > 0 && len(pr) > 4 {
		pr = orb.Ring(tp.simplify(pr))
	}
	out, a := tp.snapRing(pr)
	if out == nil {
		return nil
	}
	if (a > 0) != exterior {
		reverse(out)
	}
	return out
}

// polygon appends the clean rings of p to the parts arena; an exterior that vanishes takes its
// holes.
func (tp *tileProj) polygon(p orb.Polygon) {
	if len(p) == 0 {
		return
	}
	ext := tp.ring(p[0], true)
	if ext == nil {
		return
	}
	tp.parts = append(tp.parts, ext)
	for _, h := range p[1:] {
		if r := tp.ring(h, false); r != nil {
			tp.parts = append(tp.parts, r)
		}
	}
}

// line appends the clean parts of a line to the parts arena: clipped pieces with at least two
// distinct points.
func (tp *tileProj) line(l orb.LineString) {
	pr, touches, inside := tp.project(l)
	if !touches || len(pr) < 2 {
		return
	}
	pieces := orb.MultiLineString{orb.LineString(pr)}
	if !inside {
		pieces = clip.LineString(clipBox, append(orb.LineString(nil), pr...))
	}
	for _, piece := range pieces {
		if tp.tol > 0 && len(piece) > 2 {
			piece = orb.LineString(tp.simplify(piece))
		}
		start := len(tp.pts)
		for _, p := range piece {
			q := snap(p)
			if n := len(tp.pts); n > start && tp.pts[n-1] == q {
				continue
			}
			tp.pts = append(tp.pts, q)
		}
		if n := len(tp.pts) - start; n >= 2 {
			tp.parts = append(tp.parts, tp.pts[start:start+n:start+n])
		} else {
			tp.pts = tp.pts[:start]
		}
	}
}

// point returns the snapped point and whether it lies in the buffered tile.
func (tp *tileProj) point(p orb.Point) (ipt, bool) {
	q := tp.pt(p)
	if !clipBox.Contains(q) {
		return ipt{}, false
	}
	return snap(q), true
}

// pointParts returns the parts of a one-point feature, from the arenas.
func (tp *tileProj) pointParts(p ipt) [][]ipt {
	tp.pts = append(tp.pts, p)
	n, mark := len(tp.pts), len(tp.parts)
	tp.parts = append(tp.parts, tp.pts[n-1:n:n])
	return tp.partsFrom(mark)
}

// partsFrom returns the parts added to the arena since mark (its length then).
func (tp *tileProj) partsFrom(mark int) [][]ipt {
	n := len(tp.parts)
	return tp.parts[mark:n:n]
}

// tagsFrom returns the tags added to the tags arena since mark (its length then).
func (tp *tileProj) tagsFrom(mark int) []Tag {
	n := len(tp.tags)
	return tp.tags[mark:n:n]
}

// simplify is Douglas–Peucker with tp.tol, in place and without allocating: the algorithm of
// orb/simplify.DouglasPeucker (v0.14.0, dpWorker: the same stack order, distance and strict
// comparison, so the same points survive; TestSimplifyMatchesOrb checks it) with its mask and
// stack kept in tp, as a tile runs it for every ring it draws.
func (tp *tileProj) simplify(ls []orb.Point) []orb.Point {
	if len(ls) <= 2 {
		return ls
	}
	if cap(tp.mask) < len(ls) {
		tp.mask = make([]byte, 2*len(ls))
	}
	mask := tp.mask[:len(ls)]
	clear(mask)
	mask[0], mask[len(ls)-1] = 1, 1
	thr := tp.tol * tp.tol
	stack := append(tp.stack[:0], 0, len(ls)-1)
	for len(stack) > 0 {
		start, end := stack[len(stack)-2], stack[len(stack)-1]
		maxDist, maxIndex := 0.0, 0
		for i := start + 1; i < end; i++ {
			if d := planar.DistanceFromSegmentSquared(ls[start], ls[end], ls[i]); d > maxDist {
				maxDist, maxIndex = d, i
			}
		}
		if maxDist > thr {
			mask[maxIndex] = 1
			stack[len(stack)-1] = maxIndex
			stack = append(stack, maxIndex, end)
		} else {
			stack = stack[:len(stack)-2]
		}
	}
	tp.stack = stack
	n := 0
	for i, v := range mask {
		if v == 1 {
			ls[n] = ls[i]
			n++
		}
	}
	return ls[:n]
}

// clipRing clips a ring of tile coordinates to clipBox (Sutherland–Hodgman), reading and
// overwriting in, which must be one of tp's float buffers. It is orb/clip.Ring (v0.14.0: the
// same edge order, bit codes and intersections, so the same points; TestClipRingMatchesOrb)
// with its output in tp's buffers: orb allocates a new ring per call.
func (tp *tileProj) clipRing(in orb.Ring) orb.Ring {
	if len(in) == 0 {
		return nil
	}
	out := tp.clipped[:0]
	initClosed := in[0] == in[len(in)-1]
	for edge := 1; edge <= 8; edge <<= 1 {
		out = out[:0]
		prev := in[len(in)-1]
		if !initClosed {
			prev = in[0]
		}
		prevInside := bitCode(prev)&edge == 0
		for _, p := range in {
			inside := bitCode(p)&edge == 0
			if inside != prevInside {
				out = append(out, intersect(edge, prev, p))
			}
			if inside {
				out = append(out, p)
			}
			prev, prevInside = p, inside
		}
		if len(out) == 0 {
			tp.proj, tp.clipped = in[:0], out
			return nil
		}
		in, out = out, in
	}
	// four passes swapped the buffers back: in is the one the ring came in
	if initClosed && in[0] != in[len(in)-1] {
		in = append(in, in[0])
	}
	tp.proj, tp.clipped = in, out
	return in
}

// bitCode places p against clipBox: 1 left, 2 right, 4 above (smaller y), 8 below.
func bitCode(p orb.Point) int {
	code := 0
	if p[0] < clipBox.Min[0] {
		code |= 1
	} else if p[0] > clipBox.Max[0] {
		code |= 2
	}
	if p[1] < clipBox.Min[1] {
		code |= 4
	} else if p[1] > clipBox.Max[1] {
		code |= 8
	}
	return code
}

// intersect is where segment a–b crosses the side of clipBox named by edge.
func intersect(edge int, a, b orb.Point) orb.Point {
	box := clipBox
	switch {
	case edge&8 != 0:
		return orb.Point{a[0] + (b[0]-a[0])*(box.Max[1]-a[1])/(b[1]-a[1]), box.Max[1]}
	case edge&4 != 0:
		return orb.Point{a[0] + (b[0]-a[0])*(box.Min[1]-a[1])/(b[1]-a[1]), box.Min[1]}
	case edge&2 != 0:
		return orb.Point{box.Max[0], a[1] + (b[1]-a[1])*(box.Max[0]-a[0])/(b[0]-a[0])}
	}
	return orb.Point{box.Min[0], a[1] + (b[1]-a[1])*(box.Min[0]-a[0])/(b[0]-a[0])}
}
