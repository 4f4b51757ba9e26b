package gazetteer

import (
	"math"

	"github.com/paulmach/orb"
)

// maxSideOffset is how far (metres) two neighbouring 门牌 may lie from a street's line for
// the interpolation to follow the line.
const maxSideOffset = 60

// linePos is a point's projection on a line: the segment, the metres along the whole line and
// the projected point.
type linePos struct {
	seg  int
	m    float64
	at   orb.Point
	dist float64
}

// project returns the closest position of p on line l.
func (pl plane) project(l orb.LineString, p orb.Point) linePos {
	best := linePos{dist: math.Inf(1)}
	m := 0.0
	for i := 1; i < len(l); i++ {
		q, d := pl.ClosestOnSegment(p, l[i-1], l[i])
		if d < best.dist {
			best = linePos{seg: i, m: m + pl.Distance(l[i-1], q), at: q, dist: d}
		}
		m += pl.Distance(l[i-1], l[i])
	}
	return best
}

// pointAt returns the point m metres along l.
func (pl plane) pointAt(l orb.LineString, m float64) orb.Point {
	for i := 1; i < len(l); i++ {
		d := pl.Distance(l[i-1], l[i])
		if m <= d && d > 0 {
			return lerp(l[i-1], l[i], m/d)
		}
		m -= d
	}
	return l[len(l)-1]
}

// along interpolates fraction t between two 门牌 a and b by following the street's line
// rather than the chord, keeping their side offset: on a curved road the chord cuts corners.
// It reports false when the street has no line both lie near.
func (ix *Index) along(s *street, a, b orb.Point, t float64) (orb.Point, bool) {
	lines := s.lines
	if len(lines) == 0 && s.key.lane == 0 && s.key.alley == 0 {
		lines = ix.roads[s.key.road].lines
	}
	var bestL orb.LineString
	var pa, pb linePos
	bestD := math.Inf(1)
	for _, l := range lines {
		if len(l) < 3 {
			continue // a straight segment: the chord is the line
		}
		x, y := ix.pl.project(l, a), ix.pl.project(l, b)
		if d := x.dist + y.dist; d < bestD {
			bestL, pa, pb, bestD = l, x, y, d
		}
	}
	if bestL == nil || pa.dist > maxSideOffset || pb.dist > maxSideOffset {
		return orb.Point{}, false
	}
	q := ix.pl.pointAt(bestL, pa.m+t*(pb.m-pa.m))
	oa := orb.Point{a[0] - pa.at[0], a[1] - pa.at[1]}
	ob := orb.Point{b[0] - pb.at[0], b[1] - pb.at[1]}
	o := lerp(oa, ob, t)
	return orb.Point{q[0] + o[0], q[1] + o[1]}, true
}
