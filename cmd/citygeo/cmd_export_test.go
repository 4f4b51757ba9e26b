package main

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"citygeo/data/sample"
	"citygeo/data/sqlite"
	"citygeo/export"
)

// TestExportFlags drives export --schema gb47678 --format shp --charset gbk --crs through the
// command line, validates what it wrote with the same binary, and checks --since after a second
// version and the refusals of bad flags.
func TestExportFlags(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db := filepath.Join(dir, "city.db")
	st, err := sqlite.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	ds, err := sample.Generate(sample.Options{Grids: 500, Components: 500, Seed: 9})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Save(ctx, ds, "test"); err != nil {
		t.Fatal(err)
	}
	st.Close()

	out, err := run(t, "export", "--store", db, "--schema", "gb47678", "--format", "shp", "--charset", "gbk", "--crs", "EPSG:4547", "--out", filepath.Join(dir, "shp"))
	if err != nil {
		t.Fatalf("export: %v\n%s", err, out)
	}
	files := strings.Fields(out)
	if cpg, _ := os.ReadFile(filepath.Join(dir, "shp", "component.cpg")); string(cpg) != "GBK" {
		t.Errorf("component.cpg = %q", cpg)
	}
	if out, err := run(t, append([]string{"validate", "-q", "--store", db}, files...)...); err != nil || !strings.Contains(out, "0 errors") {
		t.Errorf("validate the export: %v\n%s", err, out)
	}

	// A second version with one component's note changed; --since 1 carries it alone.
	edited := *ds
	edited.Components = append(edited.Components[:0:0], ds.Components...)
	c := *edited.Components[7]
	c.Note = "已更换"
	edited.Components[7] = &c
	v2files, err := export.Write(&edited, filepath.Join(dir, "v2"), export.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if out, err := run(t, append([]string{"import", "-q", "--store", db}, v2files...)...); err != nil {
		t.Fatalf("import v2: %v\n%s", err, out)
	}
	out, err = run(t, "export", "--store", db, "--schema", "gb47678", "--since", "1", "--out", filepath.Join(dir, "since"))
	if err != nil {
		t.Fatalf("export --since: %v\n%s", err, out)
	}
	if got := strings.Fields(out); len(got) != 1 || filepath.Base(got[0]) != "component.geojson" {
		t.Fatalf("export --since wrote %q", got)
	}
	b, _ := os.ReadFile(filepath.Join(dir, "since", "component.geojson"))
	var fc struct {
		Features []struct{ Properties map[string]any }
	}
	json.Unmarshal(b, &fc)
	want, _ := export.To47678(c.ID)
	if len(fc.Features) != 1 || fc.Features[0].Properties["GLBJBSM"] != want || fc.Features[0].Properties["BZ"] != "已更换" {
		t.Errorf("change set: %s", b)
	}

	for _, args := range [][]string{
		{"export", "--schema", "nope", "--out", filepath.Join(dir, "x")},
		{"export", "--since", "1", "--out", filepath.Join(dir, "x")},
		{"export", "--crs", "gcj02", "--store", db, "--out", filepath.Join(dir, "x")},
		{"export", "--charset", "big5", "--store", db, "--format", "shp", "--out", filepath.Join(dir, "x")},
		{"validate", "--report", filepath.Join(dir, "r.txt"), files[0]},
		{"validate", "--lang", "fr", files[0]},
	} {
		out, err := run(t, args...)
		var ee *exitError
		if err == nil || errors.As(err, &ee) && ee.code == 1 {
			t.Errorf("%v: %v\n%s", args, err, out)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "x")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a refused export wrote %s: %v", filepath.Join(dir, "x"), err)
	}
}
