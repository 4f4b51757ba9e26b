package geo

import (
	"slices"

	"github.com/paulmach/orb"
)

// buckets is the frame shared by the uniform bucket grids (cellIndex, compGrid): the origin,
// the buckets per degree, the size, and each bucket's run of entries, laid out flat (CSR).
type buckets struct {
	min        orb.Point
	invW, invH float64 // buckets per degree
	nx, ny     int
	start      []int32 // bucket k lists entries[start[k]:start[k+1]]
}

// span returns the buckets b covers, clamped to the grid. The clamp happens before the
// conversion to int, which is undefined for infinities; a NaN bound stretches the span to the
// grid's edge, as orb.Bound.Intersects lets NaN meet everything.
func (g *buckets) span(b orb.Bound) (x0, y0, x1, y1 int) {
	x0, x1 = clampIndex((b.Min[0]-g.min[0])*g.invW, g.nx, 0), clampIndex((b.Max[0]-g.min[0])*g.invW, g.nx, g.nx-1)
	y0, y1 = clampIndex((b.Min[1]-g.min[1])*g.invH, g.ny, 0), clampIndex((b.Max[1]-g.min[1])*g.invH, g.ny, g.ny-1)
	return
}

// clampIndex returns f's bucket among n, nan for NaN.
func clampIndex(f float64, n, nan int) int {
	switch {
	case f != f:
		return nan
	case f <= 0:
		return 0
	case f >= float64(n-1):
		return n - 1
	}
	return int(f)
}

// layout fills start for n items, item i listed in every bucket its box covers, and calls
// alloc with the number of entries, then put with each entry's slot, item and bucket; within a
// bucket the items come in ascending order.
func (g *buckets) layout(n int, box func(i int) orb.Bound, alloc func(entries int), put func(slot int32, i, x, y int)) {
	counts := make([]int32, g.nx*g.ny+1)
	for i := range n {
		x0, y0, x1, y1 := g.span(box(i))
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
	alloc(int(counts[len(counts)-1]))
	fill := make([]int32, g.nx*g.ny)
	copy(fill, counts)
	for i := range n {
		x0, y0, x1, y1 := g.span(box(i))
		for y := y0; y <= y1; y++ {
			for x := x0; x <= x1; x++ {
				k := y*g.nx + x
				put(fill[k], i, x, y)
				fill[k]++
			}
		}
	}
}

// cellIndex is a uniform bucket grid over the grid boxes: the Locate fast path. Unit grids are near-uniform ~100 m cells, so buckets of
// the median cell size hold two to four candidates and a lookup is two multiplications and a
// slice, where an R-tree search descends four levels through a callback. Bucket lists are
// ascending grid indexes, i.e. ascending codes, so the first grid that contains a point is the
// one with the lowest code.
//
// Random points over a 100k-grid city miss the CPU cache on nearly every pointer, so the table
// is flat: each bucket's entries sit side by side with their boxes, and a grid that is one
// simple ring (the usual case) names its vertices in the grids' polySet directly; a lookup then
// touches three cache lines.
type cellIndex struct {
	buckets
	entries []cellEntry
	pts     []orb.Point // the grids' polySet's vertices
}

type cellEntry struct {
	box    orb.Bound
	grid   int32
	off, n int32 // the grid's ring is pts[off:off+n]; n < 0: test the grid's polySet member
}

// maxBucketsPerGrid caps the bucket count: a few stray huge or far-apart grids must not blow
// the table up.
const maxBucketsPerGrid = 4

// buildCellIndex indexes the members of set, none of them empty.
func buildCellIndex(set *polySet) cellIndex {
	var ci cellIndex
	n := set.len()
	if n == 0 {
		return ci
	}
	ci.pts = set.pts
	ws := make([]float64, n)
	hs := make([]float64, n)
	all := set.bounds[0]
	for i, b := range set.bounds {
		ws[i] = b.Max[0] - b.Min[0]
		hs[i] = b.Max[1] - b.Min[1]
		all = union(all, b)
	}
	slices.Sort(ws)
	slices.Sort(hs)
	w, h := ws[n/2], hs[n/2]
	spanX, spanY := all.Max[0]-all.Min[0], all.Max[1]-all.Min[1]
	if w <= 0 {
		w = spanX + 1e-9
	}
	if h <= 0 {
		h = spanY + 1e-9
	}
	nx, ny := int(spanX/w)+1, int(spanY/h)+1
	for nx*ny > maxBucketsPerGrid*n+16 {
		w, h = w*1.5, h*1.5
		nx, ny = int(spanX/w)+1, int(spanY/h)+1
	}
	ci.min, ci.nx, ci.ny = all.Min, nx, ny
	ci.invW, ci.invH = 1/w, 1/h
	ci.layout(n, func(i int) orb.Bound { return set.bounds[i] },
		func(entries int) { ci.entries = make([]cellEntry, entries) },
		func(slot int32, i, _, _ int) {
			e := cellEntry{box: set.bounds[i], grid: int32(i), n: -1}
			if off, n, ok := set.simpleRing(i); ok {
				e.off, e.n = off, n
			}
			ci.entries[slot] = e
		})
	return ci
}

// bucket returns the candidate grids for p (nil when p is off the table).
func (ci *cellIndex) bucket(p orb.Point) []cellEntry {
	k, ok := ci.cell(p)
	if !ok {
		return nil
	}
	return ci.entries[ci.start[k]:ci.start[k+1]]
}

// cell returns the bucket of p, false when p is off the table.
func (ci *cellIndex) cell(p orb.Point) (int, bool) {
	if ci.nx == 0 {
		return 0, false
	}
	fx, fy := (p[0]-ci.min[0])*ci.invW, (p[1]-ci.min[1])*ci.invH
	if !(fx >= 0 && fy >= 0) || fx >= float64(ci.nx)+1 || fy >= float64(ci.ny)+1 {
		return 0, false // also rejects NaN
	}
	return min(int(fy), ci.ny-1)*ci.nx + min(int(fx), ci.nx-1), true
}
