package geo_test

import (
	"testing"

	"citygeo/geo"

	"github.com/paulmach/orb"
)

// BenchmarkToCGCS2000 converts a projected point of each kind of CRS to CGCS2000 lon/lat: the
// importer's per-vertex cost.
func BenchmarkToCGCS2000(b *testing.B) {
	xian, _ := geo.EPSG(2383)
	cgcs, _ := geo.EPSG(4547)
	helmert, _ := geo.Local(geo.LocalDef{Name: "h", Base: "EPSG:2383", Helmert: &geo.HelmertDef{DX: -20, DY: 80, DZ: 40, RZ: 1.5, PPM: 2}})
	custom, _ := geo.Local(geo.LocalDef{Name: "c", Projection: &geo.TMDef{CentralMeridian: 114.3, SemiMajorAxis: 6378200, InverseFlattening: 298.3}})
	for _, bc := range []struct {
		name string
		crs  geo.CRS
	}{{"EPSG:4547", cgcs}, {"EPSG:2383", xian}, {"zone+helmert", helmert}, {"own ellipsoid", custom}} {
		p := geo.FromCGCS2000(orb.Point{114.1, 22.55}, bc.crs)
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				_ = geo.ToCGCS2000(p, bc.crs)
			}
		})
	}
}
