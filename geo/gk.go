package geo

import (
	"fmt"
	"math"

	"github.com/paulmach/orb"
)

// GaussKruger is a CGCS2000 Gauss–Krüger (transverse Mercator, scale 1 on the central meridian)
// projection as used by Chinese survey data. Points are orb.Point{easting, northing} in metres;
// EPSG's axis order for these CRSs is northing first, so callers reading "X/Y" survey columns
// must swap them.
type GaussKruger struct {
	EPSG            int     // 0 when built by hand
	CentralMeridian float64 // degrees east
	FalseEasting    float64 // metres: 500000, or zone×10⁶+500000 for zone-prefixed CRSs
}

// GaussKrugerEPSG returns the projection of an EPSG code in the CGCS2000 Gauss–Krüger families:
// 4491–4501 (6° zones 13–23, zone prefix), 4502–4512 (6°, CM 75°E…135°E), 4513–4533 (3° zones
// 25–45, zone prefix) and 4534–4554 (3°, CM 75°E…135°E).
func GaussKrugerEPSG(code int) (GaussKruger, bool) {
	switch {
	case code >= 4491 && code <= 4501:
		zone := float64(code - 4491 + 13)
		return GaussKruger{EPSG: code, CentralMeridian: zone*6 - 3, FalseEasting: zone*1e6 + 500000}, true
	case code >= 4502 && code <= 4512:
		return GaussKruger{EPSG: code, CentralMeridian: 75 + 6*float64(code-4502), FalseEasting: 500000}, true
	case code >= 4513 && code <= 4533:
		zone := float64(code - 4513 + 25)
		return GaussKruger{EPSG: code, CentralMeridian: zone * 3, FalseEasting: zone*1e6 + 500000}, true
	case code >= 4534 && code <= 4554:
		return GaussKruger{EPSG: code, CentralMeridian: 75 + 3*float64(code-4534), FalseEasting: 500000}, true
	}
	return GaussKruger{}, false
}

// GaussKrugerFor finds the EPSG projection with this central meridian and false easting (as read
// from a .prj); 3° codes win where a 6° code has the same parameters, since the maths is equal.
func GaussKrugerFor(centralMeridian, falseEasting float64) (GaussKruger, error) {
	for code := 4534; code <= 4554; code++ {
		if g, _ := GaussKrugerEPSG(code); g.matches(centralMeridian, falseEasting) {
			return g, nil
		}
	}
	for _, r := range [][2]int{{4513, 4533}, {4491, 4512}} {
		for code := r[0]; code <= r[1]; code++ {
			if g, _ := GaussKrugerEPSG(code); g.matches(centralMeridian, falseEasting) {
				return g, nil
			}
		}
	}
	return GaussKruger{}, fmt.Errorf("gauss-kruger: no CGCS2000 zone with central meridian %g and false easting %g", centralMeridian, falseEasting)
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

var gk = newGKSeries(CGCS2000Ellipsoid)

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

// Forward projects a CGCS2000 lon/lat point to {easting, northing} metres.
func (g GaussKruger) Forward(p orb.Point) orb.Point {
	phi := p[1] * math.Pi / 180
	lam := (p[0] - g.CentralMeridian) * math.Pi / 180
	s := math.Sin(phi)
	t := math.Sinh(math.Atanh(s) - gk.e*math.Atanh(gk.e*s))
	xi1 := math.Atan2(t, math.Cos(lam))
	eta1 := math.Atanh(math.Sin(lam) / math.Sqrt(1+t*t))
	xi, eta := xi1, eta1
	for j, a := range gk.alpha {
		k := 2 * float64(j+1)
		xi += a * math.Sin(k*xi1) * math.Cosh(k*eta1)
		eta += a * math.Cos(k*xi1) * math.Sinh(k*eta1)
	}
	return orb.Point{g.FalseEasting + gk.a*eta, gk.a * xi}
}

// Inverse converts {easting, northing} metres back to CGCS2000 lon/lat.
func (g GaussKruger) Inverse(p orb.Point) orb.Point {
	xi := p[1] / gk.a
	eta := (p[0] - g.FalseEasting) / gk.a
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
	return orb.Point{g.CentralMeridian + lam*180/math.Pi, phi * 180 / math.Pi}
}
