package geo

import (
	"sort"

	"github.com/paulmach/orb"
)

// cellIndex is a uniform bucket grid over the grid boxes: the Locate fast path. Unit grids are
// near-uniform ~100 m cells, so buckets of the median cell size hold two to four candidates
// and a lookup is two multiplications and a slice, where an R-tree search descends four levels
// through a callback. Bucket lists are ascending grid indexes, i.e. ascending codes, so the
// first grid that contains a point is the one with the lowest code.
//
// Random points over a 100k-grid city miss the CPU cache on nearly every pointer, so the table
// is flat: each bucket's entries sit side by side with their boxes, and a grid that is one
// simple ring (the usual case) keeps its vertices in one shared slice; a lookup then touches
// three cache lines instead of following Prepared's five pointers.
type cellIndex struct {
	min        orb.Point
	invW, invH float64 // buckets per degree
	nx, ny     int
	start      []int32 // bucket k lists entries[start[k]:start[k+1]]
	entries    []cellEntry
	pts        []orb.Point // vertices of simple grids, closing vertex dropped
}

type cellEntry struct {
	box    orb.Bound
	grid   int32
	off, n int32 // the grid's ring is pts[off:off+n]; n < 0: test the Prepared instead
}

// maxBucketsPerGrid caps the bucket count: a few stray huge or far-apart grids must not blow
// the table up.
const maxBucketsPerGrid = 4

func buildCellIndex(preps []*Prepared) cellIndex {
	var ci cellIndex
	if len(preps) == 0 {
		return ci
	}
	boxes := make([]orb.Bound, len(preps))
	ring := make([][2]int32, len(preps))
	for i, p := range preps {
		ring[i] = [2]int32{0, -1}
		if len(p.polys) == 1 && len(p.polys[0].rings) == 1 && p.polys[0].rings[0].edges == nil {
			r := p.polys[0].rings[0].pts
			if len(r) > 1 && r[0] == r[len(r)-1] {
				r = r[:len(r)-1]
			}
			ring[i] = [2]int32{int32(len(ci.pts)), int32(len(r))}
			ci.pts = append(ci.pts, r...)
		}
	}
	ws := make([]float64, len(preps))
	hs := make([]float64, len(preps))
	all := preps[0].bound
	for i, p := range preps {
		boxes[i] = p.bound
		ws[i] = p.bound.Max[0] - p.bound.Min[0]
		hs[i] = p.bound.Max[1] - p.bound.Min[1]
		all = all.Union(p.bound)
	}
	sort.Float64s(ws)
	sort.Float64s(hs)
	w, h := ws[len(ws)/2], hs[len(hs)/2]
	spanX, spanY := all.Max[0]-all.Min[0], all.Max[1]-all.Min[1]
	if w <= 0 {
		w = spanX + 1e-9
	}
	if h <= 0 {
		h = spanY + 1e-9
	}
	nx, ny := int(spanX/w)+1, int(spanY/h)+1
	for nx*ny > maxBucketsPerGrid*len(preps)+16 {
		w, h = w*1.5, h*1.5
		nx, ny = int(spanX/w)+1, int(spanY/h)+1
	}
	ci.min, ci.nx, ci.ny = all.Min, nx, ny
	ci.invW, ci.invH = 1/w, 1/h
	counts := make([]int32, nx*ny+1)
	for _, b := range boxes {
		x0, y0, x1, y1 := ci.span(b)
		for y := y0; y <= y1; y++ {
			for x := x0; x <= x1; x++ {
				counts[y*nx+x+1]++
			}
		}
	}
	for k := 1; k < len(counts); k++ {
		counts[k] += counts[k-1]
	}
	ci.start = counts
	ci.entries = make([]cellEntry, counts[len(counts)-1])
	fill := make([]int32, nx*ny)
	copy(fill, counts)
	for i, b := range boxes {
		x0, y0, x1, y1 := ci.span(b)
		for y := y0; y <= y1; y++ {
			for x := x0; x <= x1; x++ {
				k := y*nx + x
				ci.entries[fill[k]] = cellEntry{box: b, grid: int32(i), off: ring[i][0], n: ring[i][1]}
				fill[k]++
			}
		}
	}
	return ci
}

func (ci *cellIndex) span(b orb.Bound) (x0, y0, x1, y1 int) {
	x0, y0 = ci.clampX(b.Min[0]), ci.clampY(b.Min[1])
	x1, y1 = ci.clampX(b.Max[0]), ci.clampY(b.Max[1])
	return
}

func (ci *cellIndex) clampX(x float64) int {
	return min(max(int((x-ci.min[0])*ci.invW), 0), ci.nx-1)
}

func (ci *cellIndex) clampY(y float64) int {
	return min(max(int((y-ci.min[1])*ci.invH), 0), ci.ny-1)
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

// ringContains is prepRing.test for a simple ring in pts, boundary inclusive.
func ringContains(pts []orb.Point, p orb.Point) bool {
	in := false
	j := len(pts) - 1
	for i := range pts {
		c, on := crossEdge(pts[j], pts[i], p)
		if on {
			return true
		}
		in = in != c
		j = i
	}
	return in
}
