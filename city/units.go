package city

import (
	"math"

	"citygeo/geo"

	"github.com/paulmach/orb"
)

// LngLat is a point in an answer, in the CRS the client asked for.
type LngLat struct {
	Lng float64 `json:"lng"`
	Lat float64 `json:"lat"`
}

// PointIn converts a stored CGCS2000 point to crs, rounded to 1e-7° (~1 cm).
func PointIn(p orb.Point, crs geo.CRS) LngLat {
	q := geo.FromCGCS2000(p, crs)
	return LngLat{Lng: RoundDeg(q[0]), Lat: RoundDeg(q[1])}
}

// RoundDeg rounds degrees to 1e-7 (about 1 cm).
func RoundDeg(v float64) float64 { return math.Round(v*1e7) / 1e7 }

// RoundM rounds metres to 0.1 m: more digits would claim a precision nobody has.
func RoundM(v float64) float64 { return math.Round(v*10) / 10 }
