package importer_test

import (
	"math"
	"testing"

	"citygeo/data"
	importer "citygeo/import"

	"github.com/paulmach/orb"
	orbgeo "github.com/paulmach/orb/geo"
)

// TestDeriveGridsTiles cuts a concave community with a hole (a U around a courtyard) and checks
// that the cells tile it: their areas add up, each is a valid polygon with its community's
// code prefix, and validation finds no gap, overlap or cell outside the community.
func TestDeriveGridsTiles(t *testing.T) {
	// U shape, ~600 m × 400 m, with the notch open to the north, plus a hole in the base.
	u := orb.Ring{{114.100, 22.540}, {114.106, 22.540}, {114.106, 22.544}, {114.104, 22.544}, {114.104, 22.5415},
		{114.102, 22.5415}, {114.102, 22.544}, {114.100, 22.544}, {114.100, 22.540}}
	hole := orb.Ring{{114.1025, 22.5405}, {114.1025, 22.5409}, {114.1035, 22.5409}, {114.1035, 22.5405}, {114.1025, 22.5405}}
	comm := &data.Area{Code: "440303001001", Name: "测试社区", Level: data.Community, Parent: "440303001",
		Polygon: orb.MultiPolygon{{u, hole}}}
	for _, size := range []float64{100, 73, 250} {
		grids, err := importer.DeriveGrids(comm, size)
		if err != nil {
			t.Fatal(err)
		}
		sum := 0.0
		for _, g := range grids {
			if g.Community != comm.Code || g.Code[:12] != comm.Code || !g.Derived {
				t.Fatalf("grid %+v", g)
			}
			sum += g.AreaM2
		}
		want := math.Abs(orbgeo.Area(comm.Polygon))
		if math.Abs(sum-want) > 1e-6*want {
			t.Errorf("size %g: %d cells cover %.3f m², community %.3f m²", size, len(grids), sum, want)
		}
		ds := &data.Dataset{Areas: []*data.Area{comm}, Grids: grids}
		importer.Validate(ds, importer.ValidateOptions{}, func(f importer.Finding) {
			t.Errorf("size %g: %s %s: %s", size, f.Check, f.SourceID, f.Reason)
		})
	}
	// One square larger than the whole U gives exactly the U (with its hole) as one cell.
	grids, _ := importer.DeriveGrids(comm, 1000)
	if len(grids) != 1 {
		t.Errorf("one 1 km square over the whole U gave %d cells", len(grids))
	}
}
