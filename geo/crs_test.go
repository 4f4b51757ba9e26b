package geo_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os/exec"
	"testing"

	"citygeo/geo"

	"github.com/paulmach/orb"
)

func TestParseCRS(t *testing.T) {
	gk := func(code int, cm, fe float64) geo.CRS {
		return geo.CRS{EPSG: code, GK: geo.GaussKruger{EPSG: code, CentralMeridian: cm, FalseEasting: fe}}
	}
	tests := []struct {
		in      string
		want    geo.CRS
		wantErr bool
	}{
		// the empty string is the GPS default
		{"", geo.WGS84, false},
		{"   ", geo.WGS84, false},
		// lon/lat names, any case, with surrounding space
		{"wgs84", geo.WGS84, false},
		{"WGS84", geo.WGS84, false},
		{"cgcs2000", geo.CGCS2000, false},
		{"CGCS2000", geo.CGCS2000, false},
		{" gcj02 ", geo.GCJ02, false},
		{"GCJ-02", geo.GCJ02, false},
		{"gcj-02", geo.GCJ02, false},
		{"Bd09", geo.BD09, false},
		{"bd-09", geo.BD09, false},
		{"BD-09", geo.BD09, false},
		// EPSG codes, prefixed or bare
		{"EPSG:4326", geo.WGS84, false},
		{"epsg:4326", geo.WGS84, false},
		{"4326", geo.WGS84, false},
		{"epsg:4490", geo.CGCS2000, false},
		{"4490", geo.CGCS2000, false},
		{"EPSG:4491", gk(4491, 75, 13500000), false},
		{"EPSG:4526", gk(4526, 114, 38500000), false},
		{"EPSG:4547", gk(4547, 114, 500000), false},
		{"4547", gk(4547, 114, 500000), false},
		{"Epsg:4554", gk(4554, 135, 500000), false},
		// rejected
		{"bd09mc", geo.CRS{}, true},
		{"gcj 02", geo.CRS{}, true},
		{"wgs-84", geo.CRS{}, true},
		{"EPSG:3857", geo.CRS{}, true},
		{"3857", geo.CRS{}, true},
		{"EPSG:4489", geo.CRS{}, true},
		{"EPSG:4555", geo.CRS{}, true},
		{"EPSG:4490x", geo.CRS{}, true},
		{"EPSG:", geo.CRS{}, true},
		{"EPSG: 4490", geo.CRS{}, true},
		{"EPSG:wgs84", geo.CRS{}, true},
		{"utm", geo.CRS{}, true},
		{"mars", geo.CRS{}, true},
		{"火星", geo.CRS{}, true},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := geo.ParseCRS(tc.in)
			if (err != nil) != tc.wantErr || got != tc.want {
				t.Fatalf("ParseCRS(%q) = %#v, %v; want %#v, error %v", tc.in, got, err, tc.want, tc.wantErr)
			}
			if err != nil && !errors.Is(err, geo.ErrCRS) {
				t.Errorf("ParseCRS(%q) error %v does not wrap ErrCRS", tc.in, err)
			}
		})
	}
}

func TestCRSNames(t *testing.T) {
	tests := []struct {
		crs          geo.CRS
		str, code    string
		lonLat, json bool
	}{
		{geo.WGS84, "wgs84", "EPSG:4326", true, true},
		{geo.CGCS2000, "cgcs2000", "EPSG:4490", true, true},
		{geo.GCJ02, "gcj02", "gcj02", true, true},
		{geo.BD09, "bd09", "bd09", true, true},
		{mustCRS(t, "EPSG:4547"), "EPSG:4547", "EPSG:4547", false, true},
	}
	for _, tc := range tests {
		t.Run(tc.str, func(t *testing.T) {
			if got := tc.crs.String(); got != tc.str {
				t.Errorf("String() = %q, want %q", got, tc.str)
			}
			if got := tc.crs.Code(); got != tc.code {
				t.Errorf("Code() = %q, want %q", got, tc.code)
			}
			if tc.crs.LonLat() != tc.lonLat || tc.crs.Projected() == tc.lonLat {
				t.Errorf("LonLat() = %v, Projected() = %v; want lon/lat %v", tc.crs.LonLat(), tc.crs.Projected(), tc.lonLat)
			}
			for _, s := range []string{tc.str, tc.code} {
				if back, err := geo.ParseCRS(s); err != nil || back != tc.crs {
					t.Errorf("ParseCRS(%q) = %v, %v; want %v back", s, back, err, tc.crs)
				}
			}
			b, err := json.Marshal(struct{ CRS geo.CRS }{tc.crs})
			if want := `{"CRS":"` + tc.str + `"}`; err != nil || string(b) != want {
				t.Errorf("json = %s, %v; want %s", b, err, want)
			}
			var back struct{ CRS geo.CRS }
			if err := json.Unmarshal(b, &back); err != nil || back.CRS != tc.crs {
				t.Errorf("json %s read back as %v, %v", b, back.CRS, err)
			}
		})
	}
	var c struct{ CRS geo.CRS }
	if err := json.Unmarshal([]byte(`{"CRS":"mars"}`), &c); !errors.Is(err, geo.ErrCRS) {
		t.Errorf("json crs mars: err = %v, want ErrCRS", err)
	}
}

// A Gauss–Krüger CRS converts through its projection, both ways.
func TestGaussKrugerCRS(t *testing.T) {
	c := mustCRS(t, "EPSG:4547")
	p := orb.Point{114.12, 22.55}
	en := geo.FromCGCS2000(p, c)
	if want := c.GK.Forward(p); en != want || en[0] < 500000 || en[0] > 520000 {
		t.Fatalf("FromCGCS2000 = %v, want %v", en, want)
	}
	if back := geo.ToCGCS2000(en, c); geo.Distance(back, p) > 1e-3 {
		t.Errorf("round trip %v → %v → %v", p, en, back)
	}
	b := geo.BoundFromCGCS2000(orb.Bound{Min: p, Max: orb.Point{114.13, 22.56}}, c)
	if !b.Contains(en) || b.Max[0]-b.Min[0] < 1000 {
		t.Errorf("box in EPSG:4547 = %v", b)
	}
}

func mustCRS(t *testing.T, s string) geo.CRS {
	t.Helper()
	c, err := geo.ParseCRS(s)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func FuzzParseCRS(f *testing.F) {
	for _, s := range []string{"", "wgs84", "EPSG:4490", "gcj02", "GCJ-02", "BD09", "bd-09", "4547", "EPSG:4554",
		"x", "epsg:", "+4490", "EPSG:wgs84", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := geo.ParseCRS(s)
		if err != nil {
			if c != (geo.CRS{}) || !errors.Is(err, geo.ErrCRS) {
				t.Fatalf("ParseCRS(%q) returned %#v with error %v", s, c, err)
			}
			return
		}
		if c == (geo.CRS{}) || c.String() == "" {
			t.Fatalf("ParseCRS(%q) = unnamed %#v", s, c)
		}
		if c.LonLat() != (c.EPSG == 4326 || c.EPSG == 4490 || c.Shift != geo.NoShift) {
			t.Fatalf("ParseCRS(%q) = %#v: LonLat() = %v", s, c, c.LonLat())
		}
		// Both names are fixed points of the parser.
		for _, name := range []string{c.String(), c.Code()} {
			if again, err := geo.ParseCRS(name); err != nil || again != c {
				t.Fatalf("ParseCRS(%q) = %v, %v; not a fixed point of %#v", name, again, err, c)
			}
		}
	})
}

// Published vectors. tol is in degrees (5e-6 ≈ 0.5 m; the sources round to 5–7 decimals).
func TestConversionVectors(t *testing.T) {
	type conv func(orb.Point) orb.Point
	tests := []struct {
		name     string
		f        conv
		in, want orb.Point
		tol      float64
	}{
		// wandergis/coordtransform test/app.js (npm coordtransform 2.1.2)
		{"wandergis wgs84togcj02", geo.WGS84ToGCJ02, orb.Point{116.404, 39.915}, orb.Point{116.41024449916938, 39.91640428150164}, 1e-12},
		{"wandergis gcj02tobd09", geo.GCJ02ToBD09, orb.Point{116.404, 39.915}, orb.Point{116.41036949371029, 39.92133699351021}, 1e-12},
		// its bd09togcj02 is the closed-form inverse (~0.2 m off); ours iterates, so compare loosely
		{"wandergis bd09togcj02", geo.BD09ToGCJ02, orb.Point{116.404, 39.915}, orb.Point{116.39762729119315, 39.90865673957631}, 5e-6},
		// hujiulong/gcoord test/unit/crs/GCJ02.spec.js and BD09.spec.js (toBeCloseTo(…, 5))
		{"gcoord GCJ02→WGS84", geo.GCJ02ToWGS84, orb.Point{123, 45}, orb.Point{122.99395597, 44.99804071}, 5e-6},
		{"gcoord GCJ02→BD09", geo.GCJ02ToBD09, orb.Point{123, 45}, orb.Point{123.00636499, 45.00636899}, 5e-6},
		{"gcoord BD09→GCJ02", geo.BD09ToGCJ02, orb.Point{123, 45}, orb.Point{122.99363304, 44.99365430}, 5e-6},
		{"gcoord BD09→WGS84", geo.BD09ToWGS84, orb.Point{123, 45}, orb.Point{122.98762210, 44.99171540}, 5e-6},
		{"gcoord not in China", geo.GCJ02ToWGS84, orb.Point{183, 45}, orb.Point{183, 45}, 0},
		// hujiulong/gcoord test/fixtures/china-cities.json (its tests use toBeCloseTo(…, 4))
		{"gcoord 驻马店 WGS84→GCJ02", geo.WGS84ToGCJ02, orb.Point{114.0164322, 33.0133556}, orb.Point{114.022306, 33.0115324}, 5e-5},
		{"gcoord 驻马店 WGS84→BD09", geo.WGS84ToBD09, orb.Point{114.0164322, 33.0133556}, orb.Point{114.0287781, 33.0176697}, 5e-5},
		{"gcoord 那曲 GCJ02→WGS84", geo.GCJ02ToWGS84, orb.Point{92.0512438, 31.4762063}, orb.Point{92.0499619, 31.4784436}, 5e-5},
		{"gcoord 沈阳 BD09→WGS84", geo.BD09ToWGS84, orb.Point{123.438095, 41.8114013}, orb.Point{123.4253306, 41.8032629}, 5e-5},
		{"gcoord 汕头 WGS84→GCJ02", geo.WGS84ToGCJ02, orb.Point{116.6775114, 23.3567569}, orb.Point{116.6819735, 23.3540964}, 5e-5},
		{"gcoord 酒泉 GCJ02→BD09", geo.GCJ02ToBD09, orb.Point{98.4943595, 39.7328234}, orb.Point{98.5008441, 39.7388949}, 5e-5},
		{"gcoord 钦州 BD09→GCJ02", geo.BD09ToGCJ02, orb.Point{108.6607283, 21.9856319}, orb.Point{108.6541485, 21.9799392}, 5e-5},
		{"out of China: Paris", geo.WGS84ToGCJ02, orb.Point{2.3522, 48.8566}, orb.Point{2.3522, 48.8566}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.f(tc.in)
			if math.Abs(got[0]-tc.want[0]) > tc.tol || math.Abs(got[1]-tc.want[1]) > tc.tol {
				t.Fatalf("%v → %.10f, want %.10f (±%g)", tc.in, got, tc.want, tc.tol)
			}
		})
	}
}

// The naive one-step GCJ inverse errs by metres; ours must reproduce its input to < 1 mm on a
// 1° grid over China, and the same through BD-09.
func TestRoundTripsAcrossChina(t *testing.T) {
	worstGCJ, worstBD := 0.0, 0.0
	for lon := 73.5; lon <= 135; lon += 1 {
		for lat := 18.5; lat <= 53.5; lat += 1 {
			w := orb.Point{lon, lat}
			g := geo.WGS84ToGCJ02(w)
			if geo.Distance(w, g) < 1 {
				t.Fatalf("%v: GCJ-02 did not shift the point", w)
			}
			worstGCJ = math.Max(worstGCJ, geo.Distance(w, geo.GCJ02ToWGS84(g)))
			worstBD = math.Max(worstBD, geo.Distance(w, geo.BD09ToWGS84(geo.WGS84ToBD09(w))))
			for _, c := range []geo.CRS{geo.WGS84, geo.CGCS2000, geo.GCJ02, geo.BD09} {
				if d := geo.Distance(w, geo.ToCGCS2000(geo.FromCGCS2000(w, c), c)); d > 1e-3 {
					t.Fatalf("%v via %s: round trip off by %g m", w, c, d)
				}
			}
		}
	}
	if worstGCJ > 1e-3 || worstBD > 1e-3 {
		t.Fatalf("worst round trip: GCJ-02 %g m, BD-09 %g m; want < 1 mm", worstGCJ, worstBD)
	}
}

func TestBoundConversion(t *testing.T) {
	luohu := orb.Bound{Min: orb.Point{114.08, 22.53}, Max: orb.Point{114.18, 22.60}}
	tests := []struct {
		name string
		b    orb.Bound
		crs  geo.CRS
	}{
		{"wgs84 unchanged", luohu, geo.WGS84},
		{"cgcs2000 unchanged", luohu, geo.CGCS2000},
		{"gcj02 罗湖", luohu, geo.GCJ02},
		{"bd09 罗湖", luohu, geo.BD09},
		{"bd09 a degree wide", orb.Bound{Min: orb.Point{113.5, 22.2}, Max: orb.Point{114.5, 23.2}}, geo.BD09},
		{"gcj02 a degree wide", orb.Bound{Min: orb.Point{116, 39.5}, Max: orb.Point{117, 40.5}}, geo.GCJ02},
		{"bd09 a point", orb.Bound{Min: orb.Point{114.1, 22.55}, Max: orb.Point{114.1, 22.55}}, geo.BD09},
	}
	corners := func(b orb.Bound) []orb.Point {
		return []orb.Point{b.Min, b.Max, {b.Min[0], b.Max[1]}, {b.Max[0], b.Min[1]}}
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, dir := range []struct {
				name string
				f    func(orb.Bound, geo.CRS) orb.Bound
				p    func(orb.Point, geo.CRS) orb.Point
			}{{"to", geo.BoundToCGCS2000, geo.ToCGCS2000}, {"from", geo.BoundFromCGCS2000, geo.FromCGCS2000}} {
				got := dir.f(tc.b, tc.crs)
				if tc.crs == geo.WGS84 || tc.crs == geo.CGCS2000 {
					if got != tc.b {
						t.Errorf("%s: %v, want the box unchanged %v", dir.name, got, tc.b)
					}
					continue
				}
				// Every converted corner is inside, and every edge is reached by one of them.
				var edges [4]bool
				for _, c := range corners(tc.b) {
					q := dir.p(c, tc.crs)
					if !got.Contains(q) {
						t.Errorf("%s: corner %v → %v lies outside %v", dir.name, c, q, got)
					}
					edges[0] = edges[0] || q[0] == got.Min[0]
					edges[1] = edges[1] || q[1] == got.Min[1]
					edges[2] = edges[2] || q[0] == got.Max[0]
					edges[3] = edges[3] || q[1] == got.Max[1]
				}
				if edges != [4]bool{true, true, true, true} {
					t.Errorf("%s: %v is wider than its corners (edges reached %v)", dir.name, got, edges)
				}
			}
		})
	}
}

// Web Mercator converts through the spherical projection both ways, agrees with PROJ's cs2cs
// (when installed) to a millimetre, and clamps the poles to its square world.
func TestWebMercator(t *testing.T) {
	c := geo.WebMercator
	if !c.Projected() || c.LonLat() || c.Code() != "EPSG:3857" || c.String() != "EPSG:3857" {
		t.Fatalf("WebMercator: projected %v, code %q, string %q", c.Projected(), c.Code(), c.String())
	}
	pts := []orb.Point{{114.12, 22.55}, {73.5, 53.5}, {135, 3.9}, {-179.9, -70}, {0, 0}}
	for _, p := range pts {
		xy := geo.FromCGCS2000(p, c)
		if back := geo.ToCGCS2000(xy, c); math.Abs(back[0]-p[0]) > 1e-9 || math.Abs(back[1]-p[1]) > 1e-9 {
			t.Errorf("round trip %v → %v → %v", p, xy, back)
		}
	}
	if n := geo.FromCGCS2000(orb.Point{10, 90}, c); math.IsInf(n[1], 0) || n[1] > 20037508.35 {
		t.Errorf("north pole → %v, want clamped to the square world", n)
	}
	if _, err := exec.LookPath("cs2cs"); err != nil {
		t.Skip("cs2cs not installed (apt-get install proj-bin)")
	}
	var in bytes.Buffer
	for _, p := range pts {
		fmt.Fprintf(&in, "%.10f %.10f\n", p[1], p[0]) // EPSG:4326 is latitude first in PROJ
	}
	for i, w := range cs2cs(t, in.Bytes(), "EPSG:4326", "EPSG:3857") {
		if got := geo.FromCGCS2000(pts[i], c); math.Hypot(got[0]-w[0], got[1]-w[1]) > 1e-3 {
			t.Errorf("%v → %v, PROJ %v", pts[i], got, w)
		}
	}
}
