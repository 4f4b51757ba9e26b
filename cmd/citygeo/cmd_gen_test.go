package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"citygeo/data/sqlite"
)

func TestGen(t *testing.T) {
	dir := t.TempDir()
	out, err := run(t, "gen", "--grids", "600", "--components", "3000")
	if err != nil || !strings.Contains(out, `"grids":6`) {
		t.Fatalf("gen summary: %v\n%s", err, out)
	}
	if _, err := run(t, "gen", "--grids", "10"); err == nil || !strings.Contains(err.Error(), "Grids") {
		t.Fatalf("gen --grids 10: error %v, want one naming Grids", err)
	}
	db := filepath.Join(dir, "city.db")
	if out, err := run(t, "gen", "--grids", "600", "--components", "3000", "--store", db, "--out", filepath.Join(dir, "files")); err != nil {
		t.Fatalf("gen --store --out: %v\n%s", err, out)
	}
	st, err := sqlite.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	v, err := st.ActiveVersion(context.Background())
	if err != nil || v != 1 {
		t.Fatalf("active version %d, %v; want 1", v, err)
	}
	ds, err := st.Load(context.Background(), v)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(ds.Components); n < 2850 || n > 3150 || len(ds.Grids) < 500 {
		t.Fatalf("stored %d components and %d grids; want about 3000 and 600", n, len(ds.Grids))
	}
	// The files gen wrote are survey files the importer accepts as a whole city.
	files, _ := filepath.Glob(filepath.Join(dir, "files", "*.geojson"))
	if len(files) < 5 {
		t.Fatalf("gen --out wrote %v", files)
	}
	if out, err := run(t, append([]string{"validate"}, files...)...); err != nil {
		t.Fatalf("validate the generated files: %v\n%s", err, out)
	}
}
