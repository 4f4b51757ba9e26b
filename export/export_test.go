package export_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"citygeo/data"
	"citygeo/data/sample"
	"citygeo/export"
	"citygeo/geo"
	importer "citygeo/import"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func smallCity(t testing.TB) *data.Dataset {
	t.Helper()
	ds, err := sample.Generate(sample.Options{Grids: 500, Components: 2000, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

// TestExportRoundTrip exports the sample city in each format and imports it back: every layer
// must come back equal (Shapefile splits components by geometry type, so order is compared
// after sorting by id).
func TestExportRoundTrip(t *testing.T) {
	want := smallCity(t)
	want.Name, want.Source, want.Version = "", "", 0
	want.CreatedAt = time.Time{}
	// Import keeps areas grouped by level (districts, streets, communities).
	sort.SliceStable(want.Areas, func(i, j int) bool { return want.Areas[i].Level < want.Areas[j].Level })
	for _, f := range []export.Format{export.GeoJSON, export.GeoPackage, export.Shapefile} {
		t.Run(string(f), func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "city")
			if f == export.GeoPackage {
				out += ".gpkg"
			}
			files, err := export.Write(want, out, export.Options{Format: f})
			if err != nil {
				t.Fatal(err)
			}
			got, rep, err := importer.Check(context.Background(), files, nil, importer.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if rep.Errors != 0 {
				t.Fatalf("%d errors re-importing: %+v", rep.Errors, rep.Findings[:min(5, len(rep.Findings))])
			}
			got.Name = ""
			byID := func(cs []*data.Component) {
				sort.Slice(cs, func(i, j int) bool { return cs[i].ID < cs[j].ID })
			}
			w := *want
			w.Components = append([]*data.Component(nil), want.Components...)
			byID(w.Components)
			byID(got.Components)
			if d := cmp.Diff(&w, got, cmpopts.EquateEmpty()); d != "" {
				t.Errorf("round trip through %s (-want +got):\n%s", f, d)
			}
		})
	}
}

// TestGeoPackageFileNames exports and re-reads GeoPackages whose names hold URI syntax ('?',
// '#'), spaces and Chinese: the export must write exactly that file and the read-only reader
// must open it, not a file cut at the '?' or '#'.
func TestGeoPackageFileNames(t *testing.T) {
	want := smallCity(t)
	for _, name := range []string{"a?b.gpkg", "c#d.gpkg", "罗湖 部件?v=2#1.gpkg"} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			files, err := export.Write(want, filepath.Join(dir, name), export.Options{Format: export.GeoPackage})
			if err != nil {
				t.Fatal(err)
			}
			got, rep, err := importer.Check(context.Background(), files, nil, importer.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if rep.Errors != 0 || len(got.Components) != len(want.Components) || len(got.Grids) != len(want.Grids) {
				t.Errorf("re-read %d components, %d grids, %d errors; want %d, %d, 0",
					len(got.Components), len(got.Grids), rep.Errors, len(want.Components), len(want.Grids))
			}
			ents, err := os.ReadDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			if len(ents) != 1 || ents[0].Name() != name {
				var names []string
				for _, e := range ents {
					names = append(names, e.Name())
				}
				t.Errorf("files written = %q, want only %q", names, name)
			}
		})
	}
}

// TestGeoPackageSpatialRefSys: whatever the export's system, gpkg_spatial_ref_sys holds the
// undefined cartesian and geographic systems and WGS 84 (GeoPackage 1.3 Requirement 11), and
// the export's own once.
func TestGeoPackageSpatialRefSys(t *testing.T) {
	for _, tc := range []struct {
		crs  string
		want string
	}{{"EPSG:4490", "-1 0 4326 4490"}, {"EPSG:4326", "-1 0 4326"}, {"EPSG:4547", "-1 0 4326 4547"}} {
		t.Run(tc.crs, func(t *testing.T) {
			crs, err := geo.ParseCRS(tc.crs)
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(t.TempDir(), "city.gpkg")
			if _, err := export.Write(smallCity(t), path, export.Options{Format: export.GeoPackage, CRS: &crs}); err != nil {
				t.Fatal(err)
			}
			db, err := sql.Open("sqlite", path)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			rows, err := db.Query(`SELECT srs_id FROM gpkg_spatial_ref_sys ORDER BY srs_id`)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			var ids []string
			for rows.Next() {
				var id int
				rows.Scan(&id)
				ids = append(ids, strconv.Itoa(id))
			}
			if got := strings.Join(ids, " "); got != tc.want {
				t.Errorf("srs ids %s, want %s", got, tc.want)
			}
		})
	}
}
