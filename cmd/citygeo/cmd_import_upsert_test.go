package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"citygeo/data"
	"citygeo/data/sqlite"
	"citygeo/diff"
)

// upsertFixture writes, from the exported component file of a store's city, an upsert file of
// three changed rows (two renamed, one new) and one row marked deleted, and returns the file
// and the four ids in diff's order of layers: changed, added, removed.
func upsertFixture(t testing.TB, componentFile, out string) (string, []string) {
	t.Helper()
	b, err := os.ReadFile(componentFile)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(b), "\n")
	var feats []map[string]any
	for _, l := range lines[1:6] {
		var f map[string]any
		if err := json.Unmarshal([]byte(strings.TrimSuffix(l, ",")), &f); err != nil {
			t.Fatalf("line %q: %v", l, err)
		}
		feats = append(feats, f)
	}
	props := func(i int) map[string]any { return feats[i]["properties"].(map[string]any) }
	var ids []string
	for i := range 4 {
		ids = append(ids, props(i)["OBJID"].(string))
	}
	props(0)["OBJNAME"] = "改名路灯A"
	props(1)["OBJSTATE"] = "丢失"
	created := ids[2][:10] + "999999"
	props(2)["OBJID"], props(2)["OBJNAME"] = created, "新增路灯"
	props(3)["DELETE"] = 1
	var sb strings.Builder
	sb.WriteString(`{"type":"FeatureCollection","features":[` + "\n")
	for i, f := range feats[:4] {
		j, _ := json.Marshal(f)
		sb.Write(j)
		if i < 3 {
			sb.WriteString(",")
		}
		sb.WriteString("\n")
	}
	sb.WriteString("]}\n")
	path := filepath.Join(out, "component_upsert.geojson")
	if err := os.WriteFile(path, []byte(sb.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path, []string{ids[0], ids[1], created, ids[3]}
}

// TestImportUpsert: an upsert of three changes and one deletion makes a new version that stores
// only the changes (a few kilobytes), and diff lists exactly those four ids.
func TestImportUpsert(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "city.db")
	if out, err := run(t, "gen", "--grids", "500", "--components", "5000", "--seed", "4", "--store", db, "--out", filepath.Join(dir, "gj")); err != nil {
		t.Fatalf("gen: %v\n%s", err, out)
	}
	file, ids := upsertFixture(t, filepath.Join(dir, "gj", "component.geojson"), dir)
	before := fileSize(t, db)
	out, err := run(t, "import", "-q", "--mode", "upsert", "--store", db, file)
	if err != nil || !strings.Contains(out, "version 2 active") {
		t.Fatalf("import --mode upsert: %v\n%s", err, out)
	}
	if grown := fileSize(t, db) - before; grown > 64<<10 {
		t.Errorf("the upsert version added %d bytes to the store; want a few kilobytes", grown)
	}
	out, err = run(t, "diff", "--store", db, "1", "2")
	var d diff.Result
	if err != nil || json.Unmarshal([]byte(out), &d) != nil {
		t.Fatalf("diff: %v\n%.300s", err, out)
	}
	var changed []string
	for _, c := range d.Components.Changed {
		changed = append(changed, c.ID)
	}
	got := slices.Concat(changed, d.Components.Added, d.Components.Removed)
	if !slices.Equal(got, ids) {
		t.Errorf("diff lists %v, want exactly %v (changed ×2, added, removed)", got, ids)
	}
	if d.Grids.Changed == nil || len(d.Grids.Changed)+len(d.Grids.Added)+len(d.Grids.Removed) != 0 {
		t.Errorf("grids changed: %+v", d.Grids)
	}
	st, err := sqlite.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	h, err := st.History(context.Background(), data.LayerComponent, ids[1])
	if err != nil || len(h) != 1 || h[0].Op != data.OpUpdate || len(h[0].Fields) != 1 || h[0].Fields[0].New != "丢失" {
		t.Errorf("history of %s: %+v, %v", ids[1], h, err)
	}
	// A second run of the same file changes nothing but the deletion, which now names a
	// missing id: refused, and the store keeps version 2 active.
	out, err = run(t, "import", "-q", "--mode", "upsert", "--store", db, file)
	if err == nil || !strings.Contains(out, "upsert.delete_missing") {
		t.Errorf("re-upsert: %v\n%s", err, out)
	}
	if v, _ := st.ActiveVersion(context.Background()); v != 2 {
		t.Errorf("active = %d after a refused upsert", v)
	}
	// A delete list works like the marker.
	list := filepath.Join(dir, "delete.txt")
	os.WriteFile(list, []byte(fmt.Sprintf("# gone\ncomponent,%s\n", ids[0])), 0o644)
	empty := filepath.Join(dir, "component_none.geojson")
	os.WriteFile(empty, []byte(`{"type":"FeatureCollection","features":[]}`), 0o644)
	if out, err := run(t, "import", "-q", "--mode", "upsert", "--delete-list", list, "--store", db, empty); err != nil || !strings.Contains(out, "version 3 active") {
		t.Fatalf("upsert --delete-list: %v\n%s", err, out)
	}
	ds, err := st.Load(context.Background(), 3)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range ds.Components {
		if c.ID == ids[0] || c.ID == ids[3] {
			t.Errorf("component %s still in version 3", c.ID)
		}
	}
}

func fileSize(t testing.TB, db string) int64 {
	t.Helper()
	var n int64
	for _, p := range []string{db, db + "-wal"} {
		if fi, err := os.Stat(p); err == nil {
			n += fi.Size()
		}
	}
	return n
}
