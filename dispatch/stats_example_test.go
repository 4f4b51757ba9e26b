package dispatch_test

import (
	"fmt"
	"time"

	"github.com/paulmach/orb"

	"citygeo/data"
	"citygeo/dispatch"
)

// ExampleFeed_Stats counts a day's events by street: one closed in time, one open past its
// deadline.
func ExampleFeed_Stats() {
	feed, _ := dispatch.NewFeed(nil, dispatch.DupConfig{})
	at := time.Date(2026, 12, 1, 9, 0, 0, 0, cst)
	vendor, _ := data.ParseClassRef("0501", 0, data.KindEvent)
	for _, e := range []data.Event{
		{ID: "A", Class: vendor, Street: "440303003", Reported: at, Deadline: at.Add(2 * time.Hour),
			Status: data.EventClosed, Closed: at.Add(time.Hour)},
		{ID: "B", Class: vendor, Street: "440303003", Reported: at, Deadline: at.Add(2 * time.Hour)},
	} {
		feed.Put(e, at)
	}
	tab, _ := feed.Stats(dispatch.StatsQuery{By: dispatch.ByStreet, Period: dispatch.PeriodDay,
		From: time.Date(2026, 12, 1, 0, 0, 0, 0, cst), To: time.Date(2026, 12, 2, 0, 0, 0, 0, cst), Now: at.Add(3 * time.Hour),
		AreaName: func(string) string { return "东门街道" }})
	for _, r := range tab.Rows {
		fmt.Println(r.Period, r.Code, r.Name, r.Reported, r.Closed, r.Overdue, *r.OnTimeRate, *r.ClosureRate, r.Rank)
	}
	// Output: 2026-12-01 440303003 东门街道 2 1 1 0.5 0.5 1
}

// ExampleFeed_ChangesSince resumes after a change number: the events changed since, each once
// and as it is now.
func ExampleFeed_ChangesSince() {
	feed, _ := dispatch.NewFeed(nil, dispatch.DupConfig{})
	at := time.Date(2026, 12, 1, 9, 0, 0, 0, cst)
	vendor, _ := data.ParseClassRef("0501", 0, data.KindEvent)
	for _, id := range []string{"A", "B", "C"} {
		feed.Put(data.Event{ID: id, Class: vendor, Point: orb.Point{114.1, 22.55}}, at)
	}
	feed.Close("B", at.Add(time.Hour))
	evs, head, ok := feed.ChangesSince(1)
	for _, e := range evs {
		fmt.Println(e.Seq, e.ID, e.Status)
	}
	fmt.Println(head, ok)
	// Output:
	// 3 C open
	// 4 B closed
	// 4 true
}
