package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"citygeo/data"
	"citygeo/data/sample"
	"citygeo/data/sqlite"
	"citygeo/export"
)

// BenchmarkImport1M imports 1,000,000 generated components (as GeoJSON, a Shapefile, then a
// GeoPackage) with `citygeo import` in a child process, over a store holding the sample city's
// 50,000 grids, and reports wall time and the child's peak RSS. Run on demand:
//
//	go test ./cmd/citygeo -run '^$' -bench Import1M -benchtime 1x
//
// The child's peak RSS as reported by wait4 includes the parent's pages at fork; for a clean
// figure set CITYGEO_BENCH_DIR, then run /usr/bin/time -v citygeo import on the files there.
func BenchmarkImport1M(b *testing.B) {
	ctx := context.Background()
	dir := os.Getenv("CITYGEO_BENCH_DIR") // keep the generated files there, to rerun or profile
	if dir == "" {
		dir = b.TempDir()
	}
	ds, err := sample.Generate(sample.Options{Grids: 50000, Components: 1_000_000, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	comps := &data.Dataset{Components: ds.Components}
	gj, err := export.Write(comps, filepath.Join(dir, "geojson"), export.Options{})
	if err != nil {
		b.Fatal(err)
	}
	shp, err := export.Write(comps, filepath.Join(dir, "shp"), export.Options{Format: export.Shapefile})
	if err != nil {
		b.Fatal(err)
	}
	gpkg, err := export.Write(comps, filepath.Join(dir, "city.gpkg"), export.Options{Format: export.GeoPackage})
	if err != nil {
		b.Fatal(err)
	}
	base := *ds
	base.Components = nil
	db := filepath.Join(dir, "city.db")
	st, err := sqlite.Open(ctx, db)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := st.Save(ctx, &base, "bench base"); err != nil {
		b.Fatal(err)
	}
	st.Close()
	ds, comps = nil, nil
	for _, tc := range []struct {
		name  string
		files []string
	}{{"geojson", gj}, {"shapefile", shp}, {"geopackage", gpkg}} {
		b.Run(tc.name, func(b *testing.B) {
			var size int64
			for _, f := range tc.files {
				if st, err := os.Stat(f); err == nil {
					size += st.Size()
				}
			}
			for b.Loop() {
				cmd := exec.Command(os.Args[0], append([]string{"import", "-q", "--store", db}, tc.files...)...)
				cmd.Env = append(os.Environ(), "CITYGEO_MAIN=1")
				start := time.Now()
				out, err := cmd.CombinedOutput()
				if err != nil {
					b.Fatalf("import: %v\n%s", err, out)
				}
				wall := time.Since(start)
				ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
				b.ReportMetric(wall.Seconds(), "s/import")
				b.ReportMetric(float64(ru.Maxrss)/1024, "peakRSS-MB")
				b.ReportMetric(float64(size)/1e6, "input-MB")
			}
		})
	}
}
