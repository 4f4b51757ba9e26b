package dispatch

import (
	"fmt"
	"math"
	"sort"
	"time"

	"citygeo/data"
)

// StatsBy is what statistics are grouped by.
type StatsBy string

// The groupings of /v1/stats: the whole city, an area level, the unit grid, the duty zone (of
// the event's grid), the department handling the event, its class, its source.
const (
	ByCity       StatsBy = "city"
	ByDistrict   StatsBy = "district"
	ByStreet     StatsBy = "street"
	ByCommunity  StatsBy = "community"
	ByGrid       StatsBy = "grid"
	ByZone       StatsBy = "zone"
	ByDepartment StatsBy = "department"
	ByClass      StatsBy = "class"
	BySource     StatsBy = "source"
)

// StatsBys lists every grouping, in the order the API documents them.
var StatsBys = []StatsBy{ByCity, ByDistrict, ByStreet, ByCommunity, ByGrid, ByZone, ByDepartment, ByClass, BySource}

// ParseStatsBy checks a grouping ("" is street).
func ParseStatsBy(s string) (StatsBy, error) {
	if s == "" {
		return ByStreet, nil
	}
	for _, b := range StatsBys {
		if StatsBy(s) == b {
			return b, nil
		}
	}
	return "", inputErr("by", ErrBadInput, fmt.Sprintf("%q: want city, district, street, community, grid, zone, department, class or source", s))
}

// Period is the length of the time buckets statistics are counted in.
type Period string

// The periods, in the city's time zone (GMT+8): a calendar day, an ISO week (Monday to
// Sunday), a calendar month, or the whole range asked as one period.
const (
	PeriodDay   Period = "day"
	PeriodWeek  Period = "week"
	PeriodMonth Period = "month"
	PeriodAll   Period = "all"
)

// ParsePeriod checks a period ("" is day).
func ParsePeriod(s string) (Period, error) {
	switch Period(s) {
	case "":
		return PeriodDay, nil
	case PeriodDay, PeriodWeek, PeriodMonth, PeriodAll:
		return Period(s), nil
	}
	return "", inputErr("period", ErrBadInput, fmt.Sprintf("%q: want day, week, month or all", s))
}

// MaxStatsDays is the longest range statistics are asked over, in days (ten years).
const MaxStatsDays = 3660

// StatsZone is a duty zone as statistics group by it: its grids (15-digit codes).
type StatsZone struct {
	ID, Name, Kind string
	Grids          []string
}

// StatsQuery selects the events counted and how. Class, when set, matches its own code and,
// for a major, every minor under it.
type StatsQuery struct {
	By     StatsBy
	Period Period
	// From and To bound the report time, [From, To); zero: from the first event held, to the
	// last. Periods are labelled by their first day even when From cuts into them.
	From, To time.Time
	Class    *data.ClassRef
	Source   string    // only events of this source; "": all
	Now      time.Time // for open events past their deadline
	// AreaName names a district, street, community or grid code (the served snapshot's
	// names); nil: rows carry codes only.
	AreaName func(code string) string
	CityName string // the name of the by=city rows
	// Zones are the duty zones by=zone groups into; nil: no duty lists are loaded, and the
	// answer says so.
	Zones []StatsZone
}

// StatsRow is one group's counts in one period, over the events reported in that period:
//
//   - reported: all of them; dispatched: those sent to a department; closed: those closed;
//   - overdue: those that missed their deadline (closed after it, or still open past it at Now);
//   - on_time: those closed by their deadline (or with none); due: those closed or overdue;
//   - on_time_rate = on_time / due (按期处置率), closure_rate = closed / reported (结案率),
//     null when the divisor is 0;
//   - rank: within the period, by on-time rate (higher first, null last), then closure rate
//     (the same), then fewer overdue; rows equal on all three share a rank (1, 1, 3).
type StatsRow struct {
	Period      string   `json:"period"` // the period's first day, YYYY-MM-DD (GMT+8)
	Code        string   `json:"code"`
	Name        string   `json:"name"`
	Kind        string   `json:"kind,omitempty"`   // a zone's kind
	Scheme      string   `json:"scheme,omitempty"` // a class's code scheme
	Reported    int      `json:"reported"`
	Dispatched  int      `json:"dispatched"`
	Closed      int      `json:"closed"`
	Overdue     int      `json:"overdue"`
	OnTime      int      `json:"on_time"`
	Due         int      `json:"due"`
	OnTimeRate  *float64 `json:"on_time_rate"`
	ClosureRate *float64 `json:"closure_rate"`
	Rank        int      `json:"rank"`
}

// StatsTable is the answer: the rows by period, then rank, then code. From and To are the first
// and last day counted (YYYY-MM-DD, GMT+8). Note says what the answer could not cover.
type StatsTable struct {
	By     StatsBy    `json:"by"`
	Period Period     `json:"period"`
	From   string     `json:"from"`
	To     string     `json:"to"`
	Rows   []StatsRow `json:"rows"`
	Note   string     `json:"note,omitempty"`
	// Current is the city's state at Now, whatever the range: the events open (在办) and those
	// of them past their deadline (超期), of the class and source asked.
	Current StatsNow `json:"current"`
}

// StatsNow counts the events open at a moment.
type StatsNow struct {
	Open    int `json:"open"`
	Overdue int `json:"overdue"`
}

// NoZonesNote is the note of a by=zone answer when no duty lists are loaded.
const NoZonesNote = "no duty lists are loaded: there are no zones to group by"

// counts adds up the events of one group in one period.
type counts struct{ reported, dispatched, closed, overdue, onTime, due int }

func (c *counts) add(r *dayRec, now int64) {
	c.reported++
	if r.dispatched != 0 {
		c.dispatched++
	}
	late := r.deadline != 0 && ((r.closed != 0 && r.closed > r.deadline) || (r.closed == 0 && now > r.deadline))
	if late {
		c.overdue++
	}
	if r.closed != 0 {
		c.closed++
		if !late {
			c.onTime++
		}
	}
	if r.closed != 0 || late {
		c.due++
	}
}

func (c *counts) plus(o *counts) {
	c.reported += o.reported
	c.dispatched += o.dispatched
	c.closed += o.closed
	c.overdue += o.overdue
	c.onTime += o.onTime
	c.due += o.due
}

// Stats counts the events held per group and period, from the index of events by report day:
// the cost is that of the events reported in the range, not of all events.
func (f *Feed) Stats(q StatsQuery) (*StatsTable, error) {
	if _, err := ParseStatsBy(string(q.By)); err != nil {
		return nil, err
	}
	if q.By == "" {
		q.By = ByStreet
	}
	if _, err := ParsePeriod(string(q.Period)); err != nil {
		return nil, err
	}
	if q.Period == "" {
		q.Period = PeriodDay
	}
	if !q.From.IsZero() && !q.To.IsZero() && !q.From.Before(q.To) {
		return nil, inputErr("to", ErrBadInput, "must be after from")
	}
	f.mu.RLock()
	defer f.mu.RUnlock()
	x := &f.days
	first, last := x.first, x.last
	if first > last {
		first, last = cityDay(q.Now), cityDay(q.Now)
	}
	fromN, toN := int64(math.MinInt64), int64(math.MaxInt64)
	if !q.From.IsZero() {
		first, fromN = cityDay(q.From), q.From.UnixNano()
	}
	if !q.To.IsZero() {
		last, toN = cityDay(q.To.Add(-time.Nanosecond)), q.To.UnixNano()
	}
	note := ""
	if last-first >= MaxStatsDays {
		// A range the request did not bound runs over the events held, which one report
		// with a mistyped year (2062) would stretch: cut it at the bound the request left open.
		switch {
		case !q.From.IsZero() && !q.To.IsZero():
			return nil, inputErr("to", ErrBadInput, fmt.Sprintf("%d days from from: want at most %d", last-first+1, MaxStatsDays))
		case !q.To.IsZero():
			first = last - MaxStatsDays + 1
		case !q.From.IsZero():
			last = first + MaxStatsDays - 1
		default: // the last days up to now
			last = cityDay(q.Now)
			first = last - MaxStatsDays + 1
		}
		note = fmt.Sprintf("the events held span more than %d days; the range is cut to %s–%s: give from= and to= for another", MaxStatsDays, dayLabel(first), dayLabel(last))
	}
	t := &StatsTable{By: q.By, Period: q.Period, From: dayLabel(first), To: dayLabel(last), Rows: []StatsRow{}, Note: note}
	t.Current = f.current(q)
	if q.By == ByZone && q.Zones == nil {
		t.Note = NoZonesNote
		return t, nil
	}
	var classOK []bool // by class key; nil: every class
	if q.Class != nil {
		classOK = make([]bool, len(x.classOf))
		for i, c := range x.classOf {
			classOK[i] = classMatches(*q.Class, c)
		}
	}
	source, sourceKnown := uint32(0), true
	if q.Source != "" {
		source, sourceKnown = x.strs.ids[q.Source]
	}
	key := groupKey(q.By)
	now := q.Now.UnixNano()
	var zones *zoneFold
	if q.By == ByZone {
		zones = newZoneFold(q.Zones)
	}
	// Days are read in order, so a period is complete when the next begins: one accumulator,
	// emptied between periods, with a dense slot per group key (no map, no allocation per group).
	acc := newPeriodAcc(x.keySpace(key))
	var rates rateSlab
	period, open := int32(0), false
	flush := func() {
		if !open {
			return
		}
		label, start := dayLabel(period), len(t.Rows)
		if zones != nil {
			t.Rows = zones.rows(t.Rows, label, acc, x, &rates)
		} else {
			for i, g := range acc.keys {
				t.Rows = append(t.Rows, x.row(q, label, g, &acc.groups[i], &rates))
			}
		}
		rank(t.Rows[start:])
		acc.reset()
	}
	for d := first; d <= last; d++ {
		recs := x.days[d]
		if len(recs) == 0 && q.By != ByCity {
			continue
		}
		if p := periodStart(d, q.Period, first); !open || p != period {
			flush()
			period, open = p, true
			if q.By == ByCity {
				acc.get(0) // every period has its row, zero or not
			}
		}
		if !sourceKnown {
			continue
		}
		for i := range recs {
			r := &recs[i]
			if r.reported < fromN || r.reported >= toN || (classOK != nil && !classOK[r.keys[keyClass]]) ||
				(q.Source != "" && r.keys[keySource] != source) {
				continue
			}
			g := uint32(0)
			if key >= 0 {
				g = r.keys[key]
			}
			acc.get(g).add(r, now)
		}
	}
	flush()
	return t, nil
}

// periodAcc adds up the groups of one period.
type periodAcc struct {
	slot   []int32 // by group key: the group's index + 1; 0 for none yet
	keys   []uint32
	groups []counts
}

func newPeriodAcc(keys int) *periodAcc { return &periodAcc{slot: make([]int32, keys)} }

func (a *periodAcc) get(g uint32) *counts {
	if s := a.slot[g]; s != 0 {
		return &a.groups[s-1]
	}
	a.keys = append(a.keys, g)
	a.groups = append(a.groups, counts{})
	a.slot[g] = int32(len(a.groups))
	return &a.groups[len(a.groups)-1]
}

func (a *periodAcc) reset() {
	for _, g := range a.keys {
		a.slot[g] = 0
	}
	a.keys, a.groups = a.keys[:0], a.groups[:0]
}

// keySpace is the number of values group key k takes.
func (x *dayIndex) keySpace(k int) int {
	switch {
	case k < 0:
		return 1
	case k == keyClass:
		return len(x.classOf)
	}
	return len(x.strs.strs)
}

// current counts the events open at q.Now and those of them overdue: from the counts kept
// when no class or source is asked, else by a look at each open event.
func (f *Feed) current(q StatsQuery) StatsNow {
	if q.Class == nil && q.Source == "" {
		// Overdue is strictly after the deadline (data.Event.Overdue): deadlines before now.
		return StatsNow{Open: f.index.len(), Overdue: f.due.before(q.Now)}
	}
	var n StatsNow
	f.open.Scan(func(_, _ [2]float64, e *data.Event) bool {
		if (q.Class == nil || classMatches(*q.Class, e.Class)) && (q.Source == "" || e.Source == q.Source) {
			n.Open++
			if e.Overdue(q.Now) {
				n.Overdue++
			}
		}
		return true
	})
	return n
}

// groupKey is the dayRec key a grouping reads; -1 for the city (one group).
func groupKey(by StatsBy) int {
	switch by {
	case ByDistrict:
		return keyDistrict
	case ByStreet:
		return keyStreet
	case ByCommunity:
		return keyCommunity
	case ByGrid, ByZone:
		return keyGrid
	case ByDepartment:
		return keyDept
	case ByClass:
		return keyClass
	case BySource:
		return keySource
	}
	return -1
}

// row is the row of group g: its code and name as the grouping has them.
func (x *dayIndex) row(q StatsQuery, period string, g uint32, c *counts, rates *rateSlab) StatsRow {
	r := StatsRow{Period: period}
	switch q.By {
	case ByCity:
		r.Name = q.CityName
	case ByClass:
		cl := x.classOf[g]
		r.Code, r.Name, r.Scheme = cl.Code, cl.Name(), cl.Scheme.String()
	case ByDepartment:
		r.Code = x.strs.strs[g]
		r.Name = x.deptName[r.Code]
	case BySource:
		r.Code = x.strs.strs[g]
		r.Name = r.Code
	default:
		r.Code = x.strs.strs[g]
		if q.AreaName != nil && r.Code != "" {
			r.Name = q.AreaName(r.Code)
		}
	}
	r.fill(c, rates)
	return r
}

func (r *StatsRow) fill(c *counts, rates *rateSlab) {
	r.Reported, r.Dispatched, r.Closed, r.Overdue, r.OnTime, r.Due = c.reported, c.dispatched, c.closed, c.overdue, c.onTime, c.due
	r.OnTimeRate, r.ClosureRate = rates.ratio(c.onTime, c.due), rates.ratio(c.closed, c.reported)
}

// rateSlab hands out the rates of a table's rows from shared blocks: a table by grid has tens
// of thousands of rows, and one allocation per rate would be most of its cost.
type rateSlab struct{ buf []float64 }

// ratio is n/d rounded to 4 decimals, nil when d is 0.
func (s *rateSlab) ratio(n, d int) *float64 {
	if d == 0 {
		return nil
	}
	if len(s.buf) == cap(s.buf) {
		s.buf = make([]float64, 0, 1024)
	}
	s.buf = append(s.buf, math.Round(float64(n)/float64(d)*1e4)/1e4)
	return &s.buf[len(s.buf)-1]
}

// zoneFold adds the counts of grids up into the duty zones holding them (a grid in two zones
// counts in both; events whose grid is in none go to the row with code "").
type zoneFold struct {
	zones  []StatsZone
	ofGrid map[string][]int
}

func newZoneFold(zones []StatsZone) *zoneFold {
	z := &zoneFold{zones: zones, ofGrid: map[string][]int{}}
	for i, zn := range zones {
		for _, g := range zn.Grids {
			z.ofGrid[g] = append(z.ofGrid[g], i)
		}
	}
	return z
}

func (z *zoneFold) rows(out []StatsRow, period string, grids *periodAcc, x *dayIndex, rates *rateSlab) []StatsRow {
	byZone := map[int]*counts{} // -1: in no zone
	for i, g := range grids.keys {
		c := &grids.groups[i]
		zs := z.ofGrid[x.strs.strs[g]]
		if len(zs) == 0 {
			zs = []int{-1}
		}
		for _, i := range zs {
			if byZone[i] == nil {
				byZone[i] = &counts{}
			}
			byZone[i].plus(c)
		}
	}
	for i, c := range byZone {
		r := StatsRow{Period: period}
		if i >= 0 {
			r.Code, r.Name, r.Kind = z.zones[i].ID, z.zones[i].Name, z.zones[i].Kind
		}
		r.fill(c, rates)
		out = append(out, r)
	}
	return out
}

// rank sorts the rows of one period by the ranking rule (see StatsRow) and numbers them.
func rank(rows []StatsRow) {
	cmpRate := func(a, b *float64) int { // higher first, nil last
		switch {
		case a == nil && b == nil:
			return 0
		case a == nil:
			return 1
		case b == nil:
			return -1
		case *a > *b:
			return -1
		case *a < *b:
			return 1
		}
		return 0
	}
	cmpRank := func(a, b *StatsRow) int {
		if c := cmpRate(a.OnTimeRate, b.OnTimeRate); c != 0 {
			return c
		}
		if c := cmpRate(a.ClosureRate, b.ClosureRate); c != 0 {
			return c
		}
		return a.Overdue - b.Overdue
	}
	sort.Slice(rows, func(i, j int) bool {
		if c := cmpRank(&rows[i], &rows[j]); c != 0 {
			return c < 0
		}
		return rows[i].Code < rows[j].Code
	})
	for i := range rows {
		if i > 0 && cmpRank(&rows[i-1], &rows[i]) == 0 {
			rows[i].Rank = rows[i-1].Rank
		} else {
			rows[i].Rank = i + 1
		}
	}
}

// periodStart is the first day of the period holding day d; PeriodAll has one, from first.
func periodStart(d int32, p Period, first int32) int32 {
	switch p {
	case PeriodWeek:
		return d - ((d+3)%7+7)%7 // day 0, 1970-01-01, was a Thursday
	case PeriodMonth:
		t := dayStart(d)
		return cityDay(time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, chinaTime))
	case PeriodAll:
		return first
	}
	return d
}

func dayLabel(d int32) string { return dayStart(d).Format(time.DateOnly) }

func classMatches(want, got data.ClassRef) bool {
	if want.Scheme != got.Scheme || want.Kind != got.Kind {
		return false
	}
	if want.IsMajor() {
		return got.Major() == want.Code
	}
	return got.Code == want.Code
}
