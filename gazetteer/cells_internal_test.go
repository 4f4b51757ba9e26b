package gazetteer

import (
	"math"
	"math/rand/v2"
	"testing"

	"citygeo/data"

	"github.com/paulmach/orb"
)

// TestNearestBruteForce checks the cell searches against a scan of everything.
func TestNearestBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	ds := &data.Dataset{}
	pt := func() orb.Point { return orb.Point{114 + rng.Float64()*0.05, 22.5 + rng.Float64()*0.05} }
	for i := range 3000 {
		ds.Addresses = append(ds.Addresses, &data.Address{Road: "路" + string(rune('甲'+i%40)) + "路", Number: i + 1, Point: pt()})
	}
	for i := range 40 {
		ds.Roads = append(ds.Roads, &data.Road{Name: "路" + string(rune('甲'+i)) + "路", Line: orb.LineString{pt(), pt(), pt()}})
	}
	ix, err := New(ds, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for range 500 {
		p := pt()
		radius := []float64{50, 300, 2000}[rng.IntN(3)]
		// Addresses.
		want, wd := -1, math.Inf(1)
		for i := range ix.addrs[:ix.real] {
			if d := ix.pl.Distance(p, ix.addrs[i].point); d < wd && d <= radius {
				want, wd = i, d
			}
		}
		got, ok := ix.nearestAddr(p, radius)
		if ok != (want >= 0) || ok && math.Abs(ix.pl.Distance(p, got.point)-wd) > 1e-6 {
			t.Fatalf("nearestAddr(%v, %.0f): got %v (ok %v), want distance %.3f", p, radius, got, ok, wd)
		}
		// Roads.
		rd := math.Inf(1)
		for _, r := range ix.roads {
			for _, l := range r.lines {
				for i := 1; i < len(l); i++ {
					if _, d := ix.pl.ClosestOnSegment(p, l[i-1], l[i]); d < rd && d <= radius {
						rd = d
					}
				}
			}
		}
		_, _, d, ok := ix.nearestRoad(p, radius)
		// Segments are searched in float32 metres: a centimetre of slack.
		if ok != !math.IsInf(rd, 1) || ok && math.Abs(d-rd) > 1e-2 {
			t.Fatalf("nearestRoad(%v, %.0f) = %.3f (ok %v), want %.3f", p, radius, d, ok, rd)
		}
	}
}
