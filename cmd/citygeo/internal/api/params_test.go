package api_test

import (
	"errors"
	"math"
	"net/url"
	"testing"

	"citygeo/cmd/citygeo/internal/api"
)

type query map[string]string

func (q query) Query(k string) string { return q[k] }

func TestParsePoint(t *testing.T) {
	tests := []struct {
		name      string
		q         query
		wantField string
	}{
		{"ok wgs84", query{"lng": "114.12", "lat": "22.55"}, ""},
		{"ok gcj02", query{"lng": "114.12", "lat": "22.55", "crs": "gcj02"}, ""},
		{"ok bd09 upper", query{"lng": "114.12", "lat": "22.55", "crs": "BD09"}, ""},
		{"lat abc", query{"lng": "114.12", "lat": "abc"}, "lat"},
		{"lat 95", query{"lng": "114.12", "lat": "95"}, "lat"},
		{"lng missing", query{"lat": "22.5"}, "lng"},
		{"lng NaN", query{"lng": "NaN", "lat": "22.5"}, "lng"},
		{"lng Inf", query{"lng": "+Inf", "lat": "22.5"}, "lng"},
		{"ok EPSG:4490", query{"lng": "114.12", "lat": "22.55", "crs": "EPSG:4490"}, ""},
		{"unknown crs", query{"lng": "114", "lat": "22", "crs": "epsg:3857"}, "crs"},
		// a Gauss–Krüger zone is a CRS geo knows, but the API speaks lon/lat only
		{"projected crs", query{"lng": "114", "lat": "22", "crs": "EPSG:4547"}, "crs"},
		{"projected crs bare", query{"lng": "114", "lat": "22", "crs": "4547"}, "crs"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, p, _, err := api.ParsePoint(tt.q)
			if tt.wantField == "" {
				if err != nil {
					t.Fatal(err)
				}
				if math.Abs(p[0]-114.12) > 0.02 || math.Abs(p[1]-22.55) > 0.02 {
					t.Errorf("point %v far from the input", p)
				}
				return
			}
			var ae *api.Error
			if !errors.As(err, &ae) || ae.Field != tt.wantField || ae.Status != 400 {
				t.Fatalf("error = %#v, want a 400 on %s", err, tt.wantField)
			}
		})
	}
}

func TestParseBBox(t *testing.T) {
	tests := []struct {
		in string
		ok bool
	}{
		{"114.1,22.5,114.2,22.6", true},
		{"114.2,22.5,114.1,22.6", false},
		{"114.1,22.5,114.2", false},
		{"a,b,c,d", false},
		{"", false},
		{"-181,0,0,1", false},
	}
	for _, tt := range tests {
		_, err := api.ParseBBox("bbox", tt.in)
		if (err == nil) != tt.ok {
			t.Errorf("ParseBBox(%q) error = %v, want ok=%v", tt.in, err, tt.ok)
		}
	}
}

func FuzzParsePoint(f *testing.F) {
	f.Add("114.12", "22.55", "gcj02")
	f.Add("1e400", "-0", "")
	f.Add("0x1p-2", "22", "BD09")
	f.Fuzz(func(t *testing.T, lng, lat, crs string) {
		_, p, _, err := api.ParsePoint(query{"lng": lng, "lat": lat, "crs": crs})
		if err != nil {
			var ae *api.Error
			if !errors.As(err, &ae) || ae.Field == "" {
				t.Fatalf("error %v does not name a field", err)
			}
			return
		}
		if math.IsNaN(p[0]) || math.IsNaN(p[1]) || math.Abs(p[0]) > 181 || math.Abs(p[1]) > 91 {
			t.Fatalf("accepted point %v", p)
		}
	})
}

func FuzzParseBBox(f *testing.F) {
	f.Add("114.1,22.5,114.2,22.6")
	f.Add(",,,")
	f.Fuzz(func(t *testing.T, s string) {
		b, err := api.ParseBBox("bbox", s)
		if err == nil && (b.Min[0] > b.Max[0] || b.Min[1] > b.Max[1]) {
			t.Fatalf("accepted inverted bbox %v", b)
		}
	})
}

// FuzzRawQuery checks RawQuery against url.ParseQuery, whose reading it replaces on hot routes.
func FuzzRawQuery(f *testing.F) {
	f.Add("lng=114.1&lat=22.5&crs=gcj02", "lng")
	f.Add("l%6Eg=1&lng=2", "lng")
	f.Add("a=1;b=2&a=%zz&a=x+y%20z", "a")
	f.Add("=1&&k&k=2", "k")
	f.Add("xlng=1&lng=2&lng=3", "lng")
	f.Add("lat=1&k=2=3&k=4", "k")
	f.Add("ab=1&a&a=2", "a")
	f.Add("a=1&b=2", "a=1")
	f.Fuzz(func(t *testing.T, raw, key string) {
		want, _ := url.ParseQuery(raw)
		if key == "" {
			return
		}
		if got := api.NewRawQuery(raw).Query(key); got != want.Get(key) {
			t.Errorf("RawQuery(%q).Query(%q) = %q, url.ParseQuery gives %q", raw, key, got, want.Get(key))
		}
	})
}

// BenchmarkRawQuery reads what point → grid reads from its query: the point, its CRS and the
// locate options, most of them absent.
func BenchmarkRawQuery(b *testing.B) {
	q := api.NewRawQuery("lng=114.054321&lat=22.543210&k=0")
	keys := []string{"lng", "lat", "crs", "k", "radius", "class"}
	for b.Loop() {
		for _, k := range keys {
			_ = q.Query(k)
		}
	}
}
