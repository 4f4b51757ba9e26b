package geo_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"citygeo/data/sample"
	"citygeo/geo"

	"github.com/paulmach/orb"
)

// TestLocateBatchMatchesLocate checks LocateBatch against Locate point by point (Locate is
// checked against brute force in TestLocateMatchesBruteForce): random points in and around a
// synthetic city with gaps and the sample city, lattice vertices shared by four grids, points
// off the bucket table, NaN and infinities, and batches shorter and longer than a stride.
func TestLocateBatchMatchesLocate(t *testing.T) {
	sampleDS, err := sample.Generate(sample.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		ix   func() (*geo.Index, error)
	}{
		{"synthetic with gaps", func() (*geo.Index, error) {
			return geo.NewIndex(synthCity(synthOptions{NX: 30, NY: 25, Drop: 0.08, Seed: 11}), geo.IndexOptions{SnapTolerance: 15})
		}},
		{"synthetic with band-indexed grids", func() (*geo.Index, error) {
			return geo.NewIndex(synthCity(synthOptions{NX: 30, NY: 25, Drop: 0.08, Dense: 0.3, Seed: 12}), geo.IndexOptions{SnapTolerance: 15})
		}},
		{"sample city", func() (*geo.Index, error) { return geo.NewIndex(sampleDS, geo.IndexOptions{}) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ix, err := tc.ix()
			if err != nil {
				t.Fatal(err)
			}
			ds := ix.Dataset()
			rng := rand.New(rand.NewPCG(21, 22))
			b := ix.Bound().Pad(0.002)
			var pts []orb.Point
			for i := range 3000 {
				p := orb.Point{b.Min[0] + rng.Float64()*(b.Max[0]-b.Min[0]), b.Min[1] + rng.Float64()*(b.Max[1]-b.Min[1])}
				switch i % 10 {
				case 0: // a vertex of a grid: shared by its neighbours
					g := ds.Grids[rng.IntN(len(ds.Grids))]
					p = g.Polygon[0][rng.IntN(len(g.Polygon[0]))]
				case 1: // far off the table
					p = orb.Point{p[0] + 1, p[1] - 1}
				}
				pts = append(pts, p)
			}
			pts = append(pts, orb.Point{math.NaN(), 22.5}, orb.Point{math.Inf(1), 22.5}, orb.Point{114, math.Inf(-1)})
			var out []geo.Location
			grids := 0
			for _, n := range []int{1, 63, 64, 65, 1000, len(pts)} {
				batch := pts[len(pts)-n:]
				out = ix.LocateBatch(batch, out)
				if len(out) != n {
					t.Fatalf("%d points: %d answers", n, len(out))
				}
				for i, p := range batch {
					want, got := ix.Locate(p), out[i]
					if !sameLocation(got, want) {
						t.Fatalf("point %d of %d %v: LocateBatch %+v, Locate %+v", i, n, p, got, want)
					}
					if got.Grid != nil {
						grids++
					}
				}
			}
			if grids == 0 {
				t.Error("no point found a grid: the test covers nothing")
			}
		})
	}
}

// sameLocation compares two answers field by field (NaN points compare equal).
func sameLocation(a, b geo.Location) bool {
	samePoint := a.Point == b.Point || (a.Point[0] != a.Point[0] || a.Point[1] != a.Point[1]) && (b.Point[0] != b.Point[0] || b.Point[1] != b.Point[1])
	return samePoint && a.Grid == b.Grid && a.Community == b.Community && a.Street == b.Street && a.District == b.District &&
		a.Outside == b.Outside && a.Snapped == b.Snapped && a.SnapDistance == b.SnapDistance
}
