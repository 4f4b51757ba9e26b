package diff

import (
	"github.com/paulmach/orb"

	"citygeo/data"
	"citygeo/schema"
)

// Feature lists the fields that differ between two states of one feature of layer l, each the
// single feature of its layer in a and b (nil a: created, nil b: deleted, every field then
// against ""), in schema order, then the geometry. It is what a change records as its old and
// new values, written exactly as Datasets writes them.
func Feature(l data.Layer, a, b *data.Dataset) []Change {
	switch l {
	case data.LayerComponent:
		return one(a, b, func(d *data.Dataset) []*data.Component { return d.Components }, &schema.Components, func(c *data.Component) orb.Geometry { return c.Geometry })
	case data.LayerGrid:
		return one(a, b, func(d *data.Dataset) []*data.Grid { return d.Grids }, &schema.Grids, func(g *data.Grid) orb.Geometry { return g.Polygon })
	case data.LayerAddress:
		return one(a, b, func(d *data.Dataset) []*data.Address { return d.Addresses }, &schema.Addresses, func(x *data.Address) orb.Geometry { return x.Point })
	case data.LayerPOI:
		return one(a, b, func(d *data.Dataset) []*data.POI { return d.POIs }, &schema.POIs, func(p *data.POI) orb.Geometry { return p.Point })
	case data.LayerRoad:
		return one(a, b, func(d *data.Dataset) []*data.Road { return d.Roads }, &schema.Roads, func(r *data.Road) orb.Geometry { return r.Line })
	}
	return nil
}

func one[T any](a, b *data.Dataset, of func(*data.Dataset) []*T, l *schema.Layer[T], geom func(*T) orb.Geometry) []Change {
	pick := func(d *data.Dataset) (*T, bool) {
		if d != nil {
			if xs := of(d); len(xs) == 1 {
				return xs[0], true
			}
		}
		return new(T), false
	}
	x, xok := pick(a)
	y, yok := pick(b)
	out := fields(x, y, l, geom)
	// A zero geometry of a missing feature is absent, not an empty one.
	for i := range out {
		if out[i].Key == GeometryKey {
			if !xok {
				out[i].Old = ""
			}
			if !yok {
				out[i].New = ""
			}
		}
	}
	return out
}
