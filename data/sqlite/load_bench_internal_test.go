package sqlite

import (
	"context"
	"path/filepath"
	"testing"

	"citygeo/data"
	"citygeo/data/sample"
)

// BenchmarkLoad loads a 100k-component sample city from its image and from its rows.
func BenchmarkLoad(b *testing.B) {
	ctx := context.Background()
	ds, err := sample.Generate(sample.Options{Grids: 5000, Components: 100000})
	if err != nil {
		b.Fatal(err)
	}
	s, err := Open(ctx, filepath.Join(b.TempDir(), "city.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	v, err := s.Save(ctx, ds, "bench")
	if err != nil {
		b.Fatal(err)
	}
	features := 0
	for _, l := range data.Layers {
		features += ds.Count(l)
	}
	for _, from := range []struct {
		name     string
		rowsOnly bool
	}{{"image", false}, {"rows", true}} {
		b.Run(from.name, func(b *testing.B) {
			s.rowsOnly = from.rowsOnly
			for b.Loop() {
				if _, err := s.Load(ctx, v); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(features)*float64(b.N)/b.Elapsed().Seconds(), "features/s")
		})
	}
}
