package dispatch_test

import (
	"context"
	"fmt"
	"strings"
	"time"

	"citygeo/data"
	"citygeo/dispatch"
	"citygeo/geo"

	"github.com/paulmach/orb"
)

// A street vendor reported in 东门街道 goes to the street office by the sample rules, with a
// deadline of 8 working hours; a second report nearby an hour later finds the first.
func ExampleResolver_Resolve() {
	rules, _ := dispatch.SampleRules()
	set, _ := dispatch.NewRuleSet(rules)
	ix, _ := geo.NewIndex(testCity(), geo.IndexOptions{})
	feed, _ := dispatch.NewFeed(nil, dispatch.DupConfig{})
	r := &dispatch.Resolver{Locator: dispatch.GeoLocator{Index: ix}, Rules: set, Feed: feed}

	p := orb.Point{114.1015, 22.5505}
	res, err := r.Resolve(context.Background(), dispatch.Input{Point: &p, Class: "0501", Kind: "event", Time: "2026-11-20T16:00:00+08:00"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Grid, res.Street.Name, res.ClassName)
	fmt.Println(res.Path, res.Rule.ID, res.Rule.Level, res.Department.Name)
	fmt.Println("deadline", res.Deadline.Format(time.RFC3339), res.DeadlineHours, "working hours")

	feed.Put(data.Event{ID: "2026112000001", Class: res.Class, Point: res.Point, Reported: res.Reported}, res.Reported)
	q := orb.Point{114.10158, 22.5505}
	res, _ = r.Resolve(context.Background(), dispatch.Input{Point: &q, Class: "0501", Kind: "event", Time: "2026-11-20T17:00:00+08:00"})
	for _, d := range res.Duplicates {
		fmt.Printf("duplicate of %s: %.0f m, %.0f h apart\n", d.EventID, d.Distance, d.ApartHours)
	}
	// Output:
	// 440303003020002 东门街道 无照经营游商
	// rule LH047 street 深圳市罗湖区东门街道办事处
	// deadline 2026-11-23T16:30:00+08:00 8 working hours
	// duplicate of 2026112000001: 8 m, 1 h apart
}

// Two rules that would both decide the same case are refused at import, naming both records.
func ExampleNewRuleSet() {
	rules, _ := dispatch.ParseRulesCSV(strings.NewReader(`id,kind,class,area,window,department_name,deadline_hours
night,event,0508,440303,22:00-07:00,城管局夜查队,2
day,event,0508,440303,,城管局,24
late,event,0508,440303,06:00-08:00,城管局早班,2
`))
	_, err := dispatch.NewRuleSet(rules)
	fmt.Println(err)
	// Output:
	// duty rule record 3 (late): area "440303": ties with record 1 (night): both give class 0508 in area 440303 at overlapping times; make one more specific or give them disjoint time windows
}

// An event is filed at 16:00, updated at 18:00 with a note and a hand-set priority (the report
// time and deadline stay), then closed the next morning.
func ExampleResolver_File() {
	rules, _ := dispatch.SampleRules()
	set, _ := dispatch.NewRuleSet(rules)
	ix, _ := geo.NewIndex(testCity(), geo.IndexOptions{})
	feed, _ := dispatch.NewFeed(nil, dispatch.DupConfig{})
	r := &dispatch.Resolver{Locator: dispatch.GeoLocator{Index: ix}, Rules: set, Feed: feed}
	ctx := context.Background()
	cst := time.FixedZone("CST", 8*3600)
	at := func(day, h int) time.Time { return time.Date(2026, 11, day, h, 0, 0, 0, cst) }

	p := orb.Point{114.1015, 22.5505}
	in := dispatch.Input{Point: &p, Class: "0501", Kind: "event"}
	ev, _ := r.File(ctx, "2026112000001", in, dispatch.Overrides{Source: "监督员上报"}, at(20, 16))
	fmt.Println(ev.Status, ev.Department.Name, ev.Reported.Format(time.RFC3339), ev.Deadline.Format(time.RFC3339))
	ev, _ = r.File(ctx, "2026112000001", in, dispatch.Overrides{Description: "复核属实", Priority: 1}, at(20, 18))
	fmt.Println(ev.Status, ev.Priority, ev.Reported.Format(time.RFC3339), ev.Updated.Format(time.RFC3339), ev.Deadline.Format(time.RFC3339))
	ev, _ = r.File(ctx, "2026112000001", dispatch.Input{}, dispatch.Overrides{Status: data.EventClosed}, at(21, 9))
	fmt.Println(ev.Status, ev.Closed.Format(time.RFC3339), ev.Description)
	// Output:
	// open 深圳市罗湖区东门街道办事处 2026-11-20T16:00:00+08:00 2026-11-23T16:30:00+08:00
	// open 1 2026-11-20T16:00:00+08:00 2026-11-20T18:00:00+08:00 2026-11-23T16:30:00+08:00
	// closed 2026-11-21T09:00:00+08:00 复核属实
}
