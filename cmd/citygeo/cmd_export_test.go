package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"citygeo/data"
	"citygeo/data/sample"
	"citygeo/data/sqlite"
	"citygeo/export"

	"github.com/paulmach/orb"
)

// TestExportFlags drives export --schema gb47678 --format shp --charset gbk --crs through the
// command line, validates what it wrote with the same binary, and checks --since after a second
// version and the refusals of bad flags.
func TestExportFlags(t *testing.T) {
	dir := t.TempDir()
	db, ds := sampleStoreFile(t, dir)

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
	// Its street and community names come from the whole dataset, not the change set.
	if p := fc.Features[0].Properties; p["SZJDMC"] == nil || p["SZSQMC"] == nil {
		t.Errorf("change set without the street and community names: %s", b)
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

// TestExportMasksPhones: the command line's exchange export masks the phone numbers in events'
// text as the API's does for every role but admin; --phones keeps them.
func TestExportMasksPhones(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, ds := sampleStoreFile(t, dir)
	es, err := openEvents(ctx, sqlite.EventsPath(db))
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	if err := es.Put(&data.Event{ID: "C1", Class: data.ClassRef{Scheme: data.CJT214, Kind: data.KindEvent, Code: "0501"}, Point: ds.Components[0].Geometry.(orb.Point), Reported: at, Updated: at,
		Status: data.EventOpen, District: "440303", Grid: ds.Components[0].Grid, Description: "占道经营 联系人 13812345678"}); err != nil {
		t.Fatal(err)
	}
	es.Close()
	for _, tc := range []struct {
		flags []string
		want  string
	}{{nil, "*******5678"}, {[]string{"--phones"}, "13812345678"}} {
		out := filepath.Join(dir, fmt.Sprint("gb", len(tc.flags)))
		if o, err := run(t, append([]string{"export", "--store", db, "--schema", "gb47678", "--out", out}, tc.flags...)...); err != nil {
			t.Fatalf("export %v: %v\n%s", tc.flags, err, o)
		}
		b, err := os.ReadFile(filepath.Join(out, export.EventLayer+".geojson"))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), tc.want) || (tc.flags == nil && strings.Contains(string(b), "13812345678")) {
			t.Errorf("export %v: events hold %s, want %s", tc.flags, b, tc.want)
		}
	}
}

// sampleStoreFile saves a small sample city as version 1 of a new SQLite store in dir.
func sampleStoreFile(t *testing.T, dir string) (string, *data.Dataset) {
	t.Helper()
	db := filepath.Join(dir, "city.db")
	st, err := sqlite.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ds, err := sample.Generate(sample.Options{Grids: 500, Components: 500, Seed: 9})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Save(context.Background(), ds, "test"); err != nil {
		t.Fatal(err)
	}
	return db, ds
}
