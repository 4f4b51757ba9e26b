package importer

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"

	"citygeo/geo"

	"github.com/paulmach/orb"
)

// CRS is a source coordinate system that Import can convert to CGCS2000 lon/lat: geographic
// WGS84/CGCS2000, GCJ-02 or BD-09 lon/lat, or a CGCS2000 Gauss–Krüger zone.
type CRS struct {
	EPSG   int    // 4326, 4490, 4491–4554; 0 for GCJ-02 and BD-09
	LonLat string // the lon/lat system when not projected: wgs84, cgcs2000, gcj02, bd09
	gk     *geo.GaussKruger
}

// CGCS2000 is the CRS everything is stored in.
var CGCS2000 = CRS{EPSG: 4490, LonLat: "cgcs2000"}

// String names the CRS as ParseCRS reads it.
func (c CRS) String() string {
	if c.EPSG != 0 {
		return "EPSG:" + strconv.Itoa(c.EPSG)
	}
	return string(c.LonLat)
}

// Projected reports whether coordinates are Gauss–Krüger metres.
func (c CRS) Projected() bool { return c.gk != nil }

// ParseCRS reads "EPSG:n" (or a bare n) for 4326, 4490 and the CGCS2000 Gauss–Krüger codes
// 4491–4554, or a lon/lat name: wgs84, cgcs2000, gcj02, bd09.
func ParseCRS(s string) (CRS, error) {
	t := strings.ToUpper(strings.TrimSpace(s))
	t = strings.TrimPrefix(t, "EPSG:")
	if n, err := strconv.Atoi(t); err == nil {
		return crsEPSG(n)
	}
	switch strings.ToLower(t) {
	case "wgs84":
		return CRS{EPSG: 4326, LonLat: "wgs84"}, nil
	case "cgcs2000":
		return CGCS2000, nil
	case "gcj02", "gcj-02", "bd09", "bd-09":
		c := CRS{LonLat: strings.ReplaceAll(strings.ToLower(t), "-", "")}
		if !supportsShift(c.LonLat) {
			return CRS{}, fmt.Errorf("crs %q: %w: GCJ-02/BD-09 input is not supported by this build", s, ErrCRS)
		}
		return c, nil
	}
	return CRS{}, fmt.Errorf("crs %q: %w (want EPSG:4326, EPSG:4490, EPSG:4491…4554, gcj02 or bd09)", s, ErrCRS)
}

func crsEPSG(n int) (CRS, error) {
	switch n {
	case 4326:
		return CRS{EPSG: 4326, LonLat: "wgs84"}, nil
	case 4490:
		return CGCS2000, nil
	}
	if g, ok := geo.GaussKrugerEPSG(n); ok {
		return CRS{EPSG: n, gk: &g}, nil
	}
	return CRS{}, fmt.Errorf("EPSG:%d: %w (want 4326, 4490 or a CGCS2000 Gauss–Krüger zone 4491…4554)", n, ErrCRS)
}

var (
	prjAuthority = regexp.MustCompile(`AUTHORITY\["EPSG",\s*"?(\d+)"?\]\s*\]\s*$`)
	prjParam     = regexp.MustCompile(`(?i)PARAMETER\["([a-z_ ]+)",\s*([-+0-9.eE]+)\]`)
	prjProjcs    = regexp.MustCompile(`^\s*PROJCS\[`)
	prjGeogcs    = regexp.MustCompile(`^\s*GEOGCS\["([^"]*)"`)
	prjTM        = regexp.MustCompile(`(?i)PROJECTION\["(Transverse_Mercator|Gauss_Kruger)"\]`)
)

// CRSFromPRJ recognises the ESRI/OGC WKT1 of a .prj file (or a GeoPackage srs definition):
// a trailing EPSG authority, or a CGCS2000 Transverse Mercator by its central meridian and
// false easting, or a geographic WGS84/CGCS2000 system.
func CRSFromPRJ(wkt string) (CRS, error) {
	w := strings.TrimSpace(wkt)
	if m := prjAuthority.FindStringSubmatch(w); m != nil {
		n, _ := strconv.Atoi(m[1])
		if c, err := crsEPSG(n); err == nil {
			return c, nil
		}
	}
	if prjProjcs.MatchString(w) {
		if !strings.Contains(strings.ToUpper(w), "2000") || !prjTM.MatchString(w) {
			return CRS{}, fmt.Errorf("prj %.60q…: %w: only CGCS2000 Gauss–Krüger projections are supported", w, ErrCRS)
		}
		params := map[string]float64{}
		for _, m := range prjParam.FindAllStringSubmatch(w, -1) {
			v, _ := strconv.ParseFloat(m[2], 64)
			params[strings.ToLower(m[1])] = v
		}
		if params["false_northing"] != 0 || (params["scale_factor"] != 0 && math.Abs(params["scale_factor"]-1) > 1e-12) ||
			params["latitude_of_origin"] != 0 {
			return CRS{}, fmt.Errorf("prj: %w: transverse mercator with false northing %g, scale %g, origin latitude %g is not a CGCS2000 Gauss–Krüger zone",
				ErrCRS, params["false_northing"], params["scale_factor"], params["latitude_of_origin"])
		}
		g, err := geo.GaussKrugerFor(params["central_meridian"], params["false_easting"])
		if err != nil {
			return CRS{}, fmt.Errorf("prj: %w: %v", ErrCRS, err)
		}
		return CRS{EPSG: g.EPSG, gk: &g}, nil
	}
	if m := prjGeogcs.FindStringSubmatch(w); m != nil {
		name := strings.ToUpper(m[1])
		switch {
		case strings.Contains(name, "2000"):
			return CGCS2000, nil
		case strings.Contains(name, "WGS") && strings.Contains(name, "84"):
			return CRS{EPSG: 4326, LonLat: "wgs84"}, nil
		}
		return CRS{}, fmt.Errorf("prj geographic system %q: %w", m[1], ErrCRS)
	}
	return CRS{}, fmt.Errorf("prj %.60q…: %w", w, ErrCRS)
}

// Point converts one source point to CGCS2000 lon/lat. Gauss–Krüger input given northing
// first (survey X/Y) is recognised by its magnitudes and swapped.
func (c CRS) Point(p orb.Point) orb.Point {
	if c.gk != nil {
		fe := c.gk.FalseEasting
		if math.Abs(p[0]-fe) > 1e6 && math.Abs(p[1]-fe) < 1e6 {
			p[0], p[1] = p[1], p[0]
		}
		return c.gk.Inverse(p)
	}
	return shiftToCGCS2000(p, c.LonLat)
}

// Geometry converts g in place to CGCS2000 lon/lat and returns it.
func (c CRS) Geometry(g orb.Geometry) orb.Geometry {
	if g == nil || (c.gk == nil && (c.LonLat == "cgcs2000" || c.LonLat == "wgs84" || c.LonLat == "")) {
		return g
	}
	switch g := g.(type) {
	case orb.Point:
		return c.Point(g)
	case orb.MultiPoint:
		for i := range g {
			g[i] = c.Point(g[i])
		}
	case orb.LineString:
		for i := range g {
			g[i] = c.Point(g[i])
		}
	case orb.MultiLineString:
		for _, l := range g {
			c.Geometry(l)
		}
	case orb.Ring:
		for i := range g {
			g[i] = c.Point(g[i])
		}
	case orb.Polygon:
		for _, r := range g {
			c.Geometry(r)
		}
	case orb.MultiPolygon:
		for _, p := range g {
			c.Geometry(p)
		}
	case orb.Collection:
		for i := range g {
			g[i] = c.Geometry(g[i])
		}
	}
	return g
}
