package geo_test

import (
	"math/rand/v2"
	"testing"

	"citygeo/geo"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

func TestPrepareBoundary(t *testing.T) {
	sq := orb.Ring{{0, 0}, {4, 0}, {4, 4}, {0, 4}, {0, 0}}
	hole := orb.Ring{{1, 1}, {1, 3}, {3, 3}, {3, 1}, {1, 1}}
	poly := geo.Prepare(orb.Polygon{sq, hole})
	tests := []struct {
		name string
		p    orb.Point
		want bool
		// orb counts a hole's boundary as outside the polygon; a closed polygon includes it
		orbDiffers bool
	}{
		{"inside", orb.Point{0.5, 0.5}, true, false},
		{"outside", orb.Point{5, 1}, false, false},
		{"on outer edge", orb.Point{4, 2}, true, false},
		{"on outer vertex", orb.Point{0, 0}, true, false},
		{"on bottom edge", orb.Point{2, 0}, true, false},
		{"in hole", orb.Point{2, 2}, false, false},
		{name: "on hole edge", p: orb.Point{1, 2}, want: true, orbDiffers: true},
		{name: "on hole vertex", p: orb.Point{3, 3}, want: true, orbDiffers: true},
		{"ray through vertex", orb.Point{-1, 4}, false, false},
		{"level with hole vertex", orb.Point{0.5, 1}, true, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := poly.Contains(tc.p); got != tc.want {
				t.Fatalf("Contains(%v) = %v, want %v", tc.p, got, tc.want)
			}
			// orb counts boundaries in as well, so it must agree everywhere here
			if orbSays := planar.PolygonContains(orb.Polygon{sq, hole}, tc.p); (orbSays != tc.want) != tc.orbDiffers {
				t.Fatalf("orb says %v", orbSays)
			}
		})
	}
	if geo.Prepare(orb.LineString{{0, 0}, {1, 1}}).Contains(orb.Point{0, 0}) {
		t.Fatal("a line string must contain nothing")
	}
	if geo.Prepare(orb.Polygon{}).Contains(orb.Point{0, 0}) {
		t.Fatal("an empty polygon must contain nothing")
	}
	var nilPrep *geo.Prepared
	if nilPrep.Contains(orb.Point{0, 0}) {
		t.Fatal("nil Prepared must contain nothing")
	}
}

// Brute-force twin: Prepared.Contains against orb's planar.PolygonContains on random
// polygons (small ones scanned, large ones band-indexed), with holes and as multipolygons.
func TestPrepareMatchesPlanar(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{3, 5, 20, 64, 65, 200, 1000, 5000} {
		for trial := 0; trial < 5; trial++ {
			c := orb.Point{114 + rng.Float64(), 22 + rng.Float64()}
			poly := orb.Polygon{geo.StarRing(rng, c, n, 0.005, 0.01)}
			if trial%2 == 1 {
				poly = append(poly, geo.StarRing(rng, c, n/2+3, 0.001, 0.004))
			}
			other := orb.Polygon{geo.StarRing(rng, orb.Point{c[0] + 0.015, c[1]}, n, 0.002, 0.006)}
			mp := orb.MultiPolygon{poly, other}
			pp, pm := geo.Prepare(poly), geo.Prepare(mp)
			b := mp.Bound().Pad(0.002)
			for i := 0; i < 200_000/n+100; i++ {
				p := orb.Point{b.Min[0] + rng.Float64()*(b.Max[0]-b.Min[0]), b.Min[1] + rng.Float64()*(b.Max[1]-b.Min[1])}
				if i%50 == 0 { // exact vertices: on the boundary, so inside for both
					p = poly[0][rng.IntN(n)]
				}
				if got, want := pp.Contains(p), planar.PolygonContains(poly, p); got != want {
					t.Fatalf("n=%d polygon Contains(%v) = %v, orb %v", n, p, got, want)
				}
				if got, want := pm.Contains(p), planar.MultiPolygonContains(mp, p); got != want {
					t.Fatalf("n=%d multipolygon Contains(%v) = %v, orb %v", n, p, got, want)
				}
			}
		}
	}
}

func benchRing() (orb.Polygon, []orb.Point) {
	rng := rand.New(rand.NewPCG(3, 4))
	poly := orb.Polygon{geo.StarRing(rng, orb.Point{114, 22}, 5000, 0.05, 0.1)}
	pts := make([]orb.Point, 1024)
	for i := range pts {
		pts[i] = orb.Point{113.9 + rng.Float64()*0.2, 21.9 + rng.Float64()*0.2}
	}
	return poly, pts
}

// BenchmarkContains5000Indexed and …Naive compare the band index with orb's edge scan on a
// 5,000-vertex ring (a district boundary).
func BenchmarkContains5000Indexed(b *testing.B) {
	poly, pts := benchRing()
	pp := geo.Prepare(poly)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		pp.Contains(pts[i&1023])
	}
}

func BenchmarkContains5000Naive(b *testing.B) {
	poly, pts := benchRing()
	for i := 0; b.Loop(); i++ {
		planar.PolygonContains(poly, pts[i&1023])
	}
}
