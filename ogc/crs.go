package ogc

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/project"

	"citygeo/geo"
)

// ErrCRS is returned, wrapped, for a CRS identifier the service does not know.
var ErrCRS = errors.New("unknown crs")

// The CRS URIs of the standard: CRS84 is the default of every request and every extent.
const (
	CRS84URI  = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
	epsgURI   = "http://www.opengis.net/def/crs/EPSG/0/"
	epsg4326  = 4326
	epsg4490  = 4490
	epsg3857  = 3857
	gkFirst   = 4491
	gkLast    = 4554
	gkMargin  = 0.05 // degrees beyond the data a zone must reach to be offered
	bboxSteps = 8    // points per edge when a box changes CRS: its edges bend
)

// CRS is a coordinate reference system as an OGC client names it: geo's model (datum and
// projection) plus the axis order of its authority, which geo does not carry because every
// stored point is x/y. CRS84 and EPSG:4326 are the same datum with opposite axis orders.
type CRS struct {
	geo.CRS
	URI string // canonical: http://www.opengis.net/def/crs/…
	// Swap is true when the authority puts the second of geo's x/y first: latitude before
	// longitude (EPSG:4326, 4490) or northing before easting (the Gauss–Krüger zones).
	Swap bool
}

// CRS84 is the default CRS of OGC API – Features: WGS84 longitude, latitude.
var CRS84 = CRS{CRS: geo.WGS84, URI: CRS84URI}

// EPSG returns the CRS of an EPSG code the service can convert to: 4326, 4490, 3857 or a
// CGCS2000 Gauss–Krüger zone 4491–4554, with its authority's axis order. Errors wrap ErrCRS.
func EPSG(code int) (CRS, error) {
	uri := epsgURI + strconv.Itoa(code)
	switch code {
	case epsg3857:
		return CRS{CRS: geo.WebMercator, URI: uri}, nil
	case epsg4326, epsg4490:
		c, _ := geo.EPSG(code)
		return CRS{CRS: c, URI: uri, Swap: true}, nil
	}
	if code >= gkFirst && code <= gkLast {
		c, err := geo.EPSG(code)
		if err == nil {
			return CRS{CRS: c, URI: uri, Swap: true}, nil
		}
	}
	return CRS{}, fmt.Errorf("EPSG:%d: %w (want CRS84, EPSG 4326, 4490, 3857 or a CGCS2000 Gauss–Krüger zone 4491…4554)", code, ErrCRS)
}

// ParseCRS reads a CRS identifier: the OGC URI (http or https,
// http://www.opengis.net/def/crs/EPSG/0/4547, …/OGC/1.3/CRS84), its safe CURIE ([EPSG:4547],
// [OGC:CRS84]), the bare CURIE (EPSG:4547, OGC:CRS84) or the URN
// (urn:ogc:def:crs:EPSG::4547). It says nothing of whether a collection offers the CRS; the
// catalog checks that. Errors wrap ErrCRS.
func ParseCRS(s string) (CRS, error) {
	t := strings.TrimSpace(s)
	if strings.HasPrefix(t, "[") && strings.HasSuffix(t, "]") {
		t = t[1 : len(t)-1]
	}
	lower := strings.ToLower(t)
	var auth, code string
	switch {
	case strings.HasPrefix(lower, "http://www.opengis.net/def/crs/"), strings.HasPrefix(lower, "https://www.opengis.net/def/crs/"):
		parts := strings.Split(t[strings.Index(lower, "/def/crs/")+len("/def/crs/"):], "/")
		if len(parts) == 3 && validVersion(parts[1]) {
			auth, code = parts[0], parts[2]
		}
	case strings.HasPrefix(lower, "urn:ogc:def:crs:"):
		parts := strings.Split(t[len("urn:ogc:def:crs:"):], ":")
		if len(parts) == 3 && (parts[1] == "" || validVersion(parts[1])) {
			auth, code = parts[0], parts[2]
		}
	default:
		auth, code, _ = strings.Cut(t, ":")
	}
	switch strings.ToUpper(auth) {
	case "OGC":
		if strings.EqualFold(code, "CRS84") {
			return CRS84, nil
		}
	case "EPSG":
		if n, err := strconv.Atoi(code); err == nil && code == strconv.Itoa(n) {
			return EPSG(n)
		}
	}
	return CRS{}, fmt.Errorf("crs %q: %w (want a URI such as %s or %s4547)", s, ErrCRS, CRS84URI, epsgURI)
}

// validVersion accepts the version segment of a CRS URI: 0, 1.3, 9.8.15.
func validVersion(v string) bool {
	if v == "" {
		return false
	}
	for _, r := range v {
		if (r < '0' || r > '9') && r != '.' {
			return false
		}
	}
	return true
}

// Point converts a stored CGCS2000 lon/lat point to c, in c's axis order.
func (c CRS) Point(p orb.Point) orb.Point {
	q := geo.FromCGCS2000(p, c.CRS)
	if c.Swap {
		q[0], q[1] = q[1], q[0]
	}
	return q
}

// plane converts a stored point to c's x/y (easting or longitude first), the plane its boxes
// are tested in.
func (c CRS) plane(p orb.Point) orb.Point { return geo.FromCGCS2000(p, c.CRS) }

// Geometry returns a copy of a stored geometry in c; the stored one is never touched.
func (c CRS) Geometry(g orb.Geometry) orb.Geometry {
	if g == nil {
		return nil
	}
	if c.CRS == geo.WGS84 && !c.Swap {
		return g // CRS84: stored as is (CGCS2000 and WGS84 agree within centimetres)
	}
	return project.Geometry(orb.Clone(g), c.Point)
}

// storageBound returns the CGCS2000 lon/lat box covering b, a box in c's x/y plane: the
// corners and points along each edge are converted, since an edge straight in a projection
// bends in lon/lat. The answer is padded by a millionth of its size so a feature on the edge
// is never lost to rounding; the exact test afterwards runs in c's plane.
func (c CRS) storageBound(b orb.Bound) orb.Bound {
	if c.CRS == geo.WGS84 || c.CRS == geo.CGCS2000 {
		return b
	}
	out := geo.ToCGCS2000(b.Min, c.CRS).Bound()
	for i := 0; i <= bboxSteps; i++ {
		f := float64(i) / bboxSteps
		x := b.Min[0] + f*(b.Max[0]-b.Min[0])
		y := b.Min[1] + f*(b.Max[1]-b.Min[1])
		for _, p := range [4]orb.Point{{x, b.Min[1]}, {x, b.Max[1]}, {b.Min[0], y}, {b.Max[0], y}} {
			out = out.Extend(geo.ToCGCS2000(p, c.CRS))
		}
	}
	pad := 1e-6 * math.Max(out.Max[0]-out.Min[0], out.Max[1]-out.Min[1])
	return out.Pad(math.Max(pad, 1e-9))
}

// Offered returns the CRSs offered for data within b (CGCS2000 lon/lat): CRS84, EPSG:4490,
// EPSG:4326, EPSG:3857 and every CGCS2000 Gauss–Krüger zone (3° and 6°, with and without the
// zone number in the easting) whose span reaches the data.
func Offered(b orb.Bound) []CRS {
	out := []CRS{CRS84}
	for _, code := range []int{epsg4490, epsg4326, epsg3857} {
		c, _ := EPSG(code)
		out = append(out, c)
	}
	for code := gkFirst; code <= gkLast; code++ {
		g, _ := geo.GaussKrugerEPSG(code)
		half := 1.5
		if code <= 4512 {
			half = 3
		}
		if g.CentralMeridian-half <= b.Max[0]+gkMargin && g.CentralMeridian+half >= b.Min[0]-gkMargin {
			c, _ := EPSG(code)
			out = append(out, c)
		}
	}
	return out
}
