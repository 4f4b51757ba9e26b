package dispatch_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"citygeo/data"
	"citygeo/data/sqlite"
	"citygeo/dispatch"

	"github.com/paulmach/orb"
)

var (
	evParking, _ = data.ParseClassRef("0505", 0, data.KindEvent)
	evVendor, _  = data.ParseClassRef("0501", 0, data.KindEvent)
	evGarbage, _ = data.ParseClassRef("0102", 0, data.KindEvent)
)

// randomEvents makes n events over ~2 km × 2 km and 10 days, a quarter of them closed.
func randomEvents(rng *rand.Rand, n int, t0 time.Time) []data.Event {
	classes := []data.ClassRef{evParking, evVendor, evGarbage}
	out := make([]data.Event, n)
	for i := range out {
		e := data.Event{ID: fmt.Sprintf("E%06d", i), Class: classes[rng.IntN(len(classes))],
			Point:    orb.Point{114.1 + rng.Float64()*0.02, 22.55 + rng.Float64()*0.02},
			Reported: t0.Add(time.Duration(rng.Float64() * float64(240*time.Hour))), Status: data.EventOpen}
		if rng.IntN(4) == 0 {
			e.Status, e.Closed = data.EventClosed, e.Reported.Add(time.Hour)
		}
		if rng.IntN(10) == 0 {
			e.Component = fmt.Sprintf("C%d", rng.IntN(20))
		}
		out[i] = e
	}
	return out
}

// TestDuplicatesBrute checks the duplicate index against a linear scan on random events.
func TestDuplicatesBrute(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	t0 := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	cfg := dispatch.DupConfig{ByClass: map[string]dispatch.DupRule{"0505": {Radius: 120, Window: 36 * time.Hour}}, Limit: 1000}
	feed, err := dispatch.NewFeed(nil, cfg)
	if err != nil {
		t.Fatal(err)
	}
	evs := randomEvents(rng, 5000, t0)
	for _, e := range evs {
		if _, err := feed.Put(e, e.Reported); err != nil {
			t.Fatal(err)
		}
	}
	// Move some events, close others, so removal is exercised.
	for i := 0; i < 500; i++ {
		e := evs[rng.IntN(len(evs))]
		e.Point = orb.Point{114.1 + rng.Float64()*0.02, 22.55 + rng.Float64()*0.02}
		if rng.IntN(2) == 0 {
			e.Status, e.Closed = data.EventClosed, e.Reported.Add(2*time.Hour)
		}
		evs[mustIndex(evs, e.ID)] = e
		if _, err := feed.Put(e, e.Reported); err != nil {
			t.Fatal(err)
		}
	}
	for q := 0; q < 300; q++ {
		dq := dispatch.DupQuery{Point: orb.Point{114.1 + rng.Float64()*0.02, 22.55 + rng.Float64()*0.02},
			Class: []data.ClassRef{evParking, evVendor, evGarbage}[rng.IntN(3)],
			At:    t0.Add(time.Duration(rng.Float64() * float64(240*time.Hour)))}
		if rng.IntN(3) == 0 {
			dq.Component = fmt.Sprintf("C%d", rng.IntN(20))
		}
		got := feed.Duplicates(dq, nil)
		rule := cfg.For(dq.Class)
		var want []string
		for _, e := range evs {
			if !e.IsOpen() {
				continue
			}
			apart := e.Reported.Sub(dq.At).Abs()
			sameComp := dq.Component != "" && e.Component == dq.Component
			if sameComp || (e.Class == dq.Class && apart <= rule.Window && metres(dq.Point, e.Point) <= rule.Radius) {
				want = append(want, e.ID)
			}
		}
		var gotIDs []string
		for i, d := range got {
			gotIDs = append(gotIDs, d.EventID)
			if i > 0 && !d.SameComponent && !got[i-1].SameComponent && d.Distance < got[i-1].Distance {
				t.Fatalf("query %d: not ranked by distance: %+v", q, got)
			}
			if i > 0 && d.SameComponent && !got[i-1].SameComponent {
				t.Fatalf("query %d: same component not first: %+v", q, got)
			}
		}
		slices.Sort(gotIDs)
		slices.Sort(want)
		if !slices.Equal(gotIDs, want) {
			t.Fatalf("query %d %+v: got %v, want %v", q, dq, gotIDs, want)
		}
	}
}

func mustIndex(evs []data.Event, id string) int {
	return slices.IndexFunc(evs, func(e data.Event) bool { return e.ID == id })
}

// TestFeedChanges checks the map change notifications and the open-events box query.
func TestFeedChanges(t *testing.T) {
	feed, err := dispatch.NewFeed(nil, dispatch.DupConfig{})
	if err != nil {
		t.Fatal(err)
	}
	var changes []dispatch.Change
	feed.Subscribe(func(c dispatch.Change) { changes = append(changes, c) })
	t0 := time.Date(2026, 11, 18, 2, 0, 0, 0, time.UTC)
	a, b := orb.Point{114.1, 22.55}, orb.Point{114.2, 22.6}
	if _, err := feed.Put(data.Event{ID: "x", Class: evVendor, Point: a}, t0); err != nil {
		t.Fatal(err)
	}
	if _, err := feed.Put(data.Event{ID: "x", Class: evVendor, Point: b}, t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	got, ok := feed.Get("x")
	if !ok || !got.Reported.Equal(t0) || !got.Updated.Equal(t0.Add(time.Minute)) {
		t.Errorf("update lost the report time: %+v", got)
	}
	if _, err := feed.Close("x", t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := feed.Close("nope", t0); !errors.Is(err, dispatch.ErrUnknownEvent) {
		t.Errorf("closing an unknown id: %v", err)
	}
	if _, err := feed.Put(data.Event{ID: "x", Class: evVendor, Point: b, Status: data.EventClosed}, t0.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	want := []string{"<nil> → [114.1 22.55]", "[114.1 22.55] → [114.2 22.6]", "[114.2 22.6] → <nil>"}
	if len(changes) != len(want) {
		t.Fatalf("changes %v, want %v (a closed event re-closed changes no tile)", changes, want)
	}
	for i, c := range changes {
		if s := pt(c.Old) + " → " + pt(c.New); s != want[i] {
			t.Errorf("change %d: %s, want %s", i, s, want[i])
		}
	}
	if _, err := feed.Put(data.Event{ID: "y", Class: evVendor, Point: a}, t0); err != nil {
		t.Fatal(err)
	}
	var in []string
	feed.OpenIn(orb.Bound{Min: orb.Point{114.0, 22.5}, Max: orb.Point{114.15, 22.58}}, func(e data.Event) bool {
		in = append(in, e.ID)
		return true
	})
	if !slices.Equal(in, []string{"y"}) {
		t.Errorf("open in bound: %v, want [y]", in)
	}
	if _, err := feed.Put(data.Event{Class: evVendor, Point: a}, t0); !errors.Is(err, dispatch.ErrBadInput) {
		t.Errorf("event without id: %v", err)
	}
}

func pt(p *orb.Point) string {
	if p == nil {
		return "<nil>"
	}
	return fmt.Sprint(*p)
}

// TestSQLiteStore checks events survive closing and reopening the database, and the feed
// rebuilt from it answers as before.
func TestSQLiteStore(t *testing.T) {
	path := filepath.Join(t.TempDir(), "citygeo.db")
	st, err := sqlite.OpenEvents(path)
	if err != nil {
		t.Fatal(err)
	}
	feed, err := dispatch.NewFeed(st, dispatch.DupConfig{})
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 11, 18, 2, 0, 0, 0, time.UTC)
	ev := data.Event{ID: "2026111800001", Class: evVendor, Point: orb.Point{114.1, 22.55}, Grid: gridDongmen,
		Community: "440303003020", Street: "440303003", District: "440303", Component: "4403030117000002",
		Department: data.DeptRef{Code: "D1", Name: "东门街道办事处"}, Deadline: t0.Add(8 * time.Hour), Priority: 2,
		Reported: t0, Source: "监督员上报", Description: "东门中路 占道经营"}
	if _, err := feed.Put(ev, t0); err != nil {
		t.Fatal(err)
	}
	if _, err := feed.Put(data.Event{ID: "2026111800002", Class: evGarbage, Point: orb.Point{114.2, 22.6}, Reported: t0}, t0); err != nil {
		t.Fatal(err)
	}
	if _, err := feed.Close("2026111800002", t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}

	st, err = sqlite.OpenEvents(path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	feed2, err := dispatch.NewFeed(st, dispatch.DupConfig{})
	if err != nil {
		t.Fatal(err)
	}
	if all, open := feed2.Len(); all != 2 || open != 1 {
		t.Errorf("reloaded %d events, %d open; want 2, 1", all, open)
	}
	if n := feed2.Prune(t0.Add(30 * time.Minute)); n != 0 {
		t.Errorf("pruned %d events closed after the cut-off", n)
	}
	if n := feed2.Prune(t0.Add(2 * time.Hour)); n != 1 {
		t.Errorf("pruned %d, want the one closed event", n)
	}
	if all, open := feed2.Len(); all != 1 || open != 1 {
		t.Errorf("after prune %d events, %d open; want 1, 1", all, open)
	}
	got, _ := feed2.Get(ev.ID)
	ev.Status, ev.Updated = data.EventOpen, t0
	if !got.Reported.Equal(ev.Reported) || !got.Deadline.Equal(ev.Deadline) || got.Point != ev.Point ||
		got.Class != ev.Class || got.Department != ev.Department || got.Description != ev.Description || got.Component != ev.Component {
		t.Errorf("reloaded\n%+v\nwant\n%+v", got, ev)
	}
	dups := feed2.Duplicates(dispatch.DupQuery{Point: ev.Point, Class: evVendor, At: t0}, nil)
	if len(dups) != 1 || dups[0].EventID != ev.ID {
		t.Errorf("duplicates after reload: %+v", dups)
	}
}

func TestStats(t *testing.T) {
	feed, err := dispatch.NewFeed(nil, dispatch.DupConfig{})
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	put := func(id string, class data.ClassRef, grid string, rep time.Duration, deadline time.Duration, closed time.Duration) {
		t.Helper()
		e := data.Event{ID: id, Class: class, Grid: grid, Community: grid[:12], Street: grid[:9], Point: orb.Point{114.1, 22.55},
			Reported: t0.Add(rep), Deadline: t0.Add(rep + deadline)}
		if closed > 0 {
			e.Status, e.Closed = data.EventClosed, t0.Add(rep+closed)
		}
		if _, err := feed.Put(e, t0.Add(rep)); err != nil {
			t.Fatal(err)
		}
	}
	put("a", evVendor, gridDongmen, 0, 8*time.Hour, 2*time.Hour)             // closed in time
	put("b", evVendor, gridDongmen, time.Hour, 8*time.Hour, 0)               // open, overdue at now
	put("c", evParking, gridDongmenPed, time.Hour, 2*time.Hour, 3*time.Hour) // closed late
	put("d", evVendor, gridDatanglong, 2*time.Hour, 48*time.Hour, 0)         // open, in time
	put("e", evVendor, gridDatanglong, 30*24*time.Hour, time.Hour, 0)        // outside the period
	now := t0.Add(24 * time.Hour)
	major, _ := data.ParseClassRef("05", 0, data.KindEvent)
	tests := []struct {
		name string
		q    dispatch.StatsQuery
		want string
	}{
		{"by street", dispatch.StatsQuery{By: dispatch.ByStreet, Period: dispatch.PeriodAll, From: t0, To: t0.Add(7 * 24 * time.Hour), Now: now},
			"[440303003 3 2 2 #1 440303001 1 0 0 #2]"},
		{"by grid, one class", dispatch.StatsQuery{By: dispatch.ByGrid, Period: dispatch.PeriodAll, From: t0, To: t0.Add(7 * 24 * time.Hour), Class: &evVendor, Now: now},
			"[440303003020002 2 1 1 #1 440303001001001 1 0 0 #2]"},
		{"by community, major class, open-ended", dispatch.StatsQuery{By: dispatch.ByCommunity, Period: dispatch.PeriodAll, Class: &major, Now: now},
			"[440303003020 3 2 2 #1 440303001001 2 0 0 #2]"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tab, err := feed.Stats(tc.q)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range tab.Rows {
				got = append(got, fmt.Sprintf("%s %d %d %d #%d", r.Code, r.Reported, r.Closed, r.Overdue, r.Rank))
			}
			if fmt.Sprint(got) != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
		})
	}
	if _, err := dispatch.ParseStatsBy("county"); !errors.Is(err, dispatch.ErrBadInput) {
		t.Errorf("ParseStatsBy(county): %v", err)
	}
}

// TestFeedConcurrent runs dispatches, writes, box queries and stats at once (meant for -race).
func TestFeedConcurrent(t *testing.T) {
	feed, err := dispatch.NewFeed(nil, dispatch.DupConfig{})
	if err != nil {
		t.Fatal(err)
	}
	r, err := sampleResolver(feed)
	if err != nil {
		t.Fatal(err)
	}
	feed.Subscribe(func(dispatch.Change) {})
	t0 := time.Date(2026, 11, 18, 2, 0, 0, 0, time.UTC)
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 9))
			for i := range 300 {
				p := cellCentre(rng.IntN(len(testGrids)))
				switch i % 4 {
				case 0:
					e := data.Event{ID: fmt.Sprintf("w%d-%d", w, i%40), Class: evVendor, Point: p, Reported: t0}
					if _, err := feed.Put(e, t0); err != nil {
						t.Error(err)
					}
				case 1:
					if _, err := r.Resolve(context.Background(), dispatch.Input{Point: &p, Class: "0501", Kind: "event", At: t0}); err != nil {
						t.Error(err)
					}
				case 2:
					feed.OpenIn(orb.Bound{Min: orb.Point{114, 22}, Max: orb.Point{115, 23}}, func(data.Event) bool { return true })
				case 3:
					feed.Stats(dispatch.StatsQuery{By: dispatch.ByGrid, Now: t0})
					feed.Close(fmt.Sprintf("w%d-%d", w, rng.IntN(40)), t0)
				}
			}
		}()
	}
	wg.Wait()
}

func TestParseDupConfig(t *testing.T) {
	cfg, err := dispatch.ParseDupConfig(strings.NewReader(`{"default":{"radius_m":30,"window_hours":12},"classes":{"0505":{"radius_m":20,"window_hours":2},"01":{"radius_m":10,"window_hours":72}},"limit":5}`))
	if err != nil {
		t.Fatal(err)
	}
	comp0101, _ := data.ParseClassRef("0101", 0, data.KindComponent)
	for _, tc := range []struct {
		class data.ClassRef
		want  dispatch.DupRule
	}{
		{evParking, dispatch.DupRule{Radius: 20, Window: 2 * time.Hour}},
		{evVendor, dispatch.DupRule{Radius: 30, Window: 12 * time.Hour}},
		{comp0101, dispatch.DupRule{Radius: 10, Window: 72 * time.Hour}},
	} {
		if got := cfg.For(tc.class); got != tc.want {
			t.Errorf("For(%s) = %+v, want %+v", tc.class, got, tc.want)
		}
	}
	for _, bad := range []string{`{"default":{"radius_m":0,"window_hours":1}}`, `{"classes":{"5x":{"radius_m":1,"window_hours":1}}}`,
		`{"classes":{"0505":{"radius_m":1,"window_hours":-1}}}`, `{"radius":1}`, `{"limit":-1}`} {
		if _, err := dispatch.ParseDupConfig(strings.NewReader(bad)); err == nil {
			t.Errorf("accepted %s", bad)
		}
	}
}

// slowStore holds the Put of the open event whose description is hold until released, so a
// test can run a second writer while the first is between its read and its write.
type slowStore struct {
	dispatch.MemStore
	hold    string
	entered chan struct{}
	release chan struct{}
}

func (s *slowStore) Put(e *data.Event) error {
	if e.Description == s.hold && e.IsOpen() {
		s.entered <- struct{}{}
		<-s.release
	}
	return nil
}

// TestFeedCloseDuringUpdate closes an event while an update of it is being stored: the close
// must see the update (and keep it), not overwrite it with the version read before.
func TestFeedCloseDuringUpdate(t *testing.T) {
	st := &slowStore{hold: "v1", entered: make(chan struct{}), release: make(chan struct{})}
	feed, err := dispatch.NewFeed(st, dispatch.DupConfig{})
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 11, 18, 2, 0, 0, 0, time.UTC)
	p := cellCentre(0)
	if _, err := feed.Put(data.Event{ID: "E1", Class: evVendor, Point: p, Description: "v0"}, t0); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		moved := orb.Point{p[0] + 0.0001, p[1]}
		if _, err := feed.Put(data.Event{ID: "E1", Class: evVendor, Point: moved, Description: "v1"}, t0.Add(time.Minute)); err != nil {
			t.Error(err)
		}
	})
	<-st.entered // the update holds the writer lock, its store write pending
	closed := make(chan *data.Event)
	go func() {
		e, err := feed.Close("E1", t0.Add(2*time.Minute))
		if err != nil {
			t.Error(err)
		}
		closed <- e
	}()
	time.Sleep(20 * time.Millisecond) // let Close read the feed, if it can before the update lands
	close(st.release)
	wg.Wait()
	e := <-closed
	got, _ := feed.Get("E1")
	if e == nil || got.Description != "v1" || got.Status != data.EventClosed || got.Point[0] != p[0]+0.0001 {
		t.Fatalf("after a close racing an update: %+v; want the update (v1, moved) closed", got)
	}
	if _, open := feed.Len(); open != 0 {
		t.Errorf("%d events still open", open)
	}
}

// TestFeedUpdateCloseConcurrent updates and closes the same ids from several goroutines (meant
// for -race): each id ends with the last update's content, and the indexes agree with the map.
func TestFeedUpdateCloseConcurrent(t *testing.T) {
	feed, err := dispatch.NewFeed(nil, dispatch.DupConfig{})
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 11, 18, 2, 0, 0, 0, time.UTC)
	const ids = 8
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := range 200 {
				id := fmt.Sprintf("E%d", i%ids)
				if w%2 == 0 {
					e := data.Event{ID: id, Class: evVendor, Point: cellCentre(i % len(testGrids)), Description: fmt.Sprintf("w%d-%d", w, i)}
					if _, err := feed.Put(e, t0.Add(time.Duration(i)*time.Second)); err != nil {
						t.Error(err)
					}
				} else if _, err := feed.Close(id, t0.Add(time.Duration(i)*time.Second)); err != nil && !errors.Is(err, dispatch.ErrUnknownEvent) {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	open := 0
	feed.Each(func(e *data.Event) bool {
		if e.IsOpen() {
			open++
		}
		return true
	})
	n := 0
	feed.OpenIn(orb.Bound{Min: orb.Point{-180, -90}, Max: orb.Point{180, 90}}, func(data.Event) bool { n++; return true })
	if _, o := feed.Len(); o != open || n != open {
		t.Errorf("open events: map %d, duplicate index %d, map index %d", open, o, n)
	}
}

// FuzzParseDupConfig: duplicate rules are refused or hold radii and windows in their documented
// ranges, keyed by class codes of two, four or five digits.
func FuzzParseDupConfig(f *testing.F) {
	f.Add(`{"default":{"radius_m":30,"window_hours":12},"classes":{"0505":{"radius_m":20,"window_hours":2}},"limit":5}`)
	f.Add(`{"classes":{"x":{"radius_m":1e999,"window_hours":-1}},"limit":-3}`)
	f.Add(`{"default":{"radius_m":1,"window_hours":1e-15}}`)
	f.Fuzz(func(t *testing.T, in string) {
		cfg, err := dispatch.ParseDupConfig(strings.NewReader(in))
		if err != nil {
			return
		}
		if cfg.Limit < 0 {
			t.Fatalf("limit %d", cfg.Limit)
		}
		check := func(what string, r dispatch.DupRule) {
			if !(r.Radius > 0 && r.Radius <= 10_000) || r.Window <= 0 || r.Window > 8784*time.Hour {
				t.Fatalf("%s: %+v", what, r)
			}
		}
		if cfg.Default != (dispatch.DupRule{}) {
			check("default", cfg.Default)
		}
		for code, r := range cfg.ByClass {
			if l := len(code); (l != 2 && l != 4 && l != 5) || strings.Trim(code, "0123456789") != "" {
				t.Fatalf("class %q", code)
			}
			check(code, r)
		}
	})
}
