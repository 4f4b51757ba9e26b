package importer_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"citygeo/data/sample"
	"citygeo/data/sqlite"
	"citygeo/export"
	importer "citygeo/import"
)

// BenchmarkImportGeoPackage imports a generated city of 100,000 components from a GeoPackage
// into a new SQLite store, in process, so that a CPU profile shows the whole import: reading,
// converting, validating, encoding and inserting. On one core, as a pinned import runs:
//
//	taskset -c 0 go test ./import -run '^$' -bench ImportGeoPackage -benchtime 3x -cpuprofile cpu.out
func BenchmarkImportGeoPackage(b *testing.B) {
	ctx := context.Background()
	city, err := sample.Generate(sample.Options{Grids: 5000, Components: 100_000, Seed: 3})
	if err != nil {
		b.Fatal(err)
	}
	files, err := export.Write(city, filepath.Join(b.TempDir(), "city.gpkg"), export.Options{Format: export.GeoPackage})
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	n := 0
	for b.Loop() {
		n++
		st, err := sqlite.Open(ctx, filepath.Join(dir, fmt.Sprintf("city%d.db", n)))
		if err != nil {
			b.Fatal(err)
		}
		if _, rep, err := importer.Import(ctx, st, files, importer.Options{}); err != nil {
			b.Fatalf("import: %v (%+v)", err, rep.Findings)
		}
		st.Close()
	}
	b.ReportMetric(float64(len(city.Components))*float64(n)/b.Elapsed().Seconds(), "components/s")
}
