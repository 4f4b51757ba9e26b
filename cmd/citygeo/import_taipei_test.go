package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"citygeo/data"
	"citygeo/data/sqlite"
	"citygeo/geo"
	importer "citygeo/import"
	"citygeo/schema"

	"github.com/paulmach/orb"
)

// The shared Taipei sample, relative to this package; tests skip without it.
const (
	taipeiDir     = "../../../shared/data/taipei_daan"
	taipeiMapping = "../../import/testdata/taipei/mapping.json"
)

var taipeiLayers = []string{"admin_district", "admin_police_precinct", "admin_village", "components_points"}

// importMapped runs `citygeo import --map mapping` of files into a new store db, as a user
// would, and returns the dataset the store then holds.
func importMapped(t *testing.T, db, mapping string, files ...string) *data.Dataset {
	t.Helper()
	if out, err := run(t, append([]string{"import", "--store", db, "--map", mapping, "-q"}, files...)...); err != nil {
		t.Fatalf("import: %v\n%s", err, out)
	}
	ctx := context.Background()
	st, err := sqlite.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ds, err := data.LoadActive(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

// run executes the citygeo command line in-process.
func run(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	cmd := newRootCmd()
	cmd.SetArgs(args)
	cmd.SetOut(&out)
	cmd.SetErr(&out)
	err := cmd.ExecuteContext(context.Background())
	return out.String(), err
}

func ogr2ogr(t *testing.T, args ...string) {
	t.Helper()
	if out, err := exec.Command("ogr2ogr", args...).CombinedOutput(); err != nil {
		t.Fatalf("ogr2ogr %v: %v\n%s", args, err, out)
	}
}

// TestTaipeiImport converts the Taipei sample with GDAL into a GBK Shapefile in CGCS2000 3° GK
// CM 123°E (EPSG:4550, no zone prefix), a GeoPackage in the zone-prefixed twin (EPSG:4529, zone 41) and
// plain GeoJSON, imports each through the CLI with the mapping kept in the repo, and checks that
// locate puts every one of the city's geocoded addresses in its own village.
func TestTaipeiImport(t *testing.T) {
	if _, err := os.Stat(taipeiDir); err != nil {
		t.Skip("../shared/data/taipei_daan not present")
	}
	m, err := importer.LoadMapping(taipeiMapping)
	if err != nil {
		t.Fatal(err)
	}
	points := taipeiAddresses(t)
	variants := map[string]func(t *testing.T, dir string) []string{
		"geojson": func(t *testing.T, dir string) []string {
			var files []string
			for _, l := range taipeiLayers {
				files = append(files, filepath.Join(taipeiDir, l+".geojson"))
			}
			return files
		},
		"shapefile-gbk-4550": func(t *testing.T, dir string) []string {
			var files []string
			for _, l := range taipeiLayers {
				out := filepath.Join(dir, l+".shp")
				ogr2ogr(t, "-f", "ESRI Shapefile", "-t_srs", "EPSG:4550", "-lco", "ENCODING=GBK", out, filepath.Join(taipeiDir, l+".geojson"))
				if l == "admin_village" { // leave detection to the bytes: no .cpg
					os.Remove(filepath.Join(dir, l+".cpg"))
				}
				files = append(files, out)
			}
			return files
		},
		"geopackage-4529": func(t *testing.T, dir string) []string {
			out := filepath.Join(dir, "taipei.gpkg")
			for i, l := range taipeiLayers {
				args := []string{"-f", "GPKG", "-t_srs", "EPSG:4529", "-nln", l}
				if i > 0 {
					args = append(args, "-update")
				}
				ogr2ogr(t, append(args, out, filepath.Join(taipeiDir, l+".geojson"))...)
			}
			return []string{out}
		},
	}
	for name, prepare := range variants {
		t.Run(name, func(t *testing.T) {
			if name != "geojson" {
				if _, err := exec.LookPath("ogr2ogr"); err != nil {
					t.Skip("ogr2ogr not installed (apt-get install gdal-bin)")
				}
			}
			dir := t.TempDir()
			files := prepare(t, dir)
			ds := importMapped(t, filepath.Join(dir, "city.db"), taipeiMapping, files...)
			if len(ds.Areas) != 1+7+53 || len(ds.Components) != 2855 || len(ds.Grids) < 1000 {
				t.Errorf("imported %d areas, %d grids, %d components", len(ds.Areas), len(ds.Grids), len(ds.Components))
			}
			ix, err := geo.NewIndex(ds, geo.IndexOptions{SnapTolerance: -1})
			if err != nil {
				t.Fatal(err)
			}
			codes := villageCodes(t, m)
			wrong := 0
			for _, kp := range points {
				loc := ix.Locate(kp.p)
				if loc.Grid == nil || loc.Community == nil || loc.Community.Code != codes[kp.village] {
					wrong++
					if wrong <= 5 {
						t.Errorf("%s at %v: located %+v, want village %s (%s)", kp.label, kp.p, loc.Community, kp.village, codes[kp.village])
					}
				}
			}
			if wrong > 0 {
				t.Errorf("%d of %d addresses located outside their village", wrong, len(points))
			}
		})
	}
}

// villageCodes maps CPTVID → derived community code, from the mapping file.
func villageCodes(t *testing.T, m *importer.Mapping) map[string]string {
	for _, l := range m.Layers {
		if l.Kind == schema.Community {
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
		if r[col["village_code"]] != "" {
			out = append(out, knownPoint{orb.Point{lon, lat}, r[col["village_code"]], r[col["normalized"]]})
		}
	}
	if len(out) < 1000 {
		t.Fatalf("only %d addresses with a village", len(out))
	}
	return out
}
