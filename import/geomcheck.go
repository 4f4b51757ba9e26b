package importer

import (
	"math"
	"sort"

	"github.com/paulmach/orb"
)

// crossings returns the sorted x values where horizontal line y crosses the polygon's rings.
func crossings(p orb.Polygon, y float64) []float64 {
	var xs []float64
	for _, r := range p {
		for i := 0; i+1 < len(r); i++ {
			a, b := r[i], r[i+1]
			if (a[1] <= y) != (b[1] <= y) {
				xs = append(xs, a[0]+(y-a[1])/(b[1]-a[1])*(b[0]-a[0]))
			}
		}
	}
	sort.Float64s(xs)
	return xs
}

// ringProblem describes what is wrong with a ring's shape, or "".
func ringProblem(r orb.Ring) string {
	if len(r) < 4 {
		return "ring has fewer than 4 points"
	}
	if r[0] != r[len(r)-1] {
		return "ring is not closed (first point ≠ last point)"
	}
	if i, j, ok := selfIntersection(r); ok {
		return "ring crosses itself (segments " + itoa(i) + " and " + itoa(j) + ")"
	}
	return ""
}

func itoa(i int) string {
	const digits = "0123456789"
	if i < 10 {
		return digits[i : i+1]
	}
	return itoa(i/10) + digits[i%10:i%10+1]
}

// selfIntersection finds two non-adjacent segments of a closed ring that cross. Rings are
// small (a grid has tens of vertices), and larger ones are checked with a sweep on x.
func selfIntersection(r orb.Ring) (int, int, bool) {
	n := len(r) - 1 // segments
	type seg struct {
		i      int
		lo, hi float64
	}
	segs := make([]seg, n)
	for i := 0; i < n; i++ {
		segs[i] = seg{i, math.Min(r[i][0], r[i+1][0]), math.Max(r[i][0], r[i+1][0])}
	}
	sort.Slice(segs, func(a, b int) bool { return segs[a].lo < segs[b].lo })
	for a := 0; a < n; a++ {
		for b := a + 1; b < n && segs[b].lo <= segs[a].hi; b++ {
			i, j := segs[a].i, segs[b].i
			if i > j {
				i, j = j, i
			}
			if j == i+1 || (i == 0 && j == n-1) {
				continue // neighbours share a vertex
			}
			if segmentsCross(r[i], r[i+1], r[j], r[j+1]) {
				return i, j, true
			}
		}
	}
	return 0, 0, false
}

func orient(a, b, c orb.Point) float64 {
	return (b[0]-a[0])*(c[1]-a[1]) - (b[1]-a[1])*(c[0]-a[0])
}

// segmentsCross reports whether two segments cross properly (each one's ends lie strictly on
// both sides of the other), the bow-tie of an invalid ring. Touching and collinear runs, which
// clipping leaves along cell edges, do not count.
func segmentsCross(p1, p2, q1, q2 orb.Point) bool {
	d1, d2 := orient(q1, q2, p1), orient(q1, q2, p2)
	d3, d4 := orient(p1, p2, q1), orient(p1, p2, q2)
	return ((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0))
}
