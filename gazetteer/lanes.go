package gazetteer

import (
	"cmp"
	"math"
	"slices"

	"github.com/paulmach/orb"
)

// Lanes without geometry, by Taiwan's numbering rule: lane N巷 leaves its street at the house
// numbered N (an alley N弄 leaves its lane at the lane's house N), on that house's side, and
// the numbers inside a lane grow away from its mouth. So a lane's line runs from the mouth,
// away from the street on N's side, and house n lies about n times the lane's spacing per
// number along it. OSM carries the main roads only; without this, a lane with no indexed
// number, or one known number, could only be answered at its mouth.

// laneAxis is a lane's inferred line: its mouth on the parent's line, the unit direction
// (metres east, north) in which its numbers grow, and the setback (metres) of the parent's
// houses from that line, where the lane's own houses begin.
type laneAxis struct {
	mouth   orb.Point
	dx, dy  float64
	setback float64
	// line is the lane's own line from the mouth when the data has one (OSM maps some lanes):
	// the axis follows it, and goes on straight past its end.
	line orb.LineString
}

// axisAt returns the point m metres along the axis from the mouth.
func (ix *Index) axisAt(a laneAxis, m float64) orb.Point {
	if a.line != nil {
		if n := ix.pl.lineLength(a.line); m <= n {
			return ix.pl.pointAt(a.line, max(0, m))
		} else {
			end, prev := a.line[len(a.line)-1], a.line[len(a.line)-2]
			ux, uy := ix.unit(prev, end)
			return orb.Point{end[0] + ux*(m-n)/ix.pl.KX, end[1] + uy*(m-n)/ix.pl.KY}
		}
	}
	return orb.Point{a.mouth[0] + a.dx*m/ix.pl.KX, a.mouth[1] + a.dy*m/ix.pl.KY}
}

// ownLineAxis returns the axis of lane k along its own line, from the end nearer its parent's
// lines; false when the lane has no line or the parent none to tell which end is the mouth.
func (ix *Index) ownLineAxis(k streetKey, parentLines []orb.LineString) (laneAxis, bool) {
	ls := ix.streets[k]
	if ls == nil || len(parentLines) == 0 {
		return laneAxis{}, false
	}
	var best orb.LineString
	bestD := math.Inf(1)
	for _, l := range ls.lines {
		if len(l) < 2 || ix.pl.lineLength(l) < 1 {
			continue
		}
		for _, end := range []orb.LineString{l, reversed(l)} {
			if pos, ok := ix.nearestLine(parentLines, end[0]); ok && pos.dist < bestD {
				best, bestD = end, pos.dist
			}
		}
	}
	if best == nil || bestD > maxSideOffset {
		return laneAxis{}, false
	}
	dx, dy := ix.unit(best[0], best[len(best)-1])
	return laneAxis{mouth: best[0], dx: dx, dy: dy, line: best}, true
}

// minSideOffset is how far (metres) a house must lie from its street's line for the side it
// lies on to tell which way a lane leaves.
const minSideOffset = 2

// laneAxisOf infers the axis of the lane (or alley) k: the mouth is where the parent's number
// N projects onto the parent's line (a road line, or the parent lane's own axis); the
// direction is away from the line towards N's house, or, when the lane holds houses, towards
// them. It reports false when the parent cannot place N or nothing tells the direction.
func (ix *Index) laneAxisOf(k streetKey, depth int) (laneAxis, bool) {
	_, num, ok := parentOf(k)
	if !ok {
		return laneAxis{}, false
	}
	parent, ps, h, placedN := ix.atParent(k)
	if a, ok := ix.ownLineAxis(k, ix.parentLines(parent, ps, depth)); ok {
		if placedN {
			if pos, ok := ix.nearestLine(ix.parentLines(parent, ps, depth), h.point); ok && pos.dist <= maxSideOffset {
				a.setback = pos.dist
			}
		}
		return a, true
	}
	hp := h.point
	var mouth orb.Point
	var dx, dy, setback float64
	lines := ix.parentLines(parent, ps, depth)
	// At N, an entry stands for the lane's mouth: projected onto a street with a line
	// (addEntrances), else the lane's own first house, not its mouth.
	placedN = placedN && (h.reason != ReasonLaneMouth || len(lines) > 0)
	switch pos, ok := ix.nearestLine(lines, hp); {
	case placedN && ok && pos.dist <= maxSideOffset:
		mouth, setback = pos.at, pos.dist
		if pos.dist >= minSideOffset {
			dx, dy = ix.unit(pos.at, hp)
		}
	case !placedN && len(lines) > 0 && depth == 0 && parent.lane > 0:
		// An alley of a lane whose house N is not indexed: N lies along the lane past the
		// setback where the lane's houses begin, as far in as the lane rule places it.
		pa, _ := ix.laneAxisOf(parent, depth+1)
		mouth = ix.axisAt(pa, pa.setback+ix.laneAlong(num))
	case placedN:
		mouth = hp
	default:
		return laneAxis{}, false
	}
	// The lane's own houses tell its direction better than a perpendicular guess.
	if ls := ix.streets[k]; ls != nil {
		var sx, sy float64
		for _, i := range ls.nums {
			if a := &ix.addrs[i]; a.src != 0 && !a.stray && ix.pl.Distance(mouth, a.point) > 5 {
				ux, uy := ix.unit(mouth, a.point)
				sx, sy = sx+ux, sy+uy
			}
		}
		if l := math.Hypot(sx, sy); l > 0 {
			dx, dy = sx/l, sy/l
		}
	}
	if dx == 0 && dy == 0 && depth == 0 {
		// Nothing of its own tells the direction: lanes off the same side of the same street
		// nearby run alike (a block's lanes are parallel).
		dx, dy = ix.siblingDirection(k, num)
	}
	if dx == 0 && dy == 0 && ps != nil && len(lines) == 0 {
		// Nor its siblings, and its street has no line: across the street, on N's side, as
		// the street's houses run there.
		dx, dy = ix.acrossFrom(ps, num)
	}
	if dx == 0 && dy == 0 {
		// Nor the street's sides: 左單右雙 says which side of the way the parent's numbers
		// grow the lane leaves on.
		dx, dy = ix.sideOfGrowth(parent, ps, num, depth)
	}
	if dx == 0 && dy == 0 {
		return laneAxis{}, false
	}
	return laneAxis{mouth: mouth, dx: dx, dy: dy, setback: setback}, true
}

// Taiwan numbers a street 左單右雙: facing the way its numbers grow, the odd numbers lie on its
// left and the even on its right (on Penghu's register 212 of the 224 streets of six or more
// houses whose sides tell apart, on Taipei's file 33 of 35). Lane N巷 leaves at house N, so on
// the left of its street's growth when N is odd; alley N弄 likewise off its lane.

// sideOfGrowth returns the unit direction (metres east, north) straight across the parent of a
// lane (or alley) numbered num, towards num's side by 左單右雙. The way the parent's numbers grow
// is its inferred axis for a lane's alley (numbers grow away from the mouth), else the run of
// the parent street's known houses within acrossSpan numbers of num. Zero when neither tells.
func (ix *Index) sideOfGrowth(parent streetKey, ps *street, num int32, depth int) (float64, float64) {
	var ux, uy float64
	switch {
	case parent.lane > 0:
		if depth > 0 {
			return 0, 0
		}
		a, ok := ix.laneAxisOf(parent, depth+1)
		if !ok {
			return 0, 0
		}
		ux, uy = a.dx, a.dy
	case ps != nil:
		ux, uy = ix.numbersGrow(ps, num)
	}
	if ux == 0 && uy == 0 {
		return 0, 0
	}
	if num%2 != 0 {
		return -uy, ux // left of the growth
	}
	return uy, -ux
}

// numbersGrow returns the unit direction (metres east, north) in which the numbers of street s
// grow around num: the slope of the positions of its known houses within acrossSpan numbers of
// num on their numbers. Zero with fewer than two distinct numbers.
func (ix *Index) numbersGrow(s *street, num int32) (float64, float64) {
	hs := ix.nearHouses(s, num)
	if len(hs) < 2 {
		return 0, 0
	}
	o := hs[0].point
	var mn, mx, my float64
	for _, a := range hs {
		mn, mx, my = mn+float64(a.num), mx+(a.point[0]-o[0])*ix.pl.KX, my+(a.point[1]-o[1])*ix.pl.KY
	}
	n := float64(len(hs))
	mn, mx, my = mn/n, mx/n, my/n
	var bx, by float64
	for _, a := range hs {
		d := float64(a.num) - mn
		bx += d * ((a.point[0]-o[0])*ix.pl.KX - mx)
		by += d * ((a.point[1]-o[1])*ix.pl.KY - my)
	}
	l := math.Hypot(bx, by)
	if l == 0 {
		return 0, 0 // one number only, or houses that do not move with it
	}
	return bx / l, by / l
}

// nearHouses returns the anchors of street s within acrossSpan numbers of num, in number order:
// the houses that tell how the street runs there.
func (ix *Index) nearHouses(s *street, num int32) []*addr {
	var hs []*addr
	from, _ := s.find(ix, num-acrossSpan, "")
	for _, i := range s.nums[from:] {
		a := &ix.addrs[i]
		if a.num > num+acrossSpan {
			break
		}
		if ix.anchor(a) {
			hs = append(hs, a)
		}
	}
	return hs
}

// acrossSpan is how many numbers either side of a lane's own the street's houses that tell
// which way the street runs there may lie.
const acrossSpan = 60

// acrossFrom returns the unit direction (metres east, north) straight across street s at
// number num, towards num's side: the street's local run is the principal axis of its known
// houses within acrossSpan numbers, and num's side is where the houses of its parity lie
// against those of the other. Zero when they do not tell (too few, or both parities on one
// line).
func (ix *Index) acrossFrom(s *street, num int32) (float64, float64) {
	var pts []orb.Point
	var own []bool
	var cx, cy float64
	for _, a := range ix.nearHouses(s, num) {
		pts = append(pts, a.point)
		own = append(own, (a.num-num)%2 == 0)
		cx, cy = cx+a.point[0], cy+a.point[1]
	}
	if len(pts) < 3 {
		return 0, 0
	}
	c := orb.Point{cx / float64(len(pts)), cy / float64(len(pts))}
	var sxx, sxy, syy float64
	for _, p := range pts {
		x, y := (p[0]-c[0])*ix.pl.KX, (p[1]-c[1])*ix.pl.KY
		sxx, sxy, syy = sxx+x*x, sxy+x*y, syy+y*y
	}
	th := 0.5 * math.Atan2(2*sxy, sxx-syy)
	nx, ny := -math.Sin(th), math.Cos(th) // across the run
	var mine, other float64
	var nm, no int
	for i, p := range pts {
		off := (p[0]-c[0])*ix.pl.KX*nx + (p[1]-c[1])*ix.pl.KY*ny
		if own[i] {
			mine, nm = mine+off, nm+1
		} else {
			other, no = other+off, no+1
		}
	}
	if nm == 0 || no == 0 {
		return 0, 0
	}
	gap := mine/float64(nm) - other/float64(no)
	if math.Abs(gap) < minSideOffset {
		return 0, 0
	}
	if gap < 0 {
		nx, ny = -nx, -ny
	}
	return nx, ny
}

// siblingSpan is how many numbers along the parent street a sibling lane may leave from and
// still lend its direction.
const siblingSpan = 60

// siblingDirection averages the directions of the lanes (or alleys) leaving the same street on
// the same side within siblingSpan numbers of num whose own axis is known; zero when none is.
func (ix *Index) siblingDirection(k streetKey, num int32) (float64, float64) {
	var sx, sy float64
	for _, s := range ix.roads[k.road].streets {
		o := s.key
		if o.section != k.section || o == k || (k.alley > 0) != (o.alley > 0) || k.alley > 0 && o.lane != k.lane {
			continue
		}
		_, on, ok := parentOf(o)
		if !ok || (on-num)%2 != 0 || on-num > siblingSpan || num-on > siblingSpan || len(s.nums) == 0 {
			continue
		}
		if a, ok := ix.laneAxisOf(o, 1); ok {
			sx, sy = sx+a.dx, sy+a.dy
		}
	}
	if l := math.Hypot(sx, sy); l > 0 {
		return sx / l, sy / l
	}
	return 0, 0
}

// parentLines returns the lines a lane may leave from: its parent street's own lines or its
// road's, or, for an alley, its lane's inferred axis.
func (ix *Index) parentLines(parent streetKey, ps *street, depth int) []orb.LineString {
	if parent.lane > 0 {
		if depth > 0 {
			return nil
		}
		a, ok := ix.laneAxisOf(parent, depth+1)
		if !ok {
			return nil
		}
		return []orb.LineString{{a.mouth, ix.axisAt(a, laneLineLength)}}
	}
	if ps != nil && len(ps.lines) > 0 {
		return ps.lines
	}
	if parent.section == 0 {
		return ix.roads[parent.road].lines
	}
	return nil
}

// nearestLine projects p onto the nearest of lines; false when there are none.
func (ix *Index) nearestLine(lines []orb.LineString, p orb.Point) (linePos, bool) {
	best, ok := linePos{dist: math.Inf(1)}, false
	for _, l := range lines {
		if len(l) < 2 {
			continue
		}
		if pos := ix.pl.project(l, p); pos.dist < best.dist {
			best, ok = pos, true
		}
	}
	return best, ok
}

// laneLineLength is how long (metres) an inferred lane axis is drawn when it serves as the
// parent line of an alley: longer than any lane, so an alley's mouth always projects onto it.
const laneLineLength = 2000

// unit returns the unit vector in metres from a to b (zero when they coincide).
func (ix *Index) unit(a, b orb.Point) (float64, float64) {
	dx, dy := (b[0]-a[0])*ix.pl.KX, (b[1]-a[1])*ix.pl.KY
	l := math.Hypot(dx, dy)
	if l < 1e-9 {
		return 0, 0
	}
	return dx / l, dy / l
}

// laneRule places number num of lane s by the rule: past the setback, num times the lane's
// spacing per number along its axis, the spacing measured from its own houses when it has any.
func (ix *Index) laneRule(k streetKey, s *street, num int32) (orb.Point, bool) {
	a, ok := ix.laneAxisOf(k, 0)
	if !ok {
		return orb.Point{}, false
	}
	rate := cmp.Or(ix.lanes.rate, ix.laneSpacing())
	if s != nil {
		var rates []float64
		for _, i := range s.nums {
			h := &ix.addrs[i]
			if !ix.anchor(h) || h.num <= 0 {
				continue
			}
			along := (h.point[0]-a.mouth[0])*ix.pl.KX*a.dx + (h.point[1]-a.mouth[1])*ix.pl.KY*a.dy
			if past := along - a.setback - ix.lanes.corner; past > 0 {
				rates = append(rates, past/float64(h.num))
			}
		}
		if len(rates) > 0 {
			slices.Sort(rates)
			rate = max(minLaneRate, min(maxLaneRate, rates[len(rates)/2]))
		}
		// The lane's own house nearest in number anchors the number better than the mouth,
		// which is itself an estimate on a sparsely numbered street.
		if h := ix.nearestNumber(s, num); h != nil {
			m := float64(num-h.num) * rate
			return orb.Point{h.point[0] + a.dx*m/ix.pl.KX, h.point[1] + a.dy*m/ix.pl.KY}, true
		}
	}
	return ix.axisAt(a, a.setback+ix.laneAlong(num)), true
}

// The bounds of a lane's spacing per number measured from its own houses: one house near the
// mouth (1號 a metre in) would otherwise set a rate that places 41號 at the mouth too.
const (
	minLaneRate = 1
	maxLaneRate = 12
)

// laneSpacing is the metres per number inside lanes: the city's spacing (the lanes' own
// numbers are measured in it too).
func (ix *Index) laneSpacing() float64 {
	if ix.spacing > 0 {
		return ix.spacing
	}
	return defaultSpacing
}

// defaultSpacing is the metres per number when the dataset has too few numbered pairs to
// measure it: a 门牌 frontage of about 5 m, odd and even on either side.
const defaultSpacing = 2.5

// nearestNumber returns the known 门牌 of s nearest to num in value (the lower on a tie) that
// may place another number (anchor); nil when s holds none.
func (ix *Index) nearestNumber(s *street, num int32) *addr {
	var best *addr
	for _, i := range s.nums {
		h := &ix.addrs[i]
		if !ix.anchor(h) || h.num <= 0 {
			continue
		}
		if best == nil || abs32(h.num-num) < abs32(best.num-num) {
			best = h
		}
	}
	return best
}

func abs32(x int32) int32 {
	if x < 0 {
		return -x
	}
	return x
}

// laneFit is where a city's lanes put their numbers: house n lies corner + rate·n metres along
// its lane's axis past the setback. A lane's first houses stand behind the corner buildings,
// which carry the street's numbers, and its lots are narrower than the street's: fitted on
// Taipei's file 3–6 m + 4.6 m a number against its streets' 5.5 m, on Penghu's register
// 11–22 m + 2 m against 3.4 m. The street's spacing alone put a lane's far houses too deep.
type laneFit struct {
	corner, rate float64
}

// laneAlong returns how far past the setback lane number n lies, by the city's fit.
func (ix *Index) laneAlong(n int32) float64 {
	if ix.lanes.rate > 0 {
		return ix.lanes.corner + ix.lanes.rate*float64(n)
	}
	return float64(n) * ix.laneSpacing()
}

// Bounds of the fit: fewer houses than minLaneSamples leave the street's spacing in place, and
// at most maxLaneSamples (spread over the numbers) are fitted, the fit being quadratic in them.
const (
	minLaneSamples = 20
	maxLaneSamples = 400
	maxLaneCorner  = 30
)

// fitLanes fits laneFit to the lanes (and alleys) without a line of their own whose axis the
// index can infer: each known house's metres along its lane's axis past the setback against
// its number, by Theil–Sen (the median of the pairwise slopes, then the median intercept), which
// a misplaced house or a crooked lane does not pull. The zero fit (the street's spacing, no
// corner) when too few houses tell.
func (ix *Index) fitLanes() laneFit {
	type sample struct{ n, m float64 }
	var xs []sample
	for k, s := range ix.streets {
		if k.lane == 0 && k.alley == 0 || len(s.lines) > 0 {
			continue
		}
		a, ok := ix.laneAxisOf(k, 0)
		if !ok || a.line != nil {
			continue
		}
		for _, i := range s.nums {
			h := &ix.addrs[i]
			if !ix.anchor(h) || h.num <= 0 || h.sfx != 0 {
				continue
			}
			m := (h.point[0]-a.mouth[0])*ix.pl.KX*a.dx + (h.point[1]-a.mouth[1])*ix.pl.KY*a.dy
			xs = append(xs, sample{float64(h.num), m - a.setback})
		}
	}
	if len(xs) < minLaneSamples {
		return laneFit{}
	}
	// The streets come in map order: sort, so that the thinning below, and so the fit, do not
	// depend on it.
	slices.SortFunc(xs, func(a, b sample) int { return cmp.Or(cmp.Compare(a.n, b.n), cmp.Compare(a.m, b.m)) })
	if step := (len(xs) + maxLaneSamples - 1) / maxLaneSamples; step > 1 {
		kept := xs[:0]
		for i := 0; i < len(xs); i += step {
			kept = append(kept, xs[i])
		}
		xs = kept
	}
	var slopes []float64
	for i := range xs {
		for j := i + 1; j < len(xs); j++ {
			if dn := xs[j].n - xs[i].n; dn != 0 {
				slopes = append(slopes, (xs[j].m-xs[i].m)/dn)
			}
		}
	}
	if len(slopes) == 0 {
		return laneFit{}
	}
	rate := max(minLaneRate, min(maxLaneRate, median(slopes)))
	icpt := make([]float64, len(xs))
	for i, x := range xs {
		icpt[i] = x.m - rate*x.n
	}
	return laneFit{corner: max(0, min(maxLaneCorner, median(icpt))), rate: rate}
}
