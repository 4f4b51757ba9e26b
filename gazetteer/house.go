package gazetteer

import (
	"cmp"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"citygeo/data"

	"github.com/paulmach/orb"
)

// placed is where a house number was put on a street and what vouches for the point.
type placed struct {
	point  orb.Point
	level  Level // LevelHouse, or LevelRoad when the number could not be placed honestly
	reason Reason
	from   *addr // the 门牌 whose own point it is (exact, sibling, base number); nil for estimates
}

// onlySection finds the street of a road given without its section: the section holding the
// number exactly, else the only section there is.
func (ix *Index) onlySection(k streetKey, num int32, suffix string) *street {
	var only *street
	n := 0
	for _, s := range ix.roads[k.road].streets {
		if s.key.lane != k.lane || s.key.alley != k.alley {
			continue
		}
		n++
		only = s
		if num > 0 {
			if i, ok := s.find(ix, num, suffix); ok && ix.addrs[s.nums[i]].num == num {
				return s
			}
		}
	}
	if n == 1 {
		return only
	}
	return nil
}

// parentOf returns the street a lane (or alley) leaves from and the number it leaves at:
// 228巷 leaves its road's section at 228號, 7弄 its lane at 7號; false for a road or section.
func parentOf(k streetKey) (streetKey, int32, bool) {
	switch {
	case k.alley > 0:
		return streetKey{road: k.road, section: k.section, lane: k.lane}, k.alley, true
	case k.lane > 0:
		return streetKey{road: k.road, section: k.section}, k.lane, true
	}
	return streetKey{}, 0, false
}

// atParent places lane k's own number on its parent street, where Taiwan's rule has the lane
// leave: the parent's key and street (nil when not indexed) and, when the parent's houses
// place the number at 门牌号, that placement.
func (ix *Index) atParent(k streetKey) (streetKey, *street, placed, bool) {
	parent, num, ok := parentOf(k)
	if !ok {
		return parent, nil, placed{}, false
	}
	s := ix.streets[parent]
	if s == nil && parent.section == 0 {
		s = ix.onlySection(parent, num, "")
	}
	if s == nil {
		return parent, nil, placed{}, false
	}
	h, ok := ix.house(s, num, "")
	// The mouth of lane N巷 is where the parent's N lies, whatever level it is answered at.
	return parent, s, h, ok && (h.level == LevelHouse || h.reason == ReasonLaneMouth)
}

// entrance estimates where a lane (or alley) leaves its parent street: at the parent's house
// of its number, else, for an alley, that number's place along its lane's inferred line (弄 N
// leaves its 巷 at the lane's house N, which lies N lots in from the lane's mouth), else where
// the parent itself leaves its street.
func (ix *Index) entrance(k streetKey) (orb.Point, bool) {
	parent, _, h, ok := ix.atParent(k)
	if ok {
		return h.point, true
	}
	if k.lane == 0 && k.alley == 0 {
		return orb.Point{}, false // a road or section leaves nothing (parent is zero, not absent: road 0 is a road)
	}
	if k.alley > 0 {
		if a, ok := ix.laneAxisOf(parent, 0); ok {
			return ix.axisAt(a, a.setback+ix.laneAlong(k.alley)), true
		}
	}
	if h.level != "" {
		// The parent holds numbers but cannot vouch for N (out of range): its best guess
		// for N is still nearer the lane than the parent's own mouth or middle.
		return h.point, true
	}
	return ix.entrance(parent)
}

// mouth returns where a lane (or alley) leaves its parent street: the parent's number equal
// to the lane's, else the lane's lowest known house. exact reports that the lane is indexed
// and the parent's 门牌 of its number too.
func (ix *Index) mouth(k streetKey) (orb.Point, bool, bool) {
	if _, _, h, ok := ix.atParent(k); ok && h.reason != ReasonLaneMouth {
		return h.point, h.reason == ReasonExact && ix.streets[k] != nil, true
	}
	if l := ix.streets[k]; l != nil && len(l.nums) > 0 {
		return ix.addrs[l.nums[0]].point, false, true
	}
	p, ok := ix.entrance(k)
	return p, false, ok
}

// find returns the position of the first number ≥ num (suffix order within a number).
func (s *street) find(ix *Index, num int32, suffix string) (int, bool) {
	i, _ := slices.BinarySearchFunc(s.nums, num, func(a int32, n int32) int { return cmp.Compare(ix.addrs[a].num, n) })
	return i, i < len(s.nums)
}

// house places a number on a street: the exact 门牌; else one sharing its base number (N號
// for N之K, N之K for N號); else where lane N巷 leaves the street; else an estimate from the
// known numbers around it (estimate). Every answer but the exact one says so in its reason.
func (ix *Index) house(s *street, num int32, suffix string) (placed, bool) {
	return ix.houseIn(s, num, suffix, 0)
}

// houseIn is house for an address that names its 鄰 (lin, 0 when none).
func (ix *Index) houseIn(s *street, num int32, suffix string, lin int32) (placed, bool) {
	if len(s.nums) == 0 {
		return placed{}, false
	}
	i, _ := s.find(ix, num, suffix)
	var base, sibling, mouth *addr
	for j := i; j < len(s.nums) && ix.addrs[s.nums[j]].num == num; j++ {
		a := &ix.addrs[s.nums[j]]
		switch {
		case a.src == 0:
			mouth = cmp.Or(mouth, a) // a lane entrance, not a 门牌
		case ix.hidden.addr(ix, a):
			// edited or deleted since the index was built: not this number's point any more
		case ix.suffix(a) == suffix:
			return placed{a.point, LevelHouse, ReasonExact, a}, true
		case a.sfx == 0:
			base = a
		case sibling == nil || suffixGap(ix.suffix(a), suffix) < suffixGap(ix.suffix(sibling), suffix):
			sibling = a
		}
	}
	switch {
	case sibling != nil && closeSibling(ix.suffix(sibling), suffix) &&
		(base == nil || ix.pl.Distance(base.point, sibling.point) <= maxSiblingGap):
		// 33號之27 by 33號之26, 12之3 by 12之2: the units and 之 numbers of one base lie
		// together, nearer each other than to the base (a compound's gate).
		return placed{sibling.point, LevelHouse, ReasonSibling, sibling}, true
	case suffix != "" && base != nil:
		return placed{ix.afterBase(s, base, suffix), LevelHouse, ReasonBaseNumber, base}, true
	case sibling != nil:
		return placed{sibling.point, LevelHouse, ReasonSibling, sibling}, true
	case base != nil:
		return placed{base.point, LevelHouse, ReasonSibling, base}, true
	case mouth != nil:
		return placed{mouth.point, laneMouthLevel, ReasonLaneMouth, nil}, true
	}
	h, ok := ix.estimate(s, i, num, lin)
	if ok && h.reason == ReasonOutOfRange {
		if p, ok := ix.inLin(s, num, lin); ok {
			h.point = p
		}
	}
	return h, ok
}

// suffixSpan is how far apart in K two qualified numbers of one base (N之K, N號之K) may be
// for one to place the other rather than the base.
const suffixSpan = 2

// maxSiblingGap is how far (metres) from its base a sibling may lie and still place a number
// of that base: farther, one of the two points is doubtful and the base is the safer anchor.
const maxSiblingGap = 100

// closeSibling reports whether a known qualified number (have) places the asked one (want):
// the same form (之K or 號之K) and K within suffixSpan.
func closeSibling(have, want string) bool {
	for _, form := range []string{"之", "号之"} {
		if strings.HasPrefix(have, form) && strings.HasPrefix(want, form) {
			return suffixGap(have, want) <= suffixSpan
		}
	}
	return false
}

// suffixGap orders the siblings of an asked suffix: 之2 is nearer 之1 than 之5, and any 之K
// nearer a bare number than 甲.
func suffixGap(have, want string) int {
	h, w := suffixRank(have), suffixRank(want)
	return max(h-w, w-h)
}

// suffixRank is the K of 之K and 號之K (1 for 附, 甲 …, 0 for none).
func suffixRank(s string) int {
	if s == "" {
		return 0
	}
	if k := strings.LastIndex(s, "之"); k >= 0 {
		return atoi([]rune(s[k:]))
	}
	return 1
}

// subFraction is where N之K lies between N號 and the next number on its side: the median over
// the Penghu register is a quarter of the way (N號之K, a unit of N號 itself, lies at N).
const subFraction = 0.25

// afterBase places a qualified number (N之K) from its base N號: a quarter of the way to the
// next number on the same side when that one is close, else at the base.
func (ix *Index) afterBase(s *street, base *addr, suffix string) orb.Point {
	if !strings.HasPrefix(suffix, "之") {
		return base.point
	}
	i, _ := s.find(ix, base.num+1, "")
	next := ix.sameSide(s, i, 1, base.num, false)
	if next < 0 {
		return base.point
	}
	b := &ix.addrs[s.nums[next]]
	if ix.spacing > 0 && ix.pl.Distance(base.point, b.point) > sparseFactor*ix.spacing*float64(b.num-base.num) {
		return base.point // the next number is across a gap
	}
	return lerp(base.point, b.point, subFraction)
}

// maxExtrapolatePoint caps how far (metres) beyond the last known number the point of an
// out-of-range answer is moved: the road's end rather than the open sea for 建设路99999号.
const maxExtrapolatePoint = 1500

// estimate places a number that is not indexed from the known numbers around position i:
// between the nearest on its side (interpolated), from the other side (across), or beyond the
// last one on its side by at most MaxExtrapolate metres (extrapolated); farther, the answer
// drops to the road (out of range).
func (ix *Index) estimate(s *street, i int, num int32, lin int32) (placed, bool) {
	// On a street with a line, its lanes' mouths are projected onto it (addEntrances) and
	// anchor the numbering as well as houses do; elsewhere a lane's first house stands in for
	// its mouth, rougher than a 门牌.
	onLine := len(ix.streetLines(s)) > 0
	lo, hi := ix.sameSide(s, i-1, -1, num, onLine), ix.sameSide(s, i, 1, num, onLine)
	if lo < 0 || hi < 0 {
		// Lane entrances are rougher than 门牌: use them only where a side has no house.
		lo, hi = ix.sameSide(s, i-1, -1, num, true), ix.sameSide(s, i, 1, num, true)
	}
	if (lo < 0 || hi < 0) && !ix.nearOwnSide(s, lo, hi, num) {
		if p, ok := ix.onLine(s, i, num); ok {
			return p, true
		}
	}
	reason := ReasonInterpolated
	if lo < 0 && hi < 0 {
		// No number of its parity: between the neighbours of the other.
		lo, hi = ix.nextAnchor(s, i-1, -1), ix.nextAnchor(s, i, 1)
		reason = ReasonAcross
	}
	if lo >= 0 && hi >= 0 {
		a, b := &ix.addrs[s.nums[lo]], &ix.addrs[s.nums[hi]]
		t := float64(num-a.num) / float64(b.num-a.num)
		t = ix.sparseT(a, b, num, t)
		t = ix.linT(a, b, num, t, lin)
		p, ok := ix.along(s, a.point, b.point, t)
		if !ok {
			p = lerp(a.point, b.point, t)
		}
		return placed{point: p, level: LevelHouse, reason: reason}, true
	}
	if lo < 0 && hi < 0 {
		if p, ok := ix.laneRule(s.key, s, num); ok {
			return placed{point: p, level: laneRuleLevel, reason: ReasonLaneRule}, true
		}
		return placed{}, false
	}
	// Beyond the last known number on its side, but bracketed on the other side: place it
	// between the other side's numbers and shift it across by the side offset measured at the
	// nearest known number of its own side.
	near, step := lo, -1
	if lo < 0 {
		near, step = hi, 1
	}
	a := &ix.addrs[s.nums[near]]
	if p, ok := ix.acrossStreet(s, num, a); ok {
		return placed{point: p, level: LevelHouse, reason: ReasonAcross}, true
	}
	p, m := ix.beyond(s, near, step, num, maxExtrapolatePoint)
	if m > MaxExtrapolate {
		// Too far for the lane's own numbers: its mouth and the numbering rule say more.
		if q, ok := ix.laneRule(s.key, s, num); ok {
			return placed{point: q, level: laneRuleLevel, reason: ReasonLaneRule}, true
		}
		// Too far to vouch for the number; the point is still the best guess on the road.
		return placed{point: p, level: LevelRoad, reason: ReasonOutOfRange}, true
	}
	return placed{point: p, level: LevelHouse, reason: ReasonExtrapolated}, true
}

// beyond extrapolates num past the known number at position near, away from the next one in
// direction step: along the last two on that side when num lies at most as far again as they
// are apart; farther, or without two, in the direction the street's numbers grow by the
// city's spacing per number. It returns the point, moved at most limit metres, and the metres
// the number would need (+Inf when nothing tells).
func (ix *Index) beyond(s *street, near, step int, num int32, limit float64) (orb.Point, float64) {
	a := &ix.addrs[s.nums[near]]
	p, m := a.point, math.Inf(1)
	t := math.Inf(1)
	if far := ix.sameSide(s, near+step, step, num, true); far >= 0 {
		b := &ix.addrs[s.nums[far]]
		if b.num != a.num {
			t = math.Abs(float64(num-a.num) / float64(a.num-b.num))
			d := ix.pl.Distance(a.point, b.point)
			m = t * d
			p = lerp(a.point, orb.Point{2*a.point[0] - b.point[0], 2*a.point[1] - b.point[1]}, min(t, 1, limit/max(d, 1)))
		}
	}
	if t > 1 {
		if q, dm, ok := ix.extrapolate(s, num, a, limit); ok {
			p, m = q, dm
		}
	}
	return p, m
}

// acrossStreet interpolates num between the nearest numbers of the other parity and shifts
// the point by the offset between near (a known number of num's parity) and the other side's
// interpolation at near's number.
func (ix *Index) acrossStreet(s *street, num int32, near *addr) (orb.Point, bool) {
	at := func(n int32) (orb.Point, bool) {
		i, _ := s.find(ix, n, "")
		lo, hi := ix.sameSide(s, i-1, -1, n+1, false), ix.sameSide(s, i, 1, n+1, false)
		if lo < 0 || hi < 0 {
			return orb.Point{}, false
		}
		a, b := &ix.addrs[s.nums[lo]], &ix.addrs[s.nums[hi]]
		if a.num == b.num {
			return a.point, true
		}
		return lerp(a.point, b.point, float64(n-a.num)/float64(b.num-a.num)), true
	}
	p, ok1 := at(num)
	q, ok2 := at(near.num)
	if !ok1 || !ok2 {
		return orb.Point{}, false
	}
	return orb.Point{p[0] + near.point[0] - q[0], p[1] + near.point[1] - q[1]}, true
}

// sameSide walks from position i in direction step to the first number of num's parity.
func (ix *Index) sameSide(s *street, i, step int, num int32, entrances bool) int {
	for n := 0; i >= 0 && i < len(s.nums) && n < 64; i, n = i+step, n+1 {
		a := &ix.addrs[s.nums[i]]
		if (a.num-num)%2 == 0 && (ix.anchor(a) || entrances && a.src == 0) {
			return i
		}
	}
	return -1
}

// nextAnchor returns the position in s.nums of the first house from i in direction step (±1),
// of either parity, that may place another number (anchor) or is a lane entrance; −1 when none.
func (ix *Index) nextAnchor(s *street, i, step int) int {
	for ; i >= 0 && i < len(s.nums); i += step {
		if a := &ix.addrs[s.nums[i]]; ix.anchor(a) || a.src == 0 {
			return i
		}
	}
	return -1
}

// unitOf returns 号之K when a normalized full address writes number num as N号之K (N not
// part of a longer number, K digits), else "". 3号三楼之1 is a flat of 3号, not a unit.
func unitOf(full string, num int) string {
	head := strconv.Itoa(num) + "号之"
	for i := 0; ; {
		j := strings.Index(full[i:], head)
		if j < 0 {
			return ""
		}
		at := i + j
		end := at + len(head)
		k := end
		for k < len(full) && isDigit(rune(full[k])) {
			k++
		}
		before, _ := utf8.DecodeLastRuneInString(full[:at])
		if k > end && !isDigit(before) {
			return "号之" + full[end:k]
		}
		i = end
	}
}

// canonSuffix writes a data file's number qualifier the way the parser reads a query: -K and
// 之K as 之K (16-1號 is 16之1號), 號之K as 号之K.
func canonSuffix(s string) string {
	n := NormalizeString(s)
	if rest, ok := strings.CutPrefix(n, "-"); ok {
		return "之" + rest
	}
	return n
}

// suffixOf reads the qualifier of an address's number: its Suffix as canonSuffix writes it,
// and 号之K rather than 之K when the full address writes the K after 號 (N號之K, a unit of
// N號, is a 门牌 apart from N之K號, and a register may hold both). A register whose number
// column leaves the unit out (號 7號, full address 中央街7號之1) gets it from the full address:
// indexed as 7號, the unit would answer an exact 7號 at its own door.
func suffixOf(a *data.Address) string {
	s := canonSuffix(a.Suffix)
	if s == "" && strings.Contains(a.Full, "之") {
		return unitOf(NormalizeString(a.Full), a.Number)
	}
	if !strings.HasPrefix(s, "之") || a.Full == "" {
		return s
	}
	full, unit := NormalizeString(a.Full), strconv.Itoa(a.Number)+"号"+s
	for i := strings.Index(full, unit); i >= 0; {
		end := i + len(unit)
		before, _ := utf8.DecodeLastRuneInString(full[:i])
		after, _ := utf8.DecodeRuneInString(full[end:])
		if !isDigit(before) && !isDigit(after) {
			return "号" + s
		}
		j := strings.Index(full[end:], unit)
		if j < 0 {
			break
		}
		i = end + j
	}
	return s
}
