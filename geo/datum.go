package geo

import (
	"math"

	"github.com/paulmach/orb"
)

// Datum names the geodetic datum of a CRS and, when known, its shift to CGCS2000. The zero
// value is CGCS2000 (and WGS84, treated as the same datum).
//
// Xi'an 1980 and Beijing 1954 have no public exact transformation to CGCS2000: the parameters
// are held by the survey institutes, per city or province. citygeo therefore projects their
// Gauss–Krüger zones exactly (on their own ellipsoids) and applies no datum shift unless a CRS
// file gives the 7 parameters; such a CRS is Unshifted, and importers must say so (for Beijing 54,
// EPSG's regional Helmert shifts move a point in Shenzhen by about 55 m).
type Datum struct {
	Name       string    // "" for CGCS2000; "Xi'an 1980", "Beijing 1954", or a CRS file's name
	Ellipsoid  Ellipsoid // the zero value means CGCS2000's
	ToCGCS2000 Helmert   // the zero value: no shift known (or none needed, for CGCS2000)
}

// The datums of the EPSG Gauss–Krüger families. Treat them as constants.
var (
	CGCS2000Datum = Datum{}
	Xian80        = Datum{Name: "Xi'an 1980", Ellipsoid: IAG1975}
	Beijing54     = Datum{Name: "Beijing 1954", Ellipsoid: Krassovsky1940}
)

// Helmert is a 7-parameter Bursa–Wolf transformation between geocentric coordinates, in the
// position-vector convention (EPSG method 9606, PROJ's +towgs84) and the small-angle form PROJ
// uses: X' = T + (1+s)·R·X with R = [[1,−rz,ry],[rz,1,−rx],[−ry,rx,1]]. Translations are in
// metres, rotations in radians, S in parts of one (not ppm).
type Helmert struct {
	DX, DY, DZ float64
	RX, RY, RZ float64
	S          float64
}

// Apply transforms geocentric coordinates forward.
func (h Helmert) Apply(x, y, z float64) (float64, float64, float64) {
	m := 1 + h.S
	return h.DX + m*(x-h.RZ*y+h.RY*z),
		h.DY + m*(h.RZ*x+y-h.RX*z),
		h.DZ + m*(-h.RY*x+h.RX*y+z)
}

// Invert transforms geocentric coordinates back, with the transposed rotation as PROJ does
// (exact to second order in the rotations: under a millimetre for rotations of a few seconds).
func (h Helmert) Invert(x, y, z float64) (float64, float64, float64) {
	m := 1 + h.S
	x, y, z = (x-h.DX)/m, (y-h.DY)/m, (z-h.DZ)/m
	return x + h.RZ*y - h.RY*z,
		-h.RZ*x + y + h.RX*z,
		h.RY*x - h.RX*y + z
}

// shift moves a lon/lat point (height 0) on ellipsoid from through h (forward, or inverted)
// to a lon/lat point on ellipsoid to.
func (h Helmert) shift(p orb.Point, from, to Ellipsoid, inverse bool) orb.Point {
	x, y, z := geocentric(p, from)
	if inverse {
		x, y, z = h.Invert(x, y, z)
	} else {
		x, y, z = h.Apply(x, y, z)
	}
	return geodetic(x, y, z, to)
}

func orCGCS2000(e Ellipsoid) Ellipsoid {
	if e == (Ellipsoid{}) {
		return CGCS2000Ellipsoid
	}
	return e
}

func geocentric(p orb.Point, e Ellipsoid) (x, y, z float64) {
	e = orCGCS2000(e)
	sphi, cphi := math.Sincos(p[1] * rad)
	slam, clam := math.Sincos(p[0] * rad)
	e2 := e.E2()
	n := e.A / math.Sqrt(1-e2*sphi*sphi)
	return n * cphi * clam, n * cphi * slam, n * (1 - e2) * sphi
}

// geodetic is the inverse of geocentric, by fixed-point iteration on the latitude (a few
// steps reach 1e-14 rad near the surface).
func geodetic(x, y, z float64, e Ellipsoid) orb.Point {
	e = orCGCS2000(e)
	e2 := e.E2()
	p := math.Hypot(x, y)
	phi := math.Atan2(z, p*(1-e2))
	for range 10 {
		s := math.Sin(phi)
		n := e.A / math.Sqrt(1-e2*s*s)
		h := p/math.Cos(phi) - n
		next := math.Atan2(z, p*(1-e2*n/(n+h)))
		if math.Abs(next-phi) < 1e-15 {
			phi = next
			break
		}
		phi = next
	}
	return orb.Point{math.Atan2(y, x) / rad, phi / rad}
}

// Similarity is a 4-parameter plane similarity transform (平面四参数) from a city grid to the
// grid of a known projection: E' = DE + K·(E·cos θ − N·sin θ), N' = DN + K·(E·sin θ + N·cos θ),
// on {easting, northing} metres. The zero value is none.
type Similarity struct {
	DE, DN float64 // metres
	Theta  float64 // radians, anticlockwise
	K      float64 // scale, 1 + ppm·10⁻⁶
}

// Apply maps a city grid point to the known grid.
func (s Similarity) Apply(p orb.Point) orb.Point {
	sin, cos := math.Sincos(s.Theta)
	return orb.Point{s.DE + s.K*(p[0]*cos-p[1]*sin), s.DN + s.K*(p[0]*sin+p[1]*cos)}
}

// Invert maps a known grid point to the city grid.
func (s Similarity) Invert(p orb.Point) orb.Point {
	sin, cos := math.Sincos(s.Theta)
	e, n := (p[0]-s.DE)/s.K, (p[1]-s.DN)/s.K
	return orb.Point{e*cos + n*sin, -e*sin + n*cos}
}
