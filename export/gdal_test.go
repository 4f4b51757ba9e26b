package export_test

import (
	"context"
	"database/sql"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/paulmach/orb"

	"citygeo/data"
	"citygeo/data/sample"
	"citygeo/export"
	"citygeo/geo"
	importer "citygeo/import"
)

// ogrLayer is what ogrinfo -so says of one layer.
type ogrLayer struct {
	geometry string
	epsg     string
	fields   map[string]string // name → type
}

var (
	ogrLayerName = regexp.MustCompile(`(?m)^Layer name: (.+)$`)
	ogrGeometry  = regexp.MustCompile(`(?m)^Geometry: (.+)$`)
	ogrEPSG      = regexp.MustCompile(`(?m)^    AUTHORITY\["EPSG","([0-9]+)"\]\]$`)
	ogrField     = regexp.MustCompile(`(?m)^([A-Za-z0-9_]+): ([A-Za-z0-9]+) \(`)
)

// ogrinfo runs GDAL's ogrinfo on path and parses each layer's summary; the test is skipped,
// saying why, when GDAL is not installed.
func ogrinfo(t *testing.T, path string) map[string]ogrLayer {
	t.Helper()
	if _, err := exec.LookPath("ogrinfo"); err != nil {
		t.Skip("ogrinfo not found (apt-get install gdal-bin): GDAL is the client these tests check against")
	}
	out, err := exec.Command("ogrinfo", "-ro", "-so", "-al", "-wkt_format", "WKT1", path).CombinedOutput()
	if err != nil {
		t.Fatalf("ogrinfo %s: %v\n%s", path, err, out)
	}
	layers := map[string]ogrLayer{}
	parts := ogrLayerName.FindAllStringSubmatchIndex(string(out), -1)
	for i, p := range parts {
		end := len(out)
		if i+1 < len(parts) {
			end = parts[i+1][0]
		}
		block := string(out[p[0]:end])
		l := ogrLayer{fields: map[string]string{}}
		if m := ogrGeometry.FindStringSubmatch(block); m != nil {
			l.geometry = m[1]
		}
		if m := ogrEPSG.FindStringSubmatch(block); m != nil {
			l.epsg = m[1]
		}
		for _, m := range ogrField.FindAllStringSubmatch(block, -1) {
			l.fields[m[1]] = m[2]
		}
		layers[string(out[p[2]:p[3]])] = l
	}
	return layers
}

// TestGDALOpensEveryExport exports the sample city in every format, in lon/lat and in a
// Gauss–Krüger zone, and has GDAL read it: each layer has one geometry type, the declared
// CRS, and typed fields; the GeoPackage lists its R-tree indexes in gpkg_extensions. Then the
// importer reads the files back to the same dataset.
func TestGDALOpensEveryExport(t *testing.T) {
	ds, err := sample.Generate(sample.Options{Grids: 500, Components: 500, Seed: 11})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []export.Format{export.GeoJSON, export.GeoPackage, export.Shapefile} {
		for _, crs := range []string{"EPSG:4490", "EPSG:4547", "EPSG:2383"} { // lon/lat, a CGCS2000 zone, a Xi'an 80 zone
			t.Run(string(f)+"/"+crs, func(t *testing.T) {
				c, err := geo.ParseCRS(crs)
				if err != nil {
					t.Fatal(err)
				}
				out := filepath.Join(t.TempDir(), "city")
				if f == export.GeoPackage {
					out += ".gpkg"
				}
				files, err := export.Write(ds, out, export.Options{Format: f, CRS: &c})
				if err != nil {
					t.Fatal(err)
				}
				layers := map[string]ogrLayer{}
				opened := files
				if f == export.Shapefile {
					opened = []string{out} // GDAL opens the folder as one data source
				}
				for _, file := range opened {
					for name, l := range ogrinfo(t, file) {
						layers[name] = l
					}
				}
				if len(layers) < len(files) {
					t.Errorf("GDAL sees %d layers in %d files", len(layers), len(files))
				}
				for name, l := range layers {
					// Features without geometry (departments) are an attributes table
					// ("None") in a GeoPackage; GeoJSON and a null-shape Shapefile have
					// no way to say "none", and GDAL 3.6 calls them "Unknown (any)".
					noGeometry := name == "department" && (l.geometry == "None" || f != export.GeoPackage)
					if !noGeometry && (l.geometry == "" || strings.Contains(l.geometry, "Unknown") || strings.Contains(l.geometry, "Collection")) {
						t.Errorf("%s: geometry %q, want one type", name, l.geometry)
					}
					if !noGeometry && l.epsg != strings.TrimPrefix(crs, "EPSG:") {
						t.Errorf("%s: EPSG %q, want %s", name, l.epsg, crs)
					}
				}
				for _, want := range []struct{ layer, field, types string }{
					{"grid", "AREA", "Real"},
					{"component", "ORDATE", "Date"},
					{"road", "ROADID", "Integer Integer64"},
					{"address", "NUMBER", "Real Integer Integer64"},
				} {
					got := layers[want.layer].fields[want.field]
					if got == "" || !strings.Contains(" "+want.types+" ", " "+got+" ") {
						t.Errorf("%s.%s is %q to GDAL, want one of %s", want.layer, want.field, got, want.types)
					}
				}
				if f == export.GeoPackage {
					checkRTree(t, out, layers)
				}
				// (The re-imports below run for the projected zone, the harder case.)
				if crs == "EPSG:4490" {
					return // TestExportRoundTrip re-imports the lon/lat files exactly
				}
				reimport(t, ds, files)
				// GDAL copies what it read into a GeoPackage of its own; the importer reads
				// GDAL's copy back to the same dataset, so GDAL lost no feature, type or value.
				copied := filepath.Join(t.TempDir(), "gdal.gpkg")
				for i, src := range opened {
					args := []string{"-f", "GPKG", copied, src}
					if i > 0 {
						args = append([]string{"-append"}, args...)
					}
					if out, err := exec.Command("ogr2ogr", args...).CombinedOutput(); err != nil {
						t.Fatalf("ogr2ogr %v: %v\n%s", args, err, out)
					}
				}
				reimport(t, ds, []string{copied})
			})
		}
	}
}

// checkRTree asks GDAL's SQLite dialect which tables gpkg_extensions indexes, and that GDAL
// finds the index usable (a spatial filter through it returns what a full scan returns).
func checkRTree(t *testing.T, path string, layers map[string]ogrLayer) {
	t.Helper()
	out, err := exec.Command("ogrinfo", "-ro", "-q", path, "-sql",
		"SELECT table_name FROM gpkg_extensions WHERE extension_name = 'gpkg_rtree_index' AND column_name = 'geom'").CombinedOutput()
	if err != nil {
		t.Fatalf("ogrinfo: %v\n%s", err, out)
	}
	for name, l := range layers {
		if l.geometry != "None" && !strings.Contains(string(out), "table_name (String) = "+name+"\n") {
			t.Errorf("gpkg_extensions does not list the R-tree of %s:\n%s", name, out)
		}
	}
	rtree, err := exec.Command("ogrinfo", "-ro", "-q", path, "-sql", "SELECT HasSpatialIndex('component', 'geom')").CombinedOutput()
	if err != nil || !strings.Contains(string(rtree), "HasSpatialIndex (Integer) = 1") {
		t.Errorf("GDAL's HasSpatialIndex(component): %v\n%s", err, rtree)
	}
	// The triggers keep the index in step when a GIS edits the table: GDAL deletes one
	// component and moves another onto a third's place; the R-tree must follow.
	edited := filepath.Join(t.TempDir(), "edited.gpkg")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(edited, b, 0o644)
	for _, q := range []string{"DELETE FROM component WHERE fid = 1", "UPDATE component SET geom = (SELECT geom FROM component WHERE fid = 3) WHERE fid = 2"} {
		if out, err := exec.Command("ogrinfo", "-q", edited, "-sql", q).CombinedOutput(); err != nil {
			t.Fatalf("ogrinfo %s: %v\n%s", q, err, out)
		}
	}
	db, err := sql.Open("sqlite", edited)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var rows, indexed, moved int
	db.QueryRow(`SELECT count(*) FROM component WHERE geom IS NOT NULL`).Scan(&rows)
	db.QueryRow(`SELECT count(*) FROM rtree_component_geom`).Scan(&indexed)
	db.QueryRow(`SELECT count(*) FROM rtree_component_geom a JOIN rtree_component_geom b ON b.id = 3
		WHERE a.id = 2 AND a.minx = b.minx AND a.miny = b.miny`).Scan(&moved)
	if rows != indexed || moved != 1 {
		t.Errorf("after GDAL's edits: %d components, %d in the R-tree, moved one indexed at its new place: %v", rows, indexed, moved == 1)
	}
}

// reimport reads the files back with the importer and compares them with ds: exactly in
// lon/lat, within a millimetre's worth of degrees after a Gauss–Krüger round trip.
func reimport(t *testing.T, ds *data.Dataset, files []string) {
	t.Helper()
	got, rep, err := importer.Check(context.Background(), files, nil, importer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Errors != 0 {
		t.Fatalf("%d errors re-importing: %+v", rep.Errors, rep.Findings[:min(5, len(rep.Findings))])
	}
	want := *ds
	want.Name, want.Source, want.Version, want.CreatedAt = "", "", 0, got.CreatedAt
	want.Areas = append([]*data.Area(nil), ds.Areas...)
	sort.SliceStable(want.Areas, func(i, j int) bool { return want.Areas[i].Level < want.Areas[j].Level })
	want.Components = append([]*data.Component(nil), ds.Components...)
	for _, cs := range [][]*data.Component{want.Components, got.Components} {
		sort.Slice(cs, func(i, j int) bool { return cs[i].ID < cs[j].ID })
	}
	got.Name = ""
	// orb's geometries have Equal methods, which cmp prefers to any comparer of their points:
	// compare whole geometries, point by point within 1e-8° (a millimetre).
	near := func(a, b orb.Geometry) bool { return geomNear(a, b) }
	// (A comparer of the interface applies to every type that implements it.)
	if d := cmp.Diff(&want, got, cmpopts.EquateEmpty(), cmp.Comparer(near)); d != "" {
		t.Errorf("re-import (-want +got):\n%s", d)
	}
}

// geomNear reports whether a and b are the same geometry type with the same number of points,
// each within 1e-8° of its twin.
func geomNear(a, b orb.Geometry) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	if a.GeoJSONType() != b.GeoJSONType() {
		return false
	}
	var pa, pb []orb.Point
	for _, x := range []struct {
		g orb.Geometry
		p *[]orb.Point
	}{{a, &pa}, {b, &pb}} {
		switch g := x.g.(type) {
		case orb.Point:
			*x.p = []orb.Point{g}
		case orb.LineString:
			*x.p = g
		case orb.Polygon:
			for _, r := range g {
				*x.p = append(*x.p, r...)
			}
		case orb.MultiPolygon:
			for _, p := range g {
				for _, r := range p {
					*x.p = append(*x.p, r...)
				}
			}
		default:
			return orb.Equal(a, b)
		}
	}
	if len(pa) != len(pb) {
		return false
	}
	for i := range pa {
		if abs(pa[i][0]-pb[i][0]) > 1e-8 || abs(pa[i][1]-pb[i][1]) > 1e-8 {
			return false
		}
	}
	return true
}

func abs(f float64) float64 {
	if f < 0 {
		return -f
	}
	return f
}
