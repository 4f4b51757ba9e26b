package importer

import (
	"fmt"

	"github.com/paulmach/orb"
	"github.com/twpayne/go-geom"
)

// fromGeom converts a go-geom geometry (which may carry Z or M) to a 2D orb geometry.
func fromGeom(g geom.T) (orb.Geometry, error) {
	pt := func(c geom.Coord) orb.Point { return orb.Point{c.X(), c.Y()} }
	line := func(cs []geom.Coord) orb.LineString {
		l := make(orb.LineString, len(cs))
		for i, c := range cs {
			l[i] = pt(c)
		}
		return l
	}
	poly := func(p *geom.Polygon) orb.Polygon {
		out := make(orb.Polygon, p.NumLinearRings())
		for i := range out {
			out[i] = orb.Ring(line(p.LinearRing(i).Coords()))
		}
		return out
	}
	switch g := g.(type) {
	case nil:
		return nil, nil
	case *geom.Point:
		if g.Empty() {
			return nil, nil
		}
		return pt(g.Coords()), nil
	case *geom.MultiPoint:
		out := make(orb.MultiPoint, g.NumPoints())
		for i := range out {
			out[i] = pt(g.Point(i).Coords())
		}
		return out, nil
	case *geom.LineString:
		return line(g.Coords()), nil
	case *geom.MultiLineString:
		out := make(orb.MultiLineString, g.NumLineStrings())
		for i := range out {
			out[i] = line(g.LineString(i).Coords())
		}
		return out, nil
	case *geom.Polygon:
		return poly(g), nil
	case *geom.MultiPolygon:
		out := make(orb.MultiPolygon, g.NumPolygons())
		for i := range out {
			out[i] = poly(g.Polygon(i))
		}
		return out, nil
	case *geom.GeometryCollection:
		out := make(orb.Collection, 0, g.NumGeoms())
		for _, m := range g.Geoms() {
			o, err := fromGeom(m)
			if err != nil {
				return nil, err
			}
			out = append(out, o)
		}
		return out, nil
	}
	return nil, fmt.Errorf("geometry type %T: %w", g, ErrFormat)
}
