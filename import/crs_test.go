package importer_test

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"citygeo/geo"
	importer "citygeo/import"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkt"
)

// reproject writes testdata/components_wkt.csv (CGCS2000 lon/lat) again with its points
// converted to c, and returns the path and the original points.
func reproject(t *testing.T, c geo.CRS, name string) (string, []orb.Point) {
	t.Helper()
	f, err := os.Open("testdata/components_wkt.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var pts []orb.Point
	for _, row := range rows[1:] {
		g, err := wkt.Unmarshal(row[0])
		if err != nil {
			t.Fatal(err)
		}
		p := g.(orb.Point)
		pts = append(pts, p)
		en := geo.FromCGCS2000(p, c)
		row[0] = fmt.Sprintf("POINT (%.4f %.4f)", en[0], en[1])
	}
	path := filepath.Join(t.TempDir(), name)
	out, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := csv.NewWriter(out)
	if err := w.WriteAll(rows); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
	return path, pts
}

func findings(rep *importer.Report, check string) []importer.Finding {
	var out []importer.Finding
	for _, f := range rep.Findings {
		if f.Check == check {
			out = append(out, f)
		}
	}
	return out
}

// A lon/lat file declared as a Gauss–Krüger zone is refused, and the message names EPSG:4490.
func TestLonLatDeclaredProjected(t *testing.T) {
	crs, _ := geo.ParseCRS("EPSG:4547")
	_, rep, err := importer.Check(context.Background(), []string{"testdata/components_wkt.csv"}, nil,
		importer.Options{Read: importer.ReadOptions{CRS: &crs}})
	if err != nil {
		t.Fatal(err)
	}
	got := findings(rep, "crs.area_of_use")
	if rep.OK() || len(got) != rep.Counts["component"] || len(got) == 0 {
		t.Fatalf("report OK=%v with %d crs.area_of_use findings for %d features: %+v", rep.OK(), len(got), rep.Counts["component"], rep.Findings)
	}
	if r := got[0].Reason; !strings.Contains(r, "EPSG:4547") || !strings.Contains(r, "probably EPSG:4490") {
		t.Errorf("reason %q does not name the declared and the likely CRS", r)
	}
}

// Metres declared as lon/lat say they look like Gauss–Krüger metres.
func TestProjectedDeclaredLonLat(t *testing.T) {
	path, _ := reproject(t, mustParse(t, "EPSG:4526"), "c.csv")
	crs := geo.CGCS2000
	_, rep, err := importer.Check(context.Background(), []string{path}, nil, importer.Options{Read: importer.ReadOptions{CRS: &crs}})
	if err != nil {
		t.Fatal(err)
	}
	got := findings(rep, "geometry.range")
	if len(got) == 0 || !strings.Contains(got[0].Reason, "probably EPSG:4526") {
		t.Fatalf("findings %+v: want geometry.range naming EPSG:4526 (zone 38 prefix)", rep.Findings)
	}
}

// A layer in the wrong zone lands far from the rest and is refused, naming the zone meant.
func TestLayerFarFromRest(t *testing.T) {
	b, err := os.ReadFile("testdata/components_4547.geojson")
	if err != nil {
		t.Fatal(err)
	}
	wrong := filepath.Join(t.TempDir(), "components_declared_4546.geojson")
	if err := os.WriteFile(wrong, []byte(strings.Replace(string(b), "EPSG::4547", "EPSG::4546", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	_, rep, err := importer.Check(ctx, []string{"testdata/components.geojson", "testdata/components_4547.geojson"}, nil, importer.Options{})
	if err != nil || len(findings(rep, "crs.far_from_rest")) != 0 {
		t.Fatalf("layers in place: %v, %+v", err, findings(rep, "crs.far_from_rest"))
	}
	_, rep, err = importer.Check(ctx, []string{"testdata/components.geojson", wrong}, nil, importer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := findings(rep, "crs.far_from_rest")
	if len(got) != 1 || got[0].File != wrong || !strings.Contains(got[0].Reason, "probably meant as EPSG:4547") || rep.OK() {
		t.Fatalf("findings %+v: want one crs.far_from_rest for %s naming EPSG:4547", got, wrong)
	}
}

func mustParse(t *testing.T, s string) geo.CRS {
	t.Helper()
	c, err := importer.ParseCRS(s)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// A survey in Xi'an 80 (EPSG:2383) and in a city system given by a file are read back to the
// points they were made from; the Xi'an one carries a warning that no datum shift was applied.
func TestImportOldAndCitySystems(t *testing.T) {
	dir := t.TempDir()
	yamlFile := filepath.Join(dir, "city.yaml")
	os.WriteFile(yamlFile, []byte("name: 测试城建坐标系\nbase: EPSG:4547\nplane: {de: 391234.5, dn: 2480011.25, rotation: 1234.5, ppm: 35}\n"), 0o644)
	jsonFile := filepath.Join(dir, "city.json")
	os.WriteFile(jsonFile, []byte(`{"name": "测试独立坐标系", "projection": {"central_meridian": 114.3, "latitude_of_origin": 22, "scale": 1.0001,
	  "false_easting": 50000, "false_northing": 10000, "ellipsoid": "beijing54"},
	  "helmert": {"dx": 15.8, "dy": -154.4, "dz": -82.3, "rx": 1.1, "ry": -2.2, "rz": 0.814, "ppm": -0.38}}`), 0o644)
	tests := []struct {
		crs      string
		unshifed bool
	}{
		{"EPSG:2383", true},
		{"EPSG:21459", true},
		{"local:" + yamlFile, false},
		{"local:" + jsonFile, false},
	}
	for _, tc := range tests {
		t.Run(tc.crs, func(t *testing.T) {
			crs := mustParse(t, tc.crs)
			path, want := reproject(t, crs, "c.csv")
			ds, rep, err := importer.Check(context.Background(), []string{path}, nil, importer.Options{Read: importer.ReadOptions{CRS: &crs}})
			if err != nil || !rep.OK() {
				t.Fatalf("%v, %+v", err, rep.Findings)
			}
			for i, c := range ds.Components {
				if d := geo.Distance(c.Geometry.(orb.Point), want[i]); d > 0.001 {
					t.Errorf("component %d at %v, want %v (%.4f m)", i, c.Geometry, want[i], d)
				}
			}
			if got := findings(rep, "crs.datum"); (len(got) == 1) != tc.unshifed {
				t.Errorf("crs.datum findings %+v, want one: %v", got, tc.unshifed)
			} else if tc.unshifed && (got[0].Severity != importer.SeverityWarning || !strings.Contains(got[0].Reason, "no datum shift")) {
				t.Errorf("crs.datum finding %+v", got[0])
			}
		})
	}
}

func TestReadCRSFileErrors(t *testing.T) {
	dir := t.TempDir()
	tests := map[string]string{
		"unknown key":         "name: x\nbase: EPSG:4547\nplane: {de: 1, dn: 2, rotaton: 3}\n",
		"no name":             "base: EPSG:4547\n",
		"no projection":       "name: x\n",
		"not a zone":          "name: x\nbase: EPSG:4490\n",
		"both transforms":     "name: x\nbase: EPSG:2383\nplane: {de: 1}\nhelmert: {dx: 1}\n",
		"plane without base":  "name: x\nprojection: {central_meridian: 114}\nplane: {de: 1}\n",
		"rotation in radians": "name: x\nbase: EPSG:2383\nhelmert: {dx: 1, rx: 4000}\n",
		"bad ellipsoid":       "name: x\nprojection: {central_meridian: 114, ellipsoid: mars}\n",
	}
	for name, text := range tests {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(name, " ", "_")+".yaml")
			os.WriteFile(path, []byte(text), 0o644)
			if c, err := importer.ParseCRS("local:" + path); err == nil || !errors.Is(err, importer.ErrCRS) {
				t.Errorf("%q read as %+v, %v; want an ErrCRS", text, c, err)
			}
		})
	}
}

// ESRI .prj files of the older datums (no EPSG authority) are read by datum, CM and easting.
func TestCRSFromPRJOldDatums(t *testing.T) {
	tests := map[string]int{
		`PROJCS["Xian_1980_3_Degree_GK_CM_114E",GEOGCS["GCS_Xian_1980",DATUM["D_Xian_1980",SPHEROID["Xian_1980",6378140.0,298.257]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Gauss_Kruger"],PARAMETER["False_Easting",500000.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",114.0],PARAMETER["Scale_Factor",1.0],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]`:               2383,
		`PROJCS["Beijing_1954_3_Degree_GK_Zone_38",GEOGCS["GCS_Beijing_1954",DATUM["D_Beijing_1954",SPHEROID["Krasovsky_1940",6378245.0,298.3]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Gauss_Kruger"],PARAMETER["False_Easting",38500000.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",114.0],PARAMETER["Scale_Factor",1.0],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]`: 2414,
		`PROJCS["Beijing_1954_GK_Zone_20",GEOGCS["GCS_Beijing_1954",DATUM["D_Beijing_1954",SPHEROID["Krasovsky_1940",6378245.0,298.3]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Gauss_Kruger"],PARAMETER["False_Easting",20500000.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",117.0],PARAMETER["Scale_Factor",1.0],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]`:          21420,
	}
	for prj, want := range tests {
		c, err := importer.CRSFromPRJ(prj)
		if err != nil || c.EPSG != want || !c.Unshifted() {
			t.Errorf("%.40s…: %v, %v; want EPSG:%d, unshifted", prj, c.Code(), err, want)
		}
	}
}

// Components picked on AMap (GCJ-02) but declared as CGCS2000 fall outside their grids by a
// few hundred metres; the report says they are probably GCJ-02.
func TestGCJ02Hint(t *testing.T) {
	ds := smallCity(t)
	for _, c := range ds.Components {
		if p, ok := c.Geometry.(orb.Point); ok {
			c.Geometry = geo.WGS84ToGCJ02(p)
		}
	}
	var hint []importer.Finding
	importer.Validate(ds, importer.ValidateOptions{}, func(f importer.Finding) {
		if f.Check == "crs.web_offset" {
			hint = append(hint, f)
		}
	})
	if len(hint) != 1 || hint[0].Value != "gcj02" || !strings.Contains(hint[0].Reason, "--crs gcj02") {
		t.Fatalf("hints %+v, want one naming gcj02", hint)
	}
	clean := smallCity(t)
	importer.Validate(clean, importer.ValidateOptions{}, func(f importer.Finding) {
		if f.Check == "crs.web_offset" {
			t.Errorf("hint on a clean city: %+v", f)
		}
	})
}

// A layer far from the rest that no other CRS brings back is only a warning: it may be another
// district's file.
func TestLayerFarButPlausible(t *testing.T) {
	b, err := os.ReadFile("testdata/components.geojson")
	if err != nil {
		t.Fatal(err)
	}
	// The same components moved 1° east (about 100 km), still lon/lat.
	moved := strings.NewReplacer("[114.", "[115.").Replace(string(b))
	far := filepath.Join(t.TempDir(), "components_elsewhere.geojson")
	if err := os.WriteFile(far, []byte(moved), 0o644); err != nil {
		t.Fatal(err)
	}
	_, rep, err := importer.Check(context.Background(), []string{"testdata/components.geojson", far}, nil, importer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := findings(rep, "crs.far_from_rest")
	if len(got) != 1 || got[0].Severity != importer.SeverityWarning || !strings.Contains(got[0].Reason, "check its CRS") {
		t.Fatalf("findings %+v: want one warning", got)
	}
}
