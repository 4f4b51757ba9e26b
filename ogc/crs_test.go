package ogc_test

import (
	"errors"
	"math"
	"os/exec"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"citygeo/ogc"
)

func TestParseCRS(t *testing.T) {
	const e = "http://www.opengis.net/def/crs/EPSG/0/"
	tests := []struct {
		in        string
		uri       string // "" when refused
		swap      bool
		projected bool
	}{
		{"http://www.opengis.net/def/crs/OGC/1.3/CRS84", ogc.CRS84URI, false, false},
		{"https://www.opengis.net/def/crs/OGC/1.3/CRS84", ogc.CRS84URI, false, false},
		{"http://www.opengis.net/def/crs/OGC/0/CRS84", ogc.CRS84URI, false, false},
		{"[OGC:CRS84]", ogc.CRS84URI, false, false},
		{"OGC:CRS84", ogc.CRS84URI, false, false},
		{"urn:ogc:def:crs:OGC:1.3:CRS84", ogc.CRS84URI, false, false},
		// EPSG:4326 and 4490 are latitude first: the axis order CRS84 exists to avoid
		{e + "4326", e + "4326", true, false},
		{"EPSG:4326", e + "4326", true, false},
		{"[EPSG:4490]", e + "4490", true, false},
		{"urn:ogc:def:crs:EPSG::4490", e + "4490", true, false},
		{"urn:ogc:def:crs:EPSG:9.8.15:4490", e + "4490", true, false},
		{"http://www.opengis.net/def/crs/EPSG/9.8.15/4490", e + "4490", true, false},
		// Web Mercator is easting first; the Gauss–Krüger zones northing first
		{e + "3857", e + "3857", false, true},
		{e + "4547", e + "4547", true, true},
		{" EPSG:4491 ", e + "4491", true, true},
		{"epsg:4554", e + "4554", true, true},
		// refused
		{"", "", false, false},
		{"CRS84", "", false, false},
		{"EPSG:4555", "", false, false},
		{"EPSG:2383", "", false, false},
		{"EPSG:04326", "", false, false},
		{"EPSG:+4326", "", false, false},
		{e + "4326/extra", "", false, false},
		{"http://www.opengis.net/def/crs/EPSG//4326", "", false, false},
		{"http://example.com/def/crs/EPSG/0/4326", "", false, false},
		{"OGC:CRS83", "", false, false},
		{"wgs84", "", false, false},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			c, err := ogc.ParseCRS(tc.in)
			if tc.uri == "" {
				if !errors.Is(err, ogc.ErrCRS) {
					t.Fatalf("ParseCRS(%q) = %v, %v; want ErrCRS", tc.in, c.URI, err)
				}
				return
			}
			if err != nil || c.URI != tc.uri || c.Swap != tc.swap || c.Projected() != tc.projected {
				t.Fatalf("ParseCRS(%q) = %q swap %v projected %v, %v; want %q swap %v projected %v",
					tc.in, c.URI, c.Swap, c.Projected(), err, tc.uri, tc.swap, tc.projected)
			}
			if back, err := ogc.ParseCRS(c.URI); err != nil || back != c {
				t.Errorf("the URI %q reads back as %v, %v", c.URI, back.URI, err)
			}
		})
	}
}

// TestAxisOrderAgainstPROJ asks PROJ's projinfo for the axis order of each kind of CRS the
// service offers; it skips when projinfo (Debian proj-bin) is not installed.
func TestAxisOrderAgainstPROJ(t *testing.T) {
	if _, err := exec.LookPath("projinfo"); err != nil {
		t.Skip("projinfo not installed (apt-get install proj-bin)")
	}
	for _, code := range []string{"4326", "4490", "3857", "4491", "4502", "4513", "4526", "4534", "4547", "4554"} {
		out, err := exec.Command("projinfo", "-o", "WKT2:2019", "EPSG:"+code).Output()
		if err != nil {
			t.Fatalf("projinfo EPSG:%s: %v", code, err)
		}
		first := strings.ToLower(string(out[strings.Index(string(out), "AXIS["):]))
		northFirst := strings.HasPrefix(first, `axis["geodetic latitude`) || strings.HasPrefix(first, `axis["northing`)
		c, _ := ogc.ParseCRS("EPSG:" + code)
		if c.Swap != northFirst {
			t.Errorf("EPSG:%s: Swap %v, PROJ's first axis %.40q", code, c.Swap, first)
		}
	}
}

func TestCRSPoint(t *testing.T) {
	p := orb.Point{114.12, 22.55}
	crs84, _ := ogc.ParseCRS("OGC:CRS84")
	e4326, _ := ogc.ParseCRS("EPSG:4326")
	gk, _ := ogc.ParseCRS("EPSG:4547")
	merc, _ := ogc.ParseCRS("EPSG:3857")
	if got := crs84.Point(p); got != p {
		t.Errorf("CRS84 %v", got)
	}
	if got := e4326.Point(p); got != (orb.Point{22.55, 114.12}) {
		t.Errorf("EPSG:4326 %v, want latitude first", got)
	}
	// PROJ: cs2cs EPSG:4490 EPSG:4547 gives 2494709.139 512343.114 for 22.55 114.12 (northing first);
	// cs2cs EPSG:4326 EPSG:3857 gives 12703780.289 2577688.704.
	if got := gk.Point(p); math.Abs(got[0]-2494709.139) > 0.001 || math.Abs(got[1]-512343.114) > 0.001 {
		t.Errorf("EPSG:4547 %v, want northing, easting", got)
	}
	if got := merc.Point(p); math.Abs(got[0]-12703780.289) > 0.001 || math.Abs(got[1]-2577688.704) > 0.001 {
		t.Errorf("EPSG:3857 %v", got)
	}
	g := orb.LineString{p, {114.13, 22.56}}
	if out := gk.Geometry(g).(orb.LineString); out[0] != gk.Point(p) || g[0] != p {
		t.Errorf("Geometry: %v from %v (the stored line must not change)", out, g)
	}
}

func TestOffered(t *testing.T) {
	luohu := orb.Bound{Min: orb.Point{114.09, 22.52}, Max: orb.Point{114.17, 22.58}}
	var uris []string
	for _, c := range ogc.Offered(luohu) {
		uris = append(uris, strings.TrimPrefix(strings.TrimPrefix(c.URI, "http://www.opengis.net/def/crs/"), "EPSG/0/"))
	}
	// 3° zone 38 (CM 114°E) with and without its number, 6° zone 20 (CM 117°E) likewise
	want := "OGC/1.3/CRS84 4490 4326 3857 4498 4509 4526 4547"
	if got := strings.Join(uris, " "); got != want {
		t.Errorf("Offered = %s, want %s", got, want)
	}
	// a city astride 115.5°E reaches two 3° zones
	across := orb.Bound{Min: orb.Point{115.4, 30}, Max: orb.Point{115.6, 30.1}}
	n := len(ogc.Offered(across))
	if n != 4+2+4 {
		t.Errorf("a city across a 3° zone edge: %d CRSs, want 10", n)
	}
}

func FuzzParseCRS(f *testing.F) {
	for _, s := range []string{ogc.CRS84URI, "http://www.opengis.net/def/crs/EPSG/0/4547", "[EPSG:4326]", "urn:ogc:def:crs:EPSG::3857", "EPSG:", "http://www.opengis.net/def/crs/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ogc.ParseCRS(s)
		if err != nil {
			return
		}
		if back, err := ogc.ParseCRS(c.URI); err != nil || back != c {
			t.Fatalf("%q → %q does not read back: %v", s, c.URI, err)
		}
	})
}
