package dispatch_test

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/paulmach/orb"

	"citygeo/data"
	"citygeo/dispatch"
)

var cst = time.FixedZone("CST", 8*3600)

// fixtureCity is the made-up city of the statistics fixture: 2 districts, 4 streets,
// 8 communities, 24 grids; 5 departments; 6 classes (two majors, both schemes' codes of
// events); 4 sources; 3 duty zones, two overlapping, and grids in none.
type fixtureCity struct {
	grids   []string
	depts   []data.DeptRef
	classes []data.ClassRef
	sources []string
	zones   []dispatch.StatsZone
}

func newFixtureCity() fixtureCity {
	var c fixtureCity
	for d := range 2 {
		for s := range 2 {
			for m := range 2 {
				for g := range 3 {
					c.grids = append(c.grids, fmt.Sprintf("44030%d00%d00%d00%d", 3+d, 1+s, 1+m, 1+g))
				}
			}
		}
	}
	for i := range 5 {
		c.depts = append(c.depts, data.DeptRef{Code: fmt.Sprintf("D%d", i+1), Name: fmt.Sprintf("部门%d", i+1)})
	}
	for _, code := range []string{"0501", "0502", "0505", "0101", "0102", "0103"} {
		cl, err := data.ParseClassRef(code, 0, data.KindEvent)
		if err != nil {
			panic(err)
		}
		c.classes = append(c.classes, cl)
	}
	c.sources = []string{"监督员上报", "公众举报", "12319", "视频"}
	c.zones = []dispatch.StatsZone{
		{ID: "Z1", Name: "一片区", Kind: "片区", Grids: c.grids[0:10]},
		{ID: "Z2", Name: "二片区", Kind: "片区", Grids: c.grids[6:16]},
		{ID: "Z3", Name: "责任网格三", Kind: "责任网格", Grids: c.grids[16:20]},
	}
	return c
}

func fixtureAreaName(code string) string { return "名" + code }

// fixtureEvents makes n events over 120 days from t0, reported at any hour (many near midnight
// in GMT+8, where a UTC day would differ), with or without a department (dispatched or not), a
// deadline, a closing before or after it, or none. Seeded: the same events every run.
func fixtureEvents(c fixtureCity, n int, t0 time.Time) []data.Event {
	rng := rand.New(rand.NewPCG(2026, 12))
	out := make([]data.Event, n)
	for i := range out {
		g := c.grids[rng.IntN(len(c.grids))]
		rep := t0.Add(time.Duration(rng.IntN(120*24*60)) * time.Minute)
		if rng.IntN(4) == 0 { // 23:00–01:00 GMT+8
			day := time.Date(rep.In(cst).Year(), rep.In(cst).Month(), rep.In(cst).Day(), 23, 0, 0, 0, cst)
			rep = day.Add(time.Duration(rng.IntN(120)) * time.Minute)
		}
		e := data.Event{ID: fmt.Sprintf("F%05d", i), Class: c.classes[rng.IntN(len(c.classes))],
			Point: orb.Point{114.1 + rng.Float64()*0.01, 22.55 + rng.Float64()*0.01},
			Grid:  g, Community: g[:12], Street: g[:9], District: g[:6], Source: c.sources[rng.IntN(len(c.sources))],
			Reported: rep, Status: data.EventOpen}
		if rng.IntN(7) == 0 { // an event outside any area
			e.Grid, e.Community, e.Street, e.District = "", "", "", ""
		}
		if rng.IntN(6) != 0 {
			e.Department = c.depts[rng.IntN(len(c.depts))]
			e.Dispatched = rep.Add(time.Duration(rng.IntN(60)) * time.Minute)
		}
		if rng.IntN(5) != 0 {
			e.Deadline = rep.Add(time.Duration(1+rng.IntN(72)) * time.Hour)
		}
		if rng.IntN(4) != 0 {
			e.Status, e.Closed = data.EventClosed, rep.Add(time.Duration(rng.IntN(96*60))*time.Minute)
		}
		out[i] = e
	}
	return out
}

// referenceStats is the naive statistics the feed's must equal: every event looked at, days,
// ISO weeks and months taken from the calendar in GMT+8, ranks counted as 1 + the rows better.
func referenceStats(c fixtureCity, evs []data.Event, q dispatch.StatsQuery) []dispatch.StatsRow {
	label := func(t time.Time) string {
		l := t.In(cst)
		day := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, cst)
		switch q.Period {
		case dispatch.PeriodWeek:
			return day.AddDate(0, 0, -((int(day.Weekday()) + 6) % 7)).Format("2006-01-02")
		case dispatch.PeriodMonth:
			return day.Format("2006-01") + "-01"
		case dispatch.PeriodAll:
			return q.From.In(cst).Format("2006-01-02")
		}
		return day.Format("2006-01-02")
	}
	type key struct{ period, code string }
	rows := map[key]*dispatch.StatsRow{}
	if q.By == dispatch.ByCity {
		for d := q.From; d.Before(q.To); d = d.AddDate(0, 0, 1) {
			rows[key{label(d), ""}] = &dispatch.StatsRow{}
		}
	}
	for _, e := range evs {
		if e.Reported.Before(q.From) || !e.Reported.Before(q.To) {
			continue
		}
		if q.Class != nil && !(q.Class.Code == e.Class.Code || (len(q.Class.Code) == 2 && strings.HasPrefix(e.Class.Code, q.Class.Code))) {
			continue
		}
		if q.Source != "" && e.Source != q.Source {
			continue
		}
		var codes []string
		switch q.By {
		case dispatch.ByCity:
			codes = []string{""}
		case dispatch.ByDistrict:
			codes = []string{e.District}
		case dispatch.ByStreet:
			codes = []string{e.Street}
		case dispatch.ByCommunity:
			codes = []string{e.Community}
		case dispatch.ByGrid:
			codes = []string{e.Grid}
		case dispatch.ByDepartment:
			codes = []string{e.Department.Code}
		case dispatch.ByClass:
			codes = []string{e.Class.Code}
		case dispatch.BySource:
			codes = []string{e.Source}
		case dispatch.ByZone:
			for _, z := range c.zones {
				if slices.Contains(z.Grids, e.Grid) {
					codes = append(codes, z.ID)
				}
			}
			if len(codes) == 0 {
				codes = []string{""}
			}
		}
		late := !e.Deadline.IsZero() && ((e.Status == data.EventClosed && e.Closed.After(e.Deadline)) ||
			(e.Status == data.EventOpen && q.Now.After(e.Deadline)))
		for _, code := range codes {
			k := key{label(e.Reported), code}
			r := rows[k]
			if r == nil {
				r = &dispatch.StatsRow{}
				rows[k] = r
			}
			r.Reported++
			if !e.Dispatched.IsZero() {
				r.Dispatched++
			}
			if late {
				r.Overdue++
			}
			if e.Status == data.EventClosed {
				r.Closed++
				if !late {
					r.OnTime++
				}
			}
			if e.Status == data.EventClosed || late {
				r.Due++
			}
		}
	}
	rate := func(n, d int) *float64 {
		if d == 0 {
			return nil
		}
		v := math.Round(float64(n)/float64(d)*1e4) / 1e4
		return &v
	}
	var out []dispatch.StatsRow
	for k, r := range rows {
		r.Period, r.Code = k.period, k.code
		r.OnTimeRate, r.ClosureRate = rate(r.OnTime, r.Due), rate(r.Closed, r.Reported)
		switch q.By {
		case dispatch.ByCity:
			r.Name = "测试市"
		case dispatch.ByDepartment:
			if k.code != "" {
				r.Name = "部门" + k.code[1:]
			}
		case dispatch.ByClass:
			for _, cl := range c.classes {
				if cl.Code == k.code {
					r.Name, r.Scheme = cl.Name(), cl.Scheme.String()
				}
			}
		case dispatch.BySource:
			r.Name = k.code
		case dispatch.ByZone:
			for _, z := range c.zones {
				if z.ID == k.code {
					r.Name, r.Kind = z.Name, z.Kind
				}
			}
		default:
			if k.code != "" {
				r.Name = fixtureAreaName(k.code)
			}
		}
		out = append(out, *r)
	}
	// rank: 1 + the rows of the period strictly better (higher on-time rate, null lowest; then
	// closure rate; then fewer overdue).
	val := func(p *float64) float64 {
		if p == nil {
			return -1
		}
		return *p
	}
	better := func(a, b dispatch.StatsRow) bool {
		if val(a.OnTimeRate) != val(b.OnTimeRate) {
			return val(a.OnTimeRate) > val(b.OnTimeRate)
		}
		if val(a.ClosureRate) != val(b.ClosureRate) {
			return val(a.ClosureRate) > val(b.ClosureRate)
		}
		return a.Overdue < b.Overdue
	}
	for i := range out {
		out[i].Rank = 1
		for _, o := range out {
			if o.Period == out[i].Period && better(o, out[i]) {
				out[i].Rank++
			}
		}
	}
	slices.SortFunc(out, func(a, b dispatch.StatsRow) int {
		if c := strings.Compare(a.Period, b.Period); c != 0 {
			return c
		}
		if a.Rank != b.Rank {
			return a.Rank - b.Rank
		}
		return strings.Compare(a.Code, b.Code)
	})
	return out
}

// TestStatsFixture checks the statistics of 10,000 events against the naive reference, for
// every grouping and period, over ranges that cut periods, with and without filters. The events
// reach the feed as a dispatch desk writes them: created open, then some moved to another grid,
// then closed, so the index is kept up to date through updates, not built once.
func TestStatsFixture(t *testing.T) {
	c := newFixtureCity()
	t0 := time.Date(2026, 8, 15, 0, 0, 0, 0, cst)
	evs := fixtureEvents(c, 10000, t0)
	feed, err := dispatch.NewFeed(nil, dispatch.DupConfig{})
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(7, 7))
	for i, e := range evs {
		open := e
		open.Status, open.Closed = data.EventOpen, time.Time{}
		if rng.IntN(10) == 0 && e.Grid != "" { // first filed in another grid, then moved
			g := c.grids[rng.IntN(len(c.grids))]
			open.Grid, open.Community, open.Street, open.District = g, g[:12], g[:9], g[:6]
		}
		if _, err := feed.Put(open, e.Reported); err != nil {
			t.Fatal(err)
		}
		if open.Grid != e.Grid {
			if _, err := feed.Put(func() data.Event { m := e; m.Status, m.Closed = data.EventOpen, time.Time{}; return m }(), e.Reported.Add(time.Second)); err != nil {
				t.Fatal(err)
			}
		}
		if e.Status == data.EventClosed {
			if _, err := feed.Close(e.ID, e.Closed); err != nil {
				t.Fatal(err)
			}
		}
		evs[i].Dispatched = e.Dispatched
	}
	now := t0.AddDate(0, 0, 100) // a fifth of the events are reported after now: open, not yet overdue
	major, _ := data.ParseClassRef("05", 0, data.KindEvent)
	minor := c.classes[3]
	ranges := []struct {
		name     string
		from, to time.Time
	}{
		{"whole", t0, t0.AddDate(0, 0, 121)},
		{"cut", time.Date(2026, 9, 3, 0, 0, 0, 0, cst), time.Date(2026, 10, 18, 0, 0, 0, 0, cst)}, // a Thursday to a Sunday+1
	}
	n := 0
	for _, by := range dispatch.StatsBys {
		for _, period := range []dispatch.Period{dispatch.PeriodDay, dispatch.PeriodWeek, dispatch.PeriodMonth, dispatch.PeriodAll} {
			for _, rg := range ranges {
				for _, filter := range []struct {
					name   string
					class  *data.ClassRef
					source string
				}{{"all", nil, ""}, {"major 05", &major, ""}, {"class 0101, 12319", &minor, "12319"}} {
					q := dispatch.StatsQuery{By: by, Period: period, From: rg.from, To: rg.to, Now: now, Class: filter.class,
						Source: filter.source, AreaName: fixtureAreaName, CityName: "测试市", Zones: c.zones}
					t.Run(fmt.Sprintf("%s/%s/%s/%s", by, period, rg.name, filter.name), func(t *testing.T) {
						tab, err := feed.Stats(q)
						if err != nil {
							t.Fatal(err)
						}
						want := referenceStats(c, evs, q)
						if d := cmp.Diff(want, tab.Rows); d != "" {
							t.Errorf("rows (-reference +feed):\n%s", d)
						}
						var cur dispatch.StatsNow
						for _, e := range evs {
							if e.IsOpen() && (q.Class == nil || strings.HasPrefix(e.Class.Code, q.Class.Code)) && (q.Source == "" || e.Source == q.Source) {
								cur.Open++
								if !e.Deadline.IsZero() && now.After(e.Deadline) {
									cur.Overdue++
								}
							}
						}
						if tab.Current != cur {
							t.Errorf("current %+v, want %+v", tab.Current, cur)
						}
						if tab.From != rg.from.Format("2006-01-02") || tab.To != rg.to.Add(-time.Nanosecond).In(cst).Format("2006-01-02") {
							t.Errorf("from %s to %s", tab.From, tab.To)
						}
						n += len(tab.Rows)
					})
				}
			}
		}
	}
	t.Logf("%d rows compared", n)
	if tab, _ := feed.Stats(dispatch.StatsQuery{By: dispatch.ByZone, Now: now}); tab.Note != dispatch.NoZonesNote || len(tab.Rows) != 0 {
		t.Errorf("by zone without duty lists: %+v, want no rows and the note", tab)
	}
}

// TestStatsHandChecked: a handful of events whose counts were worked out by hand — one reported
// at 23:30 GMT+8 on Sunday 29 November (the last day of an ISO week), one at 00:30 on Monday
// 30 November (16:30 UTC on the 29th: a UTC day would put it in the week before), one at 00:30
// on Tuesday 1 December (16:30 UTC on 30 November: a UTC month would put it in November).
func TestStatsHandChecked(t *testing.T) {
	feed, err := dispatch.NewFeed(nil, dispatch.DupConfig{})
	if err != nil {
		t.Fatal(err)
	}
	at := func(s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04", s, cst)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	dept := data.DeptRef{Code: "D1", Name: "东门街道办事处"}
	for _, e := range []data.Event{
		// A: Sunday night, dispatched (it has a department), closed in time.
		{ID: "A", Class: evVendor, Street: "440303003", Department: dept, Reported: at("2026-11-29 23:30"),
			Deadline: at("2026-11-30 08:00"), Status: data.EventClosed, Closed: at("2026-11-30 07:00")},
		// B: Monday just after midnight, dispatched, closed late.
		{ID: "B", Class: evVendor, Street: "440303003", Department: dept, Reported: at("2026-11-30 00:30"),
			Deadline: at("2026-11-30 02:00"), Status: data.EventClosed, Closed: at("2026-11-30 03:00")},
		// E: Tuesday just after midnight, dispatched, open and past its deadline at now.
		{ID: "E", Class: evVendor, Street: "440303003", Department: dept, Reported: at("2026-12-01 00:30"),
			Deadline: at("2026-12-01 12:00")},
		// C: Tuesday, not dispatched, open and past its deadline at now.
		{ID: "C", Class: evParking, Street: "440303001", Reported: at("2026-12-01 09:00"), Deadline: at("2026-12-01 10:00")},
		// D: Tuesday, not dispatched, open, deadline after now: not due.
		{ID: "D", Class: evParking, Street: "440303001", Reported: at("2026-12-01 10:00"), Deadline: at("2026-12-09 10:00")},
	} {
		if _, err := feed.Put(e, e.Reported); err != nil {
			t.Fatal(err)
		}
	}
	now := at("2026-12-02 12:00")
	line := func(r dispatch.StatsRow) string {
		rate := func(p *float64) string {
			if p == nil {
				return "-"
			}
			return fmt.Sprint(*p)
		}
		return fmt.Sprintf("%s %s rep%d dis%d clo%d over%d ontime%s closure%s #%d", r.Period, r.Code, r.Reported, r.Dispatched,
			r.Closed, r.Overdue, rate(r.OnTimeRate), rate(r.ClosureRate), r.Rank)
	}
	for _, tc := range []struct {
		name string
		q    dispatch.StatsQuery
		want []string
	}{
		{"city by day", dispatch.StatsQuery{By: dispatch.ByCity, Period: dispatch.PeriodDay, From: at("2026-11-28 00:00"), To: at("2026-12-02 00:00")}, []string{
			"2026-11-28  rep0 dis0 clo0 over0 ontime- closure- #1",
			"2026-11-29  rep1 dis1 clo1 over0 ontime1 closure1 #1",
			"2026-11-30  rep1 dis1 clo1 over1 ontime0 closure1 #1",
			"2026-12-01  rep3 dis1 clo0 over2 ontime0 closure0 #1",
		}},
		{"street by ISO week", dispatch.StatsQuery{By: dispatch.ByStreet, Period: dispatch.PeriodWeek}, []string{
			"2026-11-23 440303003 rep1 dis1 clo1 over0 ontime1 closure1 #1",
			"2026-11-30 440303003 rep2 dis2 clo1 over2 ontime0 closure0.5 #1",
			"2026-11-30 440303001 rep2 dis0 clo0 over1 ontime0 closure0 #2",
		}},
		{"department by month, a tie", dispatch.StatsQuery{By: dispatch.ByDepartment, Period: dispatch.PeriodMonth}, []string{
			"2026-11-01 D1 rep2 dis2 clo2 over1 ontime0.5 closure1 #1",
			"2026-12-01  rep2 dis0 clo0 over1 ontime0 closure0 #1",
			"2026-12-01 D1 rep1 dis1 clo0 over1 ontime0 closure0 #1",
		}},
		{"class over all, one class", dispatch.StatsQuery{By: dispatch.ByClass, Period: dispatch.PeriodAll, Class: &evParking}, []string{
			"2026-11-29 0505 rep2 dis0 clo0 over1 ontime0 closure0 #1",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.q.Now = now
			tab, err := feed.Stats(tc.q)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range tab.Rows {
				got = append(got, line(r))
			}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("(-hand +feed):\n%s", d)
			}
			// Open now: C, D, E; past the deadline: C, E. Of the parking class: C, D; C.
			want := dispatch.StatsNow{Open: 3, Overdue: 2}
			if tc.q.Class != nil {
				want = dispatch.StatsNow{Open: 2, Overdue: 1}
			}
			if tab.Current != want {
				t.Errorf("current %+v, want %+v", tab.Current, want)
			}
		})
	}
}

// TestStatsCurrent: the events open now and overdue follow every write — a deadline moved, an
// event closed and reopened — as a look at each open event counts them.
func TestStatsCurrent(t *testing.T) {
	feed, err := dispatch.NewFeed(nil, dispatch.DupConfig{})
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 12, 1, 8, 0, 0, 0, cst)
	now := t0.Add(10 * time.Hour)
	put := func(id string, deadline time.Duration, closed bool) {
		t.Helper()
		e := data.Event{ID: id, Class: evVendor, Point: orb.Point{114.1, 22.55}, Reported: t0, Source: "12319"}
		if deadline != 0 {
			e.Deadline = t0.Add(deadline)
		}
		if closed {
			e.Status = data.EventClosed
		}
		if _, err := feed.Put(e, t0); err != nil {
			t.Fatal(err)
		}
	}
	check := func(want dispatch.StatsNow) {
		t.Helper()
		for _, q := range []dispatch.StatsQuery{{Now: now}, {Now: now, Source: "12319"}} { // kept counts, then a scan
			tab, err := feed.Stats(q)
			if err != nil {
				t.Fatal(err)
			}
			if tab.Current != want {
				t.Errorf("source %q: current %+v, want %+v", q.Source, tab.Current, want)
			}
		}
	}
	put("A", 2*time.Hour, false)  // overdue
	put("B", 20*time.Hour, false) // not yet
	put("C", 0, false)            // no deadline
	check(dispatch.StatsNow{Open: 3, Overdue: 1})
	put("B", 10*time.Hour, false) // due exactly now: not overdue
	put("A", 30*time.Hour, false) // moved past now
	check(dispatch.StatsNow{Open: 3, Overdue: 0})
	put("B", 5*time.Hour, false)
	put("C", 0, true) // closed
	check(dispatch.StatsNow{Open: 2, Overdue: 1})
	put("C", time.Hour, false) // reopened with a deadline
	check(dispatch.StatsNow{Open: 3, Overdue: 2})
}

// TestStatsOutlierRange: one event held with a year far off (stored before report times were
// checked, or by another writer) does not make the stats without from and to fail: the range
// is cut to the last MaxStatsDays days up to now, and the note says so; with both bounds given
// a span too long is still refused.
func TestStatsOutlierRange(t *testing.T) {
	feed, err := dispatch.NewFeed(nil, dispatch.DupConfig{})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 1, 18, 0, 0, 0, cst)
	for id, at := range map[string]time.Time{"A": now.Add(-time.Hour), "typo": time.Date(2062, 11, 20, 9, 0, 0, 0, cst)} {
		if _, err := feed.Put(data.Event{ID: id, Class: evVendor, Point: orb.Point{114.1, 22.55}, Reported: at, Source: "12319"}, at); err != nil {
			t.Fatal(err)
		}
	}
	tab, err := feed.Stats(dispatch.StatsQuery{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if tab.To != "2026-12-01" || tab.Note == "" || len(tab.Rows) == 0 {
		t.Errorf("unbounded: from %s to %s, note %q, %d rows; want the days up to 2026-12-01, noted", tab.From, tab.To, tab.Note, len(tab.Rows))
	}
	_, err = feed.Stats(dispatch.StatsQuery{Now: now, From: now.AddDate(-20, 0, 0), To: now})
	var ie *dispatch.InputError
	if !errors.As(err, &ie) || ie.Field != "to" {
		t.Errorf("twenty years asked for: %v, want an error on to", err)
	}
}
