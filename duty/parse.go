package duty

import (
	"fmt"
	"strings"
	"time"

	"citygeo/data"
	"citygeo/dispatch"
	"citygeo/gazetteer"
)

// Roster is a deployment's duty lists as read, with where each record came from, so that a
// problem found later (an end that does not resolve against a dataset) still names its row.
type Roster struct {
	data.Roster
	origin map[any]Origin
}

// Origin is where a record was read: the file (and sheet) or list, and the row.
type Origin struct {
	Source string
	Row    int
}

// NewRoster wraps lists built in code (the sample city's); their records are named by list and
// 1-based position.
func NewRoster(r *data.Roster) *Roster {
	out := &Roster{Roster: *r, origin: map[any]Origin{}}
	numberAll(out, ListPeople, r.People)
	numberAll(out, ListTeams, r.Teams)
	numberAll(out, ListZones, r.Zones)
	numberAll(out, ListSegments, r.Segments)
	numberAll(out, ListShifts, r.Shifts)
	numberAll(out, ListAssignments, r.Assignments)
	numberAll(out, ListDelegations, r.Delegations)
	return out
}

// numberAll gives each record of a list built in code its list and 1-based position as origin.
func numberAll[T any](r *Roster, l List, recs []*T) {
	for i, x := range recs {
		r.origin[x] = Origin{Source: string(l), Row: i + 1}
	}
}

// Origin returns where a record of the roster was read (zero for a record it does not hold).
func (r *Roster) Origin(rec any) Origin { return r.origin[rec] }

// finding returns a finding about record rec (with its id) of the roster.
func (r *Roster) finding(rec any, id, field, value, reason string) Finding {
	o := r.origin[rec]
	return Finding{Source: o.Source, Row: o.Row, ID: id, Field: field, Value: value, Reason: reason}
}

// Parse checks every row of the tables — values, required fields, unique ids, references
// between the lists, segment texts — and returns the roster of the rows that passed with the
// findings. Whether grids, areas and roads exist is a question for a dataset (Build).
func Parse(tables []Table) (*Roster, Findings) {
	p := &parser{r: &Roster{origin: map[any]Origin{}}, ids: map[List]map[string]any{}, failed: map[List]map[string]bool{}}
	for _, l := range Lists {
		p.ids[l], p.failed[l] = map[string]any{}, map[string]bool{}
		for _, t := range tables {
			if t.List != l {
				continue
			}
			for _, row := range t.Rows {
				p.row(t, row)
			}
		}
	}
	p.references()
	return p.r, p.fs
}

// parser holds the state of one Parse.
type parser struct {
	r      *Roster
	fs     Findings
	ids    map[List]map[string]any  // list → id → record
	failed map[List]map[string]bool // list → ids of rows left out: a reference to one is no new finding
}

// cells is one row being read: its cells, where it is, and whether a value was bad.
type cells struct {
	p      *parser
	src    string
	row    Row
	id     string
	failed bool
}

func (c *cells) get(k string) string { return c.row.Cells[k] }

func (c *cells) bad(field, value, format string, args ...any) {
	c.failed = true
	c.p.fs = append(c.p.fs, Finding{Source: c.src, Row: c.row.N, ID: c.id, Field: field, Value: value, Reason: fmt.Sprintf(format, args...)})
}

// row reads one row of table t; a row with a bad value is left out (its findings say why).
func (p *parser) row(t Table, row Row) {
	c := &cells{p: p, src: t.Source, row: row, id: row.Cells["id"]}
	defer func() {
		if c.failed && c.id != "" {
			if _, ok := p.ids[t.List][c.id]; !ok {
				p.failed[t.List][c.id] = true
			}
		}
	}()
	for _, col := range columns[t.List] {
		if col.required && c.get(col.key) == "" {
			c.bad(col.key, "", "missing")
		}
	}
	if c.failed {
		return
	}
	if _, dup := p.ids[t.List][c.id]; dup || p.failed[t.List][c.id] {
		c.bad("id", c.id, "a second %s record with this id", t.List.record())
		return
	}
	var rec any
	switch r := &p.r.Roster; t.List {
	case ListPeople:
		rec = keep(c, &r.People, c.person())
	case ListTeams:
		rec = keep(c, &r.Teams, c.team())
	case ListZones:
		rec = keep(c, &r.Zones, c.zone())
	case ListSegments:
		rec = keep(c, &r.Segments, c.segment())
	case ListShifts:
		rec = keep(c, &r.Shifts, c.shift())
	case ListAssignments:
		rec = keep(c, &r.Assignments, c.assignment())
	case ListDelegations:
		rec = keep(c, &r.Delegations, c.delegation())
	}
	if !c.failed {
		p.ids[t.List][c.id] = rec
		p.r.origin[rec] = Origin{Source: t.Source, Row: row.N}
	}
}

// keep appends the record read from a row to its list unless the row had a bad value, and
// returns it.
func keep[T any](c *cells, list *[]*T, rec *T) any {
	if !c.failed {
		*list = append(*list, rec)
	}
	return rec
}

func (c *cells) post(field string) data.Post {
	v := c.get(field)
	if v == "" {
		return ""
	}
	post, err := data.ParsePost(v)
	if err != nil {
		c.bad(field, v, "%s", strings.TrimPrefix(err.Error(), fmt.Sprintf("post %q: ", v)))
	}
	return post
}

func (c *cells) person() *data.Person {
	p := &data.Person{ID: c.id, Name: c.get("name"), Post: c.post("post"), Team: c.get("team"),
		Device: c.get("device"), Phone: c.get("phone"),
		Department: data.DeptRef{Code: c.get("department_code"), Name: c.get("department")}}
	if p.Phone != "" {
		if err := checkPhone(p.Phone); err != nil {
			c.bad("phone", p.Phone, "%v", err)
		}
	}
	var err error
	if p.Away, err = parseBool(c.get("away")); err != nil {
		c.bad("away", c.get("away"), "%v", err)
	}
	return p
}

func (c *cells) team() *data.Team {
	return &data.Team{ID: c.id, Name: c.get("name"), Leader: c.get("leader"),
		Department: data.DeptRef{Code: c.get("department_code"), Name: c.get("department")}}
}

func (c *cells) zone() *data.Zone {
	z := &data.Zone{ID: c.id, Name: c.get("name")}
	var err error
	if z.Kind, err = data.ParseZoneKind(c.get("kind")); err != nil {
		c.bad("kind", c.get("kind"), "%s", strings.TrimPrefix(err.Error(), fmt.Sprintf("zone kind %q: ", c.get("kind"))))
	}
	for _, code := range splitList(c.get("grids")) {
		switch len(code) {
		case 12:
			_, err = data.ParseAreaCode(code)
		default:
			_, err = data.ParseGridCode(code, data.GridCodeOptions{AllowLegacy14: true})
		}
		if err != nil {
			c.bad("grids", code, "%v (want grid codes, or 12-digit community codes for all their grids)", err)
			continue
		}
		z.Grids = append(z.Grids, code)
	}
	if v := c.get("polygon"); v != "" {
		mp, err := dispatch.ParseZone([]byte(v), !strings.HasPrefix(v, "{"))
		if err != nil {
			c.bad("polygon", short(v), "%v", err)
		}
		z.Polygon = mp
	}
	if len(z.Grids) == 0 && len(z.Polygon) == 0 && !c.failed {
		c.bad("grids", "", "a zone needs grids or a polygon")
	}
	return z
}

// short cuts a long value (a polygon) for a message.
func short(s string) string {
	if r := []rune(s); len(r) > 60 {
		return string(r[:60]) + "…"
	}
	return s
}

func (c *cells) segment() *data.Segment {
	s := &data.Segment{ID: c.id, Name: c.get("name"), Unit: data.DeptRef{Code: c.get("unit_code"), Name: c.get("unit")}}
	st, err := gazetteer.ParseSegment(s.Name)
	if err != nil {
		c.bad("name", s.Name, "%v", err)
		return s
	}
	s.Road, s.From, s.To, s.Side = st.Road, st.From.Text, st.To.Text, st.Side
	return s
}

func (c *cells) shift() *data.Shift {
	s := &data.Shift{ID: c.id, Name: c.get("name")}
	var err error
	if s.Window, err = parseWindow(c.get("window")); err != nil {
		c.bad("window", c.get("window"), "%v", err)
	}
	if s.Days, err = parseDays(c.get("days")); err != nil {
		c.bad("days", c.get("days"), "%v", err)
	}
	return s
}

func (c *cells) assignment() *data.Assignment {
	a := &data.Assignment{ID: c.id, Post: c.post("post"), Zone: c.get("zone"), Segment: c.get("segment"),
		Area: c.get("area"), Person: c.get("person"), Team: c.get("team"), Shift: c.get("shift")}
	switch n := btoi(a.Zone != "") + btoi(a.Segment != "") + btoi(a.Area != ""); {
	case n == 0:
		c.bad("zone", "", "an assignment needs a place: zone, segment or area")
	case n > 1:
		c.bad("zone", "", "give one place: zone, segment or area, not several")
	}
	if a.Area != "" {
		if err := checkCode(a.Area); err != nil {
			c.bad("area", a.Area, "%v", err)
		}
	}
	switch {
	case a.Person == "" && a.Team == "":
		c.bad("person", "", "an assignment needs a person or a team")
	case a.Person != "" && a.Team != "":
		c.bad("person", a.Person, "give a person or a team, not both")
	}
	return a
}

// checkCode checks a grid (14 or 15 digits) or area (6, 9, 12) code's form.
func checkCode(code string) error {
	if len(code) == 14 || len(code) == 15 {
		_, err := data.ParseGridCode(code, data.GridCodeOptions{AllowLegacy14: true})
		return err
	}
	_, err := data.ParseAreaCode(code)
	return err
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (c *cells) delegation() *data.Delegation {
	d := &data.Delegation{ID: c.id, From: c.get("from"), To: c.get("to")}
	var err error
	for _, t := range []struct {
		field string
		dst   *time.Time
		end   bool
	}{{"starts", &d.Starts, false}, {"ends", &d.Ends, true}} {
		if v := c.get(t.field); v != "" {
			if *t.dst, err = parseInstant(v, chinaTime, t.end); err != nil {
				c.bad(t.field, v, "%v", err)
			}
		}
	}
	if !d.Starts.IsZero() && !d.Ends.IsZero() && !d.Starts.Before(d.Ends) {
		c.bad("ends", c.get("ends"), "ends before it starts")
	}
	if v := c.get("window"); v != "" {
		w, err := parseWindow(v)
		if err != nil {
			c.bad("window", v, "%v", err)
		} else if w.From != w.To {
			d.Window = &w
		}
	}
	if d.Days, err = parseDays(c.get("days")); err != nil {
		c.bad("days", c.get("days"), "%v", err)
	}
	if d.WhileAway, err = parseBool(c.get("while_away")); err != nil {
		c.bad("while_away", c.get("while_away"), "%v", err)
	}
	if d.From == d.To {
		c.bad("to", d.To, "a person cannot stand in for themselves")
	}
	if d.Starts.IsZero() && d.Ends.IsZero() && d.Window == nil && d.Days == nil && !d.WhileAway && !c.failed {
		c.bad("window", "", "a delegation without a window, dates, days or while_away hands the post over for good: change the assignment instead")
	}
	return d
}

// references checks that every id a record names exists, and leaves out the records that name
// one that does not.
func (p *parser) references() {
	ref := func(rec any, id string, field, value string, l List) bool {
		if value == "" {
			return true
		}
		if _, ok := p.ids[l][value]; ok {
			return true
		}
		if p.failed[l][value] {
			return false // the record's own finding says why it is left out
		}
		p.fs = append(p.fs, p.r.finding(rec, id, field, value, fmt.Sprintf("no %s record with this id", l.record())))
		return false
	}
	for _, x := range p.r.People {
		ref(x, x.ID, "team", x.Team, ListTeams)
	}
	for _, x := range p.r.Teams {
		ref(x, x.ID, "leader", x.Leader, ListPeople)
	}
	kept := p.r.Assignments[:0]
	for _, a := range p.r.Assignments {
		ok := ref(a, a.ID, "zone", a.Zone, ListZones)
		ok = ref(a, a.ID, "segment", a.Segment, ListSegments) && ok
		ok = ref(a, a.ID, "person", a.Person, ListPeople) && ok
		ok = ref(a, a.ID, "team", a.Team, ListTeams) && ok
		ok = ref(a, a.ID, "shift", a.Shift, ListShifts) && ok
		if ok {
			kept = append(kept, a)
		}
	}
	p.r.Assignments = kept
	keptD := p.r.Delegations[:0]
	for _, d := range p.r.Delegations {
		ok := ref(d, d.ID, "from", d.From, ListPeople)
		if ref(d, d.ID, "to", d.To, ListPeople) && ok {
			keptD = append(keptD, d)
		}
	}
	p.r.Delegations = keptD
}
