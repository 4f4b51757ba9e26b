package importer_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"citygeo/geo"
	importer "citygeo/import"
)

func discard(*importer.Source, *importer.Feature) error { return nil }

func FuzzReadGeoJSON(f *testing.F) {
	for _, p := range []string{"testdata/components.geojson", "testdata/components.geojsonl", "testdata/components_4547.geojson"} {
		b, _ := os.ReadFile(p)
		f.Add(b)
	}
	f.Add([]byte(`{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[1,2],[3,4]]]},"properties":null}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		src := &importer.Source{Format: importer.FormatGeoJSON, CRS: geo.CGCS2000}
		_ = importer.ReadGeoJSON(bytes.NewReader(b), src, importer.ReadOptions{}, discard)
	})
}

func FuzzReadCSV(f *testing.F) {
	for _, p := range []string{"testdata/components_xy.csv", "testdata/components_wkt.csv"} {
		b, _ := os.ReadFile(p)
		f.Add(b)
	}
	f.Add([]byte("lon,lat\n1e400,NaN\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		src := &importer.Source{Format: importer.FormatCSV, CRS: geo.CGCS2000}
		_ = importer.ReadCSV(bytes.NewReader(b), src, importer.ReadOptions{}, discard)
	})
}

// FuzzReadShapefile mutates the .shp and .dbf of a real GBK Shapefile.
func FuzzReadShapefile(f *testing.F) {
	shp, _ := os.ReadFile("testdata/shp_gbk/components.shp")
	dbf, _ := os.ReadFile("testdata/shp_gbk/components.dbf")
	f.Add(shp, dbf)
	f.Add(shp[:len(shp)/2], dbf)
	f.Add(shp, dbf[:40])
	prj, _ := os.ReadFile("testdata/shp_gbk/components.prj")
	f.Fuzz(func(t *testing.T, shp, dbf []byte) {
		dir := t.TempDir()
		for ext, b := range map[string][]byte{".shp": shp, ".dbf": dbf, ".prj": prj} {
			os.WriteFile(filepath.Join(dir, "x"+ext), b, 0o644)
		}
		_ = importer.Read(filepath.Join(dir, "x.shp"), importer.ReadOptions{MaxFileSize: 1 << 20}, discard)
	})
}

// FuzzReadGeoPackage mutates a real GeoPackage file (SQLite pages and geometry blobs).
func FuzzReadGeoPackage(f *testing.F) {
	b, _ := os.ReadFile("testdata/components.gpkg")
	f.Add(b, 0, byte(0))
	f.Add(b, 102400, byte(0x47))
	f.Fuzz(func(t *testing.T, b []byte, at int, v byte) {
		if len(b) > 0 && at >= 0 {
			b[at%len(b)] = v
		}
		p := filepath.Join(t.TempDir(), "x.gpkg")
		os.WriteFile(p, b, 0o644)
		_ = importer.Read(p, importer.ReadOptions{}, discard)
	})
}

func FuzzCRSFromPRJ(f *testing.F) {
	b, _ := os.ReadFile("testdata/shp_gbk/components.prj")
	f.Add(string(b))
	f.Add(`GEOGCS["China Geodetic Coordinate System 2000"]`)
	f.Fuzz(func(t *testing.T, s string) {
		_, _ = importer.CRSFromPRJ(s)
	})
}

func FuzzParseMapping(f *testing.F) {
	b, _ := os.ReadFile("testdata/taipei/mapping.json")
	f.Add(string(b))
	f.Add("layers:\n  - match: '*grid*'\n    kind: grid\n    templates: {code: '{A:3}{seq:3}'}\n")
	f.Fuzz(func(t *testing.T, s string) {
		_, _ = importer.ParseMapping(strings.NewReader(s))
	})
}
