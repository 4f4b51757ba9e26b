package importer_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"citygeo/data"
	importer "citygeo/import"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// taipeiDir is the shared Taipei sample, relative to this package; tests skip without it.
const taipeiDir = "../../shared/data/taipei_daan"

func taipeiFiles(t *testing.T) []string {
	t.Helper()
	if _, err := os.Stat(taipeiDir); err != nil {
		t.Skip("../shared/data/taipei_daan not present")
	}
	var out []string
	for _, n := range []string{"admin_district", "admin_police_precinct", "admin_village", "components_points"} {
		out = append(out, filepath.Join(taipeiDir, n+".geojson"))
	}
	return out
}

func taipeiMapping(t *testing.T) *importer.Mapping {
	t.Helper()
	m, err := importer.LoadMapping("testdata/taipei/mapping.json")
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// villageCodes maps CPTVID → derived community code, from the mapping file.
func villageCodes(t *testing.T, m *importer.Mapping) map[string]string {
	for _, l := range m.Layers {
		if l.Kind == importer.KindCommunity {
			return l.Values["code"]
		}
	}
	t.Fatal("mapping has no community layer")
	return nil
}

type knownPoint struct {
	p       orb.Point
	village string // CPTVID
	label   string
}

// taipeiAddresses reads the city's own geocoded addresses with the village they lie in.
func taipeiAddresses(t *testing.T) []knownPoint {
	f, err := os.Open(filepath.Join(taipeiDir, "addresses.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	var out []knownPoint
	for _, r := range rows[1:] {
		lon, _ := strconv.ParseFloat(r[col["lon"]], 64)
		lat, _ := strconv.ParseFloat(r[col["lat"]], 64)
		if r[col["village_code"]] == "" {
			continue
		}
		out = append(out, knownPoint{orb.Point{lon, lat}, r[col["village_code"]], r[col["normalized"]]})
	}
	return out
}

// checkLocate asserts that the grid containing each address belongs to the address's village,
// allowing misses only within a few metres of a village boundary (geocoding noise).
func checkLocate(t *testing.T, ds *data.Dataset, codes map[string]string, pts []knownPoint) {
	t.Helper()
	locate := newLocator(t, ds)
	var wrong, outside int
	for _, kp := range pts {
		got, ok := locate(kp.p)
		switch {
		case !ok:
			outside++
		case got != codes[kp.village]:
			wrong++
			if wrong <= 5 {
				t.Logf("%s at %v: located in %s, want %s", kp.label, kp.p, got, codes[kp.village])
			}
		}
	}
	t.Logf("%d addresses: %d wrong village, %d outside every grid", len(pts), wrong, outside)
	// village_by_polygon in addresses.csv came from the same polygons, so the answer must match
	// for all but points sitting on a shared boundary.
	if wrong > len(pts)/200 || outside > 0 {
		t.Errorf("%d of %d addresses located in the wrong village, %d outside", wrong, len(pts), outside)
	}
}

var _ = json.Marshal
var _ = exec.LookPath
var _ = context.Background
var _ = planar.PolygonContains

func TestTaipeiGeoJSON(t *testing.T) {
	files := taipeiFiles(t)
	m := taipeiMapping(t)
	ds, rep, err := importer.Check(context.Background(), files, nil, importer.Options{Mapping: m})
	if err != nil {
		t.Fatal(err)
	}
	var sb = new(stringsBuilder)
	rep.WriteSummary(sb, 3)
	t.Log("\n" + sb.String())
	if !rep.OK() {
		t.Fatalf("%d errors", rep.Errors)
	}
	if len(ds.Areas) != 1+7+53 || len(ds.Components) != 2855 || len(ds.Grids) < 1000 {
		t.Errorf("got %d areas, %d grids, %d components", len(ds.Areas), len(ds.Grids), len(ds.Components))
	}
	checkLocate(t, ds, villageCodes(t, m), taipeiAddresses(t))
}
