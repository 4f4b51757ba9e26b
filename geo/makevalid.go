package geo

import (
	"errors"
	"math"
	"sort"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// MakeValid repairs a polygon whose rings cross or touch themselves, as PostGIS's
// ST_MakeValid does for such rings: each ring is cut at the points where it crosses itself into
// simple loops, loops without area (spikes, doubled-back edges) are dropped, and the loops are
// nested by the even–odd rule (a loop inside an odd number of others is a hole of the smallest
// one around it). It returns the parts, largest first, shells anticlockwise and holes clockwise;
// a valid polygon comes back as its one part. Coordinates are treated as planar, which is exact
// for the topology of a city-sized polygon in lon/lat.
//
// A ring tangled so that two of its loops cross each other (they overlap, and which parts are
// inside is then a matter of convention) is not repaired: the error wraps ErrTangled. Survey
// faults — vertices out of order, a vertex misplaced, a corner digitised twice — cut into loops
// that only touch, and agree with ST_MakeValid (TestMakeValidAgainstPostGIS).
//
// It is ours rather than go-spatial/geom's planar/makevalid (v0.1.0, the one version the module
// proxy serves; see docs/ARCHITECTURE.md): that package triangulates through
// planar/triangulate/delaunay/subdivision, which imports the library's debugger and with it
// github.com/mattn/go-sqlite3 (cgo, against citygeo's pure-Go build), and logs a line from an
// init function in every program that links it. The cut-into-loops repair of self-crossing
// rings, which is what surveys need, is a page of code.
func MakeValid(p orb.Polygon) (orb.MultiPolygon, error) {
	var loops []orb.Ring
	for _, r := range p {
		loops = append(loops, splitRing(r)...)
	}
	if loopsCross(loops) {
		return nil, ErrTangled
	}
	sort.SliceStable(loops, func(i, j int) bool { return math.Abs(planar.Area(loops[i])) > math.Abs(planar.Area(loops[j])) })
	// Even–odd nesting: a loop's depth is the number of larger loops around it.
	parent := make([]int, len(loops))
	depth := make([]int, len(loops))
	for i := range loops {
		parent[i] = -1
		for j := i - 1; j >= 0; j-- { // smallest container first
			if ringInside(loops[i], loops[j]) {
				if parent[i] < 0 {
					parent[i] = j
				}
				depth[i]++
			}
		}
	}
	var out orb.MultiPolygon
	shell := map[int]int{} // loop index → part index
	for i, l := range loops {
		if depth[i]%2 == 0 {
			if l.Orientation() != orb.CCW {
				l.Reverse()
			}
			shell[i] = len(out)
			out = append(out, orb.Polygon{l})
			continue
		}
		if l.Orientation() != orb.CW {
			l.Reverse()
		}
		if k, ok := shell[parent[i]]; ok {
			out[k] = append(out[k], l)
		}
	}
	return out, nil
}

// ErrTangled is returned, wrapped, by MakeValid for a ring whose loops overlap.
var ErrTangled = errors.New("ring is tangled: its loops overlap, so no repair is unambiguous")

// loopsCross reports whether two loops cross at a point they share: around that point their
// edges alternate (A, B, A, B by angle) rather than lying on two sides (A, A, B, B).
func loopsCross(loops []orb.Ring) bool {
	type arm struct {
		loop  int
		angle float64
	}
	arms := map[orb.Point][]arm{}
	for li, l := range loops {
		n := len(l) - 1 // closed: l[n] == l[0]
		for i := 0; i < n; i++ {
			p, prev, next := l[i], l[(i+n-1)%n], l[i+1]
			arms[p] = append(arms[p], arm{li, math.Atan2(prev[1]-p[1], prev[0]-p[0])}, arm{li, math.Atan2(next[1]-p[1], next[0]-p[0])})
		}
	}
	for _, as := range arms {
		if len(as) < 4 {
			continue
		}
		sort.Slice(as, func(i, j int) bool { return as[i].angle < as[j].angle })
		// Two loops cross here when, going round, one's arms separate the other's.
		for a := 0; a < len(as); a++ {
			for b := a + 1; b < len(as); b++ {
				if as[a].loop != as[b].loop {
					continue
				}
				inside, outside := map[int]bool{}, map[int]bool{}
				for k := range as {
					if k == a || k == b || as[k].loop == as[a].loop {
						continue
					}
					if k > a && k < b {
						inside[as[k].loop] = true
					} else {
						outside[as[k].loop] = true
					}
				}
				for l := range inside {
					if outside[l] {
						return true
					}
				}
			}
		}
	}
	return false
}

// splitRing cuts a ring at the points where it crosses or touches itself into closed loops
// with area.
func splitRing(r orb.Ring) []orb.Ring {
	var pts []orb.Point
	for _, p := range r {
		if len(pts) == 0 || p != pts[len(pts)-1] {
			pts = append(pts, p)
		}
	}
	if len(pts) > 1 && pts[0] == pts[len(pts)-1] {
		pts = pts[:len(pts)-1]
	}
	n := len(pts)
	if n < 3 {
		return nil
	}
	// Nodes on each segment i (pts[i] → pts[i+1]) at parameter t: one point value per
	// crossing, put on both segments, so that the walk below meets it again exactly.
	type node struct {
		t float64
		p orb.Point
	}
	on := make([][]node, n)
	seg := func(i int) (orb.Point, orb.Point) { return pts[i], pts[(i+1)%n] }
	for i := 0; i < n; i++ {
		a, b := seg(i)
		for j := i + 1; j < n; j++ {
			if j == i+1 || (i == 0 && j == n-1) {
				continue // neighbours share a vertex
			}
			c, d := seg(j)
			ti, tj, ok := crossAt(a, b, c, d)
			if !ok {
				continue
			}
			// A crossing at a segment's end is that vertex itself.
			var p orb.Point
			switch {
			case ti <= 0:
				p = a
			case ti >= 1:
				p = b
			case tj <= 0:
				p = c
			case tj >= 1:
				p = d
			default:
				p = orb.Point{a[0] + ti*(b[0]-a[0]), a[1] + ti*(b[1]-a[1])}
			}
			if ti > 0 && ti < 1 {
				on[i] = append(on[i], node{ti, p})
			}
			if tj > 0 && tj < 1 {
				on[j] = append(on[j], node{tj, p})
			}
		}
	}
	var walk []orb.Point
	for i := 0; i < n; i++ {
		walk = append(walk, pts[i])
		sort.Slice(on[i], func(a, b int) bool { return on[i][a].t < on[i][b].t })
		for _, nd := range on[i] {
			walk = append(walk, nd.p)
		}
	}
	// Cut a loop off each time the walk comes back to a point it is standing on.
	var loops []orb.Ring
	emit := func(l []orb.Point) {
		ring := append(orb.Ring(append([]orb.Point(nil), l...)), l[0])
		if len(ring) >= 4 && math.Abs(planar.Area(ring)) > minLoopArea(ring) {
			loops = append(loops, ring)
		}
	}
	var stack []orb.Point
	at := map[orb.Point]int{}
	for _, q := range walk {
		if k, ok := at[q]; ok {
			emit(stack[k:])
			for _, s := range stack[k+1:] {
				delete(at, s)
			}
			stack = stack[:k+1]
			continue
		}
		at[q] = len(stack)
		stack = append(stack, q)
	}
	emit(stack)
	return loops
}

// minLoopArea is the area below which a loop is a rounding artefact: 10⁻¹² of its box.
func minLoopArea(r orb.Ring) float64 {
	b := r.Bound()
	return 1e-12 * math.Max((b.Max[0]-b.Min[0])*(b.Max[1]-b.Min[1]), 1e-20)
}

// crossAt returns where segments ab and cd meet, as parameters along each, when they do
// (touching included, collinear overlaps not).
func crossAt(a, b, c, d orb.Point) (ti, tj float64, ok bool) {
	r := orb.Point{b[0] - a[0], b[1] - a[1]}
	s := orb.Point{d[0] - c[0], d[1] - c[1]}
	den := r[0]*s[1] - r[1]*s[0]
	if den == 0 {
		return 0, 0, false
	}
	q := orb.Point{c[0] - a[0], c[1] - a[1]}
	ti = (q[0]*s[1] - q[1]*s[0]) / den
	tj = (q[0]*r[1] - q[1]*r[0]) / den
	const eps = 1e-12
	if ti < -eps || ti > 1+eps || tj < -eps || tj > 1+eps {
		return 0, 0, false
	}
	return math.Max(0, math.Min(1, ti)), math.Max(0, math.Min(1, tj)), true
}

// ringInside reports whether loop a lies inside loop b: a point of a that is not on b's
// boundary (loops cut from one ring share their cut points) is inside b.
func ringInside(a, b orb.Ring) bool {
	if !b.Bound().Contains(a.Bound().Min) || !b.Bound().Contains(a.Bound().Max) {
		return false
	}
	onB := map[orb.Point]bool{}
	for _, p := range b {
		onB[p] = true
	}
	for i := 0; i+1 < len(a); i++ {
		// The middle of an edge: a vertex may be a shared cut point.
		m := orb.Point{(a[i][0] + a[i+1][0]) / 2, (a[i][1] + a[i+1][1]) / 2}
		if onB[a[i]] && onB[a[i+1]] {
			continue
		}
		return planar.RingContains(b, m)
	}
	return false
}
