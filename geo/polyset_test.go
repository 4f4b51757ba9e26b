package geo

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// StarRing returns a random star-shaped closed ring of n vertices around c: always simple, and
// jagged enough that a ray crosses many edges. Exported for the external tests (pip_test.go).
func StarRing(rng *rand.Rand, c orb.Point, n int, rMin, rMax float64) orb.Ring {
	r := make(orb.Ring, 0, n+1)
	for i := 0; i < n; i++ {
		a := 2 * math.Pi * float64(i) / float64(n)
		d := rMin + rng.Float64()*(rMax-rMin)
		r = append(r, orb.Point{c[0] + d*math.Cos(a), c[1] + d*math.Sin(a)})
	}
	return append(r, r[0])
}

// TestPolySetMembersStayApart puts many overlapping polygons of every shape into one set, as
// the index does with its grids, and checks each member against orb on its own geometry: a
// member must read only its own offsets into the shared arrays.
func TestPolySetMembersStayApart(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 32))
	var set polySet
	var geoms []orb.Geometry
	for i := range 60 {
		c := orb.Point{114 + rng.Float64()*0.02, 22 + rng.Float64()*0.02}
		n := []int{3, 4, 12, 64, 65, 300}[i%6]
		var g orb.Geometry
		switch i % 5 {
		case 0, 1:
			g = orb.Polygon{StarRing(rng, c, n, 0.004, 0.008)}
		case 2: // with a hole
			g = orb.Polygon{StarRing(rng, c, n, 0.005, 0.008), StarRing(rng, c, n/2+3, 0.001, 0.004)}
		case 3:
			g = orb.MultiPolygon{{StarRing(rng, c, n, 0.002, 0.004)}, {StarRing(rng, orb.Point{c[0] + 0.01, c[1]}, n, 0.002, 0.004)}}
		case 4: // contains nothing
			g = []orb.Geometry{orb.LineString{c, {c[0] + 0.01, c[1]}}, orb.Polygon{}, nil}[i%3]
		}
		set.add(g)
		geoms = append(geoms, g)
	}
	if set.len() != len(geoms) {
		t.Fatalf("%d members, want %d", set.len(), len(geoms))
	}
	orbContains := func(g orb.Geometry, p orb.Point) bool {
		switch g := g.(type) {
		case orb.Polygon:
			return len(g) > 0 && planar.PolygonContains(g, p)
		case orb.MultiPolygon:
			return planar.MultiPolygonContains(g, p)
		}
		return false
	}
	inside := 0
	for m, g := range geoms {
		_, _, simple := set.simpleRing(m)
		poly, isPoly := g.(orb.Polygon)
		if want := isPoly && len(poly) == 1 && len(poly[0]) <= bandThreshold+1; simple != want {
			t.Errorf("member %d (%T): simpleRing %v, want %v", m, g, simple, want)
		}
		if set.empty(m) != (m%5 == 4) {
			t.Errorf("member %d (%T): empty %v", m, g, set.empty(m))
		}
		for range 400 {
			p := orb.Point{114 - 0.01 + rng.Float64()*0.05, 22 - 0.01 + rng.Float64()*0.04}
			got, want := set.contains(m, p), orbContains(g, p)
			if got != want {
				t.Fatalf("member %d (%T) contains(%v) = %v, orb %v", m, g, p, got, want)
			}
			if got {
				inside++
			}
		}
	}
	if inside == 0 {
		t.Fatal("no point fell inside a member: the test covers nothing")
	}
}
