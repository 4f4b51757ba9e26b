package geo_test

import (
	"strings"
	"testing"

	"citygeo/geo"

	"github.com/paulmach/orb"
)

func TestGuessCRS(t *testing.T) {
	shenzhen := orb.Point{114.1, 22.55}
	gk := func(code int) orb.Point {
		c, _ := geo.EPSG(code)
		return geo.FromCGCS2000(shenzhen, c)
	}
	city := orb.Bound{Min: orb.Point{114, 22.5}, Max: orb.Point{114.2, 22.6}}
	tests := []struct {
		name  string
		p     orb.Point
		near  orb.Bound
		first string // Code of the first guess, or a word of its reason when it has no CRS
	}{
		{"lon/lat", shenzhen, orb.Bound{}, "EPSG:4490"},
		{"lat/lon", orb.Point{22.55, 114.1}, orb.Bound{}, "swapped"},
		{"3° zone prefix", gk(4526), orb.Bound{}, "EPSG:4526"},
		{"6° zone prefix", gk(4498), orb.Bound{}, "EPSG:4498"},
		{"far outside its zone", gk(4499), orb.Bound{}, "EPSG:4498"}, // 9° west of CM 123: the prefix reads 20
		{"no prefix, zone unknown", gk(4547), orb.Bound{}, "cannot be told"},
		{"no prefix, beside the rest", gk(4547), city, "EPSG:4547"},
		{"web mercator", geo.FromCGCS2000(shenzhen, geo.WebMercator), orb.Bound{}, "EPSG:3857"},
		{"nothing fits", orb.Point{-5, 1e9}, orb.Bound{}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			gs := geo.GuessCRS(tc.p, tc.near)
			switch {
			case tc.first == "" && len(gs) == 0:
			case len(gs) == 0:
				t.Fatalf("no guess for %v, want %s", tc.p, tc.first)
			case gs[0].CRS != (geo.CRS{}) && gs[0].CRS.Code() == tc.first:
			case strings.Contains(gs[0].Why, tc.first) && tc.first != "":
			default:
				t.Errorf("first guess for %v = %s (%s), want %s; all %+v", tc.p, gs[0].CRS.Code(), gs[0].Why, tc.first, gs)
			}
		})
	}
}

func TestAreaOfUse(t *testing.T) {
	for _, tc := range []struct {
		code   int
		lo, hi float64
	}{{4547, 111.5, 116.5}, {4526, 111.5, 116.5}, {4499, 119, 127}, {2383, 111.5, 116.5}, {4534, 73, 77.5}, {4490, 73, 136}} {
		c, _ := geo.EPSG(tc.code)
		if b := geo.AreaOfUse(c); b.Min[0] != tc.lo || b.Max[0] != tc.hi {
			t.Errorf("EPSG:%d area of use %v, want lon %g…%g", tc.code, b, tc.lo, tc.hi)
		}
	}
}
