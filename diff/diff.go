package diff

import (
	"cmp"
	"maps"
	"slices"
	"strconv"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkt"

	"citygeo/data"
	"citygeo/schema"
)

// GeometryKey is the key of the geometry in a Change, beside the schema's field keys.
const GeometryKey = "geometry"

// Result is the difference from dataset A to dataset B.
type Result struct {
	From       int64 `json:"from"`
	To         int64 `json:"to"`
	Components Layer `json:"components"`
	Grids      Layer `json:"grids"`
	Addresses  Layer `json:"addresses"`
	POIs       Layer `json:"pois"`
	Roads      Layer `json:"roads"`
}

// Empty reports whether the two datasets hold the same features in every compared layer.
func (r Result) Empty() bool {
	for _, l := range []Layer{r.Components, r.Grids, r.Addresses, r.POIs, r.Roads} {
		if len(l.Added)+len(l.Removed)+len(l.Changed) > 0 {
			return false
		}
	}
	return true
}

// Layer lists the ids (codes for grids) added in B, removed from A and changed between them,
// each sorted.
type Layer struct {
	Added   []string  `json:"added"`
	Removed []string  `json:"removed"`
	Changed []Changed `json:"changed"`
}

// Changed is one feature present in both versions whose fields or geometry differ.
type Changed struct {
	ID     string   `json:"id"`
	Fields []Change `json:"fields"`
}

// Change is one field's old and new value as the schema writes it ("" when absent); the
// geometry is written as WKT under GeometryKey. It is the field change a store records in a
// feature's history (data.FieldChange).
type Change = data.FieldChange

// Datasets compares dataset a (the older, usually) with dataset b.
func Datasets(a, b *data.Dataset) Result {
	return Result{
		From:       a.Version,
		To:         b.Version,
		Components: compare(a.Components, b.Components, &schema.Components, func(c *data.Component) string { return c.ID }, func(c *data.Component) orb.Geometry { return c.Geometry }),
		Grids:      compare(a.Grids, b.Grids, &schema.Grids, func(g *data.Grid) string { return g.Code }, func(g *data.Grid) orb.Geometry { return g.Polygon }),
		Addresses:  compare(a.Addresses, b.Addresses, &schema.Addresses, func(x *data.Address) string { return uintID(x.ID) }, func(x *data.Address) orb.Geometry { return x.Point }),
		POIs:       compare(a.POIs, b.POIs, &schema.POIs, func(p *data.POI) string { return uintID(p.ID) }, func(p *data.POI) orb.Geometry { return p.Point }),
		Roads:      compare(a.Roads, b.Roads, &schema.Roads, func(r *data.Road) string { return uintID(r.ID) }, func(r *data.Road) orb.Geometry { return r.Line }),
	}
}

func uintID(id uint64) string { return strconv.FormatUint(id, 10) }

// compare diffs one layer; see compareID for the order of ids.
func compare[T any](as, bs []*T, l *schema.Layer[T], id func(*T) string, geom func(*T) orb.Geometry) Layer {
	old := make(map[string]*T, len(as))
	for _, x := range as {
		old[id(x)] = x
	}
	out := Layer{Added: []string{}, Removed: []string{}, Changed: []Changed{}}
	seen := make(map[string]bool, len(bs))
	for _, y := range bs {
		k := id(y)
		seen[k] = true
		x, ok := old[k]
		if !ok {
			out.Added = append(out.Added, k)
			continue
		}
		if ch := fields(x, y, l, geom); len(ch) > 0 {
			out.Changed = append(out.Changed, Changed{ID: k, Fields: ch})
		}
	}
	for k := range old {
		if !seen[k] {
			out.Removed = append(out.Removed, k)
		}
	}
	slices.SortFunc(out.Added, compareID)
	slices.SortFunc(out.Removed, compareID)
	slices.SortFunc(out.Changed, func(p, q Changed) int { return compareID(p.ID, q.ID) })
	return out
}

// ExtraKey prefixes the key of a Change to an extra attribute (a component's survey columns
// beyond the schema): "extra.MATERIAL".
const ExtraKey = "extra."

// extraOf returns a feature's extra attributes: a component's, none for the other layers.
func extraOf[T any](x *T) map[string]string {
	if c, ok := any(x).(*data.Component); ok {
		return c.Extra
	}
	return nil
}

// fields lists the fields of x and y that differ, in schema order, then the extra attributes by
// name, then the geometry.
func fields[T any](x, y *T, l *schema.Layer[T], geom func(*T) orb.Geometry) []Change {
	var out []Change
	for _, f := range l.Fields {
		if f.Write == nil {
			continue
		}
		ov, ook := f.Write(x)
		nv, nok := f.Write(y)
		if !ook {
			ov = ""
		}
		if !nok {
			nv = ""
		}
		if ov != nv {
			out = append(out, Change{Key: f.Key, Old: ov, New: nv})
		}
	}
	ex, ey := extraOf(x), extraOf(y)
	keys := slices.Concat(slices.Collect(maps.Keys(ex)), slices.Collect(maps.Keys(ey)))
	slices.Sort(keys)
	for _, k := range slices.Compact(keys) {
		if ex[k] != ey[k] {
			out = append(out, Change{Key: ExtraKey + k, Old: ex[k], New: ey[k]})
		}
	}
	gx, gy := geom(x), geom(y)
	if !geomEqual(gx, gy) {
		out = append(out, Change{Key: GeometryKey, Old: writeGeom(gx), New: writeGeom(gy)})
	}
	return out
}

func geomEqual(a, b orb.Geometry) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return orb.Equal(a, b)
}

func writeGeom(g orb.Geometry) string {
	if g == nil {
		return ""
	}
	return wkt.MarshalString(g)
}

// compareID orders ids: all-digit ids shorter first (so 9 comes before 10), then lexically.
func compareID(a, b string) int {
	if digits(a) && digits(b) {
		if c := cmp.Compare(len(a), len(b)); c != 0 {
			return c
		}
	}
	return cmp.Compare(a, b)
}

func digits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}
