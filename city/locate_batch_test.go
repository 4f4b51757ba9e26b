package city_test

import (
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"

	"citygeo/city"
	"citygeo/data"
	"citygeo/data/sample"
	"citygeo/geo"
)

// TestLocateBatchMatchesLocateInto checks each answer of LocateBatch against LocateInto's for
// the same point, byte for byte as JSON: random points in and around a generated city
// (outside, snapped, inside), each CRS, grid only and with components, batches shorter and
// longer than a stride.
func TestLocateBatchMatchesLocateInto(t *testing.T) {
	snap, ds := sampleSnapshot(t, sample.Options{Grids: 500, Components: 3000, Seed: 6})
	bd := ds.Bound().Pad(0.01)
	rng := rand.New(rand.NewPCG(7, 8))
	var b city.Batch
	var into city.Located
	var near []geo.Neighbor
	inside := 0
	for _, tc := range []struct {
		name string
		crs  geo.CRS
		q    geo.NearestQuery
		n    int
	}{
		{"grid only, one point", geo.WGS84, geo.NearestQuery{}, 1},
		{"grid only, gcj02", geo.GCJ02, geo.NearestQuery{}, 1000},
		{"components, bd09", geo.BD09, geo.NearestQuery{K: 5, Radius: 100}, 130},
		{"class, cgcs2000", geo.CGCS2000, geo.NearestQuery{K: 1, Radius: 500, Class: "0118"}, 64},
	} {
		t.Run(tc.name, func(t *testing.T) {
			given := make([]orb.Point, tc.n)
			pts := make([]orb.Point, tc.n)
			for i := range given {
				given[i] = orb.Point{bd.Min[0] + rng.Float64()*(bd.Max[0]-bd.Min[0]), bd.Min[1] + rng.Float64()*(bd.Max[1]-bd.Min[1])}
				pts[i] = geo.ToCGCS2000(given[i], tc.crs)
			}
			next := 0
			snap.LocateBatch(&b, given, pts, tc.crs, tc.q, func(i int, l *city.Located) {
				if i != next {
					t.Fatalf("answer %d after %d", i, next-1)
				}
				next++
				near = snap.LocateInto(&into, given[i], pts[i], tc.crs, tc.q, near)
				if got, want := string(l.AppendJSON(nil)), string(into.AppendJSON(nil)); got != want {
					t.Fatalf("point %d %v:\n got %s\nwant %s", i, given[i], got, want)
				}
				if l.Grid != nil && !l.Snapped {
					inside++
				}
			})
			if next != tc.n {
				t.Fatalf("%d answers for %d points", next, tc.n)
			}
		})
	}
	if inside == 0 {
		t.Error("no point fell in a grid: the test covers too little")
	}

	// The same Batch on the next version, whose areas were renamed: its own chains.
	ds2, err := sample.Generate(sample.Options{Grids: 500, Components: 3000, Seed: 6})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range ds2.Areas {
		a.Name += "（新）"
	}
	snap2, err := city.Build(ds2, city.Options{})
	if err != nil {
		t.Fatal(err)
	}
	pts := make([]orb.Point, 200)
	for i := range pts {
		pts[i] = orb.Point{bd.Min[0] + rng.Float64()*(bd.Max[0]-bd.Min[0]), bd.Min[1] + rng.Float64()*(bd.Max[1]-bd.Min[1])}
	}
	snap2.LocateBatch(&b, pts, pts, geo.CGCS2000, geo.NearestQuery{}, func(i int, l *city.Located) {
		near = snap2.LocateInto(&into, pts[i], pts[i], geo.CGCS2000, geo.NearestQuery{}, near)
		if got, want := string(l.AppendJSON(nil)), string(into.AppendJSON(nil)); got != want {
			t.Fatalf("next version, point %d:\n got %s\nwant %s", i, got, want)
		}
	})
}

// TestLocateBatchAllocates: a grid-only batch written as JSON allocates nothing once its
// memory is warm.
func TestLocateBatchAllocates(t *testing.T) {
	snap, ds := sampleSnapshot(t, sample.Options{Grids: 500, Components: 500, Seed: 5})
	bd := ds.Bound()
	rng := rand.New(rand.NewPCG(1, 2))
	pts := make([]orb.Point, 1000)
	for i := range pts {
		pts[i] = orb.Point{bd.Min[0] + rng.Float64()*(bd.Max[0]-bd.Min[0]), bd.Min[1] + rng.Float64()*(bd.Max[1]-bd.Min[1])}
	}
	var b city.Batch
	out := make([]byte, 0, 1<<20)
	grids := 0
	if n := testing.AllocsPerRun(20, func() {
		out, grids = out[:0], 0
		snap.LocateBatch(&b, pts, pts, geo.CGCS2000, geo.NearestQuery{}, func(_ int, l *city.Located) {
			out = l.AppendJSON(out)
			if l.Grid != nil {
				grids++
			}
		})
	}); n != 0 {
		t.Errorf("%v allocations per batch of %d grid-only locates, want 0", n, len(pts))
	}
	if grids == 0 {
		t.Error("no point found a grid")
	}
}

// sampleSnapshot builds the snapshot of a generated city.
func sampleSnapshot(t testing.TB, o sample.Options) (*city.Snapshot, *data.Dataset) {
	t.Helper()
	ds, err := sample.Generate(o)
	if err != nil {
		t.Fatal(err)
	}
	snap, err := city.Build(ds, city.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return snap, ds
}
