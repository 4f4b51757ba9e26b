package gazetteer

import (
	"math"
	"slices"

	"github.com/paulmach/orb"
)

// Houses out of sequence. Along one side of a street the houses, taken in the order of their
// numbers, run one way along it. A register's point that breaks that run by more than its
// noise (a facility's address placed at another branch, a digit mistyped) is still what the
// register says for its own number, so it answers for that number exactly; but it is no anchor
// for another number: an interpolation between it and a good neighbour lands hundreds of
// metres off.

// anchor reports whether a may place another number: a register's 门牌 (not a lane entrance),
// in sequence on its side, not hidden by an edit since the index was built.
func (ix *Index) anchor(a *addr) bool { return a.src != 0 && !a.stray && !ix.hidden.addr(ix, a) }

// strayTolerance is how far (metres along the street) a house may lie the wrong way from
// another of its side, or off its side's rate, and still be in sequence: a register's points
// are 10–30 m from the door (building centroids, the front of a compound), so two good
// neighbours may disagree by twice that.
const strayTolerance = 60

// strayWindow is how many houses either side of it (in number order) a house is compared
// with, for the order and for the rate: the rule is local, as a surveyor walks the street.
const strayWindow = 16

// strayMinHouses is how many houses a side needs before its sequence can single one out: with
// three, any one of them may be the odd one.
const strayMinHouses = 4

// markStrays flags the houses of s that are out of sequence on their side (outOfSequence),
// on a street with a line its houses lie along. A side where more than a third of the houses
// would be flagged is left alone: its houses do not run along that line (two pieces of a
// street, a line that ends short), and the rule does not apply.
func (ix *Index) markStrays(s *street) {
	var side [2][]*addr
	for _, i := range s.nums {
		if a := &ix.addrs[i]; a.src != 0 {
			side[a.num&1] = append(side[a.num&1], a)
		}
	}
	for _, hs := range side {
		if len(hs) < strayMinHouses {
			continue
		}
		m, ok := ix.sidePositions(s, hs)
		if !ok {
			continue
		}
		num := make([]int32, len(hs))
		for k, a := range hs {
			num[k] = a.num
		}
		out := outOfSequence(num, m, strayTolerance, strayWindow)
		if len(out) == 0 || 3*len(out) > len(hs) {
			continue
		}
		for _, k := range out {
			hs[k].stray = true
		}
	}
}

// sidePositions returns the metres along the street of each house of one side, projected on
// the street's line the houses lie nearest. False when the street has no line they lie within
// maxSideOffset of on average: a lane without geometry may bend back on itself (a 巷 that
// turns its corner), and a straight axis through its houses would call its far end out of
// sequence (on Penghu's register it did, and moved good extrapolations).
func (ix *Index) sidePositions(s *street, hs []*addr) ([]float64, bool) {
	// The line is chosen on a few houses spread over the side: projecting every house on
	// every piece of a long road was a quarter of the index's build.
	probe := hs
	if len(probe) > strayProbes {
		probe = make([]*addr, strayProbes)
		for k := range probe {
			probe[k] = hs[k*(len(hs)-1)/(strayProbes-1)]
		}
	}
	var best orb.LineString
	bestD := math.Inf(1)
	for _, l := range ix.streetLines(s) {
		if len(l) < 2 {
			continue
		}
		d := 0.0
		for _, a := range probe {
			d += min(ix.pl.project(l, a.point).dist, 2*maxSideOffset)
		}
		if d < bestD {
			best, bestD = l, d
		}
	}
	if best == nil || bestD > maxSideOffset*float64(len(probe)) {
		return nil, false
	}
	lm := ix.pl.measure(best)
	m := make([]float64, len(hs))
	hint := 0
	for k, a := range hs {
		m[k], hint = lm.along(ix.pl, a.point, hint)
	}
	return m, true
}

// chunkSegs is how many segments of a line share one bounding box in a measuredLine.
const chunkSegs = 16

// measuredLine is a line prepared to place many points along it: the metres to each vertex and
// the bounding box of each run of chunkSegs segments. Projecting every house of a long road on
// every one of its segments made the 1M-address city's build 2.5 times as long.
type measuredLine struct {
	l     orb.LineString
	cum   []float64   // metres along l to each vertex
	boxes []orb.Bound // chunk c covers segments c*chunkSegs+1 … (c+1)*chunkSegs
}

// measure prepares l (at least two points) for along.
func (pl plane) measure(l orb.LineString) measuredLine {
	lm := measuredLine{l: l, cum: make([]float64, len(l))}
	for i := 1; i < len(l); i++ {
		lm.cum[i] = lm.cum[i-1] + pl.Distance(l[i-1], l[i])
		if c := (i - 1) / chunkSegs; c == len(lm.boxes) {
			lm.boxes = append(lm.boxes, orb.Bound{Min: l[i-1], Max: l[i-1]}.Extend(l[i]))
		} else {
			lm.boxes[c] = lm.boxes[c].Extend(l[i])
		}
	}
	return lm
}

// along returns the metres along the line of p's projection, as plane.project does, and the
// chunk it fell in: the next point's search starts there (houses in number order lie near
// each other), so the other chunks' boxes are mostly too far to open.
func (lm *measuredLine) along(pl plane, p orb.Point, hint int) (float64, int) {
	best, m, at := math.Inf(1), 0.0, hint
	for k := range lm.boxes {
		c := (hint + k) % len(lm.boxes)
		if b := lm.boxes[c]; pl.boxDist2(p, b.Min, b.Max) >= best*best {
			continue
		}
		for i := c*chunkSegs + 1; i <= min((c+1)*chunkSegs, len(lm.l)-1); i++ {
			a, b := lm.l[i-1], lm.l[i]
			if pl.boxDist2(p, a, b) >= best*best {
				continue
			}
			if q, d := pl.ClosestOnSegment(p, a, b); d < best {
				best, m, at = d, lm.cum[i-1]+pl.Distance(a, q), c
			}
		}
	}
	return m, at
}

// strayProbes is how many houses of a side choose the line they are projected on.
const strayProbes = 8

// outOfSequence returns the indices of the houses (numbers num, positions m along the street,
// in the order of their numbers) that break their side's sequence. The side's rate is the
// median slope (metres per number) between houses at most window apart in the list, its offset
// the median of what the rate leaves; a house is out of sequence when it lies more than tol the
// wrong way from a house at most window from it (their positions disagree with their numbers)
// and farther from the rate than tol and three times the side's median deviation. Both tests are
// needed: a good neighbour of a misplaced house is out of order with it but on the rate, and a
// street whose lots vary is off the rate but in order.
func outOfSequence(num []int32, m []float64, tol float64, window int) []int {
	n := len(m)
	// A side whose houses all go one way (within tol) is in sequence whatever its rate: most
	// are, and they need no rate.
	var up, down bool
	for i := range n {
		for j := i + 1; j < min(n, i+window+1); j++ {
			up = up || num[j] != num[i] && m[j]-m[i] > tol
			down = down || num[j] != num[i] && m[j]-m[i] < -tol
		}
	}
	if !up || !down {
		return nil
	}
	var slopes []float64
	for i := range n {
		for j := i + 1; j < min(n, i+window+1); j++ {
			if num[j] != num[i] {
				slopes = append(slopes, (m[j]-m[i])/float64(num[j]-num[i]))
			}
		}
	}
	if len(slopes) == 0 {
		return nil
	}
	rate := median(slopes)
	if rate == 0 {
		return nil // the side does not say which way it runs
	}
	dir := math.Copysign(1, rate)
	res := make([]float64, n)
	for k := range n {
		res[k] = m[k] - rate*float64(num[k])
	}
	offset := median(slices.Clone(res))
	for k := range n {
		res[k] = math.Abs(res[k] - offset)
	}
	limit := max(tol, 3*median(slices.Clone(res)))
	var out []int
	for k := range n {
		if res[k] > limit && outOfOrder(num, m, k, dir, tol, window) {
			out = append(out, k)
		}
	}
	return out
}

// outOfOrder reports whether house k lies more than tol the wrong way (against dir) from a
// house at most window away in the list.
func outOfOrder(num []int32, m []float64, k int, dir, tol float64, window int) bool {
	for j := max(0, k-window); j < min(len(m), k+window+1); j++ {
		switch {
		case num[j] < num[k] && dir*(m[k]-m[j]) < -tol, num[j] > num[k] && dir*(m[j]-m[k]) < -tol:
			return true
		}
	}
	return false
}

// median returns the middle of xs (the upper one of an even count), sorting xs.
func median(xs []float64) float64 {
	slices.Sort(xs)
	return xs[len(xs)/2]
}

// Houses out of reach. A street with no line to order its houses along (most lanes, and the
// streets OSM does not map) can still single out a point that no reading of its numbers can
// place: one that lies farther from every other house of its street than farTolerance plus the
// widest spacing per number (maxLaneRate) allows, while the others agree with each other. A
// register's AED placed at another branch 1.5 km away, or a lane's 18號 put on the next lane but
// one, would otherwise pull its street's interpolation or its lane's axis after it. A lane
// counts where its parent places its number as a house numbered 0: its mouth.

// farTolerance is the metres beyond the widest spacing that two houses of one street may lie
// apart and still be read as of one street: a few blocks, far more than a register's noise.
const farTolerance = 300

// markFar flags the houses of s that are out of reach of all its others (reachable), when at
// least two of those others are in reach of each other: with one witness, either may be the
// one misplaced.
func (ix *Index) markFar(s *street) {
	// The houses in number order, a lane's mouth first: house 0 of the lane. A mouth the
	// parent's own houses place (at 门牌号, not from the lane's first house) outweighs a lone
	// house of the lane: it is read from a whole street's numbering.
	hs := make([]*addr, 0, len(s.nums)+1)
	solidMouth := false
	if _, _, h, ok := ix.atParent(s.key); ok {
		hs = append(hs, &addr{point: h.point})
		solidMouth = h.level == LevelHouse
	}
	mouths := len(hs)
	for _, i := range s.nums {
		if a := &ix.addrs[i]; a.src != 0 && !a.stray {
			hs = append(hs, a)
		}
	}
	lone := len(hs) == 2 && mouths == 1 && solidMouth
	if len(hs) == mouths || len(hs) < 3 && !lone {
		return
	}
	far := make([]bool, len(hs))
	anyFar := false
	for k := mouths; k < len(hs); k++ { // the mouth is a witness, not a suspect
		far[k] = !ix.reachesAny(hs, k)
		anyFar = anyFar || far[k]
	}
	if !anyFar || !lone && !ix.witnessed(hs, far) {
		return
	}
	for k, f := range far {
		if f {
			hs[k].stray = true
		}
	}
}

// reachable reports whether houses a and b of one street lie close enough for their numbers.
func (ix *Index) reachable(a, b *addr) bool {
	return ix.pl.Distance(a.point, b.point) <= farTolerance+maxLaneRate*float64(abs32(a.num-b.num))
}

// reachesAny reports whether house k of hs (in number order) reaches one of another number,
// trying the nearest in the list first: its neighbours in number are the likeliest to, so a
// street of thousands costs a few tests a house, not thousands.
func (ix *Index) reachesAny(hs []*addr, k int) bool {
	for d := 1; k-d >= 0 || k+d < len(hs); d++ {
		for _, j := range [2]int{k - d, k + d} {
			if j >= 0 && j < len(hs) && hs[j].num != hs[k].num && ix.reachable(hs[k], hs[j]) {
				return true
			}
		}
	}
	return false
}

// witnessed reports whether two houses of hs, neither far, reach each other: two in a row of
// the others in number order.
func (ix *Index) witnessed(hs []*addr, far []bool) bool {
	prev := -1
	for i := range hs {
		if far[i] {
			continue
		}
		if prev >= 0 && hs[prev].num != hs[i].num && ix.reachable(hs[prev], hs[i]) {
			return true
		}
		prev = i
	}
	return false
}

// markFarHouses runs markFar on every street, roads before their lanes and lanes before their
// alleys: a lane's mouth is placed by its parent's houses, whose own far ones must be known.
func (ix *Index) markFarHouses() {
	for depth := range 3 {
		for _, s := range ix.streets {
			if streetDepth(s.key) == depth {
				ix.markFar(s)
			}
		}
	}
}

// streetDepth is 0 for a road or section, 1 for a lane, 2 for an alley.
func streetDepth(k streetKey) int {
	switch {
	case k.alley > 0:
		return 2
	case k.lane > 0:
		return 1
	}
	return 0
}
