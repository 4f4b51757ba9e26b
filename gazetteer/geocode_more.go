package gazetteer

import (
	"unicode/utf8"

	"citygeo/data"

	"github.com/paulmach/orb"
)

// intersection geocodes "A路与B路交叉口": where the two road geometries cross, or the middle of
// their closest approach; roads without geometry use their house numbers as the line.
func (g *geocoder) intersection() {
	ix := g.ix
	a, b := ix.resolveRoad(g.roads[0].Text), ix.resolveRoad(g.roads[1].Text)
	if len(a) == 0 || len(b) == 0 {
		return
	}
	ra, rb := ix.roads[a[0].road], ix.roads[b[0].road]
	p, gap, ok := ix.pl.meet(ix.roadLines(ra), ix.roadLines(rb))
	if !ok {
		return
	}
	c := Candidate{Point: p, Level: LevelIntersection, Asked: g.p.Text.RawSpan(g.roads[0].Start, g.roads[1].End),
		Matched: ra.display + "与" + rb.display + "交叉口"}
	switch {
	case a[0].fuzzy || b[0].fuzzy:
		c.Reason = ReasonFuzzyRoad
	case gap > 30:
		c.Reason = ReasonRoadsApart
	}
	g.add(c)
}

// laneMouth geocodes "228巷口": where the lane (or alley) leaves its parent street, which
// Taiwan numbers after the house at the mouth. The point is the lane's own first house when
// the parent's number N is not indexed, so it is exact only when N號 is.
func (g *geocoder) laneMouth() {
	ix := g.ix
	for _, m := range ix.resolveRoad(g.roads[0].Text) {
		k := streetKey{road: m.road, section: int32(g.section.Num), lane: int32(g.lane.Num), alley: int32(g.alley.Num)}
		p, exact, ok := ix.mouth(k)
		if !ok {
			continue
		}
		c := Candidate{Point: p, Level: LevelIntersection, Asked: g.askedStreet(),
			Matched: ix.roads[m.road].display + streetLabel(k) + "口"}
		switch {
		case m.fuzzy:
			c.Reason = ReasonFuzzyRoad
		case !exact:
			c.Reason, c.Interpolated = ReasonInterpolated, true
		}
		g.add(c)
	}
}

// roadLines returns a road's geometry, or lines through its house numbers when it has none.
func (ix *Index) roadLines(r *road) []orb.LineString {
	if len(r.lines) > 0 {
		return r.lines
	}
	var out []orb.LineString
	for _, s := range r.streets {
		if len(s.nums) < 2 {
			if len(s.nums) == 1 {
				p := ix.addrs[s.nums[0]].point
				out = append(out, orb.LineString{p, p})
			}
			continue
		}
		// At most 64 vertices per street: the line only has to be good to a few metres.
		step := max(1, len(s.nums)/64)
		var l orb.LineString
		for i := 0; i < len(s.nums); i += step {
			l = append(l, ix.addrs[s.nums[i]].point)
		}
		out = append(out, l)
	}
	return out
}

// poi geocodes a named place, and a building of a compound when one is given.
func (g *geocoder) poi() {
	ix := g.ix
	for _, e := range g.pois {
		ids, reason := ix.poiBy.get(e.Text), ReasonExact
		if len(ids) == 0 {
			ids, reason = ix.fuzzyPOI(e.Text), ReasonFuzzyName
		}
		asked := g.p.Text.RawSpan(e.Start, e.End)
		for _, id := range ids {
			p := ix.pois[id]
			if p.building != 0 || ix.hidden.poi(ix, &p) {
				continue
			}
			c := Candidate{Point: p.point, Level: LevelPOI, Asked: asked, Matched: ix.poiDisplayName(&p), Reason: reason}
			if g.building.Kind == KindBuilding {
				c.Asked = g.p.Text.RawSpan(e.Start, max(e.End, g.building.End))
				if b, ok := ix.building(ix.poiName(&p), g.building.Text); ok {
					c.Point, c.Level, c.Matched = b.point, LevelBuilding, ix.poiName(&p)+ix.poiBuilding(&b)
				} else if reason == ReasonExact {
					c.Reason = ReasonBuildingUnknown
				}
			}
			g.add(c)
		}
	}
}

// building finds the 栋 of a compound.
func (ix *Index) building(compound, name string) (poi, bool) {
	for _, id := range ix.poiBy.get(compound) {
		if p := ix.pois[id]; ix.poiBuilding(&p) == name {
			return p, true
		}
	}
	return poi{}, false
}

// fuzzyPOI finds POI names one rune away from name.
func (ix *Index) fuzzyPOI(name string) []int32 {
	if utf8.RuneCountInString(name) < 3 {
		return nil // one rune off a two-rune name matches too much
	}
	var out []int32
	seen := map[int32]bool{}
	try := func(ids []int32) {
		for _, id := range ids {
			if !seen[id] && editOne(name, ix.poiName(&ix.pois[id])) {
				seen[id] = true
				out = append(out, id)
			}
		}
	}
	try(ix.poiDel.get(name))
	for _, d := range deletions(name) {
		try(ix.poiBy.get(d))
		try(ix.poiDel.get(d))
	}
	return out
}

// area falls back to the finest named area.
func (g *geocoder) area() {
	ix := g.ix
	var best *data.Area
	var named Element
	for _, e := range g.areas {
		a := ix.areas[e.Text]
		if a == nil || (a.Label == (orb.Point{}) && len(a.Polygon) == 0) {
			continue // an area without geometry cannot place anything
		}
		if best == nil || a.Level > best.Level {
			best, named = a, e
		}
	}
	if g.finer() {
		// A 鄰 the index holds is finer than any named area, and the only place left when
		// the register brought no village polygons.
		if mid, lin, ok := ix.linMiddle(g.p.Text.Norm); ok {
			g.add(Candidate{Point: mid, Level: LevelCommunity, Reason: ReasonNeighbourhood, Matched: lin, Asked: g.p.Text.Raw})
			return
		}
	}
	if best == nil {
		return
	}
	lvl := LevelDistrict
	switch best.Level {
	case data.Street:
		lvl = LevelStreet
	case data.Community:
		lvl = LevelCommunity
	}
	p := best.Label
	if p == (orb.Point{}) && len(best.Polygon) > 0 {
		p = best.Polygon.Bound().Center()
	}
	c := Candidate{Point: p, Level: lvl, Matched: best.Name, Asked: g.p.Text.RawSpan(named.Start, named.End)}
	if g.finer() {
		c.Reason, c.Asked = ReasonFallback, g.p.Text.Raw
	}
	g.add(c)
}

// finer reports whether the query names something finer than an area (a road, a POI, a
// number) that the answer does not match.
func (g *geocoder) finer() bool {
	for _, e := range g.p.Elements {
		switch e.Kind {
		case KindRoad, KindPOI, KindNumber, KindLane, KindAlley, KindSection, KindBuilding:
			return true
		}
	}
	return false
}

// relative applies "东50米" to every candidate and lowers the score of 附近/对面 answers.
func (g *geocoder) relative() {
	if g.dir.Kind == 0 && g.assist.Kind == 0 {
		return
	}
	b, okDir := bearingOf(trimDirection(g.dir.Text))
	across := g.assist.Text == "对面" || g.assist.Text == "斜对面"
	for i := range g.out {
		c := &g.out[i]
		c.Relative = true
		switch {
		case okDir && g.dist.Kind == KindDistance && g.dist.Num > 0:
			c.Point = g.ix.pl.offset(c.Point, b, float64(g.dist.Num))
			c.Score *= 0.85
		case across:
			// Across the street: the anchor mirrored over the nearest road line, when that line
			// is the anchor's own street (a house stands within acrossMax of its centreline).
			if _, q, d, ok := g.ix.nearestRoad(c.Point, acrossMax); ok && d >= 1 {
				c.Point = orb.Point{2*q[0] - c.Point[0], 2*q[1] - c.Point[1]}
			}
			c.Score *= 0.9
		default:
			c.Score *= 0.95
		}
	}
}

// acrossMax is how far (metres) a road line may lie from an anchor for 对面 to mirror it
// there: farther, the nearest line is not the street the anchor faces.
const acrossMax = 25

// trimDirection returns 东北 for 东北角, 东北方向, 往东北.
func trimDirection(s string) string {
	rs := []rune(s)
	i, j := 0, 0
	for i < len(rs) && !isCompass(rs[i]) {
		i++
	}
	j = i
	for j < len(rs) && isCompass(rs[j]) {
		j++
	}
	return string(rs[i:j])
}

// fillPlace sets the grid and area chain of a candidate.
func (ix *Index) fillPlace(c *Candidate) { c.Place = ix.PlaceOf(c.Point) }

// PlaceOf returns the grid and area chain of a point: Options.Locate's answer, else the chain
// of the community recorded on the nearest address within 50 m.
func (ix *Index) PlaceOf(p orb.Point) Place {
	if ix.opts.Locate != nil {
		return ix.opts.Locate(p)
	}
	var pl Place
	if a, ok := ix.nearestAddr(p, 50); ok {
		if src := ix.srcOf(a); src != nil && src.Community != "" {
			ix.chain(&pl, src.Community)
		}
	}
	return pl
}

// Deployment returns the province and city the index serves (Options, else derived from the
// dataset's area codes); both are empty outside the mainland tables.
func (ix *Index) Deployment() Deployment {
	return Deployment{Province: ix.opts.Province, City: ix.opts.City}
}

// chain fills a place from a community code and its parents.
func (ix *Index) chain(p *Place, code string) {
	for a := ix.areaBy[code]; a != nil; a = ix.areaBy[a.Parent] {
		ref := AreaRef{Code: a.Code, Name: a.Name, Derived: a.Derived}
		switch a.Level {
		case data.Community:
			p.Community = ref
		case data.Street:
			p.Street = ref
		case data.District:
			p.District = ref
		}
		if a.Parent == a.Code {
			break
		}
	}
	if p.Community.Code == "" {
		p.Community.Code = code
	}
}
