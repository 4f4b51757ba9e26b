package geo

import (
	"math"

	"citygeo/data"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// NearestQuery says what Nearest looks for.
type NearestQuery struct {
	K      int     // how many; 0 means 1
	Radius float64 // metres; 0 means unlimited
	Class  string  // "" any, "01" a major class with all its minors, "0118" / "01037" one class
}

// Neighbor is one component found by Nearest.
type Neighbor struct {
	Component *data.Component
	Distance  float64 // metres from the query point to the closest point of the geometry
	Bearing   float64 // degrees clockwise from north, from the query point to that closest point
	// At is that closest point; Own says it is the component's own point (a point component,
	// whose point the index keeps beside the others), so an answer need not read the
	// component's geometry for it: a cache miss each among millions.
	At  orb.Point
	Own bool
}

// lbSlack shrinks the equirectangular lower bound so it stays below the haversine distance
// even where the great circle bends poleward of the parallel (relevant only beyond ~1,000 km;
// at city scale the two agree to 1e-5).
const lbSlack = 0.99

// Nearest returns up to K components of the class nearest to p (CGCS2000 lon/lat), closest
// first (equal distances: lower ID first), within Radius metres when Radius > 0. Results are
// appended to buf[:0], so a caller that passes a buffer of capacity K allocates nothing for
// them. Distance is the great-circle distance to the closest point of the geometry (0 inside
// a polygon component).
//
// Candidates come from the class's bucket grid, in rings around p. The walk prunes with a
// lower bound — an equirectangular box distance using the metres-per-degree of the highest
// latitude involved, shrunk by 1 % — and stops only once that bound passes the K-th exact
// distance, so the true nearest is never missed (TestNearestMatchesBruteForce checks it
// against a full scan, with points up to 50 km outside the city).
func (ix *Index) Nearest(p orb.Point, q NearestQuery, buf []Neighbor) []Neighbor {
	res := buf[:0]
	k := q.K
	if k <= 0 {
		k = 1
	}
	g := ix.classGrid[q.Class]
	if g == nil || !finite(p) {
		return res
	}
	s := nearestSearch{ix: ix, p: p, k: k, radius: q.Radius, res: res,
		ky: ix.ky, kx: ix.ky * math.Cos(p[1]*rad), kxLo: math.Min(ix.kxLo, ix.ky*math.Cos(p[1]*rad))}
	g.search(&s)
	// The bearing of the result only: a candidate that entered it and was pushed out by a
	// nearer one needed none (three trigonometric calls each).
	for i := range s.res {
		s.res[i].Bearing = Bearing(p, s.res[i].At)
	}
	return s.res
}

type nearestSearch struct {
	ix       *Index
	p        orb.Point
	k        int
	radius   float64
	kx, kxLo float64
	ky       float64
	res      []Neighbor
}

// boxDist is the lower bound in metres from p to a box.
func (s *nearestSearch) boxDist(min, max [2]float64, _ int32, _ bool) float64 {
	var dx, dy float64
	if s.p[0] < min[0] {
		dx = min[0] - s.p[0]
	} else if s.p[0] > max[0] {
		dx = s.p[0] - max[0]
	}
	if s.p[1] < min[1] {
		dy = min[1] - s.p[1]
	} else if s.p[1] > max[1] {
		dy = s.p[1] - max[1]
	}
	dx, dy = dx*s.kxLo, dy*s.ky
	return math.Sqrt(dx*dx+dy*dy) * lbSlack
}

// consider offers component i, a line or polygon when shape is set, whose lower bound is lb;
// it reports false once lb shows that nothing at lb or beyond can enter the result. dedupe is
// set by the bucket walk, where a shape spanning several buckets is met more than once.
func (s *nearestSearch) consider(i int32, shape bool, lb float64, dedupe bool) bool {
	if s.radius > 0 && lb > s.radius {
		return false
	}
	if len(s.res) == s.k && lb > s.res[s.k-1].Distance {
		return false
	}
	var c *data.Component
	var d float64
	var at orb.Point
	if !shape {
		// a point: the index keeps it beside the others, so the component need not be read
		// (a cache miss per candidate among millions) unless it makes the result
		at = s.ix.compPts[i]
		// The point's own lower bound, as boxDist's, before the great-circle distance: most
		// candidates of a ring lie beyond the result's K-th and need no trigonometry.
		if lb := s.boxDist(at, at, 0, true); s.radius > 0 && lb > s.radius || len(s.res) == s.k && lb > s.res[s.k-1].Distance {
			return true
		}
		d = Distance(s.p, at)
	} else {
		c = s.ix.comps[i]
		if dedupe {
			for j := range s.res {
				if s.res[j].Component == c {
					return true
				}
			}
		}
		d, at = distanceTo(c.Geometry, s.p, s.kx)
	}
	if s.radius > 0 && d > s.radius {
		return true
	}
	n := len(s.res)
	if n == s.k && d > s.res[n-1].Distance {
		return true
	}
	if c == nil {
		c = s.ix.comps[i]
	}
	if n == s.k && !less(d, c, s.res[n-1]) {
		return true
	}
	if n < s.k {
		s.res = append(s.res, Neighbor{})
		n++
	}
	j := n - 1
	for j > 0 && less(d, c, s.res[j-1]) {
		s.res[j] = s.res[j-1]
		j--
	}
	s.res[j] = Neighbor{Component: c, Distance: d, At: at, Own: !shape}
	return true
}

// less reports whether a candidate at d metres, component c, ranks before n: nearer, or as near
// with a lower ID. c is read only on a tie: a component lies apart from the index, and reading
// its ID for every candidate that entered the result was a cache miss each.
func less(d float64, c *data.Component, n Neighbor) bool {
	return d < n.Distance || (d == n.Distance && c.ID < n.Component.ID)
}

// DistanceTo returns the distance in metres from p to the closest point of g (0 when p is
// inside a polygon) and that point. The closest point is found in a local equirectangular
// projection at p's latitude, and the distance to it is the great-circle distance; for the
// sizes of city features the two differ by well under a millimetre. An empty geometry is
// infinitely far.
func DistanceTo(g orb.Geometry, p orb.Point) (float64, orb.Point) {
	return distanceTo(g, p, EarthRadius*rad*math.Cos(p[1]*rad))
}

// DistanceToBoundary returns the distance in metres from p to the nearest edge of g's polygons,
// whether p is inside or outside: the margin by which a point is in or out, as validation
// tolerances need it. Lines and points are their own boundary. It measures like DistanceTo.
func DistanceToBoundary(g orb.Geometry, p orb.Point) float64 {
	c := closest{p: p, kx: EarthRadius * rad * math.Cos(p[1]*rad), ky: EarthRadius * rad, d2: math.Inf(1), edges: true}
	c.geometry(g)
	if math.IsInf(c.d2, 1) {
		return math.Inf(1)
	}
	return Distance(p, c.at)
}

func distanceTo(g orb.Geometry, p orb.Point, kx float64) (float64, orb.Point) {
	if pt, ok := g.(orb.Point); ok { // the common case: most components are points
		return Distance(p, pt), pt
	}
	c := closest{p: p, kx: kx, ky: EarthRadius * rad, d2: math.Inf(1)}
	if c.geometry(g) {
		return 0, p
	}
	if math.IsInf(c.d2, 1) {
		return math.Inf(1), p
	}
	return Distance(p, c.at), c.at
}

// closest tracks the closest point found so far, by squared local-metric distance.
type closest struct {
	p      orb.Point
	kx, ky float64
	d2     float64
	at     orb.Point
	edges  bool // measure to polygon edges even from inside (DistanceToBoundary)
}

// geometry walks g and reports true when p is inside one of its polygons.
func (c *closest) geometry(g orb.Geometry) bool {
	switch g := g.(type) {
	case orb.Point:
		c.segment(g, g)
	case orb.MultiPoint:
		for _, pt := range g {
			c.segment(pt, pt)
		}
	case orb.LineString:
		c.line(g)
	case orb.MultiLineString:
		for _, ls := range g {
			c.line(ls)
		}
	case orb.Ring:
		return c.geometry(orb.Polygon{g})
	case orb.Polygon:
		if !c.edges && len(g) > 0 && planar.PolygonContains(g, c.p) {
			return true
		}
		for _, r := range g {
			c.ring(r)
		}
	case orb.MultiPolygon:
		for _, poly := range g {
			if c.geometry(poly) {
				return true
			}
		}
	case orb.Collection:
		for _, sub := range g {
			if c.geometry(sub) {
				return true
			}
		}
	case orb.Bound:
		return c.geometry(g.ToPolygon())
	}
	return false
}

func (c *closest) line(ls orb.LineString) {
	if len(ls) == 1 {
		c.segment(ls[0], ls[0])
	}
	for i := 1; i < len(ls); i++ {
		c.segment(ls[i-1], ls[i])
	}
}

func (c *closest) ring(r orb.Ring) {
	c.line(orb.LineString(r))
	if n := len(r); n > 1 && r[0] != r[n-1] {
		c.segment(r[n-1], r[0])
	}
}

// segment projects p onto a–b in local metres (x scaled by kx, y by ky).
func (c *closest) segment(a, b orb.Point) {
	t, d2 := NearestOnSegment(orb.Point{},
		orb.Point{(a[0] - c.p[0]) * c.kx, (a[1] - c.p[1]) * c.ky},
		orb.Point{(b[0] - c.p[0]) * c.kx, (b[1] - c.p[1]) * c.ky})
	if d2 < c.d2 {
		c.d2 = d2
		c.at = orb.Point{a[0] + t*(b[0]-a[0]), a[1] + t*(b[1]-a[1])}
	}
}
