package duty

import (
	"fmt"
	"slices"
	"strings"

	"citygeo/data"
)

// cand is one assignment as a lookup meets it, compiled once: the answer it gives when no
// delegation moves it, the place level it hangs on (0 grid … 4 district, segments 0), its post
// and week, and the person a delegation would move it from. A lookup copies tmpl and reads
// nothing else unless that person has delegations, so it touches one run of memory per place.
type cand struct {
	tmpl  data.OnDuty
	week  *week
	who   *person // the assignee or the team's leader; nil when nobody
	level uint8
	post  uint8
	seg   data.SegmentRef // a segment's, without the distance
}

// compile builds the lookup tables: for each grid, the candidates of every place above it in
// precedence order (grids that share zones and community share one list, and the grid maps
// straight to its list: one map read per lookup), and for each segment its candidates.
func (b *builder) compile() {
	ix := b.ix
	ix.setOf = make(map[*data.Grid]int32, len(ix.ds.Grids))
	byKey := map[string]int32{}
	var key strings.Builder
	for gi := range ix.ds.Grids {
		key.Reset()
		if len(ix.gridAsg[gi]) > 0 {
			fmt.Fprintf(&key, "g%d", gi) // assignments of its own: a list of its own
		}
		fmt.Fprintf(&key, "c%d z%v", ix.gridCom[gi], ix.gridZn[gi])
		k := key.String()
		si, ok := byKey[k]
		if !ok {
			si = int32(len(ix.sets))
			byKey[k] = si
			ix.sets = append(ix.sets, b.placeCands(int32(gi)))
		}
		ix.setOf[ix.ds.Grids[gi]] = si
	}
	ix.segCands = make([][]cand, len(ix.segs))
	for i, s := range ix.segs {
		for _, a := range ix.segAsg[i] {
			c := b.cand(a, 0, data.ViaSegment, "", nil)
			if !s.Unit.IsZero() {
				c.tmpl.Unit = s.Unit
			}
			c.seg = s.ref
			ix.segCands[i] = append(ix.segCands[i], c)
		}
	}
}

// placeCands lists the area candidates of grid gi, most specific place first.
func (b *builder) placeCands(gi int32) []cand {
	ix := b.ix
	var out []cand
	for _, a := range ix.gridAsg[gi] {
		out = append(out, b.cand(a, 0, data.ViaGrid, ix.ds.Grids[gi].Code, nil))
	}
	for _, zi := range ix.gridZn[gi] {
		z := ix.zones[zi]
		for _, a := range z.asg {
			out = append(out, b.cand(a, 1, data.ViaZone, "", z.ref))
		}
	}
	com := &ix.comAsg[ix.gridCom[gi]]
	for lvl, via := range [3]data.Via{data.ViaCommunity, data.ViaStreet, data.ViaDistrict} {
		for _, a := range com[lvl] {
			out = append(out, b.cand(a, uint8(2+lvl), via, a.a.Area, nil))
		}
	}
	return out
}

// cand compiles one assignment on one place.
func (b *builder) cand(a *assign, level uint8, via data.Via, area string, z *data.ZoneRef) cand {
	c := cand{week: a.week, level: level, post: uint8(slices.Index(data.Posts, a.a.Post)), who: a.person,
		tmpl: data.OnDuty{Post: a.a.Post, PostName: a.a.Post.Chinese(), Via: via, Area: area, Zone: z,
			Assignment: a.a.ID, Shift: a.a.Shift}}
	if a.team != nil {
		c.tmpl.Team, c.tmpl.Unit, c.who = a.team.ref, a.team.t.Department, a.team.leader
	}
	if c.who != nil {
		c.tmpl.Person = c.who.ref
		if c.tmpl.Unit.IsZero() {
			c.tmpl.Unit = c.who.p.Department
		}
	}
	return c
}
