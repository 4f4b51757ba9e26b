package geo

import (
	"math"
	"slices"

	"github.com/paulmach/orb"
)

// compGrid is a uniform bucket grid over the components of one class, sized for about four
// components per bucket: the fast path of Nearest. The R-tree's best-first walk pushes every
// child of every node it opens onto a heap, ~10 µs among 2M components with random points
// (cache misses dominate); rings of buckets around the query point touch a few hundred bytes
// laid out side by side.
//
// An entry is 8 bytes: a point component (most of them) is its offset from its bucket's
// corner in 16-bit fixed point, close enough (a millimetre or two in a bucket of tens of
// metres) for the walk's lower bound, which is loosened by the grid's eps; the exact point is
// read from the index's compPts only for a candidate that may enter the result, so every
// distance is still the exact one. A line or polygon names its box in the index's compShapes.
// With three grids per component (all, major, class), entries holding a float64 box and a
// position were 40 bytes, 240 MB of a 2M-component city; float32 offsets made them 12 bytes,
// 72 MB; these are 48 MB.
type compGrid struct {
	buckets
	cw, ch  float64 // bucket size in degrees
	qw, qh  float64 // degrees per unit of an entry's qx and qy
	eps     float64 // degrees: bound on an offset's rounding, with room to spare
	entries []compEntry
	pts     []orb.Point // the index's compPts
	shapes  []compShape // the index's compShapes
}

type compEntry struct {
	qx, qy uint16 // a point's offset from its bucket's lower-left corner, in units of qw and qh
	ref    int32  // a point's position in the dataset; ^i for compShapes[i]
}

// compShape is a component that is not a point: its box and its position in the dataset.
type compShape struct {
	box  orb.Bound
	comp int32
}

// newCompGrid returns an empty grid sized for n members within box all (the caller has the
// boxes per class): the members are then counted (count, once each), the entries allocated
// (alloc), and the members put (put, once each, in the same order). Through buckets.layout,
// with a pass for the box and a box function called twice per member, the three grids of a
// 2M-component city took 0.5 s to build.
func newCompGrid(all orb.Bound, n int, pts []orb.Point, shapes []compShape) *compGrid {
	spanX, spanY := all.Max[0]-all.Min[0], all.Max[1]-all.Min[1]
	// square buckets in metres at the middle latitude: side² = area × 4 / n
	cosLat := math.Max(math.Cos((all.Min[1]+all.Max[1])/2*rad), 0.01)
	side := math.Sqrt(spanX*cosLat*spanY*4/float64(n)) / cosLat // in degrees of longitude
	if !(side > 0) {
		side = math.Max(math.Max(spanX, spanY), 1e-6)
	}
	g := &compGrid{buckets: buckets{min: all.Min}, cw: side, ch: side * cosLat, pts: pts, shapes: shapes}
	g.nx, g.ny = int(spanX/g.cw)+1, int(spanY/g.ch)+1
	for g.nx*g.ny > n+16 { // degenerate extents: a line of components
		g.cw, g.ch = g.cw*1.5, g.ch*1.5
		g.nx, g.ny = int(spanX/g.cw)+1, int(spanY/g.ch)+1
	}
	g.invW, g.invH = 1/g.cw, 1/g.ch
	// An offset is below two bucket sides (a point rounded into the last bucket), so 16 bits
	// over two sides hold it; rounding to the nearest unit errs by half a unit, or by a
	// rounding error's width where a point a hair left of its corner is clamped to 0, and a
	// whole unit bounds either.
	g.qw, g.qh = 2*g.cw/math.MaxUint16, 2*g.ch/math.MaxUint16
	g.eps = math.Max(g.qw, g.qh)
	g.start = make([]int32, g.nx*g.ny+1) // the counts, bucket k's at k+1, until alloc
	return g
}

// count counts member ref (a point component's position or ^i for shapes[i]) in every bucket
// its box covers.
func (g *compGrid) count(ref int32) {
	if ref >= 0 {
		x, y := g.pointBucket(g.pts[ref])
		g.start[y*g.nx+x+1]++
		return
	}
	x0, y0, x1, y1 := g.span(g.shapes[^ref].box)
	for y := y0; y <= y1; y++ {
		for x := x0; x <= x1; x++ {
			g.start[y*g.nx+x+1]++
		}
	}
}

// alloc turns the counts into the buckets' starts, allocates the entries and returns each
// bucket's next free entry, for put.
func (g *compGrid) alloc() (next []int32) {
	for k := 1; k < len(g.start); k++ {
		g.start[k] += g.start[k-1]
	}
	g.entries = make([]compEntry, g.start[len(g.start)-1])
	return slices.Clone(g.start[:len(g.start)-1])
}

// put lists member ref in every bucket its box covers, after the members put before it.
func (g *compGrid) put(ref int32, next []int32) {
	if ref >= 0 {
		p := g.pts[ref]
		x, y := g.pointBucket(p)
		k := y*g.nx + x
		c := g.corner(x, y)
		g.entries[next[k]] = compEntry{ref: ref, qx: quantize((p[0] - c[0]) / g.qw), qy: quantize((p[1] - c[1]) / g.qh)}
		next[k]++
		return
	}
	x0, y0, x1, y1 := g.span(g.shapes[^ref].box)
	for y := y0; y <= y1; y++ {
		for x := x0; x <= x1; x++ {
			k := y*g.nx + x
			g.entries[next[k]] = compEntry{ref: ref}
			next[k]++
		}
	}
}

// boxAcc accumulates the box around boxes as folding them with union does: the extremes of
// the boxes that are not empty, or the first box when all are empty (a shape without points).
// Points are taken directly: union's emptiness tests, and a box per point, took most of a pass
// over 2M components.
type boxAcc struct {
	box   orb.Bound
	state uint8 // 0: no box yet; 1: only empty ones, box is the first; 2: box holds the others
}

func (a *boxAcc) addPoint(p orb.Point) {
	if a.state < 2 {
		a.box, a.state = orb.Bound{Min: p, Max: p}, 2
		return
	}
	a.box.Min = orb.Point{min(a.box.Min[0], p[0]), min(a.box.Min[1], p[1])}
	a.box.Max = orb.Point{max(a.box.Max[0], p[0]), max(a.box.Max[1], p[1])}
}

func (a *boxAcc) addBox(b orb.Bound) {
	switch {
	case b.IsEmpty():
		if a.state == 0 {
			a.box, a.state = b, 1
		}
	case a.state < 2:
		a.box, a.state = b, 2
	default:
		a.box = union(a.box, b)
	}
}

// add folds in what o accumulated, as if its boxes had been added here.
func (a *boxAcc) add(o boxAcc) {
	if o.state > 0 {
		a.addBox(o.box)
	}
}

// pointBucket returns the bucket of a finite point: span of its box, whose two corners are
// the one point.
func (g *compGrid) pointBucket(p orb.Point) (x, y int) {
	return clampIndex((p[0]-g.min[0])*g.invW, g.nx, 0), clampIndex((p[1]-g.min[1])*g.invH, g.ny, 0)
}

// corner returns the lower-left corner of bucket (x, y).
func (g *compGrid) corner(x, y int) orb.Point {
	return orb.Point{g.min[0] + float64(x)*g.cw, g.min[1] + float64(y)*g.ch}
}

// near returns the approximate point of a point entry in bucket (x, y).
func (g *compGrid) near(e *compEntry, x, y int) orb.Point {
	c := g.corner(x, y)
	return orb.Point{c[0] + float64(e.qx)*g.qw, c[1] + float64(e.qy)*g.qh}
}

// quantize rounds an offset in units to the nearest uint16.
func quantize(u float64) uint16 {
	return uint16(min(max(math.Round(u), 0), math.MaxUint16))
}

// search runs the ring walk for s. Rings grow around the bucket nearest p (p may lie outside
// the grid); after each ring the walk ends once the distance from p to the buckets not yet
// searched — at most four rectangles around the searched block, each measured with the same
// equirectangular lower bound as boxDist — exceeds the K-th best distance or the radius, or
// once the block covers the whole grid. There is no fallback: a point far outside the city
// costs a few more rings (the rectangles' distance grows with p's offset), and a 2M-component
// R-tree for those rare queries cost ~160 MB and most of the index build.
func (g *compGrid) search(s *nearestSearch) {
	fx, fy := (s.p[0]-g.min[0])*g.invW, (s.p[1]-g.min[1])*g.invH
	cx := min(max(int(math.Floor(fx)), 0), g.nx-1)
	cy := min(max(int(math.Floor(fy)), 0), g.ny-1)
	mx, my := g.cw*s.kxLo*lbSlack, g.ch*s.ky*lbSlack // metres per bucket, lower bounds
	epsM := g.eps * s.ky                             // an approximate point's error in metres, at most
	// rectDist is the lower bound from p to the buckets [x0,x1)×[y0,y1).
	rectDist := func(x0, x1, y0, y1 int) float64 {
		dx := max(float64(x0)-fx, 0, fx-float64(x1)) * mx
		dy := max(float64(y0)-fy, 0, fy-float64(y1)) * my
		return math.Sqrt(dx*dx + dy*dy)
	}
	for r := 0; ; r++ {
		if r > 0 {
			// the block searched so far, clipped to the grid
			x0, x1 := max(cx-r+1, 0), min(cx+r-1, g.nx-1)
			y0, y1 := max(cy-r+1, 0), min(cy+r-1, g.ny-1)
			lb := math.Inf(1)
			if x0 > 0 {
				lb = min(lb, rectDist(0, x0, 0, g.ny))
			}
			if x1 < g.nx-1 {
				lb = min(lb, rectDist(x1+1, g.nx, 0, g.ny))
			}
			if y0 > 0 {
				lb = min(lb, rectDist(x0, x1+1, 0, y0))
			}
			if y1 < g.ny-1 {
				lb = min(lb, rectDist(x0, x1+1, y1+1, g.ny))
			}
			if math.IsInf(lb, 1) {
				return // the block covers the whole grid
			}
			if len(s.res) == s.k && lb > s.res[s.k-1].Distance {
				return
			}
			if s.radius > 0 && lb > s.radius {
				return
			}
		}
		for y := cy - r; y <= cy+r; y++ {
			if y < 0 || y >= g.ny {
				continue
			}
			step := 1
			if y != cy-r && y != cy+r {
				step = 2 * r // only the left and right cells of middle rows
			}
			for x := cx - r; x <= cx+r; x += max(step, 1) {
				if x < 0 || x >= g.nx {
					continue
				}
				k := y*g.nx + x
				for e := g.start[k]; e < g.start[k+1]; e++ {
					en := &g.entries[e]
					if en.ref >= 0 {
						p := g.near(en, x, y)
						s.consider(en.ref, false, max(s.boxDist(p, p, 0, true)-epsM, 0), false)
						continue
					}
					sh := &g.shapes[^en.ref]
					s.consider(sh.comp, true, s.boxDist(sh.box.Min, sh.box.Max, 0, true), true)
				}
			}
		}
	}
}

// searchBox calls iter with every component whose box intersects b, once each, until iter
// returns false. A component spanning several buckets is reported from the first bucket that
// both its span and b's cover.
func (g *compGrid) searchBox(b orb.Bound, iter func(int32) bool) {
	qx0, qy0, qx1, qy1 := g.span(b)
	for y := qy0; y <= qy1; y++ {
		for x := qx0; x <= qx1; x++ {
			k := y*g.nx + x
			for e := g.start[k]; e < g.start[k+1]; e++ {
				en := &g.entries[e]
				if en.ref >= 0 {
					// the offset rules out the far points; the exact point decides the rest
					p := g.near(en, x, y)
					if p[0] < b.Min[0]-g.eps || p[0] > b.Max[0]+g.eps || p[1] < b.Min[1]-g.eps || p[1] > b.Max[1]+g.eps ||
						!b.Contains(g.pts[en.ref]) {
						continue
					}
					if !iter(en.ref) {
						return
					}
					continue
				}
				sh := &g.shapes[^en.ref]
				if !sh.box.Intersects(b) {
					continue
				}
				ex0, ey0, _, _ := g.span(sh.box)
				if max(ex0, qx0) != x || max(ey0, qy0) != y {
					continue
				}
				if !iter(sh.comp) {
					return
				}
			}
		}
	}
}
