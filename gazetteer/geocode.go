package gazetteer

import (
	"cmp"
	"math"

	"citygeo/data"
	"slices"
	"strconv"
	"unicode/utf8"

	"github.com/paulmach/orb"
)

// Level is how precisely a candidate was located, in AMap's words.
type Level string

// The levels a candidate can have, finest first.
const (
	LevelHouse        Level = "门牌号"
	LevelBuilding     Level = "楼栋"
	LevelPOI          Level = "兴趣点"
	LevelIntersection Level = "道路交叉路口"
	LevelRoad         Level = "道路"
	LevelCommunity    Level = "社区"
	LevelStreet       Level = "街道"
	LevelDistrict     Level = "区县"
)

// Candidate is one answer to a geocoding query.
type Candidate struct {
	Point        orb.Point `json:"-"`
	Level        Level     `json:"level"`
	Score        float64   `json:"score"` // in [0, 1]: 1 is an exact 门牌 match
	Address      string    `json:"address"`
	Interpolated bool      `json:"interpolated,omitempty"` // the number was placed between its neighbours
	Relative     bool      `json:"relative,omitempty"`     // offset from an anchor (东50米, 附近)
	Matched      []Element `json:"-"`
	Place        Place     `json:"place"`
}

// Query holds the options of a geocoding request.
type Query struct {
	City  string // preferred city; the index's Options.City when empty
	Limit int    // candidates to return; 1 when zero
}

// DefaultLimit is the number of candidates Geocode returns when Query.Limit is zero.
const DefaultLimit = 1

// Geocode returns the candidates for an address, best first; none when nothing in it matches.
func (ix *Index) Geocode(q string, opt Query) []Candidate {
	p := ix.Parse(q)
	g := geocoder{ix: ix, p: p}
	g.run()
	out := g.out
	if ix.elsewhere(p, opt.City) {
		// The address names another city than the one asked for (or deployed in): keep the
		// answers, the name may be a slip, but rank them as doubtful.
		for i := range out {
			out[i].Score *= DoubtfulFactor
		}
	}
	slices.SortStableFunc(out, func(a, b Candidate) int { return cmp.Compare(b.Score, a.Score) })
	limit := opt.Limit
	if limit <= 0 {
		limit = DefaultLimit
	}
	out = dedupe(out, limit)
	for i := range out {
		ix.fillPlace(&out[i])
	}
	return out
}

func dedupe(cs []Candidate, limit int) []Candidate {
	out := cs[:0]
	for _, c := range cs {
		dup := false
		for _, o := range out {
			if o.Point == c.Point && o.Level == c.Level {
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, c)
			if len(out) == limit {
				break
			}
		}
	}
	return out
}

// geocoder holds one query's elements and candidates.
type geocoder struct {
	ix  *Index
	p   Parsed
	out []Candidate

	roads                   []Element
	section, lane, alley    Element
	number, building, other Element
	pois, areas             []Element
	dir, dist               Element
	cross, assist           bool
}

func (g *geocoder) run() {
	for _, e := range g.p.Elements {
		switch e.Kind {
		case KindRoad:
			g.roads = append(g.roads, e)
		case KindSection:
			g.section = e
		case KindLane:
			g.lane = e
		case KindAlley:
			g.alley = e
		case KindNumber:
			g.number = e
		case KindBuilding:
			g.building = e
		case KindPOI:
			g.pois = append(g.pois, e)
		case KindDistrict, KindStreet, KindCommunity:
			g.areas = append(g.areas, e)
		case KindDirection:
			g.dir = e
		case KindDistance:
			g.dist = e
		case KindIntersection:
			g.cross = true
		case KindAssist:
			g.assist = true
		}
	}
	n := len(g.out)
	if g.cross && len(g.roads) >= 2 {
		g.intersection()
	}
	if len(g.out) == n && len(g.roads) > 0 {
		g.street()
	}
	if len(g.pois) > 0 && (len(g.out) == n || g.building.Kind != 0) {
		g.poi()
	}
	if len(g.out) == n {
		g.rescue()
	}
	if len(g.out) == n {
		g.area()
	}
	g.relative()
}

// rescue looks again at the text before the number when no road or place matched: a typo can
// make the parser cut a name wrongly (东门口路 read as the area 东门 + 口路), so every tail of
// that text is tried as a road, then as a place, exactly and one rune off, longest first.
func (g *geocoder) rescue() {
	end := len(g.p.Text.Off)
	for _, e := range g.p.Elements {
		switch e.Kind {
		case KindSection, KindLane, KindAlley, KindNumber, KindBuilding, KindUnit, KindFloor, KindRoom,
			KindAssist, KindDirection, KindDistance, KindIntersection:
			end = min(end, e.Start)
		}
	}
	rs := []rune(g.p.Text.Norm)
	if end > len(rs) {
		return
	}
	for start := max(0, end-maxNameRunes); start+3 <= end; start++ {
		name := string(rs[start:end])
		if ms := g.ix.resolveRoad(name); len(ms) > 0 {
			g.roads = []Element{{Kind: KindRoad, Text: name, Start: start, End: end}}
			g.street()
			return
		}
		if ids := g.ix.poiBy[name]; len(ids) > 0 || len(g.ix.fuzzyPOI(name)) > 0 {
			g.pois = []Element{{Kind: KindPOI, Text: name, Start: start, End: end}}
			g.poi()
			return
		}
	}
}

// roadMatch is a road a name resolved to, with the factor its score is multiplied by.
type roadMatch struct {
	road   int32
	factor float64
}

// resolveRoad finds a road by name: exactly, then one rune off (a typo, a missing or an extra
// rune), then by the longest known tail of the text (admin names glued in front).
func (ix *Index) resolveRoad(name string) []roadMatch {
	if ri, ok := ix.byName[name]; ok {
		return []roadMatch{{ri, 1}}
	}
	if utf8.RuneCountInString(name) < 3 {
		// One rune off a two-rune name matches too much: only a missing rune, and only when
		// a single road fits (建路 → 建设路).
		if ids := ix.fuzzy[name]; len(ids) == 1 && editOne(name, ix.roads[ids[0]].name) {
			return []roadMatch{{ids[0], 0.85}}
		}
		return nil
	}
	var out []roadMatch
	seen := map[int32]bool{}
	add := func(ri int32) {
		if !seen[ri] && editOne(name, ix.roads[ri].name) {
			seen[ri] = true
			out = append(out, roadMatch{ri, 0.85})
		}
	}
	for _, ri := range ix.fuzzy[name] { // a rune missing from the query
		add(ri)
	}
	for _, d := range deletions(name) {
		if ri, ok := ix.byName[d]; ok { // an extra rune in the query
			add(ri)
		}
		for _, ri := range ix.fuzzy[d] { // a wrong rune
			add(ri)
		}
	}
	if len(out) > 0 {
		return out
	}
	rs := []rune(name)
	for i := max(1, len(rs)-maxNameRunes); i+2 <= len(rs); i++ {
		if ri, ok := ix.byName[string(rs[i:])]; ok {
			return []roadMatch{{ri, 0.9}}
		}
	}
	return nil
}

// editOne reports whether a and b differ by at most one substitution, insertion or deletion.
func editOne(a, b string) bool {
	x, y := []rune(a), []rune(b)
	if len(x) > len(y) {
		x, y = y, x
	}
	if len(y)-len(x) > 1 {
		return false
	}
	i := 0
	for i < len(x) && x[i] == y[i] {
		i++
	}
	if len(x) == len(y) {
		return i == len(x) || string(x[i+1:]) == string(y[i+1:])
	}
	return string(x[i:]) == string(y[i+1:])
}

func (g *geocoder) add(c Candidate) {
	c.Matched = g.p.Elements
	g.out = append(g.out, c)
}

// street geocodes road + 段 + 巷 + 弄 + 号.
func (g *geocoder) street() {
	ix := g.ix
	ms := ix.resolveRoad(g.roads[0].Text)
	n0 := len(g.out)
	defer func() {
		if len(ms) > 1 {
			g.preferNamedArea(g.out[n0:])
		}
	}()
	for _, m := range ms {
		k := streetKey{road: m.road, section: int32(g.section.Num), lane: int32(g.lane.Num), alley: int32(g.alley.Num)}
		s := ix.streets[k]
		if s == nil && k.section == 0 {
			s = ix.onlySection(k, int32(g.number.Num), g.number.Suffix)
		}
		name := ix.roads[m.road].display + streetLabel(k)
		if g.number.Kind == KindNumber && s != nil {
			if c, ok := ix.house(s, int32(g.number.Num), g.number.Suffix); ok {
				c.Score *= m.factor
				c.Address = name + strconv.Itoa(g.number.Num) + "号"
				g.add(c)
				continue
			}
		}
		if s != nil && (len(s.nums) > 0 || len(s.lines) > 0) {
			g.add(Candidate{Point: s.center, Level: LevelRoad, Score: 0.6 * m.factor, Address: name})
			continue
		}
		// A lane or alley with no indexed number: its entrance is at the parent's number of the
		// same value (Taiwan 巷 N leaves the road near 號 N).
		if p, ok := ix.entrance(k); ok {
			g.add(Candidate{Point: p, Level: LevelRoad, Score: 0.55 * m.factor, Interpolated: true, Address: name})
			continue
		}
		if p, ok := ix.roadCenter(ix.roads[m.road]); ok {
			g.add(Candidate{Point: p, Level: LevelRoad, Score: 0.5 * m.factor, Address: ix.roads[m.road].display})
		}
	}
}

// preferNamedArea lowers the candidates that lie outside the community or street the address
// names: when a misspelt road fits several roads, the area decides.
func (g *geocoder) preferNamedArea(cs []Candidate) {
	var named []string
	for _, e := range g.areas {
		if a := g.ix.areas[e.Text]; a != nil && a.Level != data.District {
			named = append(named, a.Code)
		}
	}
	if len(named) == 0 {
		return
	}
	for i := range cs {
		a, ok := g.ix.nearestAddr(cs[i].Point, 100)
		in := false
		if ok && a.src.Community != "" {
			for c := a.src.Community; c != "" && !in; {
				in = slices.Contains(named, c)
				area := g.ix.areaBy[c]
				if area == nil || area.Parent == c {
					break
				}
				c = area.Parent
			}
		}
		if !in {
			cs[i].Score *= 0.9
		}
	}
}

// streetLabel spells the section, lane and alley of a key.
func streetLabel(k streetKey) string {
	s := ""
	if k.section > 0 {
		s += sectionWord(k.section)
	}
	if k.lane > 0 {
		s += strconv.Itoa(int(k.lane)) + "巷"
	}
	if k.alley > 0 {
		s += strconv.Itoa(int(k.alley)) + "弄"
	}
	return s
}

// sectionWord spells a section the way signs do: 三段, 十二段.
func sectionWord(n int32) string {
	const digits = "〇一二三四五六七八九"
	d := []rune(digits)
	switch {
	case n <= 0 || n >= 100:
		return strconv.Itoa(int(n)) + "段"
	case n < 10:
		return string(d[n]) + "段"
	case n == 10:
		return "十段"
	case n < 20:
		return "十" + string(d[n%10]) + "段"
	case n%10 == 0:
		return string(d[n/10]) + "十段"
	}
	return string(d[n/10]) + "十" + string(d[n%10]) + "段"
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

// entrance estimates where a lane (or alley) leaves its parent street.
func (ix *Index) entrance(k streetKey) (orb.Point, bool) {
	var parent streetKey
	var num int32
	switch {
	case k.alley > 0:
		parent, num = streetKey{road: k.road, section: k.section, lane: k.lane}, k.alley
	case k.lane > 0:
		parent, num = streetKey{road: k.road, section: k.section}, k.lane
	default:
		return orb.Point{}, false
	}
	s := ix.streets[parent]
	if s == nil && parent.section == 0 {
		s = ix.onlySection(parent, num, "")
	}
	if s == nil {
		return ix.entrance(parent)
	}
	if c, ok := ix.house(s, num, ""); ok {
		return c.Point, true
	}
	return ix.entrance(parent)
}

// find returns the position of the first number ≥ num (suffix order within a number).
func (s *street) find(ix *Index, num int32, suffix string) (int, bool) {
	i, _ := slices.BinarySearchFunc(s.nums, num, func(a int32, n int32) int { return cmp.Compare(ix.addrs[a].num, n) })
	return i, i < len(s.nums)
}

// house places a number on a street: the exact 门牌, the same number with another suffix, or an
// interpolation between the nearest numbers on the same side (same parity).
func (ix *Index) house(s *street, num int32, suffix string) (Candidate, bool) {
	if len(s.nums) == 0 {
		return Candidate{}, false
	}
	i, _ := s.find(ix, num, suffix)
	if i < len(s.nums) && ix.addrs[s.nums[i]].num == num {
		best := i
		real := false
		for j := i; j < len(s.nums) && ix.addrs[s.nums[j]].num == num; j++ {
			a := &ix.addrs[s.nums[j]]
			if a.src == nil {
				continue // a lane entrance, not a 门牌
			}
			if !real {
				best, real = j, true
			}
			if a.suffix == suffix {
				return Candidate{Point: a.point, Level: LevelHouse, Score: 1}, true
			}
		}
		if real {
			return Candidate{Point: ix.addrs[s.nums[best]].point, Level: LevelHouse, Score: 0.9}, true
		}
		return Candidate{Point: ix.addrs[s.nums[best]].point, Level: LevelHouse, Score: 0.8, Interpolated: true}, true
	}
	lo, hi := ix.sameSide(s, i-1, -1, num, false), ix.sameSide(s, i, 1, num, false)
	if lo < 0 || hi < 0 {
		// Lane entrances are rougher than 门牌: use them only where a side has no house.
		lo, hi = ix.sameSide(s, i-1, -1, num, true), ix.sameSide(s, i, 1, num, true)
	}
	score := 0.8
	if lo < 0 && hi < 0 {
		lo, hi = i-1, i
		if hi >= len(s.nums) {
			hi = -1
		}
		score = 0.6
	}
	switch {
	case lo >= 0 && hi >= 0:
		a, b := &ix.addrs[s.nums[lo]], &ix.addrs[s.nums[hi]]
		t := float64(num-a.num) / float64(b.num-a.num)
		t = ix.sparseT(a, b, num, t)
		p, ok := ix.along(s, a.point, b.point, t)
		if !ok {
			p = lerp(a.point, b.point, t)
		}
		return Candidate{Point: p, Level: LevelHouse, Score: score, Interpolated: true}, true
	case lo >= 0 || hi >= 0:
		// Beyond the last known number on its side, but bracketed on the other side: place it
		// between the other side's numbers and shift it across by the side offset measured at
		// the nearest known number of its own side.
		near := lo
		if near < 0 {
			near = hi
		}
		if p, ok := ix.acrossStreet(s, num, &ix.addrs[s.nums[near]]); ok {
			return Candidate{Point: p, Level: LevelHouse, Score: score - 0.05, Interpolated: true}, true
		}
		// Else extrapolate along the last two on that side when num lies at most as far again
		// as they are apart; farther, or without two, in the direction the street's numbers
		// grow by the city's spacing per number; else take the nearest, or the capped pair.
		step := 1
		if lo < 0 {
			near = hi
		} else {
			step = -1
		}
		a := &ix.addrs[s.nums[near]]
		p := a.point
		t := math.Inf(1)
		if far := ix.sameSide(s, near+step, step, num, true); far >= 0 {
			b := &ix.addrs[s.nums[far]]
			if b.num != a.num {
				t = math.Abs(float64(num-a.num) / float64(a.num-b.num))
				p = lerp(a.point, orb.Point{2*a.point[0] - b.point[0], 2*a.point[1] - b.point[1]}, min(t, 1))
			}
		}
		if t > 1 {
			if q, ok := ix.extrapolate(s, num, a); ok {
				p = q
			}
		}
		return Candidate{Point: p, Level: LevelHouse, Score: score - 0.1, Interpolated: true}, true
	}
	return Candidate{}, false
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
		if (a.num-num)%2 == 0 && (entrances || a.src != nil) {
			return i
		}
	}
	return -1
}

// roadCenter is the middle of a road: the vertex halfway along its first line, else the centre
// of its busiest street.
func (ix *Index) roadCenter(r *road) (orb.Point, bool) {
	if len(r.lines) > 0 && len(r.lines[0]) > 0 {
		l := r.lines[0]
		if len(l) == 2 {
			return lerp(l[0], l[1], 0.5), true
		}
		return l[len(l)/2], true
	}
	var best *street
	for _, s := range r.streets {
		if best == nil || len(s.nums) > len(best.nums) {
			best = s
		}
	}
	if best == nil || len(best.nums) == 0 {
		return orb.Point{}, false
	}
	return best.center, true
}
