package dispatch_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/paulmach/orb"

	"citygeo/data"
	"citygeo/dispatch"
)

// TestQuery pages through the fixture's events with every filter and compares each full result
// with a plain filter of all events sorted newest first: nothing missed, nothing twice, the
// same order whatever the page size.
func TestQuery(t *testing.T) {
	c := newFixtureCity()
	t0 := time.Date(2026, 8, 15, 0, 0, 0, 0, cst)
	evs := fixtureEvents(c, 3000, t0)
	feed, err := dispatch.NewFeed(nil, dispatch.DupConfig{})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range evs {
		if _, err := feed.Put(e, e.Reported); err != nil {
			t.Fatal(err)
		}
	}
	major, _ := data.ParseClassRef("01", 0, data.KindEvent)
	box := orb.Bound{Min: orb.Point{114.1, 22.55}, Max: orb.Point{114.105, 22.555}}
	from, to := time.Date(2026, 9, 1, 0, 0, 0, 0, cst), time.Date(2026, 10, 1, 0, 0, 0, 0, cst)
	for _, tc := range []struct {
		name string
		q    dispatch.EventQuery
		keep func(e data.Event) bool
	}{
		{"open", dispatch.EventQuery{}, func(e data.Event) bool { return e.IsOpen() }},
		{"open in a box", dispatch.EventQuery{Bound: &box}, func(e data.Event) bool { return e.IsOpen() && box.Contains(e.Point) }},
		{"closed", dispatch.EventQuery{Status: dispatch.StatusClosed}, func(e data.Event) bool { return !e.IsOpen() }},
		{"all of a major class in September", dispatch.EventQuery{Status: dispatch.StatusAll, Class: &major, From: from, To: to},
			func(e data.Event) bool {
				return strings.HasPrefix(e.Class.Code, "01") && !e.Reported.Before(from) && e.Reported.Before(to)
			}},
		{"closed in a street from a source", dispatch.EventQuery{Status: dispatch.StatusClosed, Area: c.grids[5][:9], Source: "12319"},
			func(e data.Event) bool { return !e.IsOpen() && e.Street == c.grids[5][:9] && e.Source == "12319" }},
		{"all of a grid", dispatch.EventQuery{Status: dispatch.StatusAll, Grid: c.grids[3]}, func(e data.Event) bool { return e.Grid == c.grids[3] }},
		{"all of a community in a box", dispatch.EventQuery{Status: dispatch.StatusAll, Area: c.grids[0][:12], Bound: &box},
			func(e data.Event) bool { return e.Community == c.grids[0][:12] && box.Contains(e.Point) }},
	} {
		var want []string
		for _, e := range evs {
			if tc.keep(e) {
				want = append(want, e.Reported.Format(time.RFC3339Nano)+" "+e.ID)
			}
		}
		slices.Sort(want)
		slices.Reverse(want)
		for _, limit := range []int{1, 7, 100, 0} {
			t.Run(fmt.Sprintf("%s/limit %d", tc.name, limit), func(t *testing.T) {
				q := tc.q
				q.Limit = limit
				var got []string
				for pages := 0; ; pages++ {
					page, err := feed.Query(q)
					if err != nil {
						t.Fatal(err)
					}
					if limit > 0 && len(page.Events) > limit {
						t.Fatalf("page of %d, limit %d", len(page.Events), limit)
					}
					for _, e := range page.Events {
						got = append(got, e.Reported.Format(time.RFC3339Nano)+" "+e.ID)
					}
					if page.Next == "" || pages > len(want)+1 {
						break
					}
					q.After = page.Next
				}
				if d := cmp.Diff(want, got); d != "" {
					t.Errorf("(-want +got):\n%s", d)
				}
			})
		}
	}
	if _, err := feed.Query(dispatch.EventQuery{After: "not a cursor"}); !errors.Is(err, dispatch.ErrBadInput) {
		t.Errorf("bad cursor: %v", err)
	}
	if _, err := feed.Query(dispatch.EventQuery{Status: "pending"}); !errors.Is(err, dispatch.ErrBadInput) {
		t.Errorf("bad status: %v", err)
	}
}

// TestChangesSince: the change log gives every event changed after a number once, as it is
// now, in change order; after Prune, a number from before the pruned changes asks for a reset,
// as does a number the feed never gave.
func TestChangesSince(t *testing.T) {
	feed, err := dispatch.NewFeed(nil, dispatch.DupConfig{})
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 12, 1, 8, 0, 0, 0, cst)
	put := func(id string, closed bool, at time.Time) int64 {
		t.Helper()
		e := data.Event{ID: id, Class: evVendor, Point: orb.Point{114.1, 22.55}, Reported: t0}
		if closed {
			e.Status, e.Closed = data.EventClosed, at
		}
		got, err := feed.Put(e, at)
		if err != nil {
			t.Fatal(err)
		}
		return got.Seq
	}
	ids := func(evs []data.Event) string {
		var s []string
		for _, e := range evs {
			s = append(s, fmt.Sprintf("%s@%d", e.ID, e.Seq))
		}
		return strings.Join(s, " ")
	}
	a1 := put("A", false, t0)
	put("B", false, t0.Add(time.Minute))
	put("C", false, t0.Add(2*time.Minute))
	put("A", true, t0.Add(3*time.Minute)) // A closed: seq 4
	if evs, head, ok := feed.ChangesSince(a1); !ok || head != 4 || ids(evs) != "B@2 C@3 A@4" {
		t.Errorf("after %d: %s head %d ok %v", a1, ids(evs), head, ok)
	}
	if evs, head, ok := feed.ChangesSince(0); !ok || head != 4 || ids(evs) != "B@2 C@3 A@4" {
		t.Errorf("after 0: %s head %d ok %v", ids(evs), head, ok)
	}
	if evs, _, ok := feed.ChangesSince(4); !ok || len(evs) != 0 {
		t.Errorf("after the head: %s %v", ids(evs), ok)
	}
	if _, head, ok := feed.ChangesSince(99); ok || head != 4 {
		t.Errorf("after a number never given: ok %v head %d, want a reset at 4", ok, head)
	}
	// Many more changes than events: the log compacts, the answers stay the same.
	for i := range 3000 {
		put("B", false, t0.Add(time.Duration(10+i)*time.Minute))
	}
	if evs, head, ok := feed.ChangesSince(3); !ok || head != 3004 || ids(evs) != "A@4 B@3004" {
		t.Errorf("after 3, compacted: %s head %d ok %v", ids(evs), head, ok)
	}
	// Pruning A (closed) loses its change 4: resuming from before it resets, from after not.
	if n := feed.Prune(t0.Add(time.Hour)); n != 1 {
		t.Fatalf("pruned %d, want A", n)
	}
	if _, _, ok := feed.ChangesSince(3); ok {
		t.Error("after 3, A pruned: want a reset")
	}
	if evs, _, ok := feed.ChangesSince(4); !ok || ids(evs) != "B@3004" {
		t.Errorf("after 4, A pruned: %s %v", ids(evs), ok)
	}
	// A watcher is told of a change.
	w, stop := feed.Watch()
	defer stop()
	put("D", false, t0.Add(time.Hour))
	select {
	case <-w:
	case <-time.After(5 * time.Second):
		t.Error("watcher not told")
	}
}

// TestEventHistory: the feed keeps an event's history — created, dispatched, closed, reopened —
// with who wrote each step, whatever history the writer sends.
func TestEventHistory(t *testing.T) {
	feed, err := dispatch.NewFeed(nil, dispatch.DupConfig{})
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 12, 1, 8, 0, 0, 0, cst)
	e := data.Event{ID: "H", Class: evVendor, Point: orb.Point{114.1, 22.55}}
	steps := []struct {
		at   time.Duration
		edit func(*data.Event)
		who  dispatch.Author
	}{
		{0, func(*data.Event) {}, dispatch.Author{By: "desk-1", Note: "受理"}},
		{time.Hour, func(e *data.Event) { e.Department = data.DeptRef{Code: "D1", Name: "城管"} }, dispatch.Author{By: "desk-2"}},
		{2 * time.Hour, func(e *data.Event) { e.Description = "复核" }, dispatch.Author{}},
		{3 * time.Hour, func(e *data.Event) { e.Status = data.EventClosed }, dispatch.Author{By: "desk-1", Note: "已处置"}},
		{4 * time.Hour, func(e *data.Event) {
			e.Status, e.Closed, e.History = data.EventOpen, time.Time{}, []data.EventStep{{Action: "forged"}}
		}, dispatch.Author{By: "desk-3"}},
	}
	for _, st := range steps {
		st.edit(&e)
		got, err := feed.PutAs(e, t0.Add(st.at), st.who)
		if err != nil {
			t.Fatal(err)
		}
		e = *got
	}
	var got []string
	for _, s := range e.History {
		got = append(got, fmt.Sprintf("%s %s %s %s %s", s.At.In(cst).Format("15:04"), s.Action, s.Status, s.By, s.Note))
	}
	want := []string{"08:00 created open desk-1 受理", "09:00 dispatched open desk-2 ", "10:00 updated open  ",
		"11:00 closed closed desk-1 已处置", "12:00 reopened open desk-3 "}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("history (-want +got):\n%s", d)
	}
	if !e.Dispatched.Equal(t0.Add(time.Hour)) || !e.Reported.Equal(t0) {
		t.Errorf("reported %v dispatched %v, want 08:00 and 09:00", e.Reported, e.Dispatched)
	}
}

// FuzzQueryCursor: a cursor from a client is either one this feed gave (a page follows) or a
// bad-input error naming the cursor, never a panic; a cursor the feed gave pages on from where
// it left off.
func FuzzQueryCursor(f *testing.F) {
	feed, err := dispatch.NewFeed(nil, dispatch.DupConfig{})
	if err != nil {
		f.Fatal(err)
	}
	t0 := time.Date(2026, 12, 1, 8, 0, 0, 0, cst)
	for i := range 5 {
		if _, err := feed.Put(data.Event{ID: fmt.Sprintf("E%d", i), Class: evVendor, Point: orb.Point{114.1, 22.55}}, t0.Add(time.Duration(i)*time.Hour)); err != nil {
			f.Fatal(err)
		}
	}
	page, err := feed.Query(dispatch.EventQuery{Status: dispatch.StatusAll, Limit: 2})
	if err != nil || page.Next == "" {
		f.Fatal(page, err)
	}
	for _, s := range []string{page.Next, "", "x", "MTc2NDU0NzIwMDAwMDAwMDAwMC9FMg", "LTE", "Lw"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, cursor string) {
		page, err := feed.Query(dispatch.EventQuery{Status: dispatch.StatusAll, After: cursor, Limit: 2})
		var ie *dispatch.InputError
		if err != nil && (!errors.As(err, &ie) || ie.Field != "cursor") {
			t.Fatalf("cursor %q: %v, want nil or a bad cursor", cursor, err)
		}
		if len(page.Events) > 2 {
			t.Fatalf("cursor %q: %d events on a page of 2", cursor, len(page.Events))
		}
	})
}
