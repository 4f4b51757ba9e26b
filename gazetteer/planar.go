package gazetteer

import (
	"math"

	"citygeo/geo"

	"github.com/paulmach/orb"
)

// The gazetteer measures in local planar metres around the dataset's centre (geo.Plane): at city
// scale the error against the ellipsoid is far below the data's own noise, and it keeps
// interpolation, intersections and nearest searches to a few multiplications.
// Directions are worded by geo.Direction so that every answer of the server says them alike.

// plane is geo's local plane with the float32 packing and the compass helpers of the
// gazetteer's indexes.
type plane struct {
	geo.Plane // Origin is a point inside the data, for coordinates kept in float32 metres
}

func newPlane(origin orb.Point) plane { return plane{geo.LocalPlane(origin)} }

// metres returns p in float32 metres east and north of o: at city scale (≤ 100 km) float32
// keeps them to the centimetre.
func (pl plane) metres(o, p orb.Point) (float32, float32) {
	return float32((p[0] - o[0]) * pl.KX), float32((p[1] - o[1]) * pl.KY)
}

// point is the inverse of metres.
func (pl plane) point(o orb.Point, x, y float32) orb.Point {
	return orb.Point{o[0] + float64(x)/pl.KX, o[1] + float64(y)/pl.KY}
}

// segDist2 returns the squared distance in square metres from (px, py) to a segment, all in
// metres from the same origin.
func segDist2(px, py float64, s *cellSeg) float64 {
	_, d2 := geo.NearestOnSegment(orb.Point{px, py},
		orb.Point{float64(s.ax), float64(s.ay)}, orb.Point{float64(s.bx), float64(s.by)})
	return d2
}

// boxDist2 returns the squared distance in square metres from p to the bounding box of the
// segment ab: no point of the segment is nearer.
func (pl plane) boxDist2(p, a, b orb.Point) float64 {
	dx := max(min(a[0], b[0])-p[0], 0, p[0]-max(a[0], b[0])) * pl.KX
	dy := max(min(a[1], b[1])-p[1], 0, p[1]-max(a[1], b[1])) * pl.KY
	return dx*dx + dy*dy
}

// dist2 returns the squared distance in square metres.
func (pl plane) dist2(a, b orb.Point) float64 {
	dx := (b[0] - a[0]) * pl.KX
	dy := (b[1] - a[1]) * pl.KY
	return dx*dx + dy*dy
}

// bearing returns the bearing from a to b in degrees clockwise from north, in [0, 360).
func (pl plane) bearing(a, b orb.Point) float64 {
	dx := (b[0] - a[0]) * pl.KX
	dy := (b[1] - a[1]) * pl.KY
	d := math.Atan2(dx, dy) * 180 / math.Pi
	if d < 0 {
		d += 360
	}
	return d
}

// offset moves p by metres along bearing.
func (pl plane) offset(p orb.Point, bearing, metres float64) orb.Point {
	r := bearing * math.Pi / 180
	return orb.Point{p[0] + metres*math.Sin(r)/pl.KX, p[1] + metres*math.Cos(r)/pl.KY}
}

// direction names the sector of a bearing; the wording lives in package geo, in one place.
func direction(bearing float64) string { return geo.Direction(bearing) }

// bearingOf returns the bearing of a compass word (东, 东北 …) and whether it is one.
func bearingOf(w string) (float64, bool) {
	for i := range 8 {
		if w == geo.Direction(float64(i)*45) {
			return float64(i) * 45, true
		}
	}
	switch w { // 北东 is rare but 东北 spelt backwards appears in notes
	case "北东":
		return 45, true
	case "南东":
		return 135, true
	case "南西":
		return 225, true
	case "北西":
		return 315, true
	}
	return 0, false
}

// segmentCross returns where segments ab and cd cross, if they do.
func segmentCross(a, b, c, d orb.Point) (orb.Point, bool) {
	r := orb.Point{b[0] - a[0], b[1] - a[1]}
	s := orb.Point{d[0] - c[0], d[1] - c[1]}
	den := r[0]*s[1] - r[1]*s[0]
	if den == 0 {
		return orb.Point{}, false
	}
	qp := orb.Point{c[0] - a[0], c[1] - a[1]}
	t := (qp[0]*s[1] - qp[1]*s[0]) / den
	u := (qp[0]*r[1] - qp[1]*r[0]) / den
	if t < 0 || t > 1 || u < 0 || u > 1 {
		return orb.Point{}, false
	}
	return orb.Point{a[0] + t*r[0], a[1] + t*r[1]}, true
}

// meet returns where two sets of lines cross or, when they do not, the middle of their closest
// approach, with the gap in metres (0 when they cross).
func (pl plane) meet(l1, l2 []orb.LineString) (orb.Point, float64, bool) {
	best, gap, found := orb.Point{}, math.Inf(1), false
	for _, a := range l1 {
		ba := a.Bound()
		for _, b := range l2 {
			if !ba.Pad(0.002).Intersects(b.Bound()) && found {
				continue
			}
			for i := 1; i < len(a); i++ {
				for j := 1; j < len(b); j++ {
					if x, ok := segmentCross(a[i-1], a[i], b[j-1], b[j]); ok {
						return x, 0, true
					}
				}
			}
			for _, pts := range [2][2]orb.LineString{{a, b}, {b, a}} {
				for _, p := range pts[0] {
					for j := 1; j < len(pts[1]); j++ {
						q, d := pl.ClosestOnSegment(p, pts[1][j-1], pts[1][j])
						if d < gap {
							gap, found = d, true
							best = orb.Point{(p[0] + q[0]) / 2, (p[1] + q[1]) / 2}
						}
					}
				}
			}
		}
	}
	return best, gap, found
}

func lerp(a, b orb.Point, t float64) orb.Point {
	return orb.Point{a[0] + t*(b[0]-a[0]), a[1] + t*(b[1]-a[1])}
}
