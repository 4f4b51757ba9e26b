package export

import (
	"fmt"
	"sort"

	"citygeo/data"
	"citygeo/schema"

	"github.com/paulmach/orb"
)

// Format names an export format.
type Format string

// The formats Write writes. GeoJSON and Shapefile write a directory with one file per layer;
// GeoPackage writes one file with a table per layer.
const (
	GeoJSON    Format = "geojson"
	GeoPackage Format = "gpkg"
	Shapefile  Format = "shp"
)

// Options say how Write writes. The zero value writes GeoJSON in the Own profile.
type Options struct {
	Format  Format   // "" means GeoJSON
	Profile *Profile // nil means Own
}

// Write writes ds to out (a directory, or the .gpkg file) and returns the files written. In
// the Own profile the importer reads them back unchanged with its default mapping.
func Write(ds *data.Dataset, out string, opts Options) ([]string, error) {
	p := opts.Profile
	if p == nil {
		p = &Own
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	layers := collect(ds, p)
	switch opts.Format {
	case GeoJSON, "":
		return writeGeoJSON(layers, out)
	case GeoPackage:
		return writeGPKG(layers, out)
	case Shapefile:
		return writeShapefile(layers, out)
	}
	return nil, fmt.Errorf("export format %q: want geojson, gpkg or shp", opts.Format)
}

// record is one feature as written: its values by output column name, and its geometry.
type record struct {
	props map[string]string
	geom  orb.Geometry
}

// layer is one kind's records, in dataset order, and the columns they use, sorted by name.
type layer struct {
	kind    schema.Kind
	cols    []Column
	records []record
}

// collect flattens ds into the layers p writes, in schema.Kinds order, skipping empty ones.
func collect(ds *data.Dataset, p *Profile) []layer {
	var out []layer
	for _, k := range schema.Kinds {
		cols, ok := p.Layers[k]
		if !ok {
			continue
		}
		if rs := tableOf(k, ds).records(cols); len(rs) > 0 {
			out = append(out, layer{kind: k, cols: used(rs, cols), records: rs})
		}
	}
	return out
}

// subset is the layer of some of l's records, with only the columns they use.
func (l layer) subset(rs []record) layer {
	var cols []Column
	for _, c := range l.cols {
		for _, r := range rs {
			if _, ok := r.props[c.Name]; ok {
				cols = append(cols, c)
				break
			}
		}
	}
	return layer{kind: l.kind, cols: cols, records: rs}
}

// used lists the columns the records have values in, sorted by name; columns the profile does
// not name (a component's extra attributes) are text.
func used(rs []record, cols []Column) []Column {
	typ := map[string]schema.Type{}
	for _, c := range cols {
		typ[c.Name] = c.Type
	}
	set := map[string]bool{}
	for _, r := range rs {
		for k := range r.props {
			set[k] = true
		}
	}
	out := make([]Column, 0, len(set))
	for name := range set {
		t, ok := typ[name]
		if !ok {
			t = schema.Text
		}
		out = append(out, Column{Name: name, Type: t})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// table is one kind's schema together with the dataset's records of that kind.
type table interface {
	own() []Column             // the Own profile's columns
	writes(key string) bool    // whether the schema writes the field
	records([]Column) []record // the records, with values for the columns given
}

// rows is the table of a kind whose model type is T.
type rows[T any] struct {
	schema *schema.Layer[T]
	items  []*T
	geom   func(*T) orb.Geometry
	extra  func(*T) map[string]string // attributes beyond the schema, written under their own names
}

func (t rows[T]) own() []Column {
	var out []Column
	for _, f := range t.schema.Fields {
		if f.Write != nil {
			out = append(out, Column{Key: f.Key, Name: f.Columns[0], Type: schema.Text})
		}
	}
	return out
}

func (t rows[T]) writes(key string) bool {
	f, ok := t.schema.Field(key)
	return ok && f.Write != nil
}

// records writes every item. A field's value overwrites an extra attribute of the same name.
// Profiles are validated first, so every column's field has a Write.
func (t rows[T]) records(cols []Column) []record {
	write := make([]func(*T) (string, bool), len(cols))
	for i, c := range cols {
		f, _ := t.schema.Field(c.Key)
		write[i] = f.Write
	}
	out := make([]record, 0, len(t.items))
	for _, m := range t.items {
		props := map[string]string{}
		if t.extra != nil {
			for k, v := range t.extra(m) {
				props[k] = v
			}
		}
		for i, c := range cols {
			if s, ok := write[i](m); ok {
				props[c.Name] = s
			}
		}
		out = append(out, record{props: props, geom: t.geom(m)})
	}
	return out
}

// tableOf returns the table of kind k over ds (nil ds: no records); nil for an unknown kind.
func tableOf(k schema.Kind, ds *data.Dataset) table {
	if ds == nil {
		ds = &data.Dataset{}
	}
	switch k {
	case schema.District, schema.Street, schema.Community:
		var as []*data.Area
		for _, a := range ds.Areas {
			if schema.AreaKind(a.Level) == k {
				as = append(as, a)
			}
		}
		return rows[data.Area]{schema: &schema.Areas, items: as, geom: func(a *data.Area) orb.Geometry {
			if len(a.Polygon) == 0 {
				return nil
			}
			return a.Polygon
		}}
	case schema.Grid:
		return rows[data.Grid]{schema: &schema.Grids, items: ds.Grids, geom: func(g *data.Grid) orb.Geometry { return g.Polygon }}
	case schema.Component:
		return rows[data.Component]{schema: &schema.Components, items: ds.Components,
			geom:  func(c *data.Component) orb.Geometry { return c.Geometry },
			extra: func(c *data.Component) map[string]string { return c.Extra }}
	case schema.Department:
		return rows[data.Department]{schema: &schema.Departments, items: ds.Departments, geom: func(*data.Department) orb.Geometry { return nil }}
	case schema.Road:
		return rows[data.Road]{schema: &schema.Roads, items: ds.Roads, geom: func(r *data.Road) orb.Geometry { return r.Line }}
	case schema.Address:
		return rows[data.Address]{schema: &schema.Addresses, items: ds.Addresses, geom: func(a *data.Address) orb.Geometry { return a.Point }}
	case schema.POI:
		return rows[data.POI]{schema: &schema.POIs, items: ds.POIs, geom: func(p *data.POI) orb.Geometry { return p.Point }}
	case schema.Building:
		return rows[data.Building]{schema: &schema.Buildings, items: ds.Buildings, geom: func(b *data.Building) orb.Geometry {
			if len(b.Footprint) > 0 {
				return b.Footprint
			}
			return b.Point
		}}
	}
	return nil
}
