package geo

import (
	"math"

	"github.com/paulmach/orb"
)

// GCJ-02 is a published obfuscation formula, not a datum: WGS84 + an offset of a few hundred
// metres that varies with position. It is ~60 lines, so it is written here rather than pulling
// a library whose inverses are the naive one-step kind (up to 4.66 m off; see deps.md).

const (
	gcjA  = 6378245.0              // Krassowsky semi-major axis used by the formula
	gcjEE = 0.00669342162296594323 // Krassowsky first eccentricity squared
	bdXPi = math.Pi * 3000.0 / 180.0
)

// OutOfChina reports whether p lies outside the box inside which GCJ-02 shifts coordinates.
// The box is the one of eviltransform and gcoord (lon 72.004–137.8347, lat 0.8293–55.8271): it
// is the widest of the published ones, so coastal islands and the north-east are shifted.
// Points outside pass through every conversion unchanged.
func OutOfChina(p orb.Point) bool {
	return p[0] < 72.004 || p[0] > 137.8347 || p[1] < 0.8293 || p[1] > 55.8271
}

// gcjDelta returns the GCJ-02 offset (dlon, dlat) in degrees at the WGS84 point (lon, lat).
func gcjDelta(lon, lat float64) (float64, float64) {
	x, y := lon-105, lat-35
	dLat := -100 + 2*x + 3*y + 0.2*y*y + 0.1*x*y + 0.2*math.Sqrt(math.Abs(x))
	dLon := 300 + x + 2*y + 0.1*x*x + 0.1*x*y + 0.1*math.Sqrt(math.Abs(x))
	common := (20*math.Sin(6*x*math.Pi) + 20*math.Sin(2*x*math.Pi)) * 2 / 3
	dLat += common + (20*math.Sin(y*math.Pi)+40*math.Sin(y/3*math.Pi))*2/3 +
		(160*math.Sin(y/12*math.Pi)+320*math.Sin(y*math.Pi/30))*2/3
	dLon += common + (20*math.Sin(x*math.Pi)+40*math.Sin(x/3*math.Pi))*2/3 +
		(150*math.Sin(x/12*math.Pi)+300*math.Sin(x/30*math.Pi))*2/3
	rad := lat / 180 * math.Pi
	m := 1 - gcjEE*math.Sin(rad)*math.Sin(rad)
	sm := math.Sqrt(m)
	dLat = dLat * 180 / ((gcjA * (1 - gcjEE)) / (m * sm) * math.Pi)
	dLon = dLon * 180 / (gcjA / sm * math.Cos(rad) * math.Pi)
	return dLon, dLat
}

// WGS84ToGCJ02 applies the GCJ-02 offset.
func WGS84ToGCJ02(p orb.Point) orb.Point {
	if OutOfChina(p) {
		return p
	}
	dx, dy := gcjDelta(p[0], p[1])
	return orb.Point{p[0] + dx, p[1] + dy}
}

// GCJ02ToWGS84 inverts WGS84ToGCJ02 by fixed-point iteration: guess w, compare
// WGS84ToGCJ02(w) with the target, move w by the residual. The offset changes slowly
// (derivative ≪ 1), so each step gains about three digits; it stops when the residual is below
// 1e-11° (~1 µm) or after 30 steps.
func GCJ02ToWGS84(p orb.Point) orb.Point {
	if OutOfChina(p) {
		return p
	}
	w := p
	for i := 0; i < 30; i++ {
		g := WGS84ToGCJ02(w)
		ex, ey := g[0]-p[0], g[1]-p[1]
		w[0] -= ex
		w[1] -= ey
		if math.Abs(ex) < 1e-11 && math.Abs(ey) < 1e-11 {
			break
		}
	}
	return w
}

// GCJ02ToBD09 applies Baidu's BD-09 transform to a GCJ-02 point. Like every published
// implementation it is applied everywhere, not only inside China.
func GCJ02ToBD09(p orb.Point) orb.Point {
	x, y := p[0], p[1]
	z := math.Sqrt(x*x+y*y) + 0.00002*math.Sin(y*bdXPi)
	t := math.Atan2(y, x) + 0.000003*math.Cos(x*bdXPi)
	return orb.Point{z*math.Cos(t) + 0.0065, z*math.Sin(t) + 0.006}
}

// bd09ToGCJ02Approx is the published closed-form inverse; it errs by up to ~0.2 m.
func bd09ToGCJ02Approx(p orb.Point) orb.Point {
	x, y := p[0]-0.0065, p[1]-0.006
	z := math.Sqrt(x*x+y*y) - 0.00002*math.Sin(y*bdXPi)
	t := math.Atan2(y, x) - 0.000003*math.Cos(x*bdXPi)
	return orb.Point{z * math.Cos(t), z * math.Sin(t)}
}

// BD09ToGCJ02 inverts GCJ02ToBD09: the closed-form approximation, refined by fixed-point
// iteration on the forward transform to ~1 µm.
func BD09ToGCJ02(p orb.Point) orb.Point {
	g := bd09ToGCJ02Approx(p)
	for i := 0; i < 10; i++ {
		b := GCJ02ToBD09(g)
		ex, ey := b[0]-p[0], b[1]-p[1]
		g[0] -= ex
		g[1] -= ey
		if math.Abs(ex) < 1e-11 && math.Abs(ey) < 1e-11 {
			break
		}
	}
	return g
}

// WGS84ToBD09 converts WGS84 to BD-09 (through GCJ-02).
func WGS84ToBD09(p orb.Point) orb.Point { return GCJ02ToBD09(WGS84ToGCJ02(p)) }

// BD09ToWGS84 converts BD-09 to WGS84 (through GCJ-02).
func BD09ToWGS84(p orb.Point) orb.Point { return GCJ02ToWGS84(BD09ToGCJ02(p)) }
