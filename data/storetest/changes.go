package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"citygeo/data"

	"github.com/google/go-cmp/cmp"
	"github.com/paulmach/orb"
)

// RunChanges runs the change-store suite (data.ChangeStore): history, pending changes, versions
// made of changes, the change log. newOpener is called once per subtest and returns an Opener on
// a new, empty store whose handles are data.ChangeStores.
func RunChanges(t *testing.T, newOpener func(t *testing.T) Opener) {
	for _, tc := range []struct {
		name string
		run  func(*testing.T, Opener)
	}{
		{"RecordHistoryPending", testRecordHistoryPending},
		{"DeltaVersion", testDeltaVersion},
		{"DeltaRebasesLaterChanges", testDeltaRebase},
		{"ChangesAfterPages", testChangesAfter},
		{"UnknownBase", testUnknownBase},
		{"LoadAsOf", testLoadAsOf},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.run(t, newOpener(t)) })
	}
}

func openChanges(t *testing.T, o Opener) data.ChangeStore {
	t.Helper()
	s, ok := open(t, o).(data.ChangeStore)
	if !ok {
		t.Fatal("the store is no data.ChangeStore")
	}
	return s
}

// componentChange returns a change of component id against base: an update or create with name
// (and the point), or a delete when name is "".
func componentChange(base int64, id, name string, op data.Op) data.Change {
	c := data.Change{Base: base, Layer: data.LayerComponent, ID: id, Op: op, Who: "gis1", Why: "巡查发现",
		Fields: []data.FieldChange{{Key: "name", Old: "", New: name}}}
	if op != data.OpDelete {
		c.After = &data.Dataset{Components: []*data.Component{{ID: id, Scheme: data.CJT214, Major: "01", Minor: "01",
			Name: name, Status: data.StatusLost, Geometry: orb.Point{114.1003, 22.5003}, Extra: map[string]string{"K": "v"}}}}
	}
	return c
}

func ids(cs []data.Change) []int64 {
	out := []int64{}
	for _, c := range cs {
		out = append(out, c.Seq)
	}
	return out
}

func testRecordHistoryPending(t *testing.T, o Opener) {
	ctx := context.Background()
	s := openChanges(t, o)
	v, err := s.Save(ctx, FullDataset(), "import")
	if err != nil {
		t.Fatal(err)
	}
	cs := []data.Change{
		componentChange(v, "4403030101000001", "改名井盖", data.OpUpdate),
		componentChange(v, "4403030101000009", "新井盖", data.OpCreate),
	}
	cs[0].Case = "EV-1"
	if err := s.Record(ctx, cs); err != nil {
		t.Fatal(err)
	}
	if cs[0].Seq == 0 || cs[1].Seq <= cs[0].Seq || cs[0].At.IsZero() {
		t.Fatalf("Record set seq %d, %d and at %v", cs[0].Seq, cs[1].Seq, cs[0].At)
	}
	// Another handle, as another process, reads what this one recorded.
	other := openChanges(t, o)
	h, err := other.History(ctx, data.LayerComponent, "4403030101000001")
	if err != nil {
		t.Fatal(err)
	}
	if len(h) != 1 {
		t.Fatalf("history has %d changes, want 1", len(h))
	}
	want := cs[0]
	want.At = want.At.UTC()
	h[0].At = h[0].At.UTC()
	if d := cmp.Diff(want, h[0]); d != "" {
		t.Errorf("history (-recorded +read):\n%s", d)
	}
	p, end, err := other.Pending(ctx, v)
	if err != nil {
		t.Fatal(err)
	}
	if end != cs[len(cs)-1].Seq {
		t.Errorf("Pending's log end = %d, want the last change recorded, %d", end, cs[len(cs)-1].Seq)
	}
	if got := ids(p); !cmp.Equal(got, []int64{cs[0].Seq, cs[1].Seq}) {
		t.Errorf("pending = %v, want both", got)
	}
	// Pending changes are not part of the version: Load still gives the version as saved.
	ds, err := other.Load(ctx, v)
	if err != nil {
		t.Fatal(err)
	}
	if len(ds.Components) != 3 || ds.Components[0].Name != "上水井盖" {
		t.Errorf("version %d changed by recording changes: %d components, first %q", v, len(ds.Components), ds.Components[0].Name)
	}
}

func testDeltaVersion(t *testing.T, o Opener) {
	ctx := context.Background()
	s := openChanges(t, o)
	v1, err := s.Save(ctx, FullDataset(), "import")
	if err != nil {
		t.Fatal(err)
	}
	edit := []data.Change{componentChange(v1, "4403030101000001", "改名井盖", data.OpUpdate)}
	if err := s.Record(ctx, edit); err != nil {
		t.Fatal(err)
	}
	imp := []data.Change{
		componentChange(0, "44030302004000001", "", data.OpDelete),
		componentChange(0, "4403030101000009", "新井盖", data.OpCreate),
	}
	v2, err := s.SaveDelta(ctx, data.Delta{Parent: v1, Changes: imp, Source: "upsert a.csv",
		Counts: map[data.Layer]int{data.LayerComponent: 3}})
	if err != nil {
		t.Fatal(err)
	}
	if imp[0].Base != v1 || imp[0].Seq <= edit[0].Seq {
		t.Errorf("delta's changes recorded as base %d seq %d", imp[0].Base, imp[0].Seq)
	}
	if a, err := s.ActiveVersion(ctx); err != nil || a != v2 {
		t.Errorf("active = %d, %v; want the delta version %d", a, err, v2)
	}
	got, err := s.Load(ctx, v2)
	if err != nil {
		t.Fatal(err)
	}
	want := data.Apply(FullDataset(), append(edit, imp...))
	if got.Version != v2 || got.Source != "upsert a.csv" || got.Name != "test city" {
		t.Errorf("header = v%d %q %q", got.Version, got.Source, got.Name)
	}
	var names []string
	for _, c := range got.Components {
		names = append(names, c.ID+" "+c.Name)
	}
	if d := cmp.Diff([]string{"4403030101000001 改名井盖", "4403030405000001 ", "4403030101000009 新井盖"}, names); d != "" {
		t.Errorf("delta version's components (-want +got):\n%s", d)
	}
	got.Version, got.CreatedAt, got.Source, want.Source = 0, time.Time{}, "", ""
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("Load(delta) is not parent + changes (-want +got):\n%s", d)
	}
	for _, tc := range []struct {
		v    int64
		want []string
	}{
		{v1, []string{"4403030101000001 上水井盖", "44030302004000001 "}},
		{v2, []string{"4403030101000001 改名井盖", "4403030101000009 新井盖"}},
	} {
		fs, err := s.LoadFeatures(ctx, tc.v, data.LayerComponent, []string{"4403030101000001", "44030302004000001", "4403030101000009", "nope"})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, c := range fs.Components {
			got = append(got, c.ID+" "+c.Name)
		}
		if d := cmp.Diff(tc.want, got); d != "" {
			t.Errorf("LoadFeatures of version %d (-want +got):\n%s", tc.v, d)
		}
	}
	if fs, err := s.LoadFeatures(ctx, v2, data.LayerGrid, []string{"440303001001002"}); err != nil || len(fs.Grids) != 1 || len(fs.Components) != 0 {
		t.Errorf("LoadFeatures of a grid: %v", err)
	}
	if _, err := s.LoadFeatures(ctx, 99, data.LayerGrid, []string{"x"}); !errors.Is(err, data.ErrNoVersion) {
		t.Errorf("LoadFeatures of version 99: %v", err)
	}
	part, err := s.LoadLayers(ctx, v2, []data.Layer{data.LayerGrid})
	if err != nil {
		t.Fatal(err)
	}
	if len(part.Components) != 0 || len(part.Grids) != 2 {
		t.Errorf("LoadLayers(grid) of a delta: %d components, %d grids", len(part.Components), len(part.Grids))
	}
	for _, base := range []int64{v1, v2} {
		p, end, err := s.Pending(ctx, base)
		if err != nil || len(p) != 0 {
			t.Errorf("pending of %d = %v, %v; want none (all sealed in %d)", base, ids(p), err, v2)
		}
		// A reader of the log serving base (v1 rolled back to, say) takes up after the changes
		// sealed in v2, never serving them again.
		if end < edit[0].Seq {
			t.Errorf("pending of %d: log end %d, before the sealed change %d", base, end, edit[0].Seq)
		}
	}
	vs, err := s.Versions(ctx)
	if err != nil || len(vs) != 2 || vs[1].Counts[data.LayerComponent] != 3 {
		t.Errorf("versions = %+v, %v", vs, err)
	}
	seq, err := s.VersionSeq(ctx, v2)
	if err != nil || seq != imp[1].Seq {
		t.Errorf("VersionSeq(%d) = %d, %v; want %d", v2, seq, err, imp[1].Seq)
	}
	if _, err := s.VersionSeq(ctx, 99); !errors.Is(err, data.ErrNoVersion) {
		t.Errorf("VersionSeq(99) = %v, want ErrNoVersion", err)
	}
	// A rollback to the parent serves the parent alone: its changes are sealed in v2.
	if err := s.Activate(ctx, v1); err != nil {
		t.Fatal(err)
	}
	if ds, err := s.Load(ctx, v1); err != nil || ds.Components[0].Name != "上水井盖" || len(ds.Components) != 3 {
		t.Errorf("parent after its delta: %v", err)
	}
}

func testDeltaRebase(t *testing.T, o Opener) {
	ctx := context.Background()
	s := openChanges(t, o)
	v1, err := s.Save(ctx, FullDataset(), "import")
	if err != nil {
		t.Fatal(err)
	}
	cs := []data.Change{
		componentChange(v1, "4403030101000001", "第一", data.OpUpdate),
		componentChange(v1, "4403030101000001", "第二", data.OpUpdate),
	}
	if err := s.Record(ctx, cs); err != nil {
		t.Fatal(err)
	}
	// A fold built from the first change only: the second was made while it was built.
	v2, err := s.SaveDelta(ctx, data.Delta{Parent: v1, Upto: cs[0].Seq, Source: "fold"})
	if err != nil {
		t.Fatal(err)
	}
	ds, err := s.Load(ctx, v2)
	if err != nil || ds.Components[0].Name != "第一" {
		t.Fatalf("fold holds %q, %v; want the first change only", ds.Components[0].Name, err)
	}
	p, _, err := s.Pending(ctx, v2)
	if err != nil || len(p) != 1 || p[0].Seq != cs[1].Seq || p[0].Base != v2 {
		t.Fatalf("pending of the fold = %+v, %v; want the second change, rebased", p, err)
	}
	if p, _, _ := s.Pending(ctx, v1); len(p) != 0 {
		t.Errorf("parent still has %d pending changes", len(p))
	}
	for v, want := range map[int64]int64{v1: 0, v2: v1} {
		if p, err := s.DeltaParent(ctx, v); err != nil || p != want {
			t.Errorf("DeltaParent(%d) = %d, %v; want %d", v, p, err, want)
		}
	}
	if _, err := s.DeltaParent(ctx, v2+7); !errors.Is(err, data.ErrNoVersion) {
		t.Errorf("DeltaParent of no version = %v, want ErrNoVersion", err)
	}
	// A second fold of v1 (another replica's, late): v2 is active, so it must not become one.
	if _, err := s.SaveDelta(ctx, data.Delta{Parent: v1, Source: "late fold"}); !errors.Is(err, data.ErrStaleBase) {
		t.Errorf("SaveDelta of a parent no longer active = %v, want ErrStaleBase", err)
	}
	if a, err := s.ActiveVersion(ctx); err != nil || a != v2 {
		t.Errorf("after a refused delta the active version is %d, %v; want %d", a, err, v2)
	}
	v3, err := s.SaveDelta(ctx, data.Delta{Parent: v2, Source: "fold"})
	if err != nil {
		t.Fatal(err)
	}
	if ds, err := s.Load(ctx, v3); err != nil || ds.Components[0].Name != "第二" || len(ds.Components) != 3 {
		t.Errorf("second fold: %v", err)
	}
}

func testChangesAfter(t *testing.T, o Opener) {
	ctx := context.Background()
	s := openChanges(t, o)
	v, err := s.Save(ctx, FullDataset(), "import")
	if err != nil {
		t.Fatal(err)
	}
	if seq, err := s.VersionSeq(ctx, v); err != nil || seq != 0 {
		t.Errorf("VersionSeq of the first version = %d, %v", seq, err)
	}
	var all []int64
	for i := range 5 {
		c := []data.Change{componentChange(v, "4403030101000001", string(rune('a'+i)), data.OpUpdate)}
		if err := s.Record(ctx, c); err != nil {
			t.Fatal(err)
		}
		all = append(all, c[0].Seq)
	}
	var got []int64
	after := int64(0)
	for {
		page, err := s.ChangesAfter(ctx, after, 2)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		if len(page) > 2 {
			t.Fatalf("page of %d, limit 2", len(page))
		}
		got = append(got, ids(page)...)
		after = page[len(page)-1].Seq
	}
	if !cmp.Equal(got, all) {
		t.Errorf("paged %v, want %v", got, all)
	}
	v2, err := s.Save(ctx, FullDataset(), "replace")
	if err != nil {
		t.Fatal(err)
	}
	if seq, err := s.VersionSeq(ctx, v2); err != nil || seq != all[4] {
		t.Errorf("VersionSeq of a full version saved after 5 changes = %d, %v; want %d", seq, err, all[4])
	}
}

func testUnknownBase(t *testing.T, o Opener) {
	ctx := context.Background()
	s := openChanges(t, o)
	v, err := s.Save(ctx, FullDataset(), "import")
	if err != nil {
		t.Fatal(err)
	}
	cs := []data.Change{componentChange(v, "4403030101000001", "ok", data.OpUpdate), componentChange(v+7, "4403030101000001", "bad", data.OpUpdate)}
	if err := s.Record(ctx, cs); !errors.Is(err, data.ErrNoVersion) {
		t.Fatalf("Record against an unknown version = %v, want ErrNoVersion", err)
	}
	if h, _ := s.History(ctx, data.LayerComponent, "4403030101000001"); len(h) != 0 {
		t.Errorf("a failed Record kept %d changes: it must be all or nothing", len(h))
	}
	if _, err := s.SaveDelta(ctx, data.Delta{Parent: v + 7}); !errors.Is(err, data.ErrNoVersion) {
		t.Errorf("SaveDelta of an unknown parent = %v, want ErrNoVersion", err)
	}
}

func testLoadAsOf(t *testing.T, o Opener) {
	ctx := context.Background()
	s := openChanges(t, o)
	v, err := s.Save(ctx, FullDataset(), "import")
	if err != nil {
		t.Fatal(err)
	}
	saved := time.Now()
	if _, err := data.LoadAsOf(ctx, s, saved.Add(-time.Hour)); !errors.Is(err, data.ErrNoVersion) {
		t.Errorf("as of before the first version: %v", err)
	}
	c1 := []data.Change{componentChange(v, "4403030101000001", "一", data.OpUpdate)}
	c1[0].At = saved.Add(time.Minute)
	c2 := []data.Change{componentChange(v, "4403030101000001", "二", data.OpUpdate)}
	c2[0].At = saved.Add(2 * time.Minute)
	if err := s.Record(ctx, append(c1, c2...)); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		at   time.Time
		want string
	}{{saved, "上水井盖"}, {saved.Add(90 * time.Second), "一"}, {saved.Add(time.Hour), "二"}} {
		ds, err := data.LoadAsOf(ctx, s, tc.at)
		if err != nil {
			t.Fatal(err)
		}
		if got := ds.Components[0].Name; got != tc.want {
			t.Errorf("as of %v: %q, want %q", tc.at.Sub(saved), got, tc.want)
		}
	}
}
