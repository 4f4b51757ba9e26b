package data

import (
	"slices"
	"unique"
)

// Intern returns s as the one shared copy of its text. A loaded city repeats a few hundred
// strings millions of times (class codes, departments, statuses, sources, grid and community
// codes): decoded one allocation each they took ~0.5 GB of a 2M-component city's heap. The
// copy is shared across loads and versions and dropped by the runtime once nothing uses it.
func Intern(s string) string {
	if s == "" {
		return ""
	}
	if v, ok := twoDigitCode(s); ok {
		return v
	}
	return unique.Make(s).Value()
}

// InternRef interns both strings of a department reference.
func InternRef(d DeptRef) DeptRef { return DeptRef{Code: Intern(d.Code), Name: Intern(d.Name)} }

// InternComponent interns the fields of c that repeat across components: everything but its
// ID, name, note and geometry.
func InternComponent(c *Component) {
	c.Major, c.Minor, c.Grid, c.Source = Intern(c.Major), Intern(c.Minor), Intern(c.Grid), Intern(c.Source)
	if len(c.Extra) > 0 {
		extra := make(map[string]string, len(c.Extra))
		for k, v := range c.Extra {
			extra[Intern(k)] = Intern(v)
		}
		c.Extra = extra
	}
}

// AppendAll appends every layer of each of parts, in order, to the same layer of ds, growing
// each layer once: appended part by part, the component layer of a large city was copied a
// dozen times over and left its outgrown arrays to the collector. The grids, components,
// addresses and buildings end in pinned arrays (Pin): read-only.
func (ds *Dataset) AppendAll(parts []*Dataset) {
	grow := func(count func(*Dataset) int, g func(n int)) {
		n := 0
		for _, p := range parts {
			n += count(p)
		}
		g(n)
	}
	grow(func(p *Dataset) int { return len(p.Areas) }, func(n int) { ds.Areas = slices.Grow(ds.Areas, n) })
	grow(func(p *Dataset) int { return len(p.Grids) }, func(n int) { ds.Grids = slices.Grow(ds.Grids, n) })
	grow(func(p *Dataset) int { return len(p.Components) }, func(n int) { ds.Components = slices.Grow(ds.Components, n) })
	grow(func(p *Dataset) int { return len(p.Departments) }, func(n int) { ds.Departments = slices.Grow(ds.Departments, n) })
	grow(func(p *Dataset) int { return len(p.Roads) }, func(n int) { ds.Roads = slices.Grow(ds.Roads, n) })
	grow(func(p *Dataset) int { return len(p.Addresses) }, func(n int) { ds.Addresses = slices.Grow(ds.Addresses, n) })
	grow(func(p *Dataset) int { return len(p.Buildings) }, func(n int) { ds.Buildings = slices.Grow(ds.Buildings, n) })
	grow(func(p *Dataset) int { return len(p.POIs) }, func(n int) { ds.POIs = slices.Grow(ds.POIs, n) })
	for _, p := range parts {
		ds.AppendLayers(p)
	}
	ds.Grids, ds.Components, ds.Addresses, ds.Buildings = Pin(ds.Grids), Pin(ds.Components), Pin(ds.Addresses), Pin(ds.Buildings)
}

// AppendLayers appends every layer of b to the same layer of ds, for a store that decodes a
// version in batches and merges them in order.
func (ds *Dataset) AppendLayers(b *Dataset) {
	ds.Areas = append(ds.Areas, b.Areas...)
	ds.Grids = append(ds.Grids, b.Grids...)
	ds.Components = append(ds.Components, b.Components...)
	ds.Departments = append(ds.Departments, b.Departments...)
	ds.Roads = append(ds.Roads, b.Roads...)
	ds.Addresses = append(ds.Addresses, b.Addresses...)
	ds.Buildings = append(ds.Buildings, b.Buildings...)
	ds.POIs = append(ds.POIs, b.POIs...)
}
