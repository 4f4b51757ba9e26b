package importer_test

import (
	"context"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"citygeo/data"
	importer "citygeo/import"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// TestExportRoundTrip exports the sample city in each format and imports it back: every layer
// must come back equal (Shapefile splits components by geometry type, so order is compared
// after sorting by id).
func TestExportRoundTrip(t *testing.T) {
	want := smallCity(t)
	want.Name, want.Source, want.Version = "", "", 0
	want.CreatedAt = time.Time{}
	// Import keeps areas grouped by level (districts, streets, communities).
	sort.SliceStable(want.Areas, func(i, j int) bool { return want.Areas[i].Level < want.Areas[j].Level })
	for _, f := range []importer.ExportFormat{importer.ExportGeoJSON, importer.ExportGeoPackage, importer.ExportShapefile} {
		t.Run(string(f), func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "city")
			if f == importer.ExportGeoPackage {
				out += ".gpkg"
			}
			files, err := importer.Export(want, f, out)
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
