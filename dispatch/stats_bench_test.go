package dispatch_test

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"sync"
	"testing"
	"time"

	"citygeo/data"
	"citygeo/dispatch"
)

// yearStore holds a year of events for a feed to load: the events of a large city's 数字城管
// over 2026 (1,000,000: ≈ 2,740 a day), in 5 districts, 60 streets, 600 communities, 12,000
// grids and 40 departments; 3 % still open.
type yearStore struct{ evs []*data.Event }

func (s yearStore) Put(*data.Event) error           { return nil }
func (s yearStore) LoadAll() ([]*data.Event, error) { return s.evs, nil }
func (s yearStore) String() string                  { return fmt.Sprintf("%d events", len(s.evs)) }
func newYearStore(n int, t0 time.Time) (st yearStore) {
	rng := rand.New(rand.NewPCG(1, 2026))
	grids := make([]string, 12000)
	for i := range grids {
		d, s, c := i%5, i%60, i%600
		grids[i] = fmt.Sprintf("44030%d%03d%03d%03d", d+1, s+1, c+1, i/600+1)
	}
	depts := make([]data.DeptRef, 40)
	for i := range depts {
		depts[i] = data.DeptRef{Code: fmt.Sprintf("D%02d", i), Name: fmt.Sprintf("部门%02d", i)}
	}
	sources := []string{"监督员上报", "公众举报", "12319", "视频"}
	year := float64(365 * 24 * time.Hour)
	st.evs = make([]*data.Event, n)
	for i := range st.evs {
		g := grids[rng.IntN(len(grids))]
		rep := t0.Add(time.Duration(rng.Float64() * year))
		e := &data.Event{ID: fmt.Sprintf("Y%07d", i), Class: benchClasses[rng.IntN(len(benchClasses))], Point: benchPoint(rng),
			Grid: g, Community: g[:12], Street: g[:9], District: g[:6], Department: depts[rng.IntN(len(depts))],
			Source: sources[rng.IntN(len(sources))], Reported: rep, Dispatched: rep.Add(10 * time.Minute),
			Deadline: rep.Add(time.Duration(2+rng.IntN(70)) * time.Hour), Status: data.EventOpen, Seq: int64(i + 1)}
		if rng.IntN(100) >= 3 {
			e.Status, e.Closed = data.EventClosed, rep.Add(time.Duration(rng.IntN(80))*time.Hour)
		}
		e.Updated = rep
		st.evs[i] = e
	}
	return st
}

var yearFeed = sync.OnceValues(func() (*dispatch.Feed, error) {
	return dispatch.NewFeed(newYearStore(1_000_000, time.Date(2026, 1, 1, 0, 0, 0, 0, cst)), dispatch.DupConfig{})
})

// benchStats runs q against the year feed and reports the median (p50) and p90 latency of one
// call beside the mean.
func benchStats(b *testing.B, q dispatch.StatsQuery) {
	feed, err := yearFeed()
	if err != nil {
		b.Fatal(err)
	}
	q.Now = time.Date(2027, 1, 1, 0, 0, 0, 0, cst)
	q.AreaName = func(code string) string { return "名" + code }
	var took []time.Duration
	rows := 0
	b.ResetTimer()
	for b.Loop() {
		start := time.Now()
		tab, err := feed.Stats(q)
		took = append(took, time.Since(start))
		if err != nil {
			b.Fatal(err)
		}
		rows = len(tab.Rows)
	}
	sort.Slice(took, func(i, j int) bool { return took[i] < took[j] })
	b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(took[len(took)*9/10].Microseconds())/1000, "p90-ms")
	b.ReportMetric(float64(rows), "rows")
}

// BenchmarkStatsMonthByStreet is issue 12's figure: a year of events (1M), a month by street
// (p50 ≤ 50 ms wanted), by day and as one period.
func BenchmarkStatsMonthByStreet(b *testing.B) {
	june, july := time.Date(2026, 6, 1, 0, 0, 0, 0, cst), time.Date(2026, 7, 1, 0, 0, 0, 0, cst)
	for _, p := range []dispatch.Period{dispatch.PeriodDay, dispatch.PeriodAll} {
		b.Run(string(p), func(b *testing.B) {
			benchStats(b, dispatch.StatsQuery{By: dispatch.ByStreet, Period: p, From: june, To: july})
		})
	}
}

// BenchmarkStatsWall is what a wall asks: today's KPIs, the 30-day trend, a month's ranking of
// departments and of grids, the year by month for the whole city.
func BenchmarkStatsWall(b *testing.B) {
	day := func(m time.Month, d int) time.Time { return time.Date(2026, m, d, 0, 0, 0, 0, cst) }
	for _, tc := range []struct {
		name string
		q    dispatch.StatsQuery
	}{
		{"today by city", dispatch.StatsQuery{By: dispatch.ByCity, From: day(12, 1), To: day(12, 2)}},
		{"30 days by city", dispatch.StatsQuery{By: dispatch.ByCity, From: day(11, 2), To: day(12, 2)}},
		{"month by department", dispatch.StatsQuery{By: dispatch.ByDepartment, Period: dispatch.PeriodAll, From: day(11, 1), To: day(12, 1)}},
		{"month by grid", dispatch.StatsQuery{By: dispatch.ByGrid, Period: dispatch.PeriodAll, From: day(11, 1), To: day(12, 1)}},
		{"year by month by city", dispatch.StatsQuery{By: dispatch.ByCity, Period: dispatch.PeriodMonth, From: day(1, 1), To: day(12, 31)}},
	} {
		b.Run(tc.name, func(b *testing.B) { benchStats(b, tc.q) })
	}
}

// BenchmarkQueryClosedMonth pages through a month's closed events of one street, 100 a page.
func BenchmarkQueryClosedMonth(b *testing.B) {
	feed, err := yearFeed()
	if err != nil {
		b.Fatal(err)
	}
	q := dispatch.EventQuery{Status: dispatch.StatusClosed, Area: "440301001", Limit: 100,
		From: time.Date(2026, 6, 1, 0, 0, 0, 0, cst), To: time.Date(2026, 7, 1, 0, 0, 0, 0, cst)}
	b.ResetTimer()
	for b.Loop() {
		if _, err := feed.Query(q); err != nil {
			b.Fatal(err)
		}
	}
}
