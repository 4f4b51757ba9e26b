package export

import (
	"strconv"

	"citygeo/data"
	"citygeo/diff"
	"citygeo/schema"
)

// Since is the change set from dataset old to dataset cur, as an exchange partner that holds
// old needs it: a dataset of the features added or changed in cur, and the ids removed, per
// kind (for Options.Deleted, written as the DeletedLayer). It covers the layers package diff
// compares (components, grids, addresses, POIs, roads); areas, departments and buildings are
// not part of a change set. The change set of a version against itself is empty.
func Since(old, cur *data.Dataset) (*data.Dataset, map[schema.Kind][]string) {
	r := diff.Datasets(old, cur)
	out := &data.Dataset{Version: cur.Version, Name: cur.Name, CreatedAt: cur.CreatedAt, Source: cur.Source}
	out.Components = pick(cur.Components, r.Components, func(c *data.Component) string { return c.ID })
	out.Grids = pick(cur.Grids, r.Grids, func(g *data.Grid) string { return g.Code })
	out.Addresses = pick(cur.Addresses, r.Addresses, func(a *data.Address) string { return strconv.FormatUint(a.ID, 10) })
	out.POIs = pick(cur.POIs, r.POIs, func(p *data.POI) string { return strconv.FormatUint(p.ID, 10) })
	out.Roads = pick(cur.Roads, r.Roads, func(x *data.Road) string { return strconv.FormatUint(x.ID, 10) })
	deleted := map[schema.Kind][]string{}
	for k, l := range map[schema.Kind]diff.Layer{schema.Component: r.Components, schema.Grid: r.Grids,
		schema.Address: r.Addresses, schema.POI: r.POIs, schema.Road: r.Roads} {
		if len(l.Removed) > 0 {
			deleted[k] = l.Removed
		}
	}
	return out, deleted
}

// pick returns the items of cur that l lists as added or changed, in cur's order.
func pick[T any](cur []*T, l diff.Layer, id func(*T) string) []*T {
	want := make(map[string]bool, len(l.Added)+len(l.Changed))
	for _, a := range l.Added {
		want[a] = true
	}
	for _, c := range l.Changed {
		want[c.ID] = true
	}
	var out []*T
	for _, x := range cur {
		if want[id(x)] {
			out = append(out, x)
		}
	}
	return out
}
