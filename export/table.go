package export

import (
	"github.com/paulmach/orb"
)

// Table is a layer that is not part of a dataset, such as a validation report's findings:
// named columns and rows of values with a geometry (CGCS2000 lon/lat; nil for none).
type Table struct {
	Name    string
	Columns []Column // Key is not used; Name and Type are
	Rows    []Row
}

// Row is one feature of a Table: its values by column name, and its geometry.
type Row struct {
	Values   map[string]string
	Geometry orb.Geometry
}

// WriteTable writes t as Write writes a dataset's layer: split by geometry type (t.Name, then
// t.Name with the type's suffix), in opts.Format and opts.CRS, all or nothing. opts.Profile,
// opts.Deleted and opts.Tables are not used.
func WriteTable(t Table, out string, opts Options) ([]string, error) {
	w, crs, err := newWriter(opts)
	if err != nil {
		return nil, err
	}
	layers := t.layers()
	for i := range layers {
		layers[i].project(crs)
	}
	return w.write(layers, opts.Format, out, []string{t.Name})
}

// layers is t as the writers take it, split by geometry type.
func (t Table) layers() []layer {
	l := layer{name: t.Name, cols: t.Columns}
	for _, r := range t.Rows {
		l.records = append(l.records, record{props: r.Values, geom: r.Geometry})
	}
	if len(l.records) == 0 {
		return nil
	}
	return splitByGeometry(l)
}
