package gazetteer

import (
	"math"
	"slices"

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
		// A segment whose bounding box lies farther than the best so far cannot be nearer:
		// most of a long road's segments are skipped without the exact projection.
		if pl.boxDist2(p, l[i-1], l[i]) < best.dist*best.dist {
			q, d := pl.ClosestOnSegment(p, l[i-1], l[i])
			if d < best.dist {
				best = linePos{seg: i, m: m + pl.Distance(l[i-1], q), at: q, dist: d}
			}
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

// joinLines joins the pieces of one street into as few lines as their shared ends allow: OSM
// cuts a road into ways at every junction or change of tag, and a number is interpolated or
// extrapolated along the street, not along whichever piece holds its neighbour (which would
// stop it at the piece's end). Pieces meet when an end of one is an end of another (OSM ways
// share their end nodes); a dual carriageway stays two lines. The input is not modified.
func joinLines(lines []orb.LineString) []orb.LineString {
	if len(lines) < 2 {
		return lines
	}
	used := make([]bool, len(lines))
	var out []orb.LineString
	for i := range lines {
		if used[i] || len(lines[i]) < 2 {
			continue
		}
		used[i] = true
		chain := slices.Clone(lines[i])
		for grown := true; grown; {
			grown = false
			for j := range lines {
				l := lines[j]
				if used[j] || len(l) < 2 {
					continue
				}
				head, tail := chain[0], chain[len(chain)-1]
				// The chain's own direction at each end, to refuse a piece that turns back:
				// at a junction the opposite carriageway shares the node.
				out, in := dir(chain[len(chain)-2], tail), dir(head, chain[1])
				switch {
				case l[0] == tail && straightOn(out, dir(l[0], l[1])):
					chain = append(chain, l[1:]...)
				case l[len(l)-1] == tail && straightOn(out, dir(l[len(l)-1], l[len(l)-2])):
					chain = append(chain, reversed(l)[1:]...)
				case l[len(l)-1] == head && straightOn(dir(l[len(l)-2], l[len(l)-1]), in):
					chain = append(slices.Clone(l[:len(l)-1]), chain...)
				case l[0] == head && straightOn(dir(l[1], l[0]), in):
					chain = append(reversed(l)[:len(l)-1], chain...)
				default:
					continue
				}
				used[j], grown = true, true
			}
		}
		out = append(out, chain)
	}
	return out
}

// reversed returns a reversed copy of l.
func reversed(l orb.LineString) orb.LineString {
	r := slices.Clone(l)
	slices.Reverse(r)
	return r
}

// dir returns the unit direction from a to b in lon/lat (enough to compare angles locally).
func dir(a, b orb.Point) orb.Point {
	dx, dy := b[0]-a[0], b[1]-a[1]
	l := math.Hypot(dx, dy)
	if l == 0 {
		return orb.Point{}
	}
	return orb.Point{dx / l, dy / l}
}

// straightOn reports whether a line going in direction a may go on in direction b: a turn of
// less than 60°.
func straightOn(a, b orb.Point) bool { return a[0]*b[0]+a[1]*b[1] > 0.5 }
