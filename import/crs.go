package importer

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"

	"citygeo/geo"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/project"
)

var (
	prjAuthority = regexp.MustCompile(`AUTHORITY\["EPSG",\s*"?(\d+)"?\]\s*\]\s*$`)
	prjParam     = regexp.MustCompile(`(?i)PARAMETER\["([a-z_ ]+)",\s*([-+0-9.eE]+)\]`)
	prjProjcs    = regexp.MustCompile(`^\s*PROJCS\[`)
	prjGeogcs    = regexp.MustCompile(`^\s*GEOGCS\["([^"]*)"`)
	prjTM        = regexp.MustCompile(`(?i)PROJECTION\["(Transverse_Mercator|Gauss_Kruger)"\]`)
)

// CRSFromPRJ recognises the ESRI/OGC WKT1 of a .prj file (or a GeoPackage srs definition):
// a trailing EPSG authority, or a CGCS2000, Xi'an 80 or Beijing 54 Transverse Mercator by its
// datum name, central meridian and false easting, or a geographic WGS84/CGCS2000 system. It reads a file format into the one
// CRS model of package geo; names typed by people are read by geo.ParseCRS.
func CRSFromPRJ(wkt string) (geo.CRS, error) {
	w := strings.TrimSpace(wkt)
	if m := prjAuthority.FindStringSubmatch(w); m != nil {
		n, _ := strconv.Atoi(m[1])
		if c, err := geo.EPSG(n); err == nil {
			return c, nil
		}
	}
	if prjProjcs.MatchString(w) {
		up := strings.ToUpper(w)
		datum := geo.CGCS2000Datum
		switch {
		case strings.Contains(up, "XIAN") || strings.Contains(up, "XI'AN"):
			datum = geo.Xian80
		case strings.Contains(up, "BEIJING"):
			datum = geo.Beijing54
		case !strings.Contains(up, "2000"):
			datum.Name = "?"
		}
		if datum.Name == "?" || !prjTM.MatchString(w) {
			return geo.CRS{}, fmt.Errorf("prj %.60q…: %w: only CGCS2000, Xi'an 80 and Beijing 54 Gauss–Krüger projections are supported (a city system: --crs local:FILE)", w, ErrCRS)
		}
		params := map[string]float64{}
		for _, m := range prjParam.FindAllStringSubmatch(w, -1) {
			v, _ := strconv.ParseFloat(m[2], 64)
			params[strings.ToLower(m[1])] = v
		}
		if params["false_northing"] != 0 || (params["scale_factor"] != 0 && math.Abs(params["scale_factor"]-1) > 1e-12) ||
			params["latitude_of_origin"] != 0 {
			return geo.CRS{}, fmt.Errorf("prj: %w: transverse mercator with false northing %g, scale %g, origin latitude %g is not a CGCS2000 Gauss–Krüger zone",
				ErrCRS, params["false_northing"], params["scale_factor"], params["latitude_of_origin"])
		}
		g, err := geo.GaussKrugerOn(datum, params["central_meridian"], params["false_easting"])
		if err != nil {
			return geo.CRS{}, fmt.Errorf("prj: %w: %v", ErrCRS, err)
		}
		return geo.EPSG(g.EPSG)
	}
	if m := prjGeogcs.FindStringSubmatch(w); m != nil {
		name := strings.ToUpper(m[1])
		switch {
		case strings.Contains(name, "2000"):
			return geo.CGCS2000, nil
		case strings.Contains(name, "WGS") && strings.Contains(name, "84"):
			return geo.WGS84, nil
		}
		return geo.CRS{}, fmt.Errorf("prj geographic system %q: %w", m[1], ErrCRS)
	}
	return geo.CRS{}, fmt.Errorf("prj %.60q…: %w", w, ErrCRS)
}

// toCGCS2000 converts g in place from c to CGCS2000 lon/lat and returns it. Gauss–Krüger
// input given northing first (survey X/Y) is recognised by its magnitudes and swapped.
func toCGCS2000(c geo.CRS, g orb.Geometry) orb.Geometry {
	if g == nil || (c.LonLat() && c.Shift == geo.NoShift) {
		return g
	}
	return project.Geometry(g, func(p orb.Point) orb.Point {
		if c.Projected() {
			fe := c.GK.FalseEasting
			if math.Abs(p[0]-fe) > 1e6 && math.Abs(p[1]-fe) < 1e6 {
				p[0], p[1] = p[1], p[0]
			}
		}
		return geo.ToCGCS2000(p, c)
	})
}
