package geo_test

import (
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"citygeo/data"
	"citygeo/geo"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// bruteLocate is the documented Locate rule written as plain scans over every grid and area.
func bruteLocate(ds *data.Dataset, p orb.Point, tol float64) (grid, community string, snapped, outside bool) {
	grids := slices.Clone(ds.Grids)
	slices.SortFunc(grids, func(a, b *data.Grid) int { return strings.Compare(a.Code, b.Code) })
	for _, g := range grids {
		if planar.PolygonContains(g.Polygon, p) {
			return g.Code, g.Community, false, false
		}
	}
	var snap *data.Grid
	best := math.Inf(1)
	for _, g := range grids {
		if d, _ := geo.DistanceTo(g.Polygon, p); d < best {
			snap, best = g, d
		}
	}
	if best > tol {
		snap = nil
	}
	areas := slices.Clone(ds.Areas)
	slices.SortFunc(areas, func(a, b *data.Area) int { return strings.Compare(a.Code, b.Code) })
	for lvl := data.Community; lvl >= data.District; lvl-- {
		for _, a := range areas {
			if a.Level == lvl && planar.MultiPolygonContains(a.Polygon, p) {
				if snap != nil && strings.HasPrefix(snap.Community, a.Code) {
					return snap.Code, snap.Community, true, false
				}
				if lvl == data.Community {
					return "", a.Code, false, false
				}
				return "", "", false, false
			}
		}
	}
	if snap != nil {
		return snap.Code, snap.Community, true, false
	}
	return "", "", false, true
}

func TestLocateMatchesBruteForce(t *testing.T) {
	for _, tc := range []struct {
		name string
		o    synthOptions
	}{
		{"quadrilaterals", synthOptions{NX: 30, NY: 25, Drop: 0.08, Seed: 11}},
		// a third of the grids band-indexed: the polygon set's path rather than the cells' ring
		{"band-indexed grids", synthOptions{NX: 30, NY: 25, Drop: 0.08, Dense: 0.3, Seed: 13}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ds := synthCity(tc.o)
			ix, err := geo.NewIndex(ds, geo.IndexOptions{SnapTolerance: 15})
			if err != nil {
				t.Fatal(err)
			}
			rng := rand.New(rand.NewPCG(5, 6))
			b := ix.Bound().Pad(0.0005)
			n := 3000
			if testing.Short() {
				n = 500
			}
			for i := 0; i < n; i++ {
				p := orb.Point{b.Min[0] + rng.Float64()*(b.Max[0]-b.Min[0]), b.Min[1] + rng.Float64()*(b.Max[1]-b.Min[1])}
				if i%10 == 0 { // a grid's vertex: a lattice vertex is shared by up to four grids
					g := ds.Grids[rng.IntN(len(ds.Grids))]
					p = g.Polygon[0][rng.IntN(len(g.Polygon[0]))]
				}
				grid, comm, snapped, outside := bruteLocate(ds, p, 15)
				loc := ix.Locate(p)
				if code(loc.Grid) != grid || areaCode(loc.Community) != comm || loc.Snapped != snapped || loc.Outside != outside {
					t.Fatalf("Locate(%v) = grid %q community %q snapped %v outside %v; brute force %q %q %v %v",
						p, code(loc.Grid), areaCode(loc.Community), loc.Snapped, loc.Outside, grid, comm, snapped, outside)
				}
			}
		})
	}
}

// TestGridsInMatchesBruteForce checks GridsIn against a scan of every grid's box with
// orb.Bound.Intersects: small and large boxes, boxes off the city, infinite and NaN ones; each
// grid once.
func TestGridsInMatchesBruteForce(t *testing.T) {
	ds := synthCity(synthOptions{NX: 30, NY: 25, Drop: 0.08, Dense: 0.2, Seed: 14})
	ix, err := geo.NewIndex(ds, geo.IndexOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(15, 16))
	city := ix.Bound()
	w, h := city.Max[0]-city.Min[0], city.Max[1]-city.Min[1]
	boxes := []orb.Bound{
		city,
		{Min: orb.Point{math.Inf(-1), math.Inf(-1)}, Max: orb.Point{math.Inf(1), math.Inf(1)}},
		{Min: orb.Point{city.Min[0] + w/3, math.Inf(-1)}, Max: orb.Point{city.Min[0] + w/2, math.Inf(1)}},
		{Min: orb.Point{math.NaN(), city.Min[1]}, Max: orb.Point{math.NaN(), city.Max[1]}},
		{Min: city.Max, Max: city.Min}, // inverted: meets the grids that span it
		{Min: orb.Point{city.Max[0] + 1, city.Max[1] + 1}, Max: orb.Point{city.Max[0] + 2, city.Max[1] + 2}}, // off the city
	}
	for range 300 {
		p := orb.Point{city.Min[0] - w/10 + rng.Float64()*w*1.2, city.Min[1] - h/10 + rng.Float64()*h*1.2}
		s := []float64{0, 0.0003, 0.003, 0.02}[rng.IntN(4)]
		b := orb.Bound{Min: p, Max: orb.Point{p[0] + s*rng.Float64(), p[1] + s*rng.Float64()}}
		boxes = append(boxes, b)
	}
	found := 0
	for _, b := range boxes {
		want := map[string]bool{}
		for _, g := range ds.Grids {
			if g.Polygon.Bound().Intersects(b) {
				want[g.Code] = true
			}
		}
		got := map[string]bool{}
		ix.GridsIn(b, func(g *data.Grid) bool {
			if got[g.Code] {
				t.Fatalf("GridsIn(%v) reported %s twice", b, g.Code)
			}
			got[g.Code] = true
			return true
		})
		if !maps.Equal(got, want) {
			t.Fatalf("GridsIn(%v): %d grids, brute force %d", b, len(got), len(want))
		}
		found += len(got)
	}
	if found == 0 {
		t.Fatal("no box met a grid: the test covers nothing")
	}
}

func bruteNearest(ds *data.Dataset, p orb.Point, q geo.NearestQuery) []geo.Neighbor {
	var all []geo.Neighbor
	for _, c := range ds.Components {
		if q.Class != "" && !strings.HasPrefix(c.Class(), q.Class) {
			continue
		}
		d, at := geo.DistanceTo(c.Geometry, p)
		if q.Radius > 0 && d > q.Radius {
			continue
		}
		all = append(all, geo.Neighbor{Component: c, Distance: d, Bearing: geo.Bearing(p, at)})
	}
	slices.SortFunc(all, func(a, b geo.Neighbor) int {
		if a.Distance != b.Distance {
			if a.Distance < b.Distance {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Component.ID, b.Component.ID)
	})
	k := max(q.K, 1)
	return all[:min(k, len(all))]
}

// The R-tree walk uses an equirectangular lower bound; this proves on random data, including
// far-away query points with no radius, that it never drops a true nearest.
func TestNearestMatchesBruteForce(t *testing.T) {
	ds := synthCity(synthOptions{NX: 20, NY: 20, Components: 4000, Seed: 3})
	ix, err := geo.NewIndex(ds, geo.IndexOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(8, 9))
	b := ix.Bound()
	classes := []string{"", "01", "0118", "0402", "0602", "04", "0999"}
	n := 1500
	if testing.Short() {
		n = 300
	}
	var buf []geo.Neighbor
	for i := 0; i < n; i++ {
		p := orb.Point{b.Min[0] + rng.Float64()*(b.Max[0]-b.Min[0]), b.Min[1] + rng.Float64()*(b.Max[1]-b.Min[1])}
		if i%7 == 0 { // well outside, up to ~50 km away
			p = orb.Point{p[0] + (rng.Float64()-0.5)*0.9, p[1] + (rng.Float64()-0.5)*0.9}
		}
		q := geo.NearestQuery{K: []int{0, 1, 3, 10}[rng.IntN(4)], Class: classes[rng.IntN(len(classes))],
			Radius: []float64{0, 0, 50, 300}[rng.IntN(4)]}
		buf = ix.Nearest(p, q, buf)
		want := bruteNearest(ds, p, q)
		if len(buf) != len(want) {
			t.Fatalf("Nearest(%v, %+v): %d results, brute force %d", p, q, len(buf), len(want))
		}
		for j := range want {
			if buf[j].Component != want[j].Component || buf[j].Distance != want[j].Distance || math.Abs(buf[j].Bearing-want[j].Bearing) > 1e-9 {
				t.Fatalf("Nearest(%v, %+v)[%d] = %s at %v m, bearing %v; brute force %s at %v m, bearing %v", p, q, j,
					buf[j].Component.ID, buf[j].Distance, buf[j].Bearing, want[j].Component.ID, want[j].Distance, want[j].Bearing)
			}
			if pt, ok := buf[j].Component.Geometry.(orb.Point); ok != buf[j].Own || ok && buf[j].At != pt {
				t.Fatalf("Nearest(%v, %+v)[%d] = %s: own point %v at %v, want %v at %v", p, q, j,
					buf[j].Component.ID, buf[j].Own, buf[j].At, ok, pt)
			}
		}
	}
}
