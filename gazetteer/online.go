package gazetteer

import (
	"math"

	"github.com/paulmach/orb"
)

// Numbers placed along the street's own line. A street with a centreline is numbered along it,
// odd on one side and even on the other (Taiwan, and most mainland cities): a number's place
// along the line follows from the known numbers nearest to it in value, of either parity, and
// its distance from the line from the known numbers of its own parity. On a sparse register
// (facility addresses, a fifth held out) the opposite side is often known much closer in number
// than the own side, and a chord between two same-side numbers far apart cuts the corners of
// a bending road.

// sidePos is a known 门牌 seen from a street's line: metres along it and the signed distance
// from it (positive on the left of the line's direction).
type sidePos struct {
	a   *addr
	m   float64
	off float64
}

// offFor returns the signed distance from the line at which num's side lies, seen from p: p's
// own for a number of p's parity, mirrored across the line for one of the other (odd and even
// numbers face each other across the street).
func (p sidePos) offFor(num int32) float64 {
	if (p.a.num-num)%2 != 0 {
		return -p.off
	}
	return p.off
}

// streetLines returns the lines a street's numbers run along: its own, or its road's for a
// road or section without lines of its own.
func (ix *Index) streetLines(s *street) []orb.LineString {
	if len(s.lines) == 0 && s.key.lane == 0 && s.key.alley == 0 {
		return ix.roads[s.key.road].lines
	}
	return s.lines
}

// signedOffset returns p's distance from line l at its projection pos, positive on the left.
func (pl plane) signedOffset(l orb.LineString, pos linePos, p orb.Point) float64 {
	a, b := l[pos.seg-1], l[pos.seg]
	dx, dy := (b[0]-a[0])*pl.KX, (b[1]-a[1])*pl.KY
	px, py := (p[0]-pos.at[0])*pl.KX, (p[1]-pos.at[1])*pl.KY
	if dx*py-dy*px < 0 {
		return -pos.dist
	}
	return pos.dist
}

// atOffset returns the point m metres along l (held within the line) and off metres to its
// left (right when negative).
func (pl plane) atOffset(l orb.LineString, m, off float64) orb.Point {
	m = max(0, m)
	for i := 1; i < len(l); i++ {
		d := pl.Distance(l[i-1], l[i])
		if d <= 0 {
			continue
		}
		if m <= d || i == len(l)-1 {
			t := min(m/d, 1)
			q := lerp(l[i-1], l[i], t)
			nx, ny := -(l[i][1]-l[i-1][1])*pl.KY/d, (l[i][0]-l[i-1][0])*pl.KX/d
			return orb.Point{q[0] + nx*off/pl.KX, q[1] + ny*off/pl.KY}
		}
		m -= d
	}
	return l[len(l)-1]
}

// lineLength returns the length of l in metres.
func (pl plane) lineLength(l orb.LineString) float64 {
	total := 0.0
	for i := 1; i < len(l); i++ {
		total += pl.Distance(l[i-1], l[i])
	}
	return total
}

// lineNeighbours is how many known numbers on each side of an asked one (in value) place it
// along a line.
const lineNeighbours = 2

// neighbours returns the positions of up to lineNeighbours known 门牌 (lane entrances left
// out) below position i and from i up, nearest in value first.
func (ix *Index) neighbours(s *street, i int) (below, above []int) {
	for j := i - 1; j >= 0 && len(below) < lineNeighbours; j-- {
		if a := &ix.addrs[s.nums[j]]; ix.anchor(a) {
			below = append(below, j)
		}
	}
	for j := i; j < len(s.nums) && len(above) < lineNeighbours; j++ {
		if a := &ix.addrs[s.nums[j]]; ix.anchor(a) {
			above = append(above, j)
		}
	}
	return below, above
}

// onLine places num from the known numbers around position i along the street's line, for a
// number no known number of its parity brackets and none lies within alignSpan of (estimate
// asks only then): between the nearest numbers of either parity, or past the last of them by
// the street's spacing (measured over its known span, spanSpacing, when num lies more than
// maxRateGap numbers past). It sets the point off the line at the distance of num's side: that of
// the known number of its parity nearest to it, else the neighbours' mirrored across the line
// (sidePos.offFor). It returns false when the street has no line its neighbours lie along;
// the caller then estimates from the points alone.
func (ix *Index) onLine(s *street, i int, num int32) (placed, bool) {
	lines := ix.streetLines(s)
	if len(lines) == 0 {
		return placed{}, false
	}
	below, above := ix.neighbours(s, i)
	near := append(append(make([]int, 0, 2*lineNeighbours), below...), above...)
	if len(near) == 0 {
		return placed{}, false
	}
	// The line the neighbours lie along: the one nearest to them all.
	var l orb.LineString
	best := math.Inf(1)
	for _, c := range lines {
		if len(c) < 2 {
			continue
		}
		d := 0.0
		for _, j := range near {
			d += ix.pl.project(c, ix.addrs[s.nums[j]].point).dist
		}
		if d < best {
			l, best = c, d
		}
	}
	if l == nil {
		return placed{}, false
	}
	pos := func(j int) (sidePos, bool) {
		a := &ix.addrs[s.nums[j]]
		p := ix.pl.project(l, a.point)
		if p.dist > maxSideOffset {
			return sidePos{}, false
		}
		return sidePos{a, p.m, ix.pl.signedOffset(l, p, a.point)}, true
	}
	var lo, hi []sidePos
	for _, j := range below {
		if p, ok := pos(j); ok {
			lo = append(lo, p)
		}
	}
	for _, j := range above {
		if p, ok := pos(j); ok {
			hi = append(hi, p)
		}
	}
	if len(lo) < min(1, len(below)) || len(hi) < min(1, len(above)) {
		return placed{}, false // a neighbour off the line: another piece of the street
	}
	off, sideKnown := ix.sideOffset(s, i, num, l)
	switch {
	case len(lo) > 0 && len(hi) > 0:
		a, b := lo[0], hi[0]
		t := float64(num-a.a.num) / float64(b.a.num-a.a.num)
		t = ix.sparseT(a.a, b.a, num, t)
		m := a.m + t*(b.m-a.m)
		if !sideKnown {
			off = a.offFor(num) + t*(b.offFor(num)-a.offFor(num))
		}
		return placed{point: ix.pl.atOffset(l, m, off), level: LevelHouse, reason: ReasonAcross}, true
	case len(lo) > 0 || len(hi) > 0:
		side := lo
		if len(hi) > 0 {
			side = hi
		}
		a := side[0]
		if !sideKnown {
			off = a.offFor(num)
		}
		dir, ok := ix.growth(s, l, a, side)
		if !ok {
			return placed{}, false
		}
		need := math.Abs(float64(num-a.a.num)) * ix.spacingOf(s)
		if abs32(num-a.a.num) > maxRateGap {
			if sp, ok := ix.spanSpacing(s, l, a, num); ok {
				need = math.Abs(float64(num-a.a.num)) * sp
			}
		}
		if need > MaxExtrapolate && s.key.lane > 0 {
			return placed{}, false // a lane's mouth and the numbering rule say more (laneRule)
		}
		m := a.m + dir*math.Copysign(min(need, maxExtrapolatePoint), float64(num-a.a.num))
		p := ix.pl.atOffset(l, min(m, ix.pl.lineLength(l)), off)
		if need > MaxExtrapolate {
			return placed{point: p, level: LevelRoad, reason: ReasonOutOfRange}, true
		}
		return placed{point: p, level: LevelHouse, reason: ReasonExtrapolated}, true
	}
	return placed{}, false
}

// spanSpacing is the metres per number along line l from the known number a to the known
// number farthest from it in value on the other side from num that lies along l: over a span
// of many numbers it counts the cross streets and blocks a far number lies past, which the
// spacing of neighbouring lots does not. False when no such number lies more than maxRateGap
// from a.
func (ix *Index) spanSpacing(s *street, l orb.LineString, a sidePos, num int32) (float64, bool) {
	if ix.spacing <= 0 {
		return 0, false
	}
	from, step := len(s.nums)-1, -1 // num lies below a: the span runs up from a
	if num > a.a.num {
		from, step = 0, 1
	}
	for j, tries := from, 0; j >= 0 && j < len(s.nums) && tries < spanProbes; j += step {
		b := &ix.addrs[s.nums[j]]
		if abs32(b.num-a.a.num) <= maxRateGap {
			break
		}
		if !ix.anchor(b) {
			continue
		}
		tries++
		if p := ix.pl.project(l, b.point); p.dist <= maxSideOffset {
			sp := math.Abs(p.m-a.m) / math.Abs(float64(b.num-a.a.num))
			return max(ix.spacing/2, min(2*ix.spacing, sp)), true
		}
	}
	return 0, false
}

// spanProbes is how many of a street's farthest numbers spanSpacing tries for one along the line.
const spanProbes = 8

// spacingOf is the metres per number on s: its own when measured, else the city's.
func (ix *Index) spacingOf(s *street) float64 {
	if s.spacing > 0 {
		return s.spacing
	}
	return ix.laneSpacing()
}

// growth returns +1 when numbers grow along the line's direction, −1 against it: from the
// street's lowest and highest known numbers (a street is numbered from one end), else from the
// known numbers at hand (a and the others of ps), whose few metres apart may be noise. False
// when neither tells.
func (ix *Index) growth(s *street, l orb.LineString, a sidePos, ps []sidePos) (float64, bool) {
	var lo, hi *addr
	for _, j := range s.nums {
		if x := &ix.addrs[j]; x.src != 0 && !x.stray {
			if lo == nil {
				lo = x
			}
			hi = x
		}
	}
	if lo != nil && hi.num != lo.num {
		x, y := ix.pl.project(l, lo.point), ix.pl.project(l, hi.point)
		if math.Abs(y.m-x.m) >= 1 {
			return sign(y.m - x.m), true
		}
	}
	for _, b := range ps[1:] {
		if b.a.num != a.a.num && math.Abs(b.m-a.m) >= 1 {
			return sign((b.m - a.m) * float64(b.a.num-a.a.num)), true
		}
	}
	return 0, false
}

func sign(x float64) float64 {
	if x < 0 {
		return -1
	}
	return 1
}

// sideOffset returns the signed distance from line l at which num's side of the street lies:
// that of the known number of num's parity nearest to it in value; false when none lies along l.
func (ix *Index) sideOffset(s *street, i int, num int32, l orb.LineString) (float64, bool) {
	lo, hi := ix.sameSide(s, i-1, -1, num, false), ix.sameSide(s, i, 1, num, false)
	var cand []int
	switch {
	case lo >= 0 && hi >= 0 && ix.addrs[s.nums[hi]].num-num < num-ix.addrs[s.nums[lo]].num:
		cand = []int{hi, lo}
	default:
		cand = []int{lo, hi}
	}
	for _, j := range cand {
		if j < 0 {
			continue
		}
		a := &ix.addrs[s.nums[j]]
		p := ix.pl.project(l, a.point)
		if p.dist <= maxSideOffset {
			return ix.pl.signedOffset(l, p, a.point), true
		}
	}
	return 0, false
}

// alignSpan is how many numbers from a known number of its own parity a number may lie for
// that number to place it (with the offset between the two sides measured there): the two
// sides of a street drift apart in numbering, so the offset holds only nearby.
const alignSpan = 30

// nearOwnSide reports whether a known number of num's parity (at position lo or hi) lies
// within alignSpan of it.
func (ix *Index) nearOwnSide(s *street, lo, hi int, num int32) bool {
	for _, j := range []int{lo, hi} {
		if j >= 0 {
			if d := ix.addrs[s.nums[j]].num - num; d <= alignSpan && d >= -alignSpan {
				return true
			}
		}
	}
	return false
}
