package field_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"citygeo/data"
	"citygeo/data/storetest"
	"citygeo/field"
)

// TestMemTracksConformance: the in-memory store passes the same suite as the SQLite one.
func TestMemTracksConformance(t *testing.T) {
	storetest.RunTracks(t, func(t *testing.T) func(t *testing.T) data.TrackStore {
		m := &field.MemTracks{}
		return func(t *testing.T) data.TrackStore { return m }
	})
}

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

var t0 = time.Date(2026, 11, 20, 1, 0, 0, 0, time.UTC) // 09:00 in Shenzhen

func open(t *testing.T, st data.TrackStore, opts field.Options) *field.Force {
	t.Helper()
	f, err := field.Open(context.Background(), st, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func fix(dev string, sec int, lon, lat float64) data.Fix {
	return data.Fix{Device: dev, Time: t0.Add(time.Duration(sec) * time.Second), Point: orb.Point{lon, lat}, Source: data.SourceHTTP}
}

func TestIngestChecksEachFix(t *testing.T) {
	reg, err := field.NewRegistry([]data.Device{{ID: "p1", Kind: data.DevicePerson}})
	if err != nil {
		t.Fatal(err)
	}
	c := &clock{t: t0.Add(time.Hour)}
	f := open(t, &field.MemTracks{}, field.Options{Devices: reg, Now: c.Now, RetentionDays: 7})
	good := fix("p1", 0, 114.12, 22.55)
	for _, tc := range []struct {
		name  string
		edit  func(*data.Fix)
		field string
	}{
		{"unknown device", func(x *data.Fix) { x.Device = "p2" }, "device"},
		{"no device", func(x *data.Fix) { x.Device = "" }, "device"},
		{"no time", func(x *data.Fix) { x.Time = time.Time{} }, "time"},
		{"future", func(x *data.Fix) { x.Time = c.Now().Add(time.Hour) }, "time"},
		{"past the retention", func(x *data.Fix) { x.Time = c.Now().AddDate(0, 0, -8) }, "time"},
		{"longitude", func(x *data.Fix) { x.Point[0] = 181 }, "lng"},
		{"latitude NaN", func(x *data.Fix) { x.Point[1] = nan() }, "lat"},
		{"null island", func(x *data.Fix) { x.Point = orb.Point{} }, "lng"},
		{"negative speed", func(x *data.Fix) { x.Speed = -1 }, "speed"},
		{"heading", func(x *data.Fix) { x.Heading = 361 }, "heading"},
		{"accuracy", func(x *data.Fix) { x.Accuracy = -3 }, "accuracy"},
		{"long status", func(x *data.Fix) { x.Status = strings.Repeat("巡", 11) }, "status"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bad := good
			tc.edit(&bad)
			ok := good
			ok.Time = ok.Time.Add(time.Duration(len(tc.name)) * time.Second)
			rep, err := f.Ingest(context.Background(), []data.Fix{ok, bad})
			if err != nil {
				t.Fatal(err)
			}
			if rep.Accepted != 1 || len(rep.Rejected) != 1 || rep.Rejected[0].Index != 1 || rep.Rejected[0].Field != tc.field {
				t.Errorf("report = %+v, want 1 accepted and index 1 refused on %s", rep, tc.field)
			}
		})
	}
	got, _ := f.Track(context.Background(), "p1", t0, t0.Add(time.Hour))
	if len(got) == 0 {
		t.Error("the good fixes of the batches were not stored")
	}
}

func nan() float64 { var z float64; return z / z }

func TestIngestMovesAndResends(t *testing.T) {
	c := &clock{t: t0.Add(time.Minute)}
	f := open(t, &field.MemTracks{}, field.Options{Now: c.Now})
	var got []field.Move
	var mu sync.Mutex
	f.Subscribe(func(ms []field.Move) { mu.Lock(); got = append(got, ms...); mu.Unlock() })
	ctx := context.Background()
	if _, err := f.Ingest(ctx, []data.Fix{fix("p", 10, 114.10, 22.55)}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Ingest(ctx, []data.Fix{fix("p", 20, 114.11, 22.55)}); err != nil {
		t.Fatal(err)
	}
	// A blind-area re-send older than the latest, and a re-send of the latest time elsewhere:
	// stored (the first) or kept once (the second), never moving the device.
	if _, err := f.Ingest(ctx, []data.Fix{fix("p", 5, 114.00, 22.50), fix("p", 20, 114.2, 22.6)}); err != nil {
		t.Fatal(err)
	}
	pos, ok := f.Position("p")
	if !ok || pos.Fix.Point != (orb.Point{114.11, 22.55}) || !pos.Fix.Time.Equal(t0.Add(20*time.Second)) {
		t.Errorf("position = %+v", pos.Fix)
	}
	from, to := field.Day(t0)
	if len(got) != 2 || got[0].Old != nil || *got[0].New != (orb.Point{114.10, 22.55}) ||
		*got[1].Old != (orb.Point{114.10, 22.55}) || *got[1].New != (orb.Point{114.11, 22.55}) {
		t.Errorf("moves = %+v", got)
	}
	// Two moves in one batch are one move for the map: readers never saw the middle point.
	if _, err := f.Ingest(ctx, []data.Fix{fix("q", 1, 114.3, 22.5), fix("p", 30, 114.12, 22.55), fix("p", 40, 114.13, 22.55)}); err != nil {
		t.Fatal(err)
	}
	if len(got) != 4 || got[3].Device != "p" || *got[3].Old != (orb.Point{114.11, 22.55}) || *got[3].New != (orb.Point{114.13, 22.55}) {
		t.Errorf("moves of a batch moving p twice = %+v", got[2:])
	}
	tr, err := f.Track(ctx, "p", from, to)
	if err != nil || len(tr) != 5 || tr[0].Point != (orb.Point{114.00, 22.50}) || tr[2].Point != (orb.Point{114.11, 22.55}) {
		t.Errorf("track = %+v, %v", tr, err)
	}
}

func TestRestartRestoresLatestOffline(t *testing.T) {
	st := &field.MemTracks{}
	c := &clock{t: t0.Add(time.Minute)}
	f, err := field.Open(context.Background(), st, field.Options{Now: c.Now})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Ingest(context.Background(), []data.Fix{fix("p", 0, 114.1, 22.5), fix("p", 30, 114.2, 22.6)}); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if _, err := f.Ingest(context.Background(), []data.Fix{fix("p", 40, 114.1, 22.5)}); !errors.Is(err, field.ErrClosed) {
		t.Errorf("Ingest after Close: %v, want ErrClosed", err)
	}
	g := open(t, st, field.Options{Now: c.Now})
	pos, ok := g.Position("p")
	if !ok || pos.Fix.Point != (orb.Point{114.2, 22.6}) {
		t.Fatalf("after restart: %+v, %v", pos, ok)
	}
	if pos.Online(c.Now(), 10*time.Second) {
		t.Error("a restored position counts as online before the device reports again")
	}
	g.Seen("p")
	if pos, _ := g.Position("p"); !pos.Online(c.Now(), 10*time.Second) {
		t.Error("a heartbeat did not bring the device online")
	}
}

// gate is a store whose first Append waits until released, to let ingests pile up.
type gate struct {
	field.MemTracks
	calls   atomic.Int32
	release chan struct{}
	fail    atomic.Bool
}

func (g *gate) Append(ctx context.Context, fs []data.Fix) error {
	if g.calls.Add(1) == 1 {
		<-g.release
	}
	if g.fail.Load() {
		return errors.New("disk full")
	}
	return g.MemTracks.Append(ctx, fs)
}

func TestGroupCommit(t *testing.T) {
	g := &gate{release: make(chan struct{})}
	f := open(t, g, field.Options{Now: func() time.Time { return t0.Add(time.Hour) }})
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := f.Ingest(context.Background(), []data.Fix{fix(fmt.Sprint("d", i), i, 114.1, 22.5)}); err != nil {
				t.Error(err)
			}
		}()
	}
	for f.Count() == 0 && g.calls.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond) // let the other 49 queue behind the first append
	close(g.release)
	wg.Wait()
	if n := g.calls.Load(); n > 3 {
		t.Errorf("50 concurrent ingests took %d store appends; want them grouped (≤ 3)", n)
	}
	if f.Count() != 50 {
		t.Errorf("%d positions, want 50", f.Count())
	}
}

func TestFailedStoreIsNotAcknowledged(t *testing.T) {
	g := &gate{release: make(chan struct{})}
	close(g.release)
	g.fail.Store(true)
	f := open(t, g, field.Options{Now: func() time.Time { return t0.Add(time.Hour) }})
	if _, err := f.Ingest(context.Background(), []data.Fix{fix("p", 0, 114.1, 22.5)}); err == nil {
		t.Fatal("Ingest succeeded on a failing store")
	}
	if _, ok := f.Position("p"); ok {
		t.Error("a fix the store refused became the latest position")
	}
}

func TestRetention(t *testing.T) {
	c := &clock{t: t0}
	st := &field.MemTracks{}
	f := open(t, st, field.Options{Now: c.Now, RetentionDays: 2})
	if _, err := f.Ingest(context.Background(), []data.Fix{fix("p", -3600, 114.1, 22.5), fix("p", 0, 114.1, 22.5)}); err != nil {
		t.Fatal(err)
	}
	c.Set(t0.Add(48*time.Hour - 30*time.Minute))
	n, err := f.Prune(context.Background())
	if err != nil || n != 1 {
		t.Errorf("Prune = %d, %v; want the fix older than two days", n, err)
	}
	c.Set(t0.Add(49 * time.Hour))
	if n, _ := f.Prune(context.Background()); n != 1 {
		t.Errorf("second Prune = %d, want 1", n)
	}
}

// TestRetentionForgetsPositions: a device whose latest fix passed the retention is shown
// nowhere (position, bounds, nearest), its tiles are told it left, and a restart does not
// bring it back; a device heard since stays.
func TestRetentionForgetsPositions(t *testing.T) {
	c := &clock{t: t0}
	st := &field.MemTracks{}
	f := open(t, st, field.Options{Now: c.Now, RetentionDays: 2})
	var left []field.Move
	f.Subscribe(func(ms []field.Move) {
		for _, m := range ms {
			if m.New == nil {
				left = append(left, m)
			}
		}
	})
	if _, err := f.Ingest(context.Background(), []data.Fix{fix("silent", 0, 114.1, 22.5), fix("busy", 0, 114.2, 22.6)}); err != nil {
		t.Fatal(err)
	}
	c.Set(t0.Add(47 * time.Hour))
	if _, err := f.Ingest(context.Background(), []data.Fix{fix("busy", 47*3600, 114.2, 22.6)}); err != nil {
		t.Fatal(err)
	}
	c.Set(t0.Add(49 * time.Hour))
	if _, err := f.Prune(context.Background()); err != nil {
		t.Fatal(err)
	}
	shown := func(f *field.Force) []string {
		var devs []string
		f.In(orb.Bound{Min: orb.Point{-180, -90}, Max: orb.Point{180, 90}}, func(p *field.Position) bool {
			devs = append(devs, p.Fix.Device)
			return true
		})
		return devs
	}
	if _, ok := f.Position("silent"); ok || !slices.Equal(shown(f), []string{"busy"}) {
		t.Errorf("after Prune: silent shown %v, devices in bounds %v; want busy only", ok, shown(f))
	}
	if len(left) != 1 || left[0].Device != "silent" || left[0].Old == nil {
		t.Errorf("moves to nowhere = %+v, want silent's", left)
	}
	nb, err := f.Nearest(field.NearestQuery{Point: orb.Point{114.1, 22.5}, K: 5}, nil)
	if err != nil || len(nb) != 1 || nb[0].Fix.Device != "busy" {
		t.Errorf("nearest = %+v, %v; want busy only", nb, err)
	}
	f.Close()
	// Restarted before the store was pruned (a crash between the two): still not shown.
	st2 := &field.MemTracks{}
	if err := st2.Append(context.Background(), []data.Fix{fix("silent", 0, 114.1, 22.5)}); err != nil {
		t.Fatal(err)
	}
	if g := open(t, st2, field.Options{Now: c.Now, RetentionDays: 2}); len(shown(g)) != 0 {
		t.Errorf("a restart shows %v, older than the retention", shown(g))
	}
}

// TestInBeyondTheGlobe: a bound past the globe's edge (at int32's last cell index) answers
// nothing instead of looping forever.
func TestInBeyondTheGlobe(t *testing.T) {
	f := open(t, &field.MemTracks{}, field.Options{Now: func() time.Time { return t0.Add(time.Hour) }})
	if _, err := f.Ingest(context.Background(), []data.Fix{fix("p", 0, 114.1, 22.5)}); err != nil {
		t.Fatal(err)
	}
	done := make(chan int)
	go func() {
		n := 0
		// One cell wide at int32's last cell: x++ would wrap and never pass the end.
		f.In(orb.Bound{Min: orb.Point{4294967.2944, 22}, Max: orb.Point{4294967.2945, 22.001}}, func(*field.Position) bool { n++; return true })
		done <- n
	}()
	select {
	case n := <-done:
		if n != 0 {
			t.Errorf("In found %d positions, want none", n)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("In did not return")
	}
}

func TestDay(t *testing.T) {
	// 23:30 UTC on the 19th is 07:30 on the 20th in Shenzhen: the patrol day is the 20th.
	from, to := field.Day(time.Date(2026, 11, 19, 23, 30, 0, 0, time.UTC))
	if !from.Equal(time.Date(2026, 11, 19, 16, 0, 0, 0, time.UTC)) || to.Sub(from) != 24*time.Hour {
		t.Errorf("Day = %v – %v", from, to)
	}
}

func TestParseDevices(t *testing.T) {
	csvIn := "\ufeffID,Kind,Name,Role,Team,Subject\n13912345678,vehicle,粤B12345,sanitation,环卫一队,粤B12345\nh-001,person,张三,patroller,东门中队,P001\n"
	jsonIn := `[{"id":"13912345678","kind":"vehicle","name":"粤B12345","role":"sanitation","team":"环卫一队","subject":"粤B12345"},
		{"id":"h-001","kind":"person","name":"张三","role":"patroller","team":"东门中队","subject":"P001"}]`
	for format, in := range map[string]string{"csv": csvIn, "json": jsonIn} {
		devs, err := field.ParseDevices(strings.NewReader(in), format)
		if err != nil {
			t.Fatalf("%s: %v", format, err)
		}
		reg, err := field.NewRegistry(devs)
		if err != nil {
			t.Fatalf("%s: %v", format, err)
		}
		if d := reg.Device("h-001"); d == nil || d.Name != "张三" || d.Role != "patroller" || d.Kind != data.DevicePerson || d.Subject != "P001" {
			t.Errorf("%s: h-001 = %+v", format, d)
		}
		if reg.Allows("h-002") || !reg.Allows("13912345678") {
			t.Errorf("%s: a strict registry allows the wrong devices", format)
		}
	}
	for name, devs := range map[string][]data.Device{
		"duplicate": {{ID: "a", Kind: data.DevicePerson}, {ID: "a", Kind: data.DevicePerson}},
		"bad kind":  {{ID: "a", Kind: "drone"}},
		"no id":     {{Kind: data.DevicePerson}},
	} {
		if _, err := field.NewRegistry(devs); err == nil {
			t.Errorf("%s: NewRegistry accepted it", name)
		}
	}
	var open *field.Registry
	if !open.Allows("anyone") || open.Device("anyone") != nil {
		t.Error("a nil registry must be open and list nothing")
	}
}

// TestObserve: fixes another process stored move this process's devices and reach its
// subscribers without being stored again; fixes not newer than a device's position (its own,
// read back, or a late one) change nothing and tell nobody.
func TestObserve(t *testing.T) {
	now := func() time.Time { return t0.Add(time.Hour) }
	own := &field.MemTracks{}
	f := open(t, own, field.Options{Now: now})
	var moved []string
	var told int
	f.Subscribe(func(ms []field.Move) {
		for _, m := range ms {
			moved = append(moved, m.Device)
		}
	})
	f.SubscribeFixes(func(fs []data.Fix) { told += len(fs) })
	if _, err := f.Ingest(context.Background(), []data.Fix{fix("mine", 0, 114.1, 22.55)}); err != nil {
		t.Fatal(err)
	}
	moved, told = nil, 0
	for _, tc := range []struct {
		name  string
		fixes []data.Fix
		moved []string
		told  int
		at    map[string]orb.Point
	}{
		{"another replica's fixes", []data.Fix{fix("theirs", 0, 114.2, 22.5), fix("theirs", 10, 114.21, 22.5)},
			[]string{"theirs"}, 2, map[string]orb.Point{"theirs": {114.21, 22.5}}},
		{"this process's own fix, read back", []data.Fix{fix("mine", 0, 114.1, 22.55)},
			nil, 0, map[string]orb.Point{"mine": {114.1, 22.55}}},
		{"a late fix of theirs", []data.Fix{fix("theirs", 5, 114.3, 22.5)},
			nil, 0, map[string]orb.Point{"theirs": {114.21, 22.5}}},
		{"a newer fix of mine stored elsewhere", []data.Fix{fix("mine", 20, 114.11, 22.55)},
			[]string{"mine"}, 1, map[string]orb.Point{"mine": {114.11, 22.55}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			moved, told = nil, 0
			if err := f.Observe(tc.fixes); err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(moved) != fmt.Sprint(tc.moved) || told != tc.told {
				t.Errorf("moved %v, told %d fixes; want %v, %d", moved, told, tc.moved, tc.told)
			}
			for dev, want := range tc.at {
				if p, ok := f.Position(dev); !ok || p.Fix.Point != want {
					t.Errorf("%s at %v (%v), want %v", dev, p.Fix.Point, ok, want)
				}
			}
		})
	}
	if got, _ := own.Track(context.Background(), "theirs", t0, t0.Add(time.Hour)); len(got) != 0 {
		t.Errorf("observed fixes were stored again: %v", got)
	}
	f.Close()
	if err := f.Observe([]data.Fix{fix("theirs", 30, 114.2, 22.5)}); !errors.Is(err, field.ErrClosed) {
		t.Errorf("Observe after Close: %v, want ErrClosed", err)
	}
}
