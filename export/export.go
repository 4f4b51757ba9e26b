package export

import (
	"errors"
	"fmt"
	"sort"

	"citygeo/data"
	"citygeo/geo"
	"citygeo/schema"

	"github.com/paulmach/orb"
)

// Errors the export wraps: ErrOption for an option it does not know (a format, a charset, a
// profile name), ErrUnwritable for data the chosen profile or format cannot carry (a class GB/T
// 47678.5 lacks, a value longer than a .dbf field). geo.ErrCRS is wrapped for a CRS it cannot
// write. Other errors are the file system's.
var (
	ErrOption     = errors.New("export option not supported")
	ErrUnwritable = errors.New("data cannot be written in this profile or format")
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

// The Shapefile charsets Write writes (Options.Charset).
const (
	UTF8 = "utf-8"
	GBK  = "gbk"
)

// Options say how Write writes. The zero value writes GeoJSON in the Own profile, CGCS2000
// lon/lat.
type Options struct {
	Format  Format   // "" means GeoJSON
	Profile *Profile // nil means Own
	// CRS is the coordinate system written (any lon/lat or projected system geo.ParseCRS
	// names that has an EPSG code); nil means CGCS2000 lon/lat, EPSG:4490.
	CRS *geo.CRS
	// Charset is the text encoding of Shapefile .dbf files: "utf-8" (the default) or "gbk"
	// (what older ArcGIS and SuperMap installations expect). The other formats are UTF-8.
	Charset string
	// Deleted lists ids (codes for grids) per kind to write into a "deleted" layer, as a
	// change set written with Since does.
	Deleted map[schema.Kind][]string
	// Tables are more layers written beside the dataset's, in the same file or folder (the
	// exchange profile's events: Events47678).
	Tables []Table
	// Whole is the dataset a change set (Since) was taken from: values derived from other
	// layers (a component's street and community names, from its grid and the areas) are read
	// from it, since the change set holds only what changed. nil: the dataset written.
	Whole *data.Dataset
}

// Write writes ds to out (a directory, or the .gpkg file) and returns the files written. In
// the Own profile the importer reads them back unchanged with its default mapping.
//
// Nothing is written unless everything is: the files are written into a temporary directory
// (or file) beside out and moved into place at the end, so a failed export leaves out as it
// was. A layer whose features have more than one geometry type is split, one layer per type
// (see splitByGeometry for the names).
func Write(ds *data.Dataset, out string, opts Options) ([]string, error) {
	p := opts.Profile
	if p == nil {
		p = &Own
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	w, crs, err := newWriter(opts)
	if err != nil {
		return nil, err
	}
	whole := opts.Whole
	if whole == nil {
		whole = ds
	}
	layers, err := collect(ds, whole, p, opts.Deleted)
	if err != nil {
		return nil, err
	}
	for _, t := range opts.Tables {
		layers = append(layers, t.layers()...)
	}
	for i := range layers {
		layers[i].project(crs)
	}
	// Every layer this export can write, empty or not, so a folder's stale ones go.
	names := []string{DeletedLayer}
	for k := range p.Layers {
		names = append(names, string(k))
	}
	for _, t := range opts.Tables {
		names = append(names, t.Name)
	}
	return w.write(layers, opts.Format, out, names)
}

// newWriter checks the options every export shares and returns the writer and the CRS.
func newWriter(opts Options) (writer, geo.CRS, error) {
	crs := geo.CGCS2000
	if opts.CRS != nil {
		crs = *opts.CRS
	}
	sys, err := spatialRefOf(crs)
	if err != nil {
		return writer{}, crs, err
	}
	switch opts.Charset {
	case "", UTF8, GBK:
	default:
		return writer{}, crs, fmt.Errorf("export charset %q: %w: want utf-8 or gbk", opts.Charset, ErrOption)
	}
	return writer{srs: sys, charset: opts.Charset}, crs, nil
}

// write writes the layers in format f to out, all or nothing; names are every layer an export
// like this one writes (a folder's files of those it does not write this time are removed).
func (w writer) write(layers []layer, f Format, out string, names []string) ([]string, error) {
	switch f {
	case GeoJSON, "":
		return inTempDir(out, layerFiles(names, GeoJSON), func(dir string) ([]string, error) { return w.geoJSON(layers, dir) })
	case GeoPackage:
		return inTempFile(out, func(path string) error { return w.gpkg(layers, path) })
	case Shapefile:
		return inTempDir(out, layerFiles(names, Shapefile), func(dir string) ([]string, error) { return w.shapefile(layers, dir) })
	}
	return nil, fmt.Errorf("export format %q: %w: want geojson, gpkg or shp", f, ErrOption)
}

// writer holds what every format's writer needs beside the layers.
type writer struct {
	srs     spatialRef
	charset string
}

// record is one feature as written: its values by output column name, and its geometry.
type record struct {
	props map[string]string
	geom  orb.Geometry
}

// layer is the records of one kind (or one geometry type of a kind), in dataset order, and the
// columns they use, sorted by name. Its name is the file or table it is written to.
type layer struct {
	name    string
	kind    schema.Kind
	cols    []Column
	records []record
}

// collect flattens ds into the layers p writes, in schema.Kinds order, skipping empty ones and
// splitting those with more than one geometry type; then the deleted ids, if any.
func collect(ds, whole *data.Dataset, p *Profile, deleted map[schema.Kind][]string) ([]layer, error) {
	var out []layer
	for _, k := range schema.Kinds {
		cols, ok := p.Layers[k]
		if !ok {
			continue
		}
		rs, err := tableOf(k, ds, whole).records(cols)
		if err != nil {
			return nil, fmt.Errorf("export %s: %w", k, err)
		}
		if len(rs) > 0 {
			out = append(out, splitByGeometry(layer{name: string(k), kind: k, cols: used(rs, cols), records: rs})...)
		}
	}
	if d, err := deletedLayer(p, deleted); err != nil || d != nil {
		if err != nil {
			return nil, err
		}
		out = append(out, *d)
	}
	return out, nil
}

// subset is the layer of some of l's records, with only the columns they use.
func (l layer) subset(name string, rs []record) layer {
	var cols []Column
	for _, c := range l.cols {
		for _, r := range rs {
			if _, ok := r.props[c.Name]; ok {
				cols = append(cols, c)
				break
			}
		}
	}
	return layer{name: name, kind: l.kind, cols: cols, records: rs}
}

// used lists the columns the records have values in, sorted by name, with the profile's type
// and schema key; columns the profile does not name (a component's extra attributes) are text.
func used(rs []record, cols []Column) []Column {
	typ, key := map[string]schema.Type{}, map[string]string{}
	for _, c := range cols {
		typ[c.Name], key[c.Name] = c.Type, c.Key
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
		out = append(out, Column{Name: name, Type: t, Key: key[name]})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// table is one kind's schema together with the dataset's records of that kind.
type table interface {
	own() []Column                      // the Own profile's columns
	writes(key string) bool             // whether the schema writes the field, or the table derives it
	records([]Column) ([]record, error) // the records, with values for the columns given
}

// rows is the table of a kind whose model type is T.
type rows[T any] struct {
	schema *schema.Layer[T]
	items  []*T
	geom   func(*T) orb.Geometry
	extra  func(*T) map[string]string // attributes beyond the schema, written under their own names
	// derived are values the schema does not hold but an exchange profile writes, computed
	// from the record and the rest of the dataset (the street a component lies in), by key.
	derived map[string]func(*T) (string, bool)
}

func (t rows[T]) own() []Column {
	var out []Column
	for _, f := range t.schema.Fields {
		if f.Write != nil {
			out = append(out, Column{Key: f.Key, Name: f.Columns[0], Type: f.Type})
		}
	}
	return out
}

func (t rows[T]) writes(key string) bool {
	if _, ok := t.derived[key]; ok {
		return true
	}
	f, ok := t.schema.Field(key)
	return ok && f.Write != nil
}

// records writes every item. A field's value overwrites an extra attribute of the same name.
// Profiles are validated first, so every column's field has a Write or a derivation.
func (t rows[T]) records(cols []Column) ([]record, error) {
	write := make([]func(*T) (string, bool), len(cols))
	for i, c := range cols {
		if d, ok := t.derived[c.Key]; ok {
			write[i] = d
			continue
		}
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
			s, ok := write[i](m)
			if !ok {
				continue
			}
			if c.Convert != nil {
				var err error
				if s, err = c.Convert(s); err != nil {
					return nil, fmt.Errorf("%s %q: column %s: %w: %w", c.Key, s, c.Name, ErrUnwritable, err)
				}
			}
			props[c.Name] = s
		}
		out = append(out, record{props: props, geom: t.geom(m)})
	}
	return out, nil
}
