package city

import (
	"context"
	"os"
	"strconv"
	"testing"

	"citygeo/data"
	"citygeo/data/sample"
	"citygeo/gazetteer"
)

// BenchmarkAddressEdit measures, on a generated city sized by CITYGEO_BENCH_GRIDS and
// CITYGEO_BENCH_COMPONENTS (default 2,000 and 40,000; the large city is 100000 and 2000000),
// how long an address edit takes to be geocoded at its new point (edit-to-visible: the edit
// recorded, the gazetteer patch rebuilt on the first read, the geocode), and a geocode of an
// unedited address with 100 address edits served over the base. The fold is held back: every
// answer comes from the overlay.
func BenchmarkAddressEdit(b *testing.B) {
	ctx := context.Background()
	grids, comps := benchEnv("CITYGEO_BENCH_GRIDS", 2000), benchEnv("CITYGEO_BENCH_COMPONENTS", 40000)
	c, _ := addressCity(b, sample.Options{Grids: grids, Components: comps, Seed: 9})
	addrs := c.Current().Dataset.Addresses
	edit := func(b *testing.B, i int) (*data.Address, *Snapshot) {
		a := addrs[i%len(addrs)]
		s := c.Current()
		old := s.Feature(data.LayerAddress, strconv.FormatUint(a.ID, 10))
		n := *old.Addresses[0]
		n.Point = offset(n.Point, 0.05, 0)
		if _, err := c.Edit(ctx, Edit{Layer: data.LayerAddress, ID: strconv.FormatUint(a.ID, 10), Op: data.OpUpdate,
			After: &data.Dataset{Addresses: []*data.Address{&n}}, IfMatch: FeatureETag(old), Who: "bench"}); err != nil {
			b.Fatal(err)
		}
		return &n, c.Current()
	}
	b.Run("edit-to-geocode", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			n, s := edit(b, i*7919)
			if cs := s.Geocode(n.Full, gazetteer.Query{}); len(cs) == 0 || cs[0].Point != n.Point {
				b.Fatalf("geocode %s right after its edit = %+v, want %v", n.Full, cs, n.Point)
			}
		}
	})
	b.Run("geocode-over-edits", func(b *testing.B) {
		for i := range 100 {
			edit(b, i*104729+1)
		}
		s := c.Current()
		s.Addresses() // the patch is built on the first read after an edit
		b.ResetTimer()
		for i := 0; b.Loop(); i++ {
			s.Geocode(addrs[(i*31)%len(addrs)].Full, gazetteer.Query{})
		}
	})
}

func benchEnv(key string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(key)); err == nil && n > 0 {
		return n
	}
	return def
}
