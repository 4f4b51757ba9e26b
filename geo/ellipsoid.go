package geo

import "math"

// Ellipsoid is a reference ellipsoid. It is a value, so that the ellipsoids of older Chinese
// datums (Krassovsky for Beijing 54, IAG 1975 for Xi'an 80) can join as data beside CGCS2000.
type Ellipsoid struct {
	A float64 // semi-major axis in metres
	F float64 // flattening
}

// CGCS2000Ellipsoid is the ellipsoid of CGCS2000, the datum everything is stored in: GRS 80's
// axis with CGCS2000's own flattening (the two differ by 0.1 mm in the semi-minor axis). It is
// the one statement of these constants; the Gauss–Krüger series and the local plane derive
// from it.
var CGCS2000Ellipsoid = Ellipsoid{A: 6378137, F: 1 / 298.257222101}

// E2 returns the first eccentricity squared, f(2−f).
func (e Ellipsoid) E2() float64 { return e.F * (2 - e.F) }

// MeridianRadius returns M, the radius of curvature in the meridian at latitude lat (degrees):
// a(1−e²)/(1−e²sin²φ)^(3/2). A degree of latitude there is M·π/180 metres long.
func (e Ellipsoid) MeridianRadius(lat float64) float64 {
	e2 := e.E2()
	s := math.Sin(lat * rad)
	w := 1 - e2*s*s
	return e.A * (1 - e2) / (w * math.Sqrt(w))
}

// PrimeVerticalRadius returns N, the radius of curvature in the prime vertical at latitude lat
// (degrees): a/√(1−e²sin²φ). The parallel there has radius N·cos φ.
func (e Ellipsoid) PrimeVerticalRadius(lat float64) float64 {
	s := math.Sin(lat * rad)
	return e.A / math.Sqrt(1-e.E2()*s*s)
}

// MetresPerDegree returns the length in metres of one degree of longitude (N·cos φ·π/180) and
// of one degree of latitude (M·π/180) at latitude lat (degrees).
func (e Ellipsoid) MetresPerDegree(lat float64) (perLon, perLat float64) {
	// M and N share sin φ and √(1−e²sin²φ): computed once, as hot paths (the duplicate search,
	// the importer's tolerances) call this per query.
	s, c := math.Sincos(lat * rad)
	e2 := e.E2()
	w := 1 - e2*s*s
	sw := math.Sqrt(w)
	return e.A / sw * c * rad, e.A * (1 - e2) / (w * sw) * rad
}

// The ellipsoids of China's older datums, as EPSG defines them.
var (
	// IAG1975 is the ellipsoid of Xi'an 1980 (EPSG:7049, "IAG 1975"; PROJ calls it IAU76).
	IAG1975 = Ellipsoid{A: 6378140, F: 1 / 298.257}
	// Krassovsky1940 is the ellipsoid of Beijing 1954 (EPSG:7024).
	Krassovsky1940 = Ellipsoid{A: 6378245, F: 1 / 298.3}
	// WGS84Ellipsoid is WGS 84's (EPSG:7030), for a city system defined on it.
	WGS84Ellipsoid = Ellipsoid{A: 6378137, F: 1 / 298.257223563}
)
