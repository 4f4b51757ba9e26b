package gazetteer

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"citygeo/data"

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
	// LevelSegment is a stretch of road between two ends (人民路（友谊桥至和平桥）): the
	// candidate carries the Line; its Point is the line's middle. The gazetteer parses such a
	// text (ParseSegment, SegmentQuery) but the line along the road is resolved by package
	// duty, as duty segments are; city.Snapshot.Geocode joins the two.
	LevelSegment   Level = "道路区段"
	LevelRoad      Level = "道路"
	LevelCommunity Level = "社区"
	LevelStreet    Level = "街道"
	LevelDistrict  Level = "区县"
)

// Candidate is one answer to a geocoding query. Level and Score say what it vouches for;
// Asked, Matched and Reason say how it differs from what the address asked for, so that a
// dispatcher never takes a neighbour's number, another road or an estimate for the place asked.
type Candidate struct {
	Point orb.Point `json:"-"`
	// Line is the stretch of road a 道路区段 answer names (nil at every other level).
	Line  orb.MultiLineString `json:"-"`
	Level Level               `json:"level"`
	Score float64             `json:"score"` // in [0, 1]: 1 is an exact 门牌 match; see Score
	// Address is the place the point stands for, as the index spells it (= Matched; kept for
	// callers that read it).
	Address string `json:"address"`
	// Asked is the part of the query the candidate answers, as typed: 建国路1号, 中山路12-3号.
	Asked string `json:"asked,omitempty"`
	// Matched is what the index answered with: the 门牌 whose point it is (建设路12号 for
	// 12之3号), the road, POI or area; for an estimate, the asked number on the matched street.
	Matched string `json:"matched,omitempty"`
	// Reason is how the answer differs from Asked or how its point was estimated; empty when
	// it is exact at its level.
	Reason Reason `json:"reason,omitempty"`
	// Street and Number are Matched's street (和平東路三段228巷) and, at 门牌号, its number
	// (37号), for callers that render them apart (AMap's street and number).
	Street       string `json:"street,omitempty"`
	Number       string `json:"number,omitempty"`
	Interpolated bool   `json:"interpolated,omitempty"` // the point is an estimate, not the 门牌's own
	// Elsewhere says the address (or the request's city) names another city, province or
	// district than the one served: the answer is a namesake here, scored DoubtfulFactor lower.
	Elsewhere bool      `json:"elsewhere,omitempty"`
	Relative  bool      `json:"relative,omitempty"` // offset from an anchor (东50米, 附近)
	Elements  []Element `json:"-"`                  // the parsed query
	Place     Place     `json:"place"`

	// fit ranks candidates of equal score: how well the number fitted the road before a
	// fuzzy road demoted it (among roads one rune off, the one holding the number asked is
	// likelier the one meant).
	fit float64
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
		// answers, the name may be a slip, but rank them as doubtful and say why.
		for i := range out {
			out[i].Score *= DoubtfulFactor
			out[i].Elsewhere = true
		}
	}
	slices.SortStableFunc(out, func(a, b Candidate) int {
		return cmp.Or(cmp.Compare(b.Score, a.Score), cmp.Compare(b.fit, a.fit))
	})
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

	roads                []Element
	section, lane, alley Element
	number, building     Element
	pois, areas          []Element
	dir, dist, assist    Element
	cross                bool
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
			g.assist = e
		}
	}
	n := len(g.out)
	if g.cross && len(g.roads) >= 2 {
		g.intersection()
	}
	if g.cross && len(g.roads) == 1 && g.lane.Kind != 0 && g.number.Kind == 0 {
		g.laneMouth()
	}
	if len(g.out) == n && len(g.roads) > 0 {
		g.street()
	}
	if len(g.pois) > 0 && (len(g.out) == n || g.building.Kind != 0) {
		g.poi()
	}
	if len(g.out) == n && !g.finer() {
		// Only admin names: the area they name, before any POI one rune off it (罗湖区 is the
		// district, not 罗湖小区).
		g.area()
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
		if ids := g.ix.poiBy.get(name); len(ids) > 0 || len(g.ix.fuzzyPOI(name)) > 0 {
			g.pois = []Element{{Kind: KindPOI, Text: name, Start: start, End: end}}
			g.poi()
			return
		}
	}
}

// roadMatch is a road a name resolved to; fuzzy when the name was not the road's own.
type roadMatch struct {
	road  int32
	fuzzy bool
}

// resolveRoad finds a road by name: exactly, then one rune off (a typo, a missing or an extra
// rune), then by the longest known tail of the text. Only a tail after admin names (罗湖区 glued
// in front of 建设路) is the road's own name; any other match is fuzzy, since 建国路 one rune
// off 建设路 or 新建设路 ending in it may be another road the index does not hold.
func (ix *Index) resolveRoad(name string) []roadMatch {
	if ri, ok := ix.byName[name]; ok {
		return []roadMatch{{ri, false}}
	}
	if utf8.RuneCountInString(name) < 3 {
		// One rune off a two-rune name matches too much: only a missing rune, and only when
		// a single road fits (建路 → 建设路).
		if ids := ix.fuzzy.get(name); len(ids) == 1 && editOne(name, ix.roads[ids[0]].name) {
			return []roadMatch{{ids[0], true}}
		}
		return nil
	}
	var out []roadMatch
	seen := map[int32]bool{}
	add := func(ri int32) {
		if !seen[ri] && editOne(name, ix.roads[ri].name) {
			seen[ri] = true
			out = append(out, roadMatch{ri, true})
		}
	}
	for _, ri := range ix.fuzzy.get(name) { // a rune missing from the query
		add(ri)
	}
	for _, d := range deletions(name) {
		if ri, ok := ix.byName[d]; ok { // an extra rune in the query
			add(ri)
		}
		for _, ri := range ix.fuzzy.get(d) { // a wrong rune
			add(ri)
		}
	}
	if len(out) > 0 {
		return out
	}
	rs := []rune(name)
	for i := max(1, len(rs)-maxNameRunes); i+2 <= len(rs); i++ {
		if ri, ok := ix.byName[string(rs[i:])]; ok {
			return []roadMatch{{ri, !ix.adminOnly(string(rs[:i]))}}
		}
	}
	return nil
}

// adminOnly reports whether a text is nothing but admin names (浙江杭州萧山, 罗湖区).
func (ix *Index) adminOnly(s string) bool {
	p := ix.Parse(s)
	end := 0
	for _, e := range p.Elements {
		if e.Kind < KindProvince || e.Kind > KindCommunity || e.Start != end {
			return false
		}
		end = e.End
	}
	return len(p.Elements) > 0 && end == len(p.Text.Off)
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

// add records a candidate, scored by its level and reason.
func (g *geocoder) add(c Candidate) {
	c.Elements = g.p.Elements
	c.Score = Score(c.Level, c.Reason)
	if c.Address == "" {
		c.Address = c.Matched
	}
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
	asked := g.askedStreet()
	hasNum := g.number.Kind == KindNumber
	// A named lane glued to its road (民權路建國巷16號, 人民路幸福巷8号) that the index does not
	// hold: the number is the lane's, never the road's, so the road answers, flagged.
	namedLane := false
	if len(g.roads) >= 2 {
		l := g.roads[1]
		namedLane = l.Start == g.roads[0].End && !l.Known && (strings.HasSuffix(l.Text, "巷") || strings.HasSuffix(l.Text, "弄"))
	}
	if namedLane {
		asked = g.p.Text.RawSpan(g.roads[0].Start, max(g.roads[1].End, g.number.End))
	}
	for _, m := range ms {
		if namedLane {
			p, ok := ix.roadCenter(ix.roads[m.road])
			if s := ix.streets[streetKey{road: m.road}]; s != nil && len(s.nums) > 0 {
				p, ok = s.center, true // the road's numbered middle, as for the road alone
			}
			if ok {
				name := ix.roads[m.road].display
				g.add(Candidate{Point: p, Level: LevelRoad, Reason: ReasonStreetUnknown, Asked: asked, Matched: name, Street: name})
			}
			continue
		}
		k := streetKey{road: m.road, section: int32(g.section.Num), lane: int32(g.lane.Num), alley: int32(g.alley.Num)}
		s := ix.streets[k]
		if s == nil && k.section == 0 {
			s = ix.onlySection(k, int32(g.number.Num), g.number.Suffix)
		}
		name := ix.roads[m.road].display + streetLabel(k)
		if s != nil {
			name = s.label
		}
		c := Candidate{Level: LevelRoad, Asked: asked, Matched: name, Street: name}
		var h placed
		ok := false
		if hasNum && s != nil {
			h, ok = ix.houseIn(s, int32(g.number.Num), g.number.Suffix, ix.linOf(g.p.Text.Norm, false))
		}
		switch {
		case ok:
			c.Point, c.Level, c.Reason = h.point, h.level, h.reason
			c.Interpolated = h.reason != ReasonExact
			switch {
			case h.from != nil:
				c.Matched, c.Number = addrLabel(ix, h.from), numberLabel(h.from.num, ix.suffix(h.from))
			case h.level == LevelHouse:
				c.Number = numberLabel(int32(g.number.Num), g.number.Suffix)
				c.Matched = name + c.Number
			}
		case s != nil && (len(s.nums) > 0 || len(s.lines) > 0):
			// A lane known by its line or its alleys' mouths but no number to place by: the
			// numbering rule, as for a lane the index does not hold.
			if hasNum && k.lane > 0 {
				if p, ok := ix.laneRule(k, s, int32(g.number.Num)); ok {
					c.Point, c.Level, c.Reason, c.Interpolated = p, laneRuleLevel, ReasonLaneRule, true
					break
				}
			}
			c.Point = s.center
			if hasNum {
				c.Reason = ReasonNumberUnknown
			}
		default:
			// A lane or alley with no indexed number: by Taiwan's rule it leaves its street at
			// the parent's number of the same value and its numbers grow away from there.
			if hasNum {
				if p, ok := ix.laneRule(k, s, int32(g.number.Num)); ok {
					c.Point, c.Level, c.Reason, c.Interpolated = p, laneRuleLevel, ReasonLaneRule, true
					break
				}
			}
			if p, ok := ix.entrance(k); ok {
				c.Point, c.Reason, c.Interpolated = p, ReasonLaneEntrance, true
				break
			}
			p, ok := ix.roadCenter(ix.roads[m.road])
			if !ok {
				continue
			}
			c.Point, c.Matched, c.Street = p, ix.roads[m.road].display, ix.roads[m.road].display
			switch {
			case k != streetKey{road: m.road}:
				c.Reason = ReasonStreetUnknown
			case hasNum:
				c.Reason = ReasonNumberUnknown
			}
		}
		if m.fuzzy {
			// Another road's name: never a 门牌 (建国路1号 is not 建设路1号), but the number still
			// says where on that road the answer lies, and how well it fits ranks the roads.
			c.fit = Score(c.Level, c.Reason)
			if c.Level == LevelHouse {
				c.Level, c.Matched, c.Number = LevelRoad, name, ""
			}
			c.Reason = ReasonFuzzyRoad
		}
		g.add(c)
	}
}

// askedStreet returns the street part of the query as typed: from the road to the number (or
// the last of section, lane and alley).
func (g *geocoder) askedStreet() string {
	start, end := g.roads[0].Start, g.roads[0].End
	for _, e := range []Element{g.section, g.lane, g.alley, g.number} {
		if e.Kind != 0 {
			start, end = min(start, e.Start), max(end, e.End) // 附18号建设路 names its number first
		}
	}
	return g.p.Text.RawSpan(start, end)
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
		var src *data.Address
		if ok {
			src = g.ix.srcOf(a)
		}
		if src != nil && src.Community != "" {
			for c := src.Community; c != "" && !in; {
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
