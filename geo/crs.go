package geo

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/project"
)

// ErrCRS is returned, wrapped, for a name or code that is not a supported coordinate system.
var ErrCRS = errors.New("unknown coordinate reference system")

// Shift is a published obfuscation that Chinese web maps apply to WGS84 lon/lat. It is a
// formula, not a datum, so it is carried beside the datum rather than as one.
type Shift uint8

// The shifts a CRS may carry.
const (
	NoShift    Shift = iota
	ShiftGCJ02       // 国测局 GCJ-02 "Mars" coordinates of AMap, Tencent, Google China
	ShiftBD09        // Baidu's further-obfuscated GCJ-02
)

// CRS is a coordinate reference system: WGS84 or CGCS2000 lon/lat, GCJ-02 or BD-09 web-map
// lon/lat, a Gauss–Krüger zone on CGCS2000, Xi'an 1980 or Beijing 1954, a city's own system
// (a transverse Mercator with a 7-parameter shift, or a 4-parameter plane transform onto a
// known zone; see Local), or Web Mercator. It is a comparable value made of parameters, so a
// new system is data, not code: a Gauss–Krüger zone by hand is CRS{GK: GaussKruger{…}}. The
// zero value converts nothing, like CGCS2000, but has no name: ParseCRS never returns it
// without an error.
//
// CGCS2000 and WGS84 differ by a few centimetres at most, far below survey accuracy, so they
// are treated as the same datum. Xi'an 1980 and Beijing 1954 are not: see Datum and Unshifted.
type CRS struct {
	EPSG  int         // 4326, 4490, a Gauss–Krüger zone code; 0 for GCJ-02, BD-09 and city systems
	Shift Shift       // the web-map offset over WGS84 lon/lat; NoShift otherwise
	GK    GaussKruger // the projection of a Gauss–Krüger zone; the zero value for lon/lat
	// Mercator marks spherical Web Mercator metres (EPSG:3857) over WGS84 lon/lat: the plane
	// of web maps and tiles, which desktop GIS asks a map service for.
	Mercator bool
	Datum    Datum      // the datum of GK's lon/lat; the zero value is CGCS2000
	Plane    Similarity // a city grid's 4-parameter transform onto GK's grid; the zero value is none
	Name     string     // a city system's name (from its file); "" for the others
}

// The lon/lat systems every API accepts and returns. Treat them as constants.
var (
	WGS84    = CRS{EPSG: 4326}
	CGCS2000 = CRS{EPSG: 4490}
	GCJ02    = CRS{Shift: ShiftGCJ02}
	BD09     = CRS{Shift: ShiftBD09}
)

// WebMercator is EPSG:3857, spherical Web Mercator in metres. ParseCRS does not read it: survey
// files and the /v1 API never come in it, so a survey declared as 3857 stays an error; the OGC
// API names it by its URI and converts through this value. Treat it as a constant.
var WebMercator = CRS{EPSG: 3857, Mercator: true}

// mercatorMaxLat is the latitude where Web Mercator's square world ends; FromCGCS2000 clamps
// to it, so a pole never becomes an infinite northing.
const mercatorMaxLat = 85.05112877980659

// lonLatNames are the names ParseCRS reads for the lon/lat systems; the first is the one
// String writes, and the one the HTTP API has always answered with.
var lonLatNames = []struct {
	crs   CRS
	names []string
}{
	{WGS84, []string{"wgs84"}},
	{CGCS2000, []string{"cgcs2000"}},
	{GCJ02, []string{"gcj02", "gcj-02"}},
	{BD09, []string{"bd09", "bd-09"}},
}

// ParseCRS reads a coordinate system, case-insensitively and ignoring surrounding space: a
// lon/lat name (wgs84, cgcs2000, gcj02 or gcj-02, bd09 or bd-09), or an EPSG code as "EPSG:n"
// or a bare n (4326, 4490, and the CGCS2000 Gauss–Krüger zones 4491–4554). The empty string
// is WGS84, the GPS default. Errors wrap ErrCRS.
//
// It is the one parser of CRS names: callers that accept only some systems (the HTTP API takes
// lon/lat only) check the value it returns, e.g. with LonLat.
func ParseCRS(s string) (CRS, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	if t == "" {
		return WGS84, nil
	}
	for _, n := range lonLatNames {
		for _, name := range n.names {
			if t == name {
				return n.crs, nil
			}
		}
	}
	if n, err := strconv.Atoi(strings.TrimPrefix(t, "epsg:")); err == nil {
		return EPSG(n)
	}
	return CRS{}, fmt.Errorf("crs %q: %w (want wgs84, cgcs2000, gcj02, bd09, EPSG:4326, EPSG:4490 or a Gauss–Krüger zone: %s)", s, ErrCRS, gkCodes)
}

// gkCodes lists the Gauss–Krüger EPSG codes for error messages.
const gkCodes = "CGCS2000 4491…4554, Xi'an 80 2327…2390, Beijing 54 2401…2442, 21413…21423, 21453…21463"

// EPSG returns the CRS of an EPSG code: 4326 (WGS84), 4490 (CGCS2000) or a Gauss–Krüger zone
// of CGCS2000 (4491–4554), Xi'an 1980 (2327–2390) or Beijing 1954 (2401–2442, 21413–21423,
// 21453–21463). The Xi'an and Beijing zones carry no datum shift: see Unshifted. Errors wrap
// ErrCRS.
func EPSG(code int) (CRS, error) {
	switch code {
	case WGS84.EPSG:
		return WGS84, nil
	case CGCS2000.EPSG:
		return CGCS2000, nil
	}
	if g, ok := GaussKrugerEPSG(code); ok {
		return CRS{EPSG: code, GK: g, Datum: datumOfEPSG(code)}, nil
	}
	return CRS{}, fmt.Errorf("EPSG:%d: %w (want 4326, 4490 or a Gauss–Krüger zone: %s)", code, ErrCRS, gkCodes)
}

// Projected reports whether coordinates in c are metres: Gauss–Krüger or Web Mercator.
func (c CRS) Projected() bool { return c.GK != GaussKruger{} || c.Mercator }

// LonLat reports whether coordinates in c are longitude/latitude degrees, as every API speaks.
func (c CRS) LonLat() bool { return !c.Projected() }

// Unshifted reports whether c is on a datum other than CGCS2000 whose shift to CGCS2000 is not
// known (an EPSG Xi'an 80 or Beijing 54 zone, or a city file without 7 parameters over such a
// zone): its lon/lat are then taken as CGCS2000 lon/lat, which is off by tens of metres. The
// projection itself is exact. Importers report it; a CRS file with the survey institute's
// 7 parameters removes it.
func (c CRS) Unshifted() bool { return c.Datum.Name != "" && c.Datum.ToCGCS2000 == (Helmert{}) }

// Caveat says in one sentence what an Unshifted c does, or "" when c is exact.
func (c CRS) Caveat() string {
	if !c.Unshifted() {
		return ""
	}
	return fmt.Sprintf("%s is on the %s datum, whose shift to CGCS2000 is not public: the projection is undone exactly, "+
		"but no datum shift is applied, so positions may be off by tens of metres (give the survey institute's 7 parameters "+
		"in a CRS file, --crs local:FILE, to shift them)", c.Code(), c.Datum.Name)
}

// String names c as the HTTP API does: wgs84, cgcs2000, gcj02 or bd09 for the lon/lat systems,
// "EPSG:n" for the others. ParseCRS reads it back.
func (c CRS) String() string {
	// The lon/lat systems differ in EPSG and Shift alone: compare the whole struct (some
	// 150 bytes of floats and a name) with the one candidate those pick, not with each. A batch
	// answer names its CRS a thousand times.
	for _, n := range lonLatNames {
		if c.EPSG == n.crs.EPSG && c.Shift == n.crs.Shift {
			if c == n.crs {
				return n.names[0]
			}
			break
		}
	}
	if c.EPSG != 0 {
		return "EPSG:" + strconv.Itoa(c.EPSG)
	}
	if c.Name != "" {
		return "local:" + c.Name
	}
	if c.Projected() {
		return fmt.Sprintf("Gauss–Krüger CM %g°E FE %g m", c.GK.CentralMeridian, c.GK.FalseEasting)
	}
	return ""
}

// Code names c by its EPSG code, "EPSG:n", as survey files and import reports do; GCJ-02 and
// BD-09 have no code and are named as String names them. ParseCRS reads it back.
func (c CRS) Code() string {
	if c.EPSG != 0 {
		return "EPSG:" + strconv.Itoa(c.EPSG)
	}
	return c.String()
}

// MarshalText writes String, so a CRS in a JSON answer reads "wgs84", "gcj02" ….
func (c CRS) MarshalText() ([]byte, error) { return []byte(c.String()), nil }

// UnmarshalText reads with ParseCRS.
func (c *CRS) UnmarshalText(b []byte) error {
	v, err := ParseCRS(string(b))
	if err != nil {
		return err
	}
	*c = v
	return nil
}

// ToCGCS2000 converts a point in c to CGCS2000 lon/lat, the CRS everything is stored in:
// Gauss–Krüger {easting, northing} metres are unprojected, web-map offsets undone. The zero
// CRS is treated as CGCS2000 (ParseCRS never returns it).
func ToCGCS2000(p orb.Point, c CRS) orb.Point {
	if c.Mercator {
		return project.Mercator.ToWGS84(p)
	}
	if c.Projected() {
		if c.Plane != (Similarity{}) {
			p = c.Plane.Apply(p)
		}
		ll := c.GK.Inverse(p)
		if h := c.Datum.ToCGCS2000; h != (Helmert{}) {
			ll = h.shift(ll, c.GK.Ellipsoid, CGCS2000Ellipsoid, false)
		}
		return ll
	}
	switch c.Shift {
	case ShiftGCJ02:
		return GCJ02ToWGS84(p)
	case ShiftBD09:
		return BD09ToWGS84(p)
	}
	return p
}

// FromCGCS2000 converts a stored CGCS2000 lon/lat point to c.
func FromCGCS2000(p orb.Point, c CRS) orb.Point {
	if c.Mercator {
		return project.WGS84.ToMercator(orb.Point{p[0], math.Max(-mercatorMaxLat, math.Min(mercatorMaxLat, p[1]))})
	}
	if c.Projected() {
		if h := c.Datum.ToCGCS2000; h != (Helmert{}) {
			p = h.shift(p, CGCS2000Ellipsoid, c.GK.Ellipsoid, true)
		}
		en := c.GK.Forward(p)
		if c.Plane != (Similarity{}) {
			en = c.Plane.Invert(en)
		}
		return en
	}
	switch c.Shift {
	case ShiftGCJ02:
		return WGS84ToGCJ02(p)
	case ShiftBD09:
		return WGS84ToBD09(p)
	}
	return p
}

// BoundToCGCS2000 converts a box in c to the CGCS2000 box covering it: all four corners are
// converted, because the GCJ-02 and BD-09 offsets vary across the box, so the converted Min
// and Max alone need not be the new box's corners.
func BoundToCGCS2000(b orb.Bound, c CRS) orb.Bound {
	return convertBound(b, func(p orb.Point) orb.Point { return ToCGCS2000(p, c) }, c)
}

// BoundFromCGCS2000 converts a stored CGCS2000 box to the box in c covering it (all four
// corners, as BoundToCGCS2000).
func BoundFromCGCS2000(b orb.Bound, c CRS) orb.Bound {
	return convertBound(b, func(p orb.Point) orb.Point { return FromCGCS2000(p, c) }, c)
}

func convertBound(b orb.Bound, f func(orb.Point) orb.Point, c CRS) orb.Bound {
	if c.Shift == NoShift && !c.Projected() {
		return b
	}
	out := f(b.Min).Bound()
	for _, p := range []orb.Point{b.Max, {b.Min[0], b.Max[1]}, {b.Max[0], b.Min[1]}} {
		out = out.Extend(f(p))
	}
	return out
}
