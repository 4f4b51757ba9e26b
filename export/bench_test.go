package export_test

import (
	"path/filepath"
	"testing"

	"citygeo/data/sample"
	"citygeo/export"
	"citygeo/geo"
)

// BenchmarkWrite writes a sample city (1,000 grids, 20,000 components and the rest of its
// layers) in each format, in lon/lat and in a Gauss–Krüger zone.
func BenchmarkWrite(b *testing.B) {
	ds, err := sample.Generate(sample.Options{Grids: 1000, Components: 20000, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	gk, _ := geo.ParseCRS("EPSG:4547")
	for _, f := range []export.Format{export.GeoJSON, export.Shapefile, export.GeoPackage} {
		for _, crs := range []*geo.CRS{nil, &gk} {
			name := string(f) + "/4490"
			if crs != nil {
				name = string(f) + "/4547"
			}
			b.Run(name, func(b *testing.B) {
				dir := b.TempDir()
				for i := 0; b.Loop(); i++ {
					out := filepath.Join(dir, name, string(rune('a'+i%26)))
					if f == export.GeoPackage {
						out += ".gpkg"
					}
					if _, err := export.Write(ds, out, export.Options{Format: f, CRS: crs}); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
