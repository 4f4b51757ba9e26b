package geo

import (
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// Intersects reports whether geometry g and box b share a point, boundaries included: the exact
// second phase after an index has filtered by bounding box (a line whose box meets b may still
// pass beside it). It is what OGC API bbox filters and GDAL's own spatial filter compute, so
// answers filtered by it agree with a GIS client. A nil geometry meets nothing.
func Intersects(g orb.Geometry, b orb.Bound) bool {
	if g == nil || !g.Bound().Intersects(b) {
		return false
	}
	switch g := g.(type) {
	case orb.Point:
		return b.Contains(g)
	case orb.MultiPoint:
		for _, p := range g {
			if b.Contains(p) {
				return true
			}
		}
		return false
	case orb.LineString:
		return lineIntersects(g, b)
	case orb.Ring:
		return ringIntersects(g, b)
	case orb.Polygon:
		return polygonIntersects(g, b)
	case orb.Bound:
		return true // the boxes intersect, checked above
	case orb.MultiLineString:
		for _, l := range g {
			if lineIntersects(l, b) {
				return true
			}
		}
	case orb.MultiPolygon:
		for _, p := range g {
			if polygonIntersects(p, b) {
				return true
			}
		}
	case orb.Collection:
		for _, c := range g {
			if Intersects(c, b) {
				return true
			}
		}
	}
	return false
}

func lineIntersects(l orb.LineString, b orb.Bound) bool {
	if len(l) == 1 {
		return b.Contains(l[0])
	}
	for i := 1; i < len(l); i++ {
		if segmentIntersects(l[i-1], l[i], b) {
			return true
		}
	}
	return false
}

func ringIntersects(r orb.Ring, b orb.Bound) bool {
	return lineIntersects(orb.LineString(r), b) || planar.RingContains(r, b.Min)
}

// polygonIntersects: either an edge of the polygon meets the box, or one lies wholly inside
// the other; a polygon inside the box has its edges in it, and a box inside the polygon (not
// in a hole) has its corner inside, which PolygonContains answers with holes honoured.
func polygonIntersects(p orb.Polygon, b orb.Bound) bool {
	for _, r := range p {
		if lineIntersects(orb.LineString(r), b) {
			return true
		}
	}
	return len(p) > 0 && planar.PolygonContains(p, b.Min)
}

// segmentIntersects is the separating-axis test of segment ab against the box: the boxes must
// overlap (the x and y axes), and the box's corners must not all lie strictly on one side of
// the segment's line (its normal).
func segmentIntersects(a, c orb.Point, b orb.Bound) bool {
	if min(a[0], c[0]) > b.Max[0] || max(a[0], c[0]) < b.Min[0] ||
		min(a[1], c[1]) > b.Max[1] || max(a[1], c[1]) < b.Min[1] {
		return false
	}
	dx, dy := c[0]-a[0], c[1]-a[1]
	var pos, neg bool
	for _, q := range [4]orb.Point{b.Min, b.Max, {b.Min[0], b.Max[1]}, {b.Max[0], b.Min[1]}} {
		switch s := dx*(q[1]-a[1]) - dy*(q[0]-a[0]); {
		case s > 0:
			pos = true
		case s < 0:
			neg = true
		default:
			return true // a corner on the line
		}
	}
	return pos && neg
}
