package export_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"citygeo/data/sqlite"
	"citygeo/export"
	importer "citygeo/import"
)

// TestSince makes a second version by importing an edited export of the first (one component
// changed, one removed, one added, one grid's area changed) and checks that the change set
// written in the exchange profile carries exactly those features and the removed id.
func TestSince(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st, err := sqlite.Open(ctx, filepath.Join(dir, "city.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ds := smallCity(t)
	v1, err := st.Save(ctx, ds, "test")
	if err != nil {
		t.Fatal(err)
	}

	edited := *ds
	edited.Components = slices.Clone(ds.Components)
	changed := *edited.Components[0]
	changed.Note = "井盖已更换 (edited)"
	edited.Components[0] = &changed
	removed := edited.Components[1]
	edited.Components = slices.Delete(edited.Components, 1, 2)
	added := *edited.Components[2]
	added.ID = added.ID[:10] + "999999"
	edited.Components = append(edited.Components, &added)
	edited.Grids = slices.Clone(ds.Grids)
	grid := *edited.Grids[5]
	grid.AreaM2 += 1
	edited.Grids[5] = &grid
	files, err := export.Write(&edited, filepath.Join(dir, "v2"), export.Options{})
	if err != nil {
		t.Fatal(err)
	}
	v2, rep, err := importer.Import(ctx, st, files, importer.Options{})
	if err != nil {
		t.Fatalf("import: %v (%+v)", err, rep.Findings)
	}

	old, err := st.Load(ctx, v1)
	if err != nil {
		t.Fatal(err)
	}
	cur, err := st.Load(ctx, v2)
	if err != nil {
		t.Fatal(err)
	}
	delta, deleted := export.Since(old, cur)
	out := filepath.Join(dir, "since")
	if _, err := export.Write(delta, out, export.Options{Profile: &export.GB47678, Deleted: deleted}); err != nil {
		t.Fatal(err)
	}
	to47678 := func(id string) string {
		s, err := export.To47678(id)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	want := map[string][]string{
		"component": {to47678(changed.ID), to47678(added.ID)},
		"grid":      {grid.Code},
		"deleted":   {to47678(removed.ID)},
	}
	got := map[string][]string{}
	ents, _ := os.ReadDir(out)
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join(out, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		var fc struct {
			Features []struct{ Properties map[string]any }
		}
		if err := json.Unmarshal(b, &fc); err != nil {
			t.Fatal(err)
		}
		name := e.Name()[:len(e.Name())-len(filepath.Ext(e.Name()))]
		for _, f := range fc.Features {
			for _, key := range []string{"GLBJBSM", "DYWGBSM", "ID"} {
				if s, ok := f.Properties[key].(string); ok {
					got[name] = append(got[name], s)
				}
			}
		}
	}
	for _, ids := range got {
		slices.Sort(ids)
	}
	for _, ids := range want {
		slices.Sort(ids)
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("change set (-want +got):\n%s", d)
	}

	none, gone := export.Since(cur, cur)
	if len(none.Components)+len(none.Grids)+len(gone) != 0 {
		t.Errorf("a version against itself: %d components, %d grids, %v deleted", len(none.Components), len(none.Grids), gone)
	}
}
