package storetest

import (
	"context"
	"testing"

	"citygeo/data"
	"citygeo/data/sample"
)

// BenchSave imports the sample city with 100k components (5,000 grids, and the addresses,
// roads, buildings and POIs that come with them) as one version into the store open gives, and
// reports features per second. Every backend runs this one benchmark, so their figures compare.
func BenchSave(b *testing.B, open func(testing.TB) data.Store) {
	ctx := context.Background()
	ds, err := sample.Generate(sample.Options{Grids: 5000, Components: 100000})
	if err != nil {
		b.Fatal(err)
	}
	s := open(b)
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
