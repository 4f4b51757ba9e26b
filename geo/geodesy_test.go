package geo_test

import (
	"math"
	"testing"

	"citygeo/geo"

	"github.com/paulmach/orb"
	orbgeo "github.com/paulmach/orb/geo"
)

func TestDistance(t *testing.T) {
	deg := geo.EarthRadius * math.Pi / 180 // 111,195.08 m
	tests := []struct {
		name string
		a, b orb.Point
		want float64
		tol  float64
	}{
		{"same point", orb.Point{116.4, 39.9}, orb.Point{116.4, 39.9}, 0, 0},
		{"1° of latitude", orb.Point{114, 22}, orb.Point{114, 23}, deg, 1e-6},
		{"1° of longitude on the equator", orb.Point{0, 0}, orb.Point{1, 0}, deg, 1e-6},
		{"equator to pole", orb.Point{30, 0}, orb.Point{30, 90}, geo.EarthRadius * math.Pi / 2, 1e-6},
		{"antipodes", orb.Point{0, 0}, orb.Point{180, 0}, geo.EarthRadius * math.Pi, 1e-6},
		// 1° of longitude at 60° is half of one on the equator along the parallel; the great
		// circle is a hair shorter (cos 60° · 111,195 − 0.2 m)
		{"1° of longitude at 60°N", orb.Point{0, 60}, orb.Point{1, 60}, 55597.26, 0.5},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := geo.Distance(tc.a, tc.b); math.Abs(got-tc.want) > tc.tol {
				t.Fatalf("Distance = %.4f, want %.4f", got, tc.want)
			}
			if got, back := geo.Distance(tc.a, tc.b), geo.Distance(tc.b, tc.a); got != back {
				t.Fatalf("not symmetric: %v vs %v", got, back)
			}
		})
	}
}

func TestBearingAndDirection(t *testing.T) {
	o := orb.Point{114, 22.5}
	tests := []struct {
		to   orb.Point
		want float64
		dir  string
	}{
		{orb.Point{114, 22.6}, 0, "北"},
		{orb.Point{114.1, 22.5}, 89.98, "东"},
		{orb.Point{114, 22.4}, 180, "南"},
		{orb.Point{113.9, 22.5}, 270.02, "西"},
		{orb.Point{114.1, 22.6}, 42.7, "东北"},
		{orb.Point{113.9, 22.4}, 222.8, "西南"},
	}
	for _, tc := range tests {
		b := geo.Bearing(o, tc.to)
		if math.Abs(b-tc.want) > 0.1 {
			t.Errorf("Bearing to %v = %.3f, want %.2f", tc.to, b, tc.want)
		}
		if d := geo.Direction(b); d != tc.dir {
			t.Errorf("Direction(%.2f) = %s, want %s", b, d, tc.dir)
		}
	}
	// twin: orb/geo.Bearing is an independent implementation of the same formula ((-180, 180])
	for i := 0; i < 200; i++ {
		a := orb.Point{73 + float64(i%17)*3.7, 18 + float64(i%13)*2.9}
		b := orb.Point{a[0] + math.Sin(float64(i))*2, a[1] + math.Cos(float64(i)*1.3)*2}
		want := math.Mod(orbgeo.Bearing(a, b)+360, 360)
		if got := geo.Bearing(a, b); math.Abs(got-want) > 1e-9 || got < 0 || got >= 360 {
			t.Fatalf("Bearing(%v, %v) = %v, orb says %v", a, b, got, want)
		}
	}
	dirs := []struct {
		b    float64
		want string
	}{
		{0, "北"}, {22.49, "北"}, {22.5, "东北"}, {67.5, "东"}, {112.5, "东南"}, {157.5, "南"},
		{202.5, "西南"}, {247.5, "西"}, {292.5, "西北"}, {337.49, "西北"}, {337.5, "北"},
		{359.99, "北"}, {-45, "西北"}, {360 + 135, "东南"}, {math.NaN(), ""},
	}
	for _, tc := range dirs {
		if got := geo.Direction(tc.b); got != tc.want {
			t.Errorf("Direction(%v) = %q, want %q", tc.b, got, tc.want)
		}
	}
}

func TestOffset(t *testing.T) {
	for _, start := range []orb.Point{{114.1, 22.55}, {116.4, 39.9}, {121.5, 31.2}, {-70, -30}} {
		for _, bearing := range []float64{0, 45, 90, 135, 180, 270, 333} {
			for _, m := range []float64{1, 100, 10000} {
				end := geo.Offset(start, bearing, m)
				if d := geo.Distance(start, end); math.Abs(d-m) > 1e-6*m+1e-6 {
					t.Fatalf("Offset(%v, %v, %v): distance back %v", start, bearing, m, d)
				}
				if b := geo.Bearing(start, end); math.Abs(math.Remainder(b-bearing, 360)) > 1e-6 {
					t.Fatalf("Offset(%v, %v, %v): bearing back %v", start, bearing, m, b)
				}
			}
		}
	}
}
