package geo

import (
	"fmt"
	"math"

	"github.com/paulmach/orb"
)

// GaussKruger is a Gauss–Krüger (transverse Mercator) projection as used by Chinese survey
// data: by default on the CGCS2000 ellipsoid with scale 1 on the central meridian, the
// equator as origin and no false northing, as the national zones are; a city's own system sets
// the other fields. Points are orb.Point{easting, northing} in metres; EPSG's axis order for
// these CRSs is northing first, so callers reading "X/Y" survey columns must swap them.
type GaussKruger struct {
	EPSG            int     // 0 when built by hand
	CentralMeridian float64 // degrees east
	FalseEasting    float64 // metres: 500000, or zone×10⁶+500000 for zone-prefixed CRSs
	// The fields below are zero for the national zones of every datum but the ellipsoid.
	FalseNorthing    float64   // metres
	LatitudeOfOrigin float64   // degrees; the northing there is FalseNorthing
	Scale            float64   // on the central meridian; 0 means 1
	Ellipsoid        Ellipsoid // the zero value means CGCS2000's
}

// GaussKrugerEPSG returns the projection of an EPSG code in a Gauss–Krüger family of
// gkFamilies: CGCS2000 4491–4554, Xi'an 80 2327–2390, Beijing 54 2401–2442, 21413–21423 and
// 21453–21463 (6° and 3° zones, with and without the zone number in the false easting). The
// datum of the code is DatumOfEPSG's.
func GaussKrugerEPSG(code int) (GaussKruger, bool) {
	for _, f := range gkFamilies {
		if code >= f.first && code <= f.last {
			return f.zone(code), true
		}
	}
	return GaussKruger{}, false
}

// GaussKrugerFor finds the CGCS2000 EPSG projection with this central meridian and false
// easting (as read from a .prj); 3° codes win where a 6° code has the same parameters, since
// the maths is equal.
func GaussKrugerFor(centralMeridian, falseEasting float64) (GaussKruger, error) {
	return GaussKrugerOn(CGCS2000Datum, centralMeridian, falseEasting)
}

// GaussKrugerOn is GaussKrugerFor on datum d (CGCS2000Datum, Xian80 or Beijing54).
func GaussKrugerOn(d Datum, centralMeridian, falseEasting float64) (GaussKruger, error) {
	// 3° families first: gkFamilies lists them after the 6° ones.
	for pass := 0; pass < 2; pass++ {
		for _, f := range gkFamilies {
			if f.datum != d || (f.degrees == 3) != (pass == 0) {
				continue
			}
			for code := f.first; code <= f.last; code++ {
				if g := f.zone(code); g.matches(centralMeridian, falseEasting) {
					return g, nil
				}
			}
		}
	}
	name := d.Name
	if name == "" {
		name = "CGCS2000"
	}
	return GaussKruger{}, fmt.Errorf("gauss-kruger: no %s zone with central meridian %g and false easting %g", name, centralMeridian, falseEasting)
}

func (g GaussKruger) matches(cm, fe float64) bool {
	return math.Abs(g.CentralMeridian-cm) < 1e-9 && math.Abs(g.FalseEasting-fe) < 1e-3
}

// gkSeries holds the coefficients of the Krüger series to 6th order in n (Karney 2011), exact
// to well under a millimetre within several degrees of the central meridian.
type gkSeries struct {
	a, e               float64 // rectifying radius, eccentricity
	alpha, beta, delta [6]float64
}

// The series of the ellipsoids of the EPSG families, computed once; a city's own ellipsoid
// gets its series computed per call (series).
var (
	gkCGCS2000 = newGKSeries(CGCS2000Ellipsoid)
	gkIAG1975  = newGKSeries(IAG1975)
	gkKrass    = newGKSeries(Krassovsky1940)
)

func (g GaussKruger) series() *gkSeries {
	switch g.Ellipsoid {
	case Ellipsoid{}, CGCS2000Ellipsoid:
		return &gkCGCS2000
	case IAG1975:
		return &gkIAG1975
	case Krassovsky1940:
		return &gkKrass
	}
	s := newGKSeries(g.Ellipsoid)
	return &s
}

func (g GaussKruger) scale() float64 {
	if g.Scale == 0 {
		return 1
	}
	return g.Scale
}

func newGKSeries(el Ellipsoid) (c gkSeries) {
	n := el.F / (2 - el.F)
	n2, n3, n4, n5, n6 := n*n, n*n*n, n*n*n*n, n*n*n*n*n, n*n*n*n*n*n
	c.a = el.A / (1 + n) * (1 + n2/4 + n4/64 + n6/256)
	c.e = math.Sqrt(el.E2())
	c.alpha = [6]float64{
		n/2 - 2*n2/3 + 5*n3/16 + 41*n4/180 - 127*n5/288 + 7891*n6/37800,
		13*n2/48 - 3*n3/5 + 557*n4/1440 + 281*n5/630 - 1983433*n6/1935360,
		61*n3/240 - 103*n4/140 + 15061*n5/26880 + 167603*n6/181440,
		49561*n4/161280 - 179*n5/168 + 6601661*n6/7257600,
		34729*n5/80640 - 3418889*n6/1995840,
		212378941 * n6 / 319334400,
	}
	c.beta = [6]float64{
		n/2 - 2*n2/3 + 37*n3/96 - n4/360 - 81*n5/512 + 96199*n6/604800,
		n2/48 + n3/15 - 437*n4/1440 + 46*n5/105 - 1118711*n6/3870720,
		17*n3/480 - 37*n4/840 - 209*n5/4480 + 5569*n6/90720,
		4397*n4/161280 - 11*n5/504 - 830251*n6/7257600,
		4583*n5/161280 - 108847*n6/3991680,
		20648693 * n6 / 638668800,
	}
	c.delta = [6]float64{
		2*n - 2*n2/3 - 2*n3 + 116*n4/45 + 26*n5/45 - 2854*n6/675,
		7*n2/3 - 8*n3/5 - 227*n4/45 + 2704*n5/315 + 2323*n6/945,
		56*n3/15 - 136*n4/35 - 1262*n5/105 + 73814*n6/2835,
		4279*n4/630 - 332*n5/35 - 399572*n6/14175,
		4174*n5/315 - 144838*n6/6237,
		601676 * n6 / 22275,
	}
	return c
}

// Forward projects a lon/lat point on the projection's ellipsoid (for the CGCS2000 zones,
// CGCS2000 lon/lat) to {easting, northing} metres.
func (g GaussKruger) Forward(p orb.Point) orb.Point {
	gk := g.series()
	xi, eta := gk.forward(p[1]*rad, (p[0]-g.CentralMeridian)*rad)
	k := g.scale() * gk.a
	n := k*xi + g.FalseNorthing
	if g.LatitudeOfOrigin != 0 {
		xi0, _ := gk.forward(g.LatitudeOfOrigin*rad, 0)
		n -= k * xi0
	}
	return orb.Point{g.FalseEasting + k*eta, n}
}

func (gk *gkSeries) forward(phi, lam float64) (xi, eta float64) {
	s := math.Sin(phi)
	t := math.Sinh(math.Atanh(s) - gk.e*math.Atanh(gk.e*s))
	xi1 := math.Atan2(t, math.Cos(lam))
	eta1 := math.Atanh(math.Sin(lam) / math.Sqrt(1+t*t))
	xi, eta = xi1, eta1
	for j, a := range gk.alpha {
		k := 2 * float64(j+1)
		xi += a * math.Sin(k*xi1) * math.Cosh(k*eta1)
		eta += a * math.Cos(k*xi1) * math.Sinh(k*eta1)
	}
	return xi, eta
}

// Inverse converts {easting, northing} metres back to lon/lat on the projection's ellipsoid.
func (g GaussKruger) Inverse(p orb.Point) orb.Point {
	gk := g.series()
	k := g.scale() * gk.a
	xi := (p[1] - g.FalseNorthing) / k
	if g.LatitudeOfOrigin != 0 {
		xi0, _ := gk.forward(g.LatitudeOfOrigin*rad, 0)
		xi += xi0
	}
	eta := (p[0] - g.FalseEasting) / k
	xi1, eta1 := xi, eta
	for j, b := range gk.beta {
		k := 2 * float64(j+1)
		xi1 -= b * math.Sin(k*xi) * math.Cosh(k*eta)
		eta1 -= b * math.Cos(k*xi) * math.Sinh(k*eta)
	}
	chi := math.Asin(math.Sin(xi1) / math.Cosh(eta1))
	phi := chi
	for j, d := range gk.delta {
		phi += d * math.Sin(2*float64(j+1)*chi)
	}
	lam := math.Atan2(math.Sinh(eta1), math.Cos(xi1))
	return orb.Point{g.CentralMeridian + lam/rad, phi / rad}
}
