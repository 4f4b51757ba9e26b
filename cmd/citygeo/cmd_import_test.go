package main

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"citygeo/data"
	"citygeo/diff"
)

// TestImportCommands drives export → import → versions → rollback → validate through the
// command line on the built-in sample city.
func TestImportCommands(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "city.db")
	out, err := run(t, "export", "--format", "gpkg", "--out", filepath.Join(dir, "sample.gpkg"))
	if err != nil {
		t.Fatalf("export: %v\n%s", err, out)
	}
	gpkg := strings.TrimSpace(out)
	if out, err = run(t, "import", "-q", "--store", db, gpkg); err != nil || !strings.Contains(out, "version 1 active") {
		t.Fatalf("import: %v\n%s", err, out)
	}
	// Export the store back out as GeoJSON, re-import it: a second, identical version.
	if out, err = run(t, "export", "--store", db, "--format", "geojson", "--out", filepath.Join(dir, "gj")); err != nil {
		t.Fatalf("export --store: %v\n%s", err, out)
	}
	files := strings.Fields(out)
	if out, err = run(t, append([]string{"import", "-q", "--store", db}, files...)...); err != nil || !strings.Contains(out, "version 2 active") {
		t.Fatalf("re-import: %v\n%s", err, out)
	}
	if out, err = run(t, "rollback", "--store", db, "1"); err != nil || !strings.Contains(out, "version 1 active") {
		t.Fatalf("rollback: %v\n%s", err, out)
	}
	out, err = run(t, "versions", "--store", db)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[1], "*") || strings.HasPrefix(lines[2], "*") {
		t.Errorf("versions:\n%s", out)
	}
	// diff: the JSON names both versions and every layer; an unknown version is an error.
	out, err = run(t, "diff", "--store", db, "1", "2")
	var d diff.Result
	if err != nil || json.Unmarshal([]byte(out), &d) != nil || d.From != 1 || d.To != 2 || d.Components.Added == nil {
		t.Errorf("diff 1 2: %v\n%.500s", err, out)
	}
	if out, err = run(t, "diff", "--store", db, "1", "7"); err == nil || !errors.Is(err, data.ErrNoVersion) {
		t.Errorf("diff 1 7: %v\n%.200s", err, out)
	}
	if out, err = run(t, "rollback", "--store", db, "7"); err == nil {
		t.Errorf("rollback 7 succeeded:\n%s", out)
	}
	// validate: a component file with a duplicate id is reported and exits 1; the store is untouched.
	bad := filepath.Join(dir, "component.geojson")
	b, _ := os.ReadFile(filepath.Join(dir, "gj", "component.geojson"))
	lines = strings.Split(string(b), "\n")
	os.WriteFile(bad, []byte(strings.Join([]string{lines[0], lines[1], strings.TrimSuffix(lines[1], ","), "]}"}, "\n")), 0o644)
	report := filepath.Join(dir, "report.json")
	out, err = run(t, "validate", "-q", "--store", db, "--report", report, bad)
	var ee *exitError
	if !errors.As(err, &ee) || ee.code != 1 || !strings.Contains(out, "component.duplicate") {
		t.Errorf("validate: %v\n%s", err, out)
	}
	if rb, err := os.ReadFile(report); err != nil || !strings.Contains(string(rb), `"check": "component.duplicate"`) {
		t.Errorf("report file: %v %.200s", err, rb)
	}
	if out, err = run(t, "import", "-q", "--crs", "EPSG:3857", "--store", db, bad); err == nil {
		t.Errorf("import --crs EPSG:3857 succeeded: %s", out)
	}
}
