package store_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"citygeo/data"
	"citygeo/data/store"

	"github.com/google/go-cmp/cmp"
	"github.com/paulmach/orb"
)

// fullDataset sets every field of every layer, so a round trip that drops one fails.
func fullDataset() *data.Dataset {
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
				Owner: data.DeptRef{Code: "11440303MB2C92110X", Name: "区水务局"}, Property: data.DeptRef{Name: "水务集团"},
				Maintainer: data.DeptRef{Code: "M1"}, Grid: "440303001001001", Status: data.StatusDamaged,
				InitDate: init, ChangeDate: chg, Source: "实测", Note: "北侧", Geometry: orb.Point{114.1001, 22.5001},
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

func open(t *testing.T) *store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "city.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestRoundTrip(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	want := fullDataset()
	v, err := s.Save(ctx, want, "import a.shp")
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Load(ctx, v)
	if err != nil {
		t.Fatal(err)
	}
	if got.Version != v || got.CreatedAt.IsZero() || got.Source != "import a.shp" {
		t.Errorf("header = v%d %v %q", got.Version, got.CreatedAt, got.Source)
	}
	got.Version, got.CreatedAt, got.Source = 0, time.Time{}, want.Source
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("round trip (-want +got):\n%s", d)
	}
}

func TestVersionsActivate(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	if _, err := s.ActiveVersion(ctx); !errors.Is(err, store.ErrNoActive) {
		t.Fatalf("empty store ActiveVersion err = %v", err)
	}
	ds := fullDataset()
	v1, err := s.Save(ctx, ds, "first")
	if err != nil {
		t.Fatal(err)
	}
	ds.Components = ds.Components[:1]
	v2, err := s.Save(ctx, ds, "second")
	if err != nil {
		t.Fatal(err)
	}
	if a, _ := s.ActiveVersion(ctx); a != v2 {
		t.Errorf("active = %d after second save, want %d", a, v2)
	}
	vs, err := s.Versions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != 2 || vs[0].Counts[store.LayerComponent] != 3 || vs[1].Counts[store.LayerComponent] != 1 ||
		vs[0].Counts[store.LayerArea] != 3 || vs[0].Active || !vs[1].Active || vs[1].Source != "second" {
		t.Errorf("versions = %+v", vs)
	}
	if err := s.Activate(ctx, v1); err != nil {
		t.Fatal(err)
	}
	cur, err := s.LoadActive(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if cur.Version != v1 || len(cur.Components) != 3 {
		t.Errorf("after rollback: v%d with %d components", cur.Version, len(cur.Components))
	}
	if err := s.Activate(ctx, 99); !errors.Is(err, store.ErrNoVersion) {
		t.Errorf("Activate(99) err = %v, want ErrNoVersion", err)
	}
	if _, err := s.Load(ctx, 99); !errors.Is(err, store.ErrNoVersion) {
		t.Errorf("Load(99) err = %v, want ErrNoVersion", err)
	}
	if a, _ := s.ActiveVersion(ctx); a != v1 {
		t.Errorf("failed Activate changed the active version to %d", a)
	}
}

func TestWatchSeesOtherConnection(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	path := filepath.Join(t.TempDir(), "city.db")
	a, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	seen := make(chan int64, 10)
	go a.Watch(ctx, 10*time.Millisecond, func(v int64) { seen <- v }, nil)
	v1, err := b.Save(ctx, fullDataset(), "x")
	if err != nil {
		t.Fatal(err)
	}
	v2, err := b.Save(ctx, fullDataset(), "y")
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

func TestLoadLayers(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	want := fullDataset()
	v, err := s.Save(ctx, want, "x")
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.LoadLayers(ctx, v, []store.Layer{store.LayerGrid, store.LayerPOI})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Grids) != len(want.Grids) || len(got.POIs) != len(want.POIs) || len(got.Areas)+len(got.Components)+len(got.Roads) != 0 {
		t.Errorf("LoadLayers(grid, poi) = %d grids, %d pois, %d areas, %d components", len(got.Grids), len(got.POIs), len(got.Areas), len(got.Components))
	}
}

// TestOpenFileNames opens stores whose paths hold URI syntax, spaces and Chinese: the data must
// land in exactly that file, and a second Open must find it there.
func TestOpenFileNames(t *testing.T) {
	ctx := context.Background()
	for _, name := range []string{"a?b.db", "c#d.db", "城市 数据.db"} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, name)
			s, err := store.Open(ctx, path)
			if err != nil {
				t.Fatal(err)
			}
			v, err := s.Save(ctx, fullDataset(), "test")
			s.Close()
			if err != nil {
				t.Fatal(err)
			}
			if _, err := os.Stat(path); err != nil {
				t.Fatalf("store file: %v", err)
			}
			s, err = store.Open(ctx, path)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if got, err := s.ActiveVersion(ctx); err != nil || got != v {
				t.Errorf("reopened active version = %d, %v; want %d", got, err, v)
			}
		})
	}
}

// TestSaveInsertFails makes the feature insert fail partway (a trigger aborts one row): Save
// must return that error, leave the previous version active and intact, and the store must
// take the next Save.
func TestSaveInsertFails(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	v1, err := s.Save(ctx, fullDataset(), "first")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.DB().ExecContext(ctx, `CREATE TRIGGER fail_insert BEFORE INSERT ON feature
		WHEN NEW.layer = 'component' AND NEW.seq = 300 BEGIN SELECT RAISE(ABORT, 'injected failure'); END`); err != nil {
		t.Fatal(err)
	}
	big := fullDataset()
	c := big.Components[0]
	for i := range 5000 {
		cc := *c
		cc.ID = fmt.Sprintf("44030301010%05d", i)
		big.Components = append(big.Components, &cc)
	}
	_, err = s.Save(ctx, big, "second")
	if err == nil || !strings.Contains(err.Error(), "injected failure") {
		t.Fatalf("Save = %v, want the injected failure", err)
	}
	if av, err := s.ActiveVersion(ctx); err != nil || av != v1 {
		t.Fatalf("active version after failed save = %d, %v; want %d", av, err, v1)
	}
	got, err := s.Load(ctx, v1)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(got.Components); n != len(fullDataset().Components) {
		t.Errorf("version %d has %d components after a failed save, want %d", v1, n, len(fullDataset().Components))
	}
	if _, err := s.DB().ExecContext(ctx, `DROP TRIGGER fail_insert`); err != nil {
		t.Fatal(err)
	}
	v2, err := s.Save(ctx, big, "third")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := s.Load(ctx, v2); err != nil || len(got.Components) != len(big.Components) {
		t.Errorf("save after the failure: %v", err)
	}
}

// TestWatchSurvivesErrors makes the poll fail for a while (the active table renamed away): Watch
// must report each failure with a growing wait, keep polling, and see the version saved once
// the table is back.
func TestWatchSurvivesErrors(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	s := open(t)
	v1, err := s.Save(ctx, fullDataset(), "x")
	if err != nil {
		t.Fatal(err)
	}
	seen := make(chan int64, 10)
	type failure struct {
		err  error
		wait time.Duration
	}
	failed := make(chan failure, 100)
	const interval = 5 * time.Millisecond
	done := make(chan error, 1)
	go func() {
		done <- s.Watch(ctx, interval, func(v int64) { seen <- v }, func(err error, wait time.Duration) { failed <- failure{err, wait} })
	}()
	if v := <-seen; v != v1 {
		t.Fatalf("first version seen = %d, want %d", v, v1)
	}
	if _, err := s.DB().ExecContext(ctx, `ALTER TABLE active RENAME TO active_away`); err != nil {
		t.Fatal(err)
	}
	var waits []time.Duration
	for len(waits) < 3 {
		select {
		case f := <-failed:
			if f.err == nil {
				t.Fatal("onErr called with a nil error")
			}
			waits = append(waits, f.wait)
		case err := <-done:
			t.Fatalf("Watch returned %v while the store failed; want it to keep polling", err)
		case <-ctx.Done():
			t.Fatal("no failure reported")
		}
	}
	for i := 1; i < len(waits); i++ {
		if waits[i] <= waits[i-1] || waits[i] > store.MaxWatchBackoff {
			t.Errorf("waits = %v, want growing up to %v", waits, store.MaxWatchBackoff)
		}
	}
	if _, err := s.DB().ExecContext(ctx, `ALTER TABLE active_away RENAME TO active`); err != nil {
		t.Fatal(err)
	}
	v2, err := s.Save(ctx, fullDataset(), "y")
	if err != nil {
		t.Fatal(err)
	}
	select {
	case v := <-seen:
		if v != v2 {
			t.Errorf("version seen after the failures = %d, want %d", v, v2)
		}
	case err := <-done:
		t.Fatalf("Watch returned %v, want it to keep polling", err)
	case <-ctx.Done():
		t.Fatal("Watch did not see the version saved after the failures")
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Watch after cancel = %v, want context.Canceled", err)
	}
}
