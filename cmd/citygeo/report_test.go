package main

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"citygeo/data"
	"citygeo/data/sample"
	"citygeo/export"
)

// TestValidateReportLayer validates a survey with three known problems and writes the report as
// JSON, GeoJSON and GeoPackage: every finding is in each, the component moved out of its grid
// sits at its new point, the department without a code has no place, GDAL opens the
// GeoPackage with one geometry type per table, and the summary is in Chinese.
func TestValidateReportLayer(t *testing.T) {
	ds, err := sample.Generate(sample.Options{Grids: 500, Components: 300, Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	moved := *ds.Components[0]
	p := moved.Geometry.(orb.Point)
	moved.Geometry = orb.Point{p[0] + 0.01, p[1] + 0.01}
	ds.Components[0] = &moved
	ds.Departments = append(ds.Departments, &data.Department{Name: "无代码部门"})
	dir := t.TempDir()
	files, err := export.Write(ds, filepath.Join(dir, "survey"), export.Options{})
	if err != nil {
		t.Fatal(err)
	}
	js, gj, gpkg := filepath.Join(dir, "r.json"), filepath.Join(dir, "r.geojson"), filepath.Join(dir, "r.gpkg")
	out, err := run(t, append([]string{"validate", "-q", "--lang", "zh", "--report", js, "--report", gj, "--report", gpkg}, files...)...)
	var ee *exitError
	if !errors.As(err, &ee) || ee.code != 1 || !strings.Contains(out, "个错误") || !strings.Contains(out, "部件位于所填单元网格之外") {
		t.Fatalf("validate: %v\n%s", err, out)
	}
	type finding struct {
		Check    string
		SourceID string `json:"source_id"`
		Location *struct {
			Type        string
			Coordinates json.RawMessage
		}
	}
	var rep struct{ Findings []finding }
	b, _ := os.ReadFile(js)
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatal(err)
	}
	var fc struct {
		Features []struct {
			Geometry   *struct{ Type string }
			Properties map[string]any
		}
	}
	b, _ = os.ReadFile(gj)
	if err := json.Unmarshal(b, &fc); err != nil {
		t.Fatal(err)
	}
	if len(fc.Features) != len(rep.Findings) || len(rep.Findings) == 0 {
		t.Fatalf("%d GeoJSON features, %d findings", len(fc.Features), len(rep.Findings))
	}
	located := 0
	for i, f := range rep.Findings {
		switch {
		case f.Check == "component.outside_grid" && f.SourceID == moved.ID:
			var at orb.Point
			if f.Location == nil || f.Location.Type != "Point" || json.Unmarshal(f.Location.Coordinates, &at) != nil || at != moved.Geometry {
				t.Errorf("outside_grid location %+v, want the moved point", f.Location)
			}
		case f.Check == "department.code":
			if f.Location != nil {
				t.Errorf("department.code has a location: %+v", f.Location)
			}
		}
		if (f.Location != nil) != (fc.Features[i].Geometry != nil) || fc.Features[i].Properties["check"] != f.Check {
			t.Errorf("finding %d: JSON %s located %v, GeoJSON %v", i, f.Check, f.Location != nil, fc.Features[i])
		}
		if f.Location != nil {
			located++
		}
	}
	var checks string
	for _, f := range rep.Findings {
		checks += f.Check + " "
	}
	if !strings.Contains(checks, "component.outside_grid") || !strings.Contains(checks, "department.code") {
		t.Errorf("checks found: %s", checks)
	}
	if _, err := exec.LookPath("ogrinfo"); err != nil {
		t.Skip("ogrinfo not found (apt-get install gdal-bin): the GeoPackage report is not checked with GDAL")
	}
	info, err := exec.Command("ogrinfo", "-ro", "-so", "-al", gpkg).CombinedOutput()
	if err != nil {
		t.Fatalf("ogrinfo: %v\n%s", err, info)
	}
	total := 0
	for _, line := range strings.Split(string(info), "\n") {
		if n, ok := strings.CutPrefix(line, "Feature Count: "); ok {
			var k int
			json.Unmarshal([]byte(n), &k)
			total += k
		}
		if strings.HasPrefix(line, "Geometry: ") && strings.Contains(line, "Unknown") {
			t.Errorf("a report table of mixed geometry: %s", line)
		}
	}
	if total != len(rep.Findings) {
		t.Errorf("GeoPackage holds %d findings, the report %d:\n%s", total, len(rep.Findings), info)
	}
	t.Logf("%d findings, %d with a location", len(rep.Findings), located)
}
