package geo_test

import (
	"testing"

	"citygeo/data/sample"
	"citygeo/geo"

	"github.com/paulmach/orb"
)

// On the built-in sample city every grid's vertex centroid (cells are convex) locates to that
// grid, with the community and street its code names, and every component finds itself as its
// own nearest of its class.
func TestSampleCity(t *testing.T) {
	ds, err := sample.Generate(sample.Options{Grids: 1000})
	if err != nil {
		t.Fatal(err)
	}
	ix, err := geo.NewIndex(ds, geo.IndexOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range ds.Grids {
		ring := g.Polygon[0]
		var c orb.Point
		n := len(ring) - 1
		for _, p := range ring[:n] {
			c[0] += p[0] / float64(n)
			c[1] += p[1] / float64(n)
		}
		loc := ix.Locate(c)
		if loc.Grid != g || loc.Snapped || loc.Outside {
			t.Fatalf("grid %s: Locate(centroid) = %s snapped %v outside %v", g.Code, code(loc.Grid), loc.Snapped, loc.Outside)
		}
		if loc.Community == nil || loc.Community.Code != g.Community || loc.Street == nil || loc.Street.Code != g.Community[:9] || loc.District == nil {
			t.Fatalf("grid %s: chain %s/%s/%s", g.Code, areaCode(loc.Community), areaCode(loc.Street), areaCode(loc.District))
		}
	}
	buf := make([]geo.Neighbor, 0, 1)
	for i, c := range ds.Components {
		if i%7 != 0 {
			continue
		}
		pt, ok := c.Geometry.(orb.Point)
		if !ok {
			continue
		}
		buf = ix.Nearest(pt, geo.NearestQuery{Class: c.Class()}, buf)
		if len(buf) != 1 || buf[0].Distance != 0 {
			t.Fatalf("component %s: nearest of its class %v", c.ID, buf)
		}
	}
}
