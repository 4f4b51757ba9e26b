package duty

import (
	"fmt"
	"time"

	"github.com/paulmach/orb"

	"citygeo/data"
	"citygeo/gazetteer"
	"citygeo/geo"
)

// Defaults of Options.
const (
	// DefaultSegmentRadius is how far a point may lie from a segment's line and still be on
	// it: a carriageway and its sidewalks, and GPS noise.
	DefaultSegmentRadius = 30.0
	// DefaultEndTolerance is how far a place or house number naming a segment's end may lie
	// from the road (a POI stands back from the kerb).
	DefaultEndTolerance = 150.0
	// crossTolerance is how close a cross street must come to the road to be an end: roads that
	// meet meet, roads 30 m apart do not.
	crossTolerance = 30.0
)

// Options tunes Build. The zero value is the default.
type Options struct {
	Location      *time.Location // zone of shift and delegation times; nil: UTC+8
	SegmentRadius float64        // metres; 0: DefaultSegmentRadius
	EndTolerance  float64        // metres; 0: DefaultEndTolerance
	// MainRoads are the road classes the coverage report expects duty segments on; nil:
	// expressway, arterial and secondary (主次干道).
	MainRoads []data.RoadClass
}

func (o Options) withDefaults() Options {
	if o.Location == nil {
		o.Location = chinaTime
	}
	if o.SegmentRadius <= 0 {
		o.SegmentRadius = DefaultSegmentRadius
	}
	if o.EndTolerance <= 0 {
		o.EndTolerance = DefaultEndTolerance
	}
	if o.MainRoads == nil {
		o.MainRoads = []data.RoadClass{data.RoadExpressway, data.RoadArterial, data.RoadSecondary}
	}
	return o
}

// City is the dataset version a roster is resolved against, with the indexes Build uses: the
// geo index (grids, areas, locating a point) and the gazetteer (road names, places and house
// numbers named as segment ends).
type City struct {
	Dataset   *data.Dataset
	Geo       *geo.Index
	Gazetteer *gazetteer.Index
}

// Index is a roster resolved against one dataset version: who is on duty where and when. It is
// immutable and safe for concurrent use.
type Index struct {
	ds     *data.Dataset
	geo    *geo.Index
	roster *Roster
	opts   Options
	pl     geo.Plane

	people  map[string]*person
	teams   map[string]*team
	zones   []*zone
	zoneBy  map[string]*zone
	segs    []*Segment
	segBy   map[string]*Segment
	segAsg  [][]*assign // per segment
	segIdx  segIndex
	grids   map[*data.Grid]int32 // position in the dataset; while building only
	gridAsg [][]*assign          // per grid: assignments on the grid itself
	gridZn  [][]int32            // per grid: the zones holding it
	gridCom []int32              // per grid: its community in comAsg
	comAsg  [][3][]*assign
	comIdx  map[string]int32
	areas   map[string][]*assign // community, street and district code → assignments

	setOf    map[*data.Grid]int32 // grid → its candidate list in sets
	sets     [][]cand             // candidate lists, shared by grids with the same places (compile)
	segCands [][]cand             // per segment

	findings Findings
}

// person is a roster person with its answer form and the delegations from it.
type person struct {
	p      *data.Person
	ref    *data.PersonRef // shared by answers: never modified
	delegs []deleg
}

// deleg is a delegation from a person with the minutes of the week it can hold and the person
// it hands on to.
type deleg struct {
	d    *data.Delegation
	week *week
	to   *person
}

// activeAt reports whether the delegation holds at local time t, minute m of the week, with
// its From person away or not. The week holds the window and days; the dates and away are
// checked here (Delegation.ActiveAt says the same, TestShiftWeekAgreesWithCovers checks).
func (d *deleg) activeAt(t time.Time, m int, away bool) bool {
	if !d.week.on(m) || (d.d.WhileAway && !away) {
		return false
	}
	return (d.d.Starts.IsZero() || !t.Before(d.d.Starts)) && (d.d.Ends.IsZero() || t.Before(d.d.Ends))
}

// team is a roster team with its answer form and its leader.
type team struct {
	t      *data.Team
	ref    *data.TeamRef
	leader *person
}

// zone is a roster zone with the grids it holds.
type zone struct {
	z       *data.Zone
	ref     *data.ZoneRef
	grids   []int32
	asg     []*assign
	outline orb.MultiLineString // for maps: see Index.outline
	label   orb.Point
}

// assign is an assignment resolved: its person or team, and the minutes of the week its shift
// covers (every minute without a shift).
type assign struct {
	a      *data.Assignment
	person *person
	team   *team
	week   *week
}

// Build resolves r against the city c: zones to grids, segments to lines along their roads,
// assignments to places. Every problem is a finding naming the row; records with errors are
// left out of the index, which still answers for the rest. An import takes the lists only when
// no finding is an error (Findings.Err).
func Build(r *Roster, c City, opts Options) (*Index, Findings) {
	opts = opts.withDefaults()
	ix := &Index{ds: c.Dataset, geo: c.Geo, roster: r, opts: opts, pl: geo.LocalPlane(c.Geo.Bound().Center()),
		people: map[string]*person{}, teams: map[string]*team{}, zoneBy: map[string]*zone{}, segBy: map[string]*Segment{},
		grids: make(map[*data.Grid]int32, len(c.Dataset.Grids)), comIdx: map[string]int32{}, areas: map[string][]*assign{}}
	b := &builder{ix: ix, r: r, c: c}
	b.places()
	b.people()
	b.zones()
	b.segments()
	b.assignments()
	b.claims()
	b.delegations()
	b.compile()
	for _, z := range ix.zones {
		z.outline, z.label = ix.outline(z)
	}
	ix.grids = nil
	ix.segIdx = newSegIndex(ix.pl, ix.segs, opts.SegmentRadius)
	ix.findings = b.fs
	return ix, b.fs
}

// builder holds the state of one Build.
type builder struct {
	ix    *Index
	r     *Roster
	c     City
	fs    Findings
	roads *roadSet
}

func (b *builder) bad(rec any, id, field, value, format string, args ...any) {
	b.fs = append(b.fs, b.r.finding(rec, id, field, value, fmt.Sprintf(format, args...)))
}

func (b *builder) warn(rec any, id, field, value, format string, args ...any) {
	f := b.r.finding(rec, id, field, value, fmt.Sprintf(format, args...))
	f.Warning = true
	b.fs = append(b.fs, f)
}

// places indexes the grids and the area chain of every community.
func (b *builder) places() {
	ix := b.ix
	ix.gridAsg = make([][]*assign, len(b.c.Dataset.Grids))
	ix.gridZn = make([][]int32, len(b.c.Dataset.Grids))
	ix.gridCom = make([]int32, len(b.c.Dataset.Grids))
	for i, g := range b.c.Dataset.Grids {
		ix.grids[g] = int32(i)
		ci, ok := ix.comIdx[g.Community]
		if !ok {
			ci = int32(len(ix.comAsg))
			ix.comIdx[g.Community] = ci
			ix.comAsg = append(ix.comAsg, [3][]*assign{})
		}
		ix.gridCom[i] = ci
	}
}

func (b *builder) people() {
	ix := b.ix
	for _, p := range b.r.People {
		ix.people[p.ID] = &person{p: p, ref: p.Ref()}
	}
	for _, t := range b.r.Teams {
		tm := &team{t: t, ref: &data.TeamRef{ID: t.ID, Name: t.Name}, leader: ix.people[t.Leader]}
		ix.teams[t.ID] = tm
	}
}

// zones resolves each zone's grids: listed grid codes, every grid of a listed community, and
// the grids whose centre lies in its polygon.
func (b *builder) zones() {
	ix := b.ix
	byCommunity := map[string][]int32{}
	for i, g := range b.c.Dataset.Grids {
		byCommunity[g.Community] = append(byCommunity[g.Community], int32(i))
	}
	for _, z := range b.r.Zones {
		seen := map[int32]bool{}
		var grids []int32
		add := func(i int32) {
			if !seen[i] {
				seen[i] = true
				grids = append(grids, i)
			}
		}
		ok := true
		for _, code := range z.Grids {
			if len(code) == 12 {
				gs := byCommunity[code]
				if len(gs) == 0 {
					b.bad(z, z.ID, "grids", code, "no community with this code has grids in the dataset")
					ok = false
				}
				for _, i := range gs {
					add(i)
				}
				continue
			}
			g := b.c.Geo.Grid(code)
			if g == nil {
				b.bad(z, z.ID, "grids", code, "no grid with this code in the dataset")
				ok = false
				continue
			}
			add(ix.grids[g])
		}
		if len(z.Polygon) > 0 {
			prep := geo.Prepare(z.Polygon)
			n := len(grids)
			b.c.Geo.GridsIn(z.Polygon.Bound(), func(g *data.Grid) bool {
				if prep.Contains(gridCentre(g)) {
					add(ix.grids[g])
				}
				return true
			})
			if len(grids) == n {
				b.bad(z, z.ID, "polygon", "", "holds the centre of no grid of the dataset")
				ok = false
			}
		}
		if !ok {
			continue
		}
		zn := &zone{z: z, ref: &data.ZoneRef{ID: z.ID, Name: z.Name, Kind: z.Kind}, grids: grids}
		ix.zoneBy[z.ID] = zn
		ix.zones = append(ix.zones, zn)
	}
}

// gridCentre is a point well inside a grid: the mean of its outer ring's distinct vertices
// (unit grids are small and convex or nearly so).
func gridCentre(g *data.Grid) (c [2]float64) {
	if len(g.Polygon) == 0 || len(g.Polygon[0]) < 2 {
		return c
	}
	ring := g.Polygon[0]
	n := len(ring) - 1
	for _, p := range ring[:n] {
		c[0] += p[0]
		c[1] += p[1]
	}
	return [2]float64{c[0] / float64(n), c[1] / float64(n)}
}

// segments resolves every segment's line along its road.
func (b *builder) segments() {
	ix := b.ix
	b.roads = newRoadSet(b.c, ix.pl)
	for _, s := range b.r.Segments {
		rs, err := b.roads.resolve(s, ix.opts)
		if err != nil {
			b.bad(s, s.ID, "name", s.Name, "%v", err)
			continue
		}
		if rs.note != "" {
			b.warn(s, s.ID, "name", s.Name, "%s", rs.note)
		}
		ix.segBy[s.ID] = rs
		ix.segs = append(ix.segs, rs)
	}
	ix.segAsg = make([][]*assign, len(ix.segs))
}

// assignments hangs each assignment on its place. An assignment whose place, person or team
// did not resolve is left out (the finding about that record says why).
func (b *builder) assignments() {
	ix := b.ix
	weeks := map[string]*week{}
	for _, s := range b.r.Shifts {
		weeks[s.ID] = shiftWeek(s)
	}
	segPos := map[*Segment]int{}
	for i, s := range ix.segs {
		segPos[s] = i
	}
	for _, a := range b.r.Assignments {
		as := &assign{a: a, person: ix.people[a.Person], team: ix.teams[a.Team], week: allWeek}
		if a.Shift != "" {
			as.week = weeks[a.Shift]
		}
		switch {
		case a.Zone != "":
			z := ix.zoneBy[a.Zone]
			if z == nil {
				continue
			}
			z.asg = append(z.asg, as)
		case a.Segment != "":
			s := ix.segBy[a.Segment]
			if s == nil {
				continue
			}
			ix.segAsg[segPos[s]] = append(ix.segAsg[segPos[s]], as)
		default:
			if !b.hangOnArea(as) {
				b.bad(a, a.ID, "area", a.Area, "no grid or area with this code in the dataset")
			}
		}
	}
	for zi, z := range ix.zones {
		if len(z.asg) == 0 {
			continue
		}
		for _, g := range z.grids {
			ix.gridZn[g] = append(ix.gridZn[g], int32(zi))
		}
	}
}

// hangOnArea puts an area assignment on its grid or on every community under its area.
func (b *builder) hangOnArea(as *assign) bool {
	ix := b.ix
	code := as.a.Area
	if g := b.c.Geo.Grid(code); g != nil {
		gi := ix.grids[g]
		ix.gridAsg[gi] = append(ix.gridAsg[gi], as)
		return true
	}
	a := b.c.Geo.Area(code)
	if a == nil {
		return false
	}
	ix.areas[code] = append(ix.areas[code], as)
	level := int(a.Level) - 1 // district 0, street 1, community 2
	for com, ci := range ix.comIdx {
		if b.under(com, code) {
			// comAsg holds community, street, district in that order: most specific first.
			ix.comAsg[ci][2-level] = append(ix.comAsg[ci][2-level], as)
		}
	}
	return true
}

// under reports whether community com lies in area code (itself, its street or district),
// following the dataset's parent links (derived codes need not share prefixes).
func (b *builder) under(com, code string) bool {
	for c, n := com, 0; c != "" && n < 4; n++ {
		if c == code {
			return true
		}
		a := b.c.Geo.Area(c)
		if a == nil {
			return c == code
		}
		c = a.Parent
	}
	return false
}
