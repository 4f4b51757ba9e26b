package postgis_test

import (
	"context"
	"testing"

	"citygeo/data"
	"citygeo/data/sample"
)

// BenchmarkSave imports the sample city with 100k components (5,000 grids, and the addresses,
// roads, buildings and POIs that come with them) as one version: one transaction, a COPY per
// layer. data/sqlite has the same benchmark, so the two backends can be compared.
func BenchmarkSave(b *testing.B) {
	ctx := context.Background()
	ds, err := sample.Generate(sample.Options{Grids: 5000, Components: 100000})
	if err != nil {
		b.Fatal(err)
	}
	s := open(b, testDB(b))
	features := 0
	for _, l := range data.Layers {
		features += ds.Count(l)
	}
	for b.Loop() {
		if _, err := s.Save(ctx, ds, "bench"); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(features)*float64(b.N)/b.Elapsed().Seconds(), "features/s")
}
