package geo

import (
	"slices"

	"github.com/paulmach/orb"
)

// bandThreshold is the edge count above which a ring gets a y-band edge index. Below it a
// straight scan over the edges is faster than the band lookup; unit grids have 4–20 edges.
const bandThreshold = 64

// Prepared is a polygon or multipolygon made ready for repeated point-in-polygon tests. orb
// has no prepared geometry: planar.PolygonContains walks every edge, which is fine for a grid
// cell but costs ~10 µs on a 5,000-vertex district boundary. Large rings here carry a y-band
// (slab) index: the ring's y-range is cut into equal bands, each listing the edges that cross
// it, so a test touches only the edges of the point's band.
//
// Points on the boundary (an edge or a vertex of the outer ring or of a hole) count as inside;
// the answer is the same on every run and on every platform with IEEE arithmetic. A Prepared
// is immutable and safe for concurrent use.
type Prepared struct {
	set polySet // its one member
}

// polySet holds many prepared polygons in a few shared arrays addressed by int32 offsets, so
// an index of 100k grids is a dozen pointer-free allocations for the collector to skip, where
// a Prepared per grid with its own slices of polygons, rings and vertices was 300k objects to
// mark on every cycle.
type polySet struct {
	members []int32     // member m's polygons are polys[members[m]:members[m+1]]
	bounds  []orb.Bound // member m's box; zero when it has no polygon
	polys   []setPoly
	rings   []setRing
	pts     []orb.Point // ring vertices, each ring's closing vertex dropped (the edge is implied)
	bands   []int32     // band k of a banded ring r lists edges[bands[r.band+k]:bands[r.band+k+1]]
	edges   []int32     // a ring-relative edge i runs from its vertex i to i+1 (mod n)
}

type setPoly struct {
	bound        orb.Bound // of the outer ring
	ring0, ring1 int32     // rings[ring0:ring1]; the first is the outer ring, the rest holes
}

type setRing struct {
	bound      orb.Bound
	minY, invH float64 // band of y is int((y-minY)*invH)
	off, n     int32   // pts[off:off+n]
	band, nb   int32   // bands[band:band+nb+1]; nb is 0 when the ring is small
}

// Prepare builds a Prepared for an orb.Polygon, orb.MultiPolygon or orb.Ring (also given as
// pointers' values through orb.Geometry). Any other geometry, or an empty one, gives a Prepared
// that contains nothing.
func Prepare(g orb.Geometry) *Prepared {
	p := &Prepared{}
	p.set.add(g)
	return p
}

// Bound returns the bounding box of the prepared geometry.
func (p *Prepared) Bound() orb.Bound { return p.set.bound(0) }

// Contains reports whether pt lies inside or on the boundary of the geometry (see Prepared).
func (p *Prepared) Contains(pt orb.Point) bool {
	return p != nil && p.set.contains(0, pt)
}

// add appends g as the next member: its polygons, or none when g is not a polygon, multipolygon
// or ring, or is empty.
func (s *polySet) add(g orb.Geometry) {
	if len(s.members) == 0 {
		s.members = append(s.members, 0)
	}
	switch g := g.(type) {
	case orb.Polygon:
		s.addPoly(g)
	case orb.MultiPolygon:
		for _, poly := range g {
			s.addPoly(poly)
		}
	case orb.Ring:
		s.addPoly(orb.Polygon{g})
	}
	lo, hi := s.members[len(s.members)-1], int32(len(s.polys))
	var b orb.Bound
	for i := lo; i < hi; i++ {
		if i == lo {
			b = s.polys[i].bound
		} else {
			b = b.Union(s.polys[i].bound)
		}
	}
	s.members = append(s.members, hi)
	s.bounds = append(s.bounds, b)
}

// reserve makes room for members polygons of one ring each with pts vertices in all (closing
// ones included), the shape of unit grids: growing the arrays as 100k grids were added copied
// them some twenty times over.
func (s *polySet) reserve(members, pts int) {
	s.members = slices.Grow(s.members, members+1)
	s.bounds = slices.Grow(s.bounds, members)
	s.polys = slices.Grow(s.polys, members)
	s.rings = slices.Grow(s.rings, members)
	s.pts = slices.Grow(s.pts, pts)
}

// len returns the number of members.
func (s *polySet) len() int { return len(s.bounds) }

// empty reports whether member m has no polygon.
func (s *polySet) empty(m int) bool { return s.members[m] == s.members[m+1] }

// bound returns member m's box (zero for a member not there).
func (s *polySet) bound(m int) orb.Bound {
	if m >= len(s.bounds) {
		return orb.Bound{}
	}
	return s.bounds[m]
}

// simpleRing returns the vertices of member m when it is one polygon of one ring without a band
// index, the shape of nearly every unit grid, which Locate tests without the set's indirections.
func (s *polySet) simpleRing(m int) (off, n int32, ok bool) {
	if s.members[m+1]-s.members[m] != 1 {
		return 0, 0, false
	}
	p := &s.polys[s.members[m]]
	if p.ring1-p.ring0 != 1 || s.rings[p.ring0].nb != 0 {
		return 0, 0, false
	}
	r := &s.rings[p.ring0]
	return r.off, r.n, true
}

func (s *polySet) addPoly(poly orb.Polygon) {
	if len(poly) == 0 || len(poly[0]) < 3 {
		return
	}
	sp := setPoly{bound: poly[0].Bound(), ring0: int32(len(s.rings))}
	for _, r := range poly {
		if len(r) >= 3 {
			s.addRing(r)
		}
	}
	sp.ring1 = int32(len(s.rings))
	s.polys = append(s.polys, sp)
}

func (s *polySet) addRing(r orb.Ring) {
	sr := setRing{bound: r.Bound(), off: int32(len(s.pts))}
	if r[0] == r[len(r)-1] {
		r = r[:len(r)-1]
	}
	n := len(r)
	sr.n = int32(n)
	s.pts = append(s.pts, r...)
	h := sr.bound.Max[1] - sr.bound.Min[1]
	if n <= bandThreshold || h <= 0 {
		s.rings = append(s.rings, sr)
		return
	}
	nb := n / 4 // ~4 edges per band keeps lists short without many empty bands
	sr.minY, sr.invH = sr.bound.Min[1], float64(nb)/h
	sr.band, sr.nb = int32(len(s.bands)), int32(nb)
	band := func(y float64) int {
		return min(max(int((y-sr.minY)*sr.invH), 0), nb-1)
	}
	counts := make([]int32, nb+1)
	for i := 0; i < n; i++ {
		a, b := r[i], r[(i+1)%n]
		lo, hi := band(min(a[1], b[1])), band(max(a[1], b[1]))
		for k := lo; k <= hi; k++ {
			counts[k+1]++
		}
	}
	base := int32(len(s.edges))
	for k := 1; k <= nb; k++ {
		counts[k] += counts[k-1]
	}
	fill := make([]int32, nb)
	for k := range counts {
		if k < nb {
			fill[k] = base + counts[k]
		}
		s.bands = append(s.bands, base+counts[k])
	}
	s.edges = append(s.edges, make([]int32, counts[nb])...)
	for i := 0; i < n; i++ {
		a, b := r[i], r[(i+1)%n]
		lo, hi := band(min(a[1], b[1])), band(max(a[1], b[1]))
		for k := lo; k <= hi; k++ {
			s.edges[fill[k]] = int32(i)
			fill[k]++
		}
	}
	s.rings = append(s.rings, sr)
}

// contains reports whether pt lies inside or on the boundary of member m (see Prepared).
func (s *polySet) contains(m int, pt orb.Point) bool {
	if m >= len(s.bounds) || !s.bounds[m].Contains(pt) {
		return false
	}
	for i := s.members[m]; i < s.members[m+1]; i++ {
		if s.polyContains(&s.polys[i], pt) {
			return true
		}
	}
	return false
}

func (s *polySet) polyContains(p *setPoly, pt orb.Point) bool {
	if !p.bound.Contains(pt) {
		return false
	}
	if in, on := s.ringTest(&s.rings[p.ring0], pt); !in && !on {
		return false
	}
	for i := p.ring0 + 1; i < p.ring1; i++ {
		if in, on := s.ringTest(&s.rings[i], pt); in && !on {
			return false // strictly inside a hole; a hole's edge is still the polygon's boundary
		}
	}
	return true
}

// ringTest returns whether pt is strictly inside ring r (crossing parity) and whether it lies
// on an edge.
func (s *polySet) ringTest(r *setRing, pt orb.Point) (in, on bool) {
	if !r.bound.Contains(pt) {
		return false, false
	}
	pts := s.pts[r.off : r.off+r.n]
	if r.nb == 0 {
		return ringTest(pts, pt)
	}
	k := r.band + int32(min(max(int((pt[1]-r.minY)*r.invH), 0), int(r.nb)-1))
	n := len(pts)
	for _, e := range s.edges[s.bands[k]:s.bands[k+1]] {
		i := int(e)
		j := i + 1
		if j == n {
			j = 0
		}
		c, o := crossEdge(pts[i], pts[j], pt)
		if o {
			return false, true
		}
		in = in != c
	}
	return in, false
}

// ringTest returns whether p is strictly inside the ring pts (the closing edge implied) and
// whether it lies on an edge. Each edge is half-open in y, so a ray through a vertex is counted
// once.
func ringTest(pts []orb.Point, p orb.Point) (in, on bool) {
	j := len(pts) - 1
	for i := range pts {
		c, o := crossEdge(pts[j], pts[i], p)
		if o {
			return false, true
		}
		in = in != c
		j = i
	}
	return in, false
}

// ringContains is ringTest's boundary-inclusive answer.
func ringContains(pts []orb.Point, p orb.Point) bool {
	in, on := ringTest(pts, p)
	return in || on
}

// crossEdge reports whether the ray from p towards +x crosses edge a→b (half-open in y), and
// whether p lies on the edge. The sign of one cross product decides both, so the two answers
// can never disagree through rounding.
func crossEdge(a, b, p orb.Point) (cross, on bool) {
	if (p[1] < a[1] && p[1] < b[1]) || (p[1] > a[1] && p[1] > b[1]) {
		return false, false
	}
	c := (b[0]-a[0])*(p[1]-a[1]) - (b[1]-a[1])*(p[0]-a[0])
	if c == 0 && p[0] >= min(a[0], b[0]) && p[0] <= max(a[0], b[0]) {
		return false, true
	}
	if (a[1] > p[1]) == (b[1] > p[1]) {
		return false, false
	}
	return (c > 0) == (b[1] > a[1]), false
}
