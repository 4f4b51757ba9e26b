package data

import (
	"slices"
	"strconv"
)

// Apply returns ds with changes applied in order: a create or update puts the change's feature
// in place of the one with its id (appended when new), a delete removes it. ds is not modified;
// the layers no change touches are shared with it, the others are new slices holding the same
// pointers except where changed, so applying ten changes to two million components costs one
// copy of a slice of pointers, not of the features. The new grid, component, address and
// building slices are pinned (Pin).
func Apply(ds *Dataset, changes []Change) *Dataset {
	out := *ds
	touched := map[Layer][]Change{}
	for _, c := range changes {
		touched[c.Layer] = append(touched[c.Layer], c)
	}
	for l, cs := range touched {
		switch l {
		case LayerArea:
			out.Areas = applyLayer(out.Areas, cs, func(a *Area) string { return a.Code }, func(d *Dataset) []*Area { return d.Areas })
		case LayerGrid:
			out.Grids = Pin(applyLayer(out.Grids, cs, func(g *Grid) string { return g.Code }, func(d *Dataset) []*Grid { return d.Grids }))
		case LayerComponent:
			out.Components = Pin(applyLayer(out.Components, cs, func(c *Component) string { return c.ID }, func(d *Dataset) []*Component { return d.Components }))
		case LayerDepartment:
			out.Departments = applyLayer(out.Departments, cs, func(d *Department) string { return d.Code }, func(d *Dataset) []*Department { return d.Departments })
		case LayerRoad:
			out.Roads = applyLayer(out.Roads, cs, func(r *Road) string { return uintID(r.ID) }, func(d *Dataset) []*Road { return d.Roads })
		case LayerAddress:
			out.Addresses = Pin(applyLayer(out.Addresses, cs, func(a *Address) string { return uintID(a.ID) }, func(d *Dataset) []*Address { return d.Addresses }))
		case LayerBuilding:
			out.Buildings = Pin(applyLayer(out.Buildings, cs, func(b *Building) string { return uintID(b.ID) }, func(d *Dataset) []*Building { return d.Buildings }))
		case LayerPOI:
			out.POIs = applyLayer(out.POIs, cs, func(p *POI) string { return uintID(p.ID) }, func(d *Dataset) []*POI { return d.POIs })
		}
	}
	return &out
}

func uintID(id uint64) string { return strconv.FormatUint(id, 10) }

// applyLayer applies one layer's changes: the result keeps the order of xs, removed features
// left out and new ones appended in the order they were created.
func applyLayer[T any](xs []*T, cs []Change, id func(*T) string, of func(*Dataset) []*T) []*T {
	final := make(map[string]*T, len(cs)) // nil: deleted
	var created []string
	for _, c := range cs {
		var x *T
		if c.Op != OpDelete && c.After != nil {
			if ys := of(c.After); len(ys) == 1 {
				x = ys[0]
			}
		}
		if _, seen := final[c.ID]; !seen {
			created = append(created, c.ID)
		}
		final[c.ID] = x
	}
	out := make([]*T, 0, len(xs)+len(created))
	present := make(map[string]bool, len(cs))
	for _, x := range xs {
		k := id(x)
		y, ok := final[k]
		if !ok {
			out = append(out, x)
			continue
		}
		present[k] = true
		if y != nil {
			out = append(out, y)
		}
	}
	for _, k := range created {
		if y := final[k]; y != nil && !present[k] {
			out = append(out, y)
		}
	}
	return out
}

// ApplyDelta returns the dataset of a version stored as changes: its parent's dataset with the
// changes applied, named as version (its number, name, source and time), holding only layers.
// Both backends load a delta version with it.
func ApplyDelta(parent *Dataset, changes []Change, version *Dataset, layers []Layer) *Dataset {
	out := Apply(parent, changes)
	out.Version, out.Name, out.Source, out.CreatedAt = version.Version, version.Name, version.Source, version.CreatedAt
	for _, l := range Layers {
		if !slices.Contains(layers, l) {
			out.Clear(l)
		}
	}
	return out
}

// SplitByChanges splits the ids of features asked of a delta version by its changes (in
// order): rest are the ids no change touches, to be read from the parent version; apply holds
// the last change of every other id that leaves it in place (a create or update), in the order
// of ids. A deleted id is in neither.
func SplitByChanges(ids []string, changes []Change) (rest []string, apply []Change) {
	want := make(map[string]bool, len(ids))
	for _, id := range ids {
		want[id] = true
	}
	last := map[string]Change{}
	for _, c := range changes {
		if want[c.ID] {
			last[c.ID] = c
		}
	}
	for _, id := range ids {
		c, ok := last[id]
		switch {
		case !ok:
			rest = append(rest, id)
		case c.Op != OpDelete:
			apply = append(apply, c)
		}
	}
	return rest, apply
}
