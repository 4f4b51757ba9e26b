package importer_test

import (
	"context"
	"math"
	"path/filepath"
	"testing"

	"citygeo/data"
	"citygeo/geo"
	importer "citygeo/import"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/paulmach/orb"
)

func components(t *testing.T, file string, opts importer.Options) ([]*data.Component, *importer.Report) {
	t.Helper()
	ds, rep, err := importer.Check(context.Background(), []string{file}, nil, opts)
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	return ds.Components, rep
}

// TestReadFormats reads the same five components written by ogr2ogr in every supported
// format, CRS and encoding (testdata/make_fixtures.sh) and expects identical model objects.
func TestReadFormats(t *testing.T) {
	want, rep := components(t, "testdata/components.geojson", importer.Options{})
	if len(want) != 5 || rep.Errors != 0 {
		t.Fatalf("reference: %d components, %d errors", len(want), rep.Errors)
	}
	if want[0].Name != "上水井盖" || want[0].Extra["MATERIAL"] != "铸铁" || want[1].Status != data.StatusDamaged ||
		want[1].ChangeDate.Format("2006-01-02") != "2023-11-20" || want[0].Owner.Name() != "罗湖区水务局" {
		t.Fatalf("reference components misread: %+v", want[0])
	}
	near := cmp.Comparer(func(a, b orb.Geometry) bool {
		pa, ok1 := a.(orb.Point)
		pb, ok2 := b.(orb.Point)
		// 1e-7° ≈ 1 cm: the Gauss–Krüger fixtures went through PROJ and back.
		return ok1 && ok2 && math.Abs(pa[0]-pb[0]) < 1e-7 && math.Abs(pa[1]-pb[1]) < 1e-7
	})
	tests := []struct {
		file, crs, charset string
	}{
		{"testdata/components.geojsonl", "EPSG:4490", ""},
		{"testdata/components_4547.geojson", "EPSG:4547", ""},
		{"testdata/shp_gbk/components.shp", "EPSG:4547", "gb18030"},
		{"testdata/shp_nocpg/components.shp", "EPSG:4547", "gb18030"},
		{"testdata/shp_utf8/components.shp", "EPSG:4490", "utf-8"},
		{"testdata/components_gbk.zip", "EPSG:4547", "gb18030"},
		{"testdata/components.gpkg", "EPSG:4526", ""},
		{"testdata/components_xy.csv", "EPSG:4490", "utf-8"},
		{"testdata/components_wkt.csv", "EPSG:4490", "utf-8"},
	}
	for _, tt := range tests {
		t.Run(filepath.Base(filepath.Dir(tt.file))+"/"+filepath.Base(tt.file), func(t *testing.T) {
			got, rep := components(t, tt.file, importer.Options{})
			if rep.Errors != 0 {
				t.Errorf("%d errors: %+v", rep.Errors, rep.Findings)
			}
			src := rep.Sources[0]
			if src.CRS != tt.crs || src.Charset != tt.charset {
				t.Errorf("read as %s/%q, want %s/%q", src.CRS, src.Charset, tt.crs, tt.charset)
			}
			if d := cmp.Diff(want, got, near, cmpopts.EquateEmpty()); d != "" {
				t.Errorf("(-geojson +%s):\n%s", tt.file, d)
			}
		})
	}
}

func TestReadCharsetOverride(t *testing.T) {
	// Forcing UTF-8 on a GBK file must not silently produce the right names.
	got, _ := components(t, "testdata/shp_nocpg/components.shp", importer.Options{Read: importer.ReadOptions{Charset: "utf-8"}})
	if got[0].Name == "上水井盖" {
		t.Error("GBK text decoded as UTF-8 came out right: override ignored")
	}
	got, _ = components(t, "testdata/shp_nocpg/components.shp", importer.Options{Read: importer.ReadOptions{Charset: "GBK"}})
	if got[0].Name != "上水井盖" {
		t.Errorf("name %q with charset GBK", got[0].Name)
	}
}

func TestReadCRSOverride(t *testing.T) {
	crs, err := geo.ParseCRS("EPSG:4547")
	if err != nil {
		t.Fatal(err)
	}
	// The GK GeoJSON read as if it had no crs member but with --crs: same result.
	got, _ := components(t, "testdata/components_4547.geojson", importer.Options{Read: importer.ReadOptions{CRS: &crs}})
	want, _ := components(t, "testdata/components.geojson", importer.Options{})
	p, q := got[2].Geometry.(orb.Point), want[2].Geometry.(orb.Point)
	if math.Abs(p[0]-q[0]) > 1e-7 || math.Abs(p[1]-q[1]) > 1e-7 {
		t.Errorf("got %v, want %v", p, q)
	}
}

func TestReadGCJ02(t *testing.T) {
	crs, err := geo.ParseCRS("gcj02")
	if err != nil {
		t.Fatal(err)
	}
	want := orb.Point{114.1201234, 22.5501234}
	gcj := geo.FromCGCS2000(want, geo.GCJ02)
	if got := geo.ToCGCS2000(gcj, crs); math.Abs(got[0]-want[0]) > 1e-8 || math.Abs(got[1]-want[1]) > 1e-8 {
		t.Errorf("gcj02 %v → %v, want %v", gcj, got, want)
	}
	bd, err := geo.ParseCRS("bd09")
	if err != nil {
		t.Fatal(err)
	}
	if got := geo.ToCGCS2000(geo.FromCGCS2000(want, geo.BD09), bd); math.Abs(got[0]-want[0]) > 1e-8 || math.Abs(got[1]-want[1]) > 1e-8 {
		t.Errorf("bd09 → %v, want %v", got, want)
	}
}

// TestCheckCharset: the names a user may give for a Shapefile's attributes, and a refusal for
// any other (never a silent guess).
func TestCheckCharset(t *testing.T) {
	for name, ok := range map[string]bool{"": true, "UTF-8": true, "gbk": true, "CP936": true, "latin1": true, "klingon": false, "utf-16": false} {
		if err := importer.CheckCharset(name); (err == nil) != ok {
			t.Errorf("CheckCharset(%q) = %v, want ok %v", name, err, ok)
		}
	}
}

// TestFeatureProp checks that Prop reads the same column values from a GeoPackage, whose reader
// fills Values, as from GeoJSON, whose reader fills Props, and reports a column a file lacks.
func TestFeatureProp(t *testing.T) {
	read := func(file string) (ids []any, values bool) {
		err := importer.Read(file, importer.ReadOptions{}, func(src *importer.Source, f *importer.Feature) error {
			id, ok := f.Prop(src, "OBJID")
			if !ok {
				t.Errorf("%s feature %d: no OBJID", file, f.Index)
			}
			if _, ok := f.Prop(src, "NO_SUCH_COLUMN"); ok {
				t.Errorf("%s feature %d: a column the file lacks is reported present", file, f.Index)
			}
			ids, values = append(ids, id), f.Values != nil
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return ids, values
	}
	want, byMap := read("testdata/components.geojson")
	got, bySlice := read("testdata/components.gpkg")
	if byMap || !bySlice {
		t.Errorf("GeoJSON by Values %v, GeoPackage by Values %v; want false, true", byMap, bySlice)
	}
	if d := cmp.Diff(want, got); d != "" || len(want) != 5 {
		t.Errorf("OBJID of each feature (-geojson +gpkg):\n%s", d)
	}
}
