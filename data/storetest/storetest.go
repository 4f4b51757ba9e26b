// Package storetest is the conformance suite every data.Store and data.EventStore backend must
// pass: the embedded SQLite store runs it in CI, and so does any other backend (PostGIS) with a
// database to test against. It asserts behaviour, never a backend's internals.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"citygeo/data"

	"github.com/google/go-cmp/cmp"
	"github.com/paulmach/orb"
)

// Opener opens one store for a test. Each call of Open on the same Opener must return a new
// handle on the same underlying store (another connection, as another process would have), so
// the suite can check that one handle sees another's writes. The suite closes what it opens.
type Opener interface {
	Open(t *testing.T) data.Store
}

// OpenerFunc adapts a function to Opener.
type OpenerFunc func(t *testing.T) data.Store

// Open calls f.
func (f OpenerFunc) Open(t *testing.T) data.Store { return f(t) }

// Run runs the dataset store suite. newOpener is called once per subtest and returns an Opener
// on a new, empty store.
func Run(t *testing.T, newOpener func(t *testing.T) Opener) {
	for _, tc := range []struct {
		name string
		run  func(*testing.T, Opener)
	}{
		{"RoundTrip", testRoundTrip},
		{"VersionsActivate", testVersionsActivate},
		{"LoadLayers", testLoadLayers},
		{"WatchSeesOtherHandle", testWatchSeesOtherHandle},
		{"WatchEndsWithContext", testWatchEndsWithContext},
		{"StreamVersion", testStreamVersion},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.run(t, newOpener(t)) })
	}
}

// FullDataset sets every field of every layer, so a round trip that drops one fails.
func FullDataset() *data.Dataset {
	sq := orb.Polygon{{{114.1, 22.5}, {114.101, 22.5}, {114.101, 22.501}, {114.1, 22.501}, {114.1, 22.5}}}
	hole := orb.Polygon{sq[0], {{114.1002, 22.5002}, {114.1004, 22.5002}, {114.1004, 22.5004}, {114.1002, 22.5002}}}
	init := time.Date(2019, 3, 4, 0, 0, 0, 0, time.UTC)
	chg := time.Date(2024, 7, 1, 8, 30, 0, 0, time.FixedZone("CST", 8*3600))
	return &data.Dataset{
		Name:   "test city",
		Source: "unit test",
		Areas: []*data.Area{
			{Code: "440303", Name: "罗湖区", Level: data.District, Polygon: orb.MultiPolygon{sq, hole}, Label: orb.Point{114.1005, 22.5005}},
			{Code: "440303001", Name: "桂园街道", Level: data.Street, Parent: "440303", Polygon: orb.MultiPolygon{sq}, Derived: true},
			{Code: "440303001001", Name: "老围社区", Level: data.Community, Parent: "440303001"},
		},
		Grids: []*data.Grid{
			{Code: "440303001001001", Community: "440303001001", Polygon: sq, AreaM2: 11437.25, Derived: true},
			{Code: "440303001001002", Community: "440303001001", Polygon: hole, AreaM2: 0.1},
		},
		Components: []*data.Component{
			{ID: "4403030101000001", Scheme: data.CJT214, Major: "01", Minor: "01", Name: "上水井盖",
				Owner: data.MakeDept("11440303MB2C92110X", "区水务局"), Property: data.MakeDept("", "水务集团"),
				Maintainer: data.MakeDept("M1", ""), Grid: "440303001001001", Status: data.StatusDamaged,
				InitDate: data.DateOf(init), ChangeDate: data.DateOf(chg), Source: "实测", Note: "北侧", Geometry: orb.Point{114.1001, 22.5001},
				Extra: map[string]string{"MATERIAL": "铸铁", "SPEC": "Φ700"}},
			{ID: "44030302004000001", Scheme: data.GBT4767, Major: "02", Minor: "004", Geometry: orb.LineString{{114.1, 22.5}, {114.2, 22.6}}},
			{ID: "4403030405000001", Scheme: data.CJT214, Major: "04", Minor: "05", Geometry: sq},
		},
		Departments: []*data.Department{{Code: "11440303MB2C92110X", Name: "区水务局"}, {Code: "D2", Name: "城管局"}},
		Roads:       []*data.Road{{ID: 7, Name: "深南东路", Class: data.RoadArterial, Line: orb.LineString{{114.1, 22.5}, {114.11, 22.51}}}},
		Addresses: []*data.Address{{ID: 9, Road: "和平東路", Section: "三段", Lane: "228巷", Alley: "7弄", Number: 18, Suffix: "之1",
			Full: "和平東路三段228巷7弄18號之1", Point: orb.Point{121.55, 25.02}, Community: "440303001001", Source: "addresses.csv"}},
		Buildings: []*data.Building{
			{ID: 3, Compound: "翠竹苑", Name: "3栋", Address: "翠竹路18号", Point: orb.Point{114.1, 22.5}, Footprint: sq},
			{ID: 4, Compound: "翠竹苑", Name: "4栋", Point: orb.Point{114.1, 22.51}},
		},
		POIs: []*data.POI{{ID: 5, Name: "人民医院", Aliases: []string{"市人医"}, Category: "hospital", Address: "东门北路1017号", Point: orb.Point{114.12, 22.55}}},
	}
}

func open(t *testing.T, o Opener) data.Store {
	t.Helper()
	s := o.Open(t)
	t.Cleanup(func() { s.Close() })
	return s
}

func testRoundTrip(t *testing.T, o Opener) {
	ctx := context.Background()
	s := open(t, o)
	want := FullDataset()
	v, err := s.Save(ctx, want, "import a.shp")
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Load(ctx, v)
	if err != nil {
		t.Fatal(err)
	}
	// A store loads components into arenas the collector does not scan (data.Arena); other
	// layers may be, and then their features point only to what their arena keeps.
	if n, err := data.VerifyArena(got.Components, func(c *data.Component) string { return c.ID }); err != nil || n != len(got.Components) {
		t.Errorf("loaded components: %d of %d in arenas, %v", n, len(got.Components), err)
	}
	if _, err := data.VerifyArena(got.Grids, func(g *data.Grid) string { return g.Code }); err != nil {
		t.Errorf("loaded grids: %v", err)
	}
	if _, err := data.VerifyArena(got.Addresses, func(a *data.Address) string { return a.Full }); err != nil {
		t.Errorf("loaded addresses: %v", err)
	}
	if _, err := data.VerifyArena(got.Buildings, func(b *data.Building) string { return b.Name }); err != nil {
		t.Errorf("loaded buildings: %v", err)
	}
	if got.Version != v || got.CreatedAt.IsZero() || got.Source != "import a.shp" {
		t.Errorf("header = v%d %v %q", got.Version, got.CreatedAt, got.Source)
	}
	got.Version, got.CreatedAt, got.Source = 0, time.Time{}, want.Source
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("round trip (-want +got):\n%s", d)
	}
}

func testVersionsActivate(t *testing.T, o Opener) {
	ctx := context.Background()
	s := open(t, o)
	if _, err := s.ActiveVersion(ctx); !errors.Is(err, data.ErrNoActive) {
		t.Fatalf("empty store ActiveVersion err = %v", err)
	}
	if _, err := data.LoadActive(ctx, s); !errors.Is(err, data.ErrNoActive) {
		t.Fatalf("empty store LoadActive err = %v", err)
	}
	ds := FullDataset()
	v1, err := s.Save(ctx, ds, "first")
	if err != nil {
		t.Fatal(err)
	}
	ds.Components = ds.Components[:1]
	v2, err := s.Save(ctx, ds, "second")
	if err != nil {
		t.Fatal(err)
	}
	if v2 <= v1 {
		t.Errorf("second version %d is not after the first %d", v2, v1)
	}
	if a, _ := s.ActiveVersion(ctx); a != v2 {
		t.Errorf("active = %d after second save, want %d", a, v2)
	}
	vs, err := s.Versions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != 2 || vs[0].Counts[data.LayerComponent] != 3 || vs[1].Counts[data.LayerComponent] != 1 ||
		vs[0].Counts[data.LayerArea] != 3 || vs[0].Active || !vs[1].Active || vs[1].Source != "second" {
		t.Errorf("versions = %+v", vs)
	}
	if err := s.Activate(ctx, v1); err != nil {
		t.Fatal(err)
	}
	cur, err := data.LoadActive(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	if cur.Version != v1 || len(cur.Components) != 3 {
		t.Errorf("after rollback: v%d with %d components", cur.Version, len(cur.Components))
	}
	if err := s.Activate(ctx, 99); !errors.Is(err, data.ErrNoVersion) {
		t.Errorf("Activate(99) err = %v, want ErrNoVersion", err)
	}
	if _, err := s.Load(ctx, 99); !errors.Is(err, data.ErrNoVersion) {
		t.Errorf("Load(99) err = %v, want ErrNoVersion", err)
	}
	if a, _ := s.ActiveVersion(ctx); a != v1 {
		t.Errorf("failed Activate changed the active version to %d", a)
	}
}

func testLoadLayers(t *testing.T, o Opener) {
	ctx := context.Background()
	s := open(t, o)
	want := FullDataset()
	v, err := s.Save(ctx, want, "x")
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.LoadLayers(ctx, v, []data.Layer{data.LayerGrid, data.LayerPOI})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Grids) != len(want.Grids) || len(got.POIs) != len(want.POIs) || len(got.Areas)+len(got.Components)+len(got.Roads) != 0 {
		t.Errorf("LoadLayers(grid, poi) = %d grids, %d pois, %d areas, %d components", len(got.Grids), len(got.POIs), len(got.Areas), len(got.Components))
	}
}

// testWatchSeesOtherHandle: saves and a rollback through one handle reach a watch on another,
// ending at the version last activated.
func testWatchSeesOtherHandle(t *testing.T, o Opener) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	a, b := open(t, o), open(t, o)
	seen := make(chan int64, 10)
	go a.Watch(ctx, 10*time.Millisecond, func(v int64) { seen <- v }, nil)
	v1, err := b.Save(ctx, FullDataset(), "x")
	if err != nil {
		t.Fatal(err)
	}
	v2, err := b.Save(ctx, FullDataset(), "y")
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Activate(ctx, v1); err != nil {
		t.Fatal(err)
	}
	var got []int64
	for len(got) == 0 || got[len(got)-1] != v1 {
		select {
		case v := <-seen:
			got = append(got, v)
		case <-ctx.Done():
			t.Fatalf("watch saw %v, want it to end at %d (after %d)", got, v1, v2)
		}
	}
}

func testWatchEndsWithContext(t *testing.T, o Opener) {
	s := open(t, o)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Watch(ctx, time.Millisecond, func(int64) {}, nil) }()
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Watch after cancel = %v, want context.Canceled", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Watch did not return after its context ended")
	}
}

// RunEvents runs the event store suite. open is called to open the same event store again (a
// restart): what one handle Put must be in the next handle's LoadAll, history and change number
// (Seq) included. Each Put leaves in Seq a number above the one before: the caller's, which a
// one-process store keeps, or the store's own.
func RunEvents(t *testing.T, open func(t *testing.T) data.EventStore) {
	t0 := time.Date(2026, 11, 18, 2, 0, 0, 0, time.UTC)
	cst := time.FixedZone("CST", 8*3600)
	full := data.Event{ID: "2026111800001", Class: data.ClassRef{Scheme: data.CJT214, Kind: data.KindEvent, Code: "0501"},
		Point: orb.Point{114.1, 22.55}, Grid: "440303003020001", Community: "440303003020", Street: "440303003", District: "440303",
		Component: "4403030117000002", Department: data.DeptRef{Code: "D1", Name: "东门街道办事处"}, Deadline: t0.Add(8 * time.Hour),
		Priority: 2, Status: data.EventOpen, Reported: t0, Dispatched: t0.Add(30 * time.Second), Updated: t0.Add(time.Minute),
		Source: "监督员上报", Description: "东门中路 占道经营", Address: "深圳市罗湖区东门中路1号",
		History: []data.EventStep{{At: t0.In(cst), Status: data.EventOpen, Action: data.StepCreated, By: "desk-1", Note: "受理"}}}
	closed := data.Event{ID: "2026111800002", Class: data.ClassRef{Scheme: data.GBT4767, Kind: data.KindEvent, Code: "01001"},
		Point: orb.Point{114.2, 22.6}, Status: data.EventClosed, Reported: t0.Add(time.Second), Updated: t0.Add(time.Hour), Closed: t0.Add(time.Hour)}
	moved := full
	moved.Point, moved.Updated = orb.Point{114.11, 22.56}, t0.Add(2*time.Minute)
	moved.History = append(append([]data.EventStep(nil), full.History...),
		data.EventStep{At: t0.Add(2 * time.Minute), Status: data.EventOpen, Action: data.StepUpdated, Note: "移位"})

	st := open(t)
	var seq int64
	for i, e := range []*data.Event{&full, &closed, &moved} {
		e.Seq = int64(i + 1)
		if err := st.Put(e); err != nil { // a second Put of one id (moved) replaces it
			t.Fatal(err)
		}
		if e.Seq <= seq {
			t.Errorf("Put %d left Seq %d, want above %d", i, e.Seq, seq)
		}
		seq = e.Seq
	}
	if c, ok := st.(interface{ Close() error }); ok {
		if err := c.Close(); err != nil {
			t.Fatal(err)
		}
	}
	st = open(t)
	if c, ok := st.(interface{ Close() error }); ok {
		defer c.Close()
	}
	got, err := st.LoadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := []*data.Event{&closed, &moved} // in change order
	if d := cmp.Diff(want, got, cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) })); d != "" {
		t.Errorf("events after reopening (-want +got):\n%s", d)
	}
}

// RunEventChanges runs the suite of data.EventChanges, the change feed of an event store shared
// by several processes. newStore is called once per subtest and returns an opener of handles on
// a new, empty event store; each call of the opener opens the same store again, as another
// process would. A store that does not implement data.EventChanges keeps one-process semantics,
// and the suite skips, saying so.
func RunEventChanges(t *testing.T, newStore func(t *testing.T) func(t *testing.T) data.EventStore) {
	for _, tc := range []struct {
		name string
		run  func(*testing.T, func(*testing.T) data.EventChanges)
	}{
		{"OtherHandlesWrites", testChangesOtherHandle},
		{"ListenWakes", testChangesListen},
		{"ConcurrentWritersMissNothing", testChangesConcurrent},
	} {
		t.Run(tc.name, func(t *testing.T) {
			open := newStore(t)
			first := open(t)
			closeOnCleanup(t, first)
			if _, ok := first.(data.EventChanges); !ok {
				t.Skip("this event store has no change feed (data.EventChanges): each process sees only its own writes")
			}
			tc.run(t, func(t *testing.T) data.EventChanges {
				h := open(t).(data.EventChanges)
				closeOnCleanup(t, h)
				return h
			})
		})
	}
}

func closeOnCleanup(t *testing.T, st any) {
	if c, ok := st.(interface{ Close() error }); ok {
		t.Cleanup(func() { c.Close() })
	}
}

func changeEvent(id string, lon float64, at time.Time) data.Event {
	return data.Event{ID: id, Class: data.ClassRef{Scheme: data.CJT214, Kind: data.KindEvent, Code: "0501"},
		Point: orb.Point{lon, 22.55}, Status: data.EventOpen, Reported: at, Updated: at}
}

// changes reads the changes of st after since into a list of ids and returns the new cursor.
func changes(t *testing.T, st data.EventChanges, since int64) ([]string, []data.Event, int64) {
	t.Helper()
	var ids []string
	var evs []data.Event
	next, err := st.Changes(context.Background(), since, func(e *data.Event) {
		ids = append(ids, e.ID)
		evs = append(evs, *e)
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids, evs, next
}

// testChangesOtherHandle: what one handle writes, another reads as changes in write order, each
// event once and as it is now, and a cursor past the last write reads nothing.
func testChangesOtherHandle(t *testing.T, open func(*testing.T) data.EventChanges) {
	a, b := open(t), open(t)
	t0 := time.Date(2026, 11, 18, 2, 0, 0, 0, time.UTC)
	e1 := changeEvent("E1", 114.1, t0)
	if err := a.Put(&e1); err != nil {
		t.Fatal(err)
	}
	ids, _, c1 := changes(t, b, 0)
	if d := cmp.Diff([]string{"E1"}, ids); d != "" {
		t.Fatalf("changes from 0 (-want +got):\n%s", d)
	}
	e2 := changeEvent("E2", 114.2, t0.Add(time.Minute))
	moved := e1
	moved.Point, moved.Status, moved.Closed = orb.Point{114.3, 22.6}, data.EventClosed, t0.Add(2*time.Minute)
	for _, e := range []*data.Event{&e2, &moved} {
		if err := a.Put(e); err != nil {
			t.Fatal(err)
		}
	}
	ids, evs, c2 := changes(t, b, c1)
	if d := cmp.Diff([]string{"E2", "E1"}, ids); d != "" {
		t.Fatalf("changes after %d (-want +got):\n%s", c1, d)
	}
	if c2 <= c1 {
		t.Errorf("cursor went from %d to %d", c1, c2)
	}
	if d := cmp.Diff(moved, evs[1], cmp.Comparer(func(x, y time.Time) bool { return x.Equal(y) })); d != "" {
		t.Errorf("E1 as changed (-want +got):\n%s", d)
	}
	if ids, _, c3 := changes(t, b, c2); len(ids) != 0 || c3 != c2 {
		t.Errorf("changes after the last write = %v, cursor %d; want none, cursor %d", ids, c3, c2)
	}
}

// testChangesListen: a handle listening is woken by another handle's write, promptly.
func testChangesListen(t *testing.T, open func(*testing.T) data.EventChanges) {
	a, b := open(t), open(t)
	ctx, cancel := context.WithCancel(context.Background())
	wake := make(chan struct{}, 1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		b.Listen(ctx, wake, func(err error, _ time.Duration) { t.Logf("listen: %v", err) })
	}()
	defer func() { cancel(); <-done }()
	select {
	case <-done:
		t.Skip("Listen returned at once: this store can only be polled")
	case <-time.After(50 * time.Millisecond):
	}
	// Listen wakes once when it connects; whether that has happened yet is its business, so
	// write until a wake follows a write (and the one for the connection has been drained).
	t0 := time.Date(2026, 11, 18, 2, 0, 0, 0, time.UTC)
	deadline := time.Now().Add(5 * time.Second)
	for i := 0; time.Now().Before(deadline); i++ {
		drain(wake)
		e := changeEvent(fmt.Sprintf("L%d", i), 114.1, t0)
		if err := a.Put(&e); err != nil {
			t.Fatal(err)
		}
		select {
		case <-wake:
			if i > 0 {
				t.Logf("woken after write %d", i)
			}
			return
		case <-time.After(200 * time.Millisecond):
		}
	}
	t.Fatal("Listen never woke within 200 ms of another handle's write")
}

func drain(c <-chan struct{}) {
	for {
		select {
		case <-c:
		default:
			return
		}
	}
}

// testChangesConcurrent: four writers on two handles write new events while a third handle
// follows by cursor; at the end, the follower has read every event the store holds. A change
// feed that numbers writes when they start rather than when they commit loses some: a write
// that commits after a later-numbered one has been read lies behind the cursor.
func testChangesConcurrent(t *testing.T, open func(*testing.T) data.EventChanges) {
	writers := []data.EventChanges{open(t), open(t)}
	follower := open(t)
	t0 := time.Date(2026, 11, 18, 2, 0, 0, 0, time.UTC)
	const perWriter = 40
	seen := map[string]data.Event{}
	var cursor int64
	stop := make(chan struct{})
	followed := make(chan error, 1)
	go func() {
		for {
			select {
			case <-stop:
				followed <- nil
				return
			default:
			}
			var err error
			cursor, err = follower.Changes(context.Background(), cursor, func(e *data.Event) { seen[e.ID] = *e })
			if err != nil {
				followed <- err
				return
			}
		}
	}()
	var wg sync.WaitGroup
	for w, st := range writers {
		for g := range 2 {
			wg.Go(func() {
				for i := range perWriter {
					e := changeEvent(fmt.Sprintf("C%d-%d-%d", w, g, i), 114+float64(i)/1e4, t0.Add(time.Duration(i)*time.Second))
					if err := st.Put(&e); err != nil {
						t.Error(err)
						return
					}
				}
			})
		}
	}
	wg.Wait()
	close(stop)
	if err := <-followed; err != nil {
		t.Fatal(err)
	}
	// One last read after every write returned: what the follower then holds must be the store.
	if _, err := follower.Changes(context.Background(), cursor, func(e *data.Event) { seen[e.ID] = *e }); err != nil {
		t.Fatal(err)
	}
	all, err := writers[0].LoadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]data.Event{}
	for _, e := range all {
		want[e.ID] = *e
	}
	if d := cmp.Diff(want, seen, cmp.Comparer(func(x, y time.Time) bool { return x.Equal(y) })); d != "" {
		t.Errorf("events followed by changes differ from the store (-store +followed):\n%s", d)
	}
}

// testStreamVersion writes versions in parts (a data.StreamStore; skipped for a store that is
// not one): the parts and the rest at Commit load back as the whole dataset, a version being
// written is seen by no other handle, and an aborted one leaves the store as it was.
func testStreamVersion(t *testing.T, o Opener) {
	ctx := context.Background()
	s := open(t, o)
	ss, ok := s.(data.StreamStore)
	if !ok {
		t.Skip("not a data.StreamStore")
	}
	want := FullDataset()
	w, err := ss.BeginVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// Parts as an import hands them over: some layers twice, one not at all (areas come at Commit).
	parts := []*data.Dataset{
		{Components: want.Components[:1], Addresses: want.Addresses},
		{Components: want.Components[1:2], Grids: want.Grids[:1]},
		{Buildings: want.Buildings, Grids: want.Grids[1:]},
	}
	for i, p := range parts {
		if err := w.Write(p); err != nil {
			t.Fatalf("part %d: %v", i, err)
		}
	}
	other := open(t, o)
	if _, err := other.ActiveVersion(ctx); !errors.Is(err, data.ErrNoActive) {
		t.Errorf("another handle's ActiveVersion while a version is written = %v, want ErrNoActive", err)
	}
	v, err := w.Commit(ctx, want, "import parts")
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Abort(); err != nil {
		t.Errorf("Abort after Commit = %v, want nil", err)
	}
	got, err := other.Load(ctx, v)
	if err != nil {
		t.Fatal(err)
	}
	got.Version, got.CreatedAt, got.Source = 0, time.Time{}, want.Source
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("version written in parts (-want +got):\n%s", d)
	}
	vs, err := other.Versions(ctx)
	if err != nil || len(vs) != 1 || vs[0].Name != want.Name || vs[0].Source != "import parts" || vs[0].Counts[data.LayerComponent] != 3 {
		t.Fatalf("Versions = %+v, %v; want version %d named %q from \"import parts\" with 3 components", vs, err, v, want.Name)
	}

	// An aborted version: nothing of it is left, the active one is untouched.
	w, err = ss.BeginVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(&data.Dataset{Components: want.Components}); err != nil {
		t.Fatal(err)
	}
	if err := w.Abort(); err != nil {
		t.Fatal(err)
	}
	if err := w.Write(&data.Dataset{Components: want.Components}); err == nil {
		t.Error("Write after Abort = nil, want an error")
	}
	if active, err := other.ActiveVersion(ctx); err != nil || active != v {
		t.Errorf("ActiveVersion after an abort = %d, %v; want %d", active, err, v)
	}
	if vs, err := other.Versions(ctx); err != nil || len(vs) != 1 {
		t.Errorf("Versions after an abort = %+v, %v; want only version %d", vs, err, v)
	}
	// A Commit whose dataset lacks features already written is refused and drops the version.
	w, err = ss.BeginVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(&data.Dataset{Components: want.Components}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Commit(ctx, &data.Dataset{Components: want.Components[:1]}, "short"); err == nil {
		t.Error("Commit of a dataset shorter than its parts = nil error, want one")
	}
	if vs, err := other.Versions(ctx); err != nil || len(vs) != 1 {
		t.Errorf("Versions after a refused commit = %+v, %v; want only version %d", vs, err, v)
	}
}
