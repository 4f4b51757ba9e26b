package geo

import "github.com/paulmach/orb"

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
	polys []prepPoly
	bound orb.Bound
	empty bool
}

type prepPoly struct {
	bound orb.Bound
	rings []prepRing // [0] is the outer ring, the rest are holes
}

type prepRing struct {
	pts   []orb.Point // the ring as given; closed or not, the closing edge is implied
	bound orb.Bound
	// band index, nil when the ring is small
	minY, invH float64 // band of y is int((y-minY)*invH)
	start      []int32 // edges of band b are edges[start[b]:start[b+1]]
	edges      []int32 // edge i runs from pts[i] to pts[i+1] (mod len)
}

// Prepare builds a Prepared for an orb.Polygon, orb.MultiPolygon or orb.Ring (also given as
// pointers' values through orb.Geometry). Any other geometry, or an empty one, gives a Prepared
// that contains nothing.
func Prepare(g orb.Geometry) *Prepared {
	p := &Prepared{}
	switch g := g.(type) {
	case orb.Polygon:
		p.add(g)
	case orb.MultiPolygon:
		for _, poly := range g {
			p.add(poly)
		}
	case orb.Ring:
		p.add(orb.Polygon{g})
	}
	p.empty = len(p.polys) == 0
	for i, pp := range p.polys {
		if i == 0 {
			p.bound = pp.bound
		} else {
			p.bound = p.bound.Union(pp.bound)
		}
	}
	return p
}

func (p *Prepared) add(poly orb.Polygon) {
	if len(poly) == 0 || len(poly[0]) < 3 {
		return
	}
	pp := prepPoly{bound: poly[0].Bound()}
	for _, r := range poly {
		if len(r) < 3 {
			continue
		}
		pp.rings = append(pp.rings, prepareRing(r))
	}
	p.polys = append(p.polys, pp)
}

func prepareRing(r orb.Ring) prepRing {
	pr := prepRing{pts: r, bound: r.Bound()}
	n := len(r)
	if n <= bandThreshold {
		return pr
	}
	nb := n / 4 // ~4 edges per band keeps lists short without many empty bands
	h := pr.bound.Max[1] - pr.bound.Min[1]
	if h <= 0 {
		return pr
	}
	pr.minY, pr.invH = pr.bound.Min[1], float64(nb)/h
	band := func(y float64) int {
		b := int((y - pr.minY) * pr.invH)
		return min(max(b, 0), nb-1)
	}
	counts := make([]int32, nb+1)
	for i := 0; i < n; i++ {
		a, b := r[i], r[(i+1)%n]
		lo, hi := band(min(a[1], b[1])), band(max(a[1], b[1]))
		for k := lo; k <= hi; k++ {
			counts[k+1]++
		}
	}
	for k := 1; k <= nb; k++ {
		counts[k] += counts[k-1]
	}
	pr.start = counts
	pr.edges = make([]int32, counts[nb])
	fill := make([]int32, nb)
	copy(fill, counts[:nb])
	for i := 0; i < n; i++ {
		a, b := r[i], r[(i+1)%n]
		lo, hi := band(min(a[1], b[1])), band(max(a[1], b[1]))
		for k := lo; k <= hi; k++ {
			pr.edges[fill[k]] = int32(i)
			fill[k]++
		}
	}
	return pr
}

// Bound returns the bounding box of the prepared geometry.
func (p *Prepared) Bound() orb.Bound { return p.bound }

// Contains reports whether pt lies inside or on the boundary of the geometry (see Prepared).
func (p *Prepared) Contains(pt orb.Point) bool {
	if p == nil || p.empty || !p.bound.Contains(pt) {
		return false
	}
	for i := range p.polys {
		if p.polys[i].contains(pt) {
			return true
		}
	}
	return false
}

func (pp *prepPoly) contains(pt orb.Point) bool {
	if !pp.bound.Contains(pt) {
		return false
	}
	if in, on := pp.rings[0].test(pt); !in && !on {
		return false
	}
	for i := 1; i < len(pp.rings); i++ {
		if in, on := pp.rings[i].test(pt); in && !on {
			return false // strictly inside a hole; a hole's edge is still the polygon's boundary
		}
	}
	return true
}

// test returns whether pt is strictly inside the ring (crossing parity) and whether it lies on
// an edge. Each edge is half-open in y, so a ray through a vertex is counted once.
func (r *prepRing) test(pt orb.Point) (in, on bool) {
	if !r.bound.Contains(pt) {
		return false, false
	}
	n := len(r.pts)
	if r.edges == nil {
		for i := 0; i < n; i++ {
			j := i + 1
			if j == n {
				j = 0
			}
			c, o := crossEdge(r.pts[i], r.pts[j], pt)
			if o {
				return false, true
			}
			in = in != c
		}
		return in, false
	}
	b := int((pt[1] - r.minY) * r.invH)
	b = min(max(b, 0), len(r.start)-2)
	for _, e := range r.edges[r.start[b]:r.start[b+1]] {
		i := int(e)
		j := i + 1
		if j == n {
			j = 0
		}
		c, o := crossEdge(r.pts[i], r.pts[j], pt)
		if o {
			return false, true
		}
		in = in != c
	}
	return in, false
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
