package geo

import (
	"math"

	"github.com/paulmach/orb"
)

// Plane is a local equirectangular plane around Origin: x metres east and y metres north, at
// the CGCS2000 ellipsoid's scales at the origin's latitude. Over a city it is the cheap metric
// that interpolation, tolerances and nearest searches need: the scale of x drifts with latitude
// by tan φ per radian, about 0.07 % 10 km north or south of the origin at 22.5°N.
type Plane struct {
	Origin orb.Point
	KX, KY float64 // metres per degree of longitude and of latitude at Origin
}

// LocalPlane returns the plane around origin.
func LocalPlane(origin orb.Point) Plane {
	kx, ky := MetresPerDegree(origin[1])
	return Plane{Origin: origin, KX: kx, KY: ky}
}

// MetresPerDegree returns the length in metres of one degree of longitude and of one degree of
// latitude at latitude lat (degrees) on the CGCS2000 ellipsoid.
func MetresPerDegree(lat float64) (perLon, perLat float64) {
	return CGCS2000Ellipsoid.MetresPerDegree(lat)
}

// ToMetres returns p as {east, north} metres from the origin.
func (pl Plane) ToMetres(p orb.Point) orb.Point {
	return orb.Point{(p[0] - pl.Origin[0]) * pl.KX, (p[1] - pl.Origin[1]) * pl.KY}
}

// FromMetres is the inverse of ToMetres: the lon/lat point m metres east and north of the
// origin.
func (pl Plane) FromMetres(m orb.Point) orb.Point {
	return orb.Point{pl.Origin[0] + m[0]/pl.KX, pl.Origin[1] + m[1]/pl.KY}
}

// Distance returns the distance in metres between two lon/lat points in the plane.
func (pl Plane) Distance(a, b orb.Point) float64 {
	dx, dy := (b[0]-a[0])*pl.KX, (b[1]-a[1])*pl.KY
	return math.Sqrt(dx*dx + dy*dy)
}

// ClosestOnSegment returns the point of segment ab closest to p, all in lon/lat, and the
// distance to it in metres in the plane.
func (pl Plane) ClosestOnSegment(p, a, b orb.Point) (orb.Point, float64) {
	t, d2 := NearestOnSegment(orb.Point{},
		orb.Point{(a[0] - p[0]) * pl.KX, (a[1] - p[1]) * pl.KY},
		orb.Point{(b[0] - p[0]) * pl.KX, (b[1] - p[1]) * pl.KY})
	return orb.Point{a[0] + t*(b[0]-a[0]), a[1] + t*(b[1]-a[1])}, math.Sqrt(d2)
}

// NearestOnSegment returns where the point of segment ab nearest to p lies, as t in [0, 1] (0
// at a, 1 at b), and the squared distance from p to it, all in plane coordinates. It is the one
// point-to-segment projection: Plane, DistanceTo and DistanceToBoundary measure through it.
func NearestOnSegment(p, a, b orb.Point) (t, d2 float64) {
	ax, ay := a[0]-p[0], a[1]-p[1]
	dx, dy := b[0]-a[0], b[1]-a[1]
	if l2 := dx*dx + dy*dy; l2 > 0 {
		t = min(max(-(ax*dx+ay*dy)/l2, 0), 1) // the builtins keep this inlinable in hot loops
	}
	ax += t * dx
	ay += t * dy
	return t, ax*ax + ay*ay
}
