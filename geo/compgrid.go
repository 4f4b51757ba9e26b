package geo

import (
	"math"

	"github.com/paulmach/orb"
	"github.com/tidwall/rtree"
)

// compGrid is a uniform bucket grid over the components of one class, sized for about four
// components per bucket: the fast path of Nearest. The R-tree's best-first walk pushes every
// child of every node it opens onto a heap, ~10 µs among 2M components with random points
// (cache misses dominate); rings of buckets around the query point touch a few hundred bytes
// laid out side by side. Far-away queries and sparse corners fall back to the R-tree.
type compGrid struct {
	min        orb.Point
	invW, invH float64 // buckets per degree
	cw, ch     float64 // bucket size in degrees
	nx, ny     int
	start      []int32 // bucket k lists entries[start[k]:start[k+1]]
	entries    []compEntry
}

type compEntry struct {
	box  orb.Bound
	comp int32
}

// maxRings bounds the ring walk; past it Nearest falls back to the R-tree.
const maxRings = 24

func buildCompGrid(boxes []orb.Bound, members []int32) *compGrid {
	if len(members) == 0 {
		return nil
	}
	all := boxes[members[0]]
	for _, i := range members {
		all = all.Union(boxes[i])
	}
	spanX, spanY := all.Max[0]-all.Min[0], all.Max[1]-all.Min[1]
	// square buckets in metres at the middle latitude: side² = area × 4 / n
	cosLat := math.Max(math.Cos((all.Min[1]+all.Max[1])/2*rad), 0.01)
	side := math.Sqrt(spanX*cosLat*spanY*4/float64(len(members))) / cosLat // in degrees of longitude
	if !(side > 0) {
		side = math.Max(math.Max(spanX, spanY), 1e-6)
	}
	g := &compGrid{min: all.Min, cw: side, ch: side * cosLat}
	g.nx, g.ny = int(spanX/g.cw)+1, int(spanY/g.ch)+1
	for g.nx*g.ny > len(members)+16 { // degenerate extents: a line of components
		g.cw, g.ch = g.cw*1.5, g.ch*1.5
		g.nx, g.ny = int(spanX/g.cw)+1, int(spanY/g.ch)+1
	}
	g.invW, g.invH = 1/g.cw, 1/g.ch
	counts := make([]int32, g.nx*g.ny+1)
	for _, i := range members {
		x0, y0, x1, y1 := g.span(boxes[i])
		for y := y0; y <= y1; y++ {
			for x := x0; x <= x1; x++ {
				counts[y*g.nx+x+1]++
			}
		}
	}
	for k := 1; k < len(counts); k++ {
		counts[k] += counts[k-1]
	}
	g.start = counts
	g.entries = make([]compEntry, counts[len(counts)-1])
	fill := make([]int32, g.nx*g.ny)
	copy(fill, counts)
	for _, i := range members {
		b := boxes[i]
		x0, y0, x1, y1 := g.span(b)
		for y := y0; y <= y1; y++ {
			for x := x0; x <= x1; x++ {
				k := y*g.nx + x
				g.entries[fill[k]] = compEntry{box: b, comp: i}
				fill[k]++
			}
		}
	}
	return g
}

func (g *compGrid) span(b orb.Bound) (x0, y0, x1, y1 int) {
	cx := func(x float64) int { return min(max(int((x-g.min[0])*g.invW), 0), g.nx-1) }
	cy := func(y float64) int { return min(max(int((y-g.min[1])*g.invH), 0), g.ny-1) }
	return cx(b.Min[0]), cy(b.Min[1]), cx(b.Max[0]), cy(b.Max[1])
}

// search runs the ring walk for s and reports false when it gave up (the caller then uses the
// R-tree). Rings grow around p's bucket; ring r is skipped and the walk ends once the distance
// from p to the outside of the (2r−1)² block already searched exceeds the K-th best distance
// or the radius, which is the same lower bound argument as the R-tree's.
func (g *compGrid) search(s *nearestSearch) bool {
	fx, fy := (s.p[0]-g.min[0])*g.invW, (s.p[1]-g.min[1])*g.invH
	// too far outside the grid: the rings would be mostly empty
	if fx < -2 || fy < -2 || fx > float64(g.nx)+2 || fy > float64(g.ny)+2 {
		return false
	}
	cx, cy := int(math.Floor(fx)), int(math.Floor(fy))
	mx, my := g.cw*s.kxLo*lbSlack, g.ch*s.ky*lbSlack // metres per bucket, lower bounds
	for r := 0; ; r++ {
		if r > 0 {
			// distance from p to the outside of the block of rings 0..r-1
			lb := math.Min(math.Min(fx-float64(cx-r+1), float64(cx+r)-fx)*mx,
				math.Min(fy-float64(cy-r+1), float64(cy+r)-fy)*my)
			if len(s.res) == s.k && lb > s.res[s.k-1].Distance {
				return true
			}
			if s.radius > 0 && lb > s.radius {
				return true
			}
			if cx-r < 0 && cy-r < 0 && cx+r >= g.nx && cy+r >= g.ny {
				return true // the rings cover the whole grid
			}
			if r > maxRings {
				return false
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
					s.consider(en.comp, en.box, s.boxDist(en.box.Min, en.box.Max, 0, true), true)
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
				if !en.box.Intersects(b) {
					continue
				}
				if en.box.Min != en.box.Max {
					ex0, ey0, _, _ := g.span(en.box)
					if max(ex0, qx0) != x || max(ey0, qy0) != y {
						continue
					}
				}
				if !iter(en.comp) {
					return
				}
			}
		}
	}
}

// insertInto adds every component of the grid to t in bucket order: neighbours in space go in
// one after another, which builds the R-tree about twice as fast as dataset order and gives
// tighter nodes. A component spanning several buckets is inserted from its first one only.
func (g *compGrid) insertInto(t *rtree.RTreeG[int32]) {
	for k := 0; k < g.nx*g.ny; k++ {
		for e := g.start[k]; e < g.start[k+1]; e++ {
			en := &g.entries[e]
			if en.box.Min != en.box.Max {
				x0, y0, _, _ := g.span(en.box)
				if y0*g.nx+x0 != k {
					continue
				}
			}
			t.Insert(en.box.Min, en.box.Max, en.comp)
		}
	}
}
