package geo_test

import (
	"fmt"
	"math"
	"testing"

	"citygeo/geo"

	"github.com/paulmach/orb"
)

// Reference values from the closed forms M = a(1−e²)/(1−e²sin²φ)^1.5 and N = a/√(1−e²sin²φ)
// on the CGCS2000 ellipsoid, evaluated to 30 digits (mpmath); the equator's are the textbook
// 110 574.3 m and 111 319.5 m, 40°'s the 111 034.6 m and 85 393.9 m of the usual tables.
func TestMetresPerDegree(t *testing.T) {
	tests := []struct {
		lat            float64
		perLon, perLat float64
		m, n           float64
	}{
		{0, 111319.490793273572, 110574.275817947594, 6335439.32708387564, 6378137},
		{22.5, 102896.249641428186, 110737.080743666556, 6344767.36221151301, 6381265.76541116457},
		{40, 85393.856959197960, 111034.632575349657, 6361815.82635334175, 6386976.16574967670},
		{-40, 85393.856959197960, 111034.632575349657, 6361815.82635334175, 6386976.16574967670},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprint(tc.lat), func(t *testing.T) {
			kx, ky := geo.MetresPerDegree(tc.lat)
			if math.Abs(kx-tc.perLon) > 1e-6 || math.Abs(ky-tc.perLat) > 1e-6 {
				t.Errorf("MetresPerDegree(%g) = %.9f, %.9f; want %.9f, %.9f", tc.lat, kx, ky, tc.perLon, tc.perLat)
			}
			el := geo.CGCS2000Ellipsoid
			if m, n := el.MeridianRadius(tc.lat), el.PrimeVerticalRadius(tc.lat); math.Abs(m-tc.m) > 1e-6 || math.Abs(n-tc.n) > 1e-6 {
				t.Errorf("M, N at %g = %.9f, %.9f; want %.9f, %.9f", tc.lat, m, n, tc.m, tc.n)
			}
		})
	}
}

func TestPlane(t *testing.T) {
	luohu := geo.LocalPlane(orb.Point{114.131, 22.548})
	tests := []struct {
		name string
		pl   geo.Plane
		m    orb.Point // metres east, north
	}{
		{"origin", luohu, orb.Point{0, 0}},
		{"1 km east", luohu, orb.Point{1000, 0}},
		{"3 km south-west", luohu, orb.Point{-2121.32, -2121.32}},
		{"a city across", luohu, orb.Point{25000, -18000}},
		{"Harbin", geo.LocalPlane(orb.Point{126.63, 45.75}), orb.Point{-700, 12345.6}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := tc.pl.FromMetres(tc.m)
			if back := tc.pl.ToMetres(p); math.Abs(back[0]-tc.m[0]) > 1e-6 || math.Abs(back[1]-tc.m[1]) > 1e-6 {
				t.Errorf("ToMetres(FromMetres(%v)) = %v", tc.m, back)
			}
			want := math.Hypot(tc.m[0], tc.m[1])
			if d := tc.pl.Distance(tc.pl.Origin, p); math.Abs(d-want) > 1e-6 {
				t.Errorf("Distance = %.6f, want %.6f", d, want)
			}
			// Within a few km the plane agrees with the great circle (on a sphere, so only to
			// the sphere's ~0.3 % in China).
			if want < 5000 && math.Abs(geo.Distance(tc.pl.Origin, p)-want) > 0.005*want {
				t.Errorf("great circle %.3f m, plane %.3f m", geo.Distance(tc.pl.Origin, p), want)
			}
		})
	}
}

func TestNearestOnSegment(t *testing.T) {
	tests := []struct {
		name    string
		p, a, b orb.Point
		t, d2   float64
	}{
		{"above the middle", orb.Point{5, 3}, orb.Point{0, 0}, orb.Point{10, 0}, 0.5, 9},
		{"before a", orb.Point{-3, 4}, orb.Point{0, 0}, orb.Point{10, 0}, 0, 25},
		{"past b", orb.Point{13, -4}, orb.Point{0, 0}, orb.Point{10, 0}, 1, 25},
		{"on it", orb.Point{2, 2}, orb.Point{0, 0}, orb.Point{4, 4}, 0.5, 0},
		{"degenerate", orb.Point{3, 4}, orb.Point{0, 0}, orb.Point{0, 0}, 0, 25},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			gotT, gotD2 := geo.NearestOnSegment(tc.p, tc.a, tc.b)
			if math.Abs(gotT-tc.t) > 1e-12 || math.Abs(gotD2-tc.d2) > 1e-9 {
				t.Errorf("NearestOnSegment = %g, %g; want %g, %g", gotT, gotD2, tc.t, tc.d2)
			}
		})
	}
}

func TestPlaneClosestOnSegment(t *testing.T) {
	pl := geo.LocalPlane(orb.Point{114.131, 22.548})
	a, b := pl.FromMetres(orb.Point{0, 0}), pl.FromMetres(orb.Point{100, 0})
	q, d := pl.ClosestOnSegment(pl.FromMetres(orb.Point{40, 30}), a, b)
	if m := pl.ToMetres(q); math.Abs(m[0]-40) > 1e-6 || math.Abs(m[1]) > 1e-6 || math.Abs(d-30) > 1e-6 {
		t.Errorf("closest %v (%v m), distance %g; want {40 0}, 30", q, m, d)
	}
}

func TestDistanceToBoundary(t *testing.T) {
	pl := geo.LocalPlane(orb.Point{114.1, 22.55})
	sq := func(x0, y0, x1, y1 float64) orb.Ring {
		return orb.Ring{pl.FromMetres(orb.Point{x0, y0}), pl.FromMetres(orb.Point{x1, y0}), pl.FromMetres(orb.Point{x1, y1}),
			pl.FromMetres(orb.Point{x0, y1}), pl.FromMetres(orb.Point{x0, y0})}
	}
	withHole := orb.Polygon{sq(0, 0, 100, 100), sq(40, 40, 60, 60)}
	tests := []struct {
		name string
		g    orb.Geometry
		p    orb.Point // metres
		want float64
	}{
		{"inside, near the west edge", withHole, orb.Point{3, 20}, 3},
		{"inside, nearer the hole", withHole, orb.Point{50, 35}, 5},
		{"in the hole", withHole, orb.Point{50, 50}, 10},
		{"outside", withHole, orb.Point{-7, 50}, 7},
		{"outside a corner", withHole, orb.Point{103, 104}, 5},
		{"multipolygon: the nearer part", orb.MultiPolygon{{sq(0, 0, 10, 10)}, {sq(20, 0, 30, 10)}}, orb.Point{18, 5}, 2},
		{"a line is its own boundary", orb.LineString{pl.FromMetres(orb.Point{0, 0}), pl.FromMetres(orb.Point{0, 100})}, orb.Point{6, 50}, 6},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := geo.DistanceToBoundary(tc.g, pl.FromMetres(tc.p))
			// plane and great circle agree to ~0.5 % at these sizes
			if math.Abs(got-tc.want) > 0.005*tc.want+1e-6 {
				t.Errorf("DistanceToBoundary = %.4f m, want %.4f", got, tc.want)
			}
		})
	}
	if d := geo.DistanceToBoundary(orb.MultiPolygon{}, orb.Point{114, 22}); !math.IsInf(d, 1) {
		t.Errorf("empty: %g, want +Inf", d)
	}
}
