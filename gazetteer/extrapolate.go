package gazetteer

import (
	"cmp"
	"math"
	"slices"

	"github.com/paulmach/orb"
)

// maxRateGap is the widest number gap between two same-side 门牌 that still measures how far
// apart consecutive numbers lie; wider gaps span blocks without houses.
const maxRateGap = 20

// numberSpacing returns the median distance in metres between consecutive numbers on one side
// of a street, measured over the whole dataset (0 without enough pairs). A city numbers its
// streets alike, so the median is what a lone number on a sparse street is placed by.
func (ix *Index) numberSpacing() float64 {
	var rates []float64
	for _, s := range ix.streets {
		rates = ix.streetRates(s, rates)
	}
	if len(rates) < 10 {
		return 0
	}
	slices.Sort(rates)
	return rates[len(rates)/2]
}

// streetRates appends the metres per number between consecutive same-side numbers of s.
func (ix *Index) streetRates(s *street, rates []float64) []float64 {
	var last [2]*addr // by parity
	for _, i := range s.nums {
		a := &ix.addrs[i]
		if a.src == 0 {
			continue
		}
		par := a.num & 1
		if b := last[par]; b != nil && a.num > b.num && a.num-b.num <= maxRateGap {
			rates = append(rates, ix.pl.Distance(a.point, b.point)/float64(a.num-b.num))
		}
		last[par] = a
	}
	return rates
}

// minStreetRates is how many same-side pairs a street needs for its own spacing to be
// trusted over the city's.
const minStreetRates = 3

// streetSpacing returns the street's own metres per number (the median over its same-side
// pairs), held within a factor of two of the city's: a street numbered on wider lots than the
// city's median places a far number where it is, not where the median would.
func (ix *Index) streetSpacing(s *street) float64 {
	rates := ix.streetRates(s, nil)
	if len(rates) < minStreetRates || ix.spacing <= 0 {
		return ix.spacing
	}
	slices.Sort(rates)
	return max(ix.spacing/2, min(2*ix.spacing, rates[len(rates)/2]))
}

// extrapolate places num beyond the last known number near on its side: from near, along the
// direction in which the street's numbers grow, by the dataset's spacing per number, at most
// limit metres. It also returns the metres the number would need. The direction is
// the chord from the street's lowest to its highest known number (either side), so it needs
// two distinct points on the street.
func (ix *Index) extrapolate(s *street, num int32, near *addr, limit float64) (orb.Point, float64, bool) {
	if ix.spacing <= 0 {
		return orb.Point{}, 0, false
	}
	var lo, hi *addr
	for _, i := range s.nums {
		if a := &ix.addrs[i]; a.src != 0 && !a.stray {
			if lo == nil {
				lo = a
			}
			hi = a
		}
	}
	if lo == nil || hi.num == lo.num {
		return orb.Point{}, 0, false
	}
	dx, dy := (hi.point[0]-lo.point[0])*ix.pl.KX, (hi.point[1]-lo.point[1])*ix.pl.KY
	l := math.Hypot(dx, dy)
	if l < 1 {
		return orb.Point{}, 0, false
	}
	need := float64(num-near.num) * cmp.Or(s.spacing, ix.spacing)
	m := max(-limit, min(limit, need))
	if p, ok := ix.alongLine(s, near, lo, hi, m); ok {
		return p, math.Abs(need), true
	}
	if ux, uy, ok := ix.laneGrowth(s); ok {
		dx, dy, l = ux, uy, 1
	}
	return orb.Point{near.point[0] + dx/l*m/ix.pl.KX, near.point[1] + dy/l*m/ix.pl.KY}, math.Abs(need), true
}

// laneGrowth returns the unit direction (metres east, north) in which the numbers of a lane
// (or alley) without a line of its own grow: away from its mouth, through its houses
// (laneAxisOf). Two numbers a few metres apart, or on opposite sides of the lane, give a chord
// askew by as much as the lane is wide; the mouth is a lane's length away. False for a road,
// a lane with a line, or one whose mouth the index cannot place.
func (ix *Index) laneGrowth(s *street) (float64, float64, bool) {
	if s.key.lane == 0 && s.key.alley == 0 || len(s.lines) > 0 {
		return 0, 0, false
	}
	a, ok := ix.laneAxisOf(s.key, 0)
	if !ok {
		return 0, 0, false
	}
	return a.dx, a.dy, true
}

// alongLine moves m metres from near along the street's line, the way numbers grow (from lo's
// projection towards hi's), keeping near's offset from the line: the chord between two
// numbers on opposite sides is slanted, and a road bends.
func (ix *Index) alongLine(s *street, near, lo, hi *addr, m float64) (orb.Point, bool) {
	lines := s.lines
	if len(lines) == 0 && s.key.lane == 0 && s.key.alley == 0 {
		lines = ix.roads[s.key.road].lines
	}
	var best orb.LineString
	var pos linePos
	for _, l := range lines {
		if len(l) < 2 {
			continue
		}
		if q := ix.pl.project(l, near.point); best == nil || q.dist < pos.dist {
			best, pos = l, q
		}
	}
	if best == nil || pos.dist > maxSideOffset {
		return orb.Point{}, false
	}
	a, b := ix.pl.project(best, lo.point), ix.pl.project(best, hi.point)
	if math.Abs(b.m-a.m) < 1 {
		return orb.Point{}, false // the known numbers do not say which way the line runs
	}
	if b.m < a.m {
		m = -m
	}
	total := 0.0
	for i := 1; i < len(best); i++ {
		total += ix.pl.Distance(best[i-1], best[i])
	}
	q := ix.pl.pointAt(best, max(0, min(total, pos.m+m)))
	return orb.Point{q[0] + near.point[0] - pos.at[0], q[1] + near.point[1] - pos.at[1]}, true
}

// sparseFactor is how many times the city's spacing per number a bracketing pair may be apart
// per number before it counts as spanning a gap (a park, a block without houses).
const sparseFactor = 4

// sparseT adjusts the fraction t of num between a and b when they lie much farther apart than
// their numbers say: the houses between them are not spread evenly, so num is placed the city's
// spacing per number away from the neighbour nearer in number rather than proportionally.
func (ix *Index) sparseT(a, b *addr, num int32, t float64) float64 {
	if ix.spacing <= 0 || b.num == a.num {
		return t
	}
	d := ix.pl.Distance(a.point, b.point)
	if d <= sparseFactor*ix.spacing*float64(b.num-a.num) {
		return t
	}
	if num-a.num <= b.num-num {
		return float64(num-a.num) * ix.spacing / d
	}
	return 1 - float64(b.num-num)*ix.spacing/d
}
