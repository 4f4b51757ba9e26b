package importer

import (
	"citygeo/data"
	"citygeo/schema"

	"github.com/paulmach/orb"
)

// Against is the version that changed features join, as ValidateChanges needs it: its areas
// and departments in full, and its grids by lookup, so that checking a handful of features
// never costs a pass over millions of unchanged ones.
type Against struct {
	Areas       []*data.Area
	Departments []*data.Department
	Grid        func(code string) *data.Grid   // a grid by code; nil: the version has no grids
	GridsIn     func(b orb.Bound) []*data.Grid // grids whose box meets b; nil: none
}

// AgainstDataset is the Against of a whole dataset in memory.
func AgainstDataset(ds *data.Dataset) Against {
	grids := make(map[string]*data.Grid, len(ds.Grids))
	for _, g := range ds.Grids {
		grids[g.Code] = g
	}
	a := Against{Areas: ds.Areas, Departments: ds.Departments,
		GridsIn: func(b orb.Bound) []*data.Grid {
			var out []*data.Grid
			for _, g := range ds.Grids {
				if len(g.Polygon) > 0 && g.Polygon.Bound().Intersects(b) {
					out = append(out, g)
				}
			}
			return out
		}}
	if len(ds.Grids) > 0 {
		a.Grid = func(code string) *data.Grid { return grids[code] }
	}
	return a
}

// ValidateChanges checks features created or updated one by one (an online edit, the rows of an
// upsert import), given in the layers of changed, with the rules Validate applies to an import
// of them: the same checks, severities and reasons, against the version they join. The grids a
// component names and the grids around an edited grid come from against, so a component outside
// its grid and two overlapping grids are found as in a full import. Coverage gaps of a
// community are not judged (only some of its grids are in view). Findings name the feature's
// index within its layer of changed.
func ValidateChanges(changed *data.Dataset, against Against, opts ValidateOptions) *Report {
	rep := &Report{Counts: map[schema.Kind]int{}, Findings: []Finding{}}
	kinds := map[schema.Kind]bool{}
	ds := &data.Dataset{Areas: against.Areas, Departments: against.Departments,
		Components: changed.Components, Roads: changed.Roads, Addresses: changed.Addresses, POIs: changed.POIs, Buildings: changed.Buildings}
	for k, n := range map[schema.Kind]int{schema.Grid: len(changed.Grids), schema.Component: len(changed.Components),
		schema.Department: len(changed.Departments), schema.Road: len(changed.Roads), schema.Address: len(changed.Addresses),
		schema.POI: len(changed.POIs), schema.Building: len(changed.Buildings)} {
		if n > 0 {
			kinds[k], rep.Counts[k] = true, n
		}
	}
	// The changed grids first (findings index them), then the version's grids they sit among
	// and those the components name.
	ds.Grids = append(ds.Grids, changed.Grids...)
	have := map[string]bool{}
	for _, g := range changed.Grids {
		have[g.Code] = true
	}
	addGrid := func(g *data.Grid) {
		if g != nil && !have[g.Code] {
			have[g.Code] = true
			ds.Grids = append(ds.Grids, g)
		}
	}
	if against.GridsIn != nil {
		for _, g := range changed.Grids {
			if len(g.Polygon) > 0 {
				for _, h := range against.GridsIn(g.Polygon.Bound()) {
					addGrid(h)
				}
			}
		}
	}
	if against.Grid != nil {
		for _, c := range changed.Components {
			if c.Grid != "" {
				addGrid(against.Grid(c.Grid))
			}
		}
	}
	if len(changed.Departments) > 0 {
		ds.Departments = mergeDepartments(against.Departments, changed.Departments)
	}
	vo := ValidateOptions{ToleranceM: opts.ToleranceM, GapM2: opts.GapM2, GridLegacy14: opts.GridLegacy14, Kinds: kinds}
	validate(ds, vo, func(f Finding) {
		if f.Check == "grid.gap" {
			return
		}
		if f.Layer == schema.Grid && f.Index >= len(changed.Grids) {
			return // a finding of a neighbour the change did not touch, reported against it
		}
		if f.Layer == schema.Department && f.Index >= len(changed.Departments) {
			return
		}
		rep.add(f)
	}, against.Grid != nil || len(ds.Grids) > 0)
	return rep
}

// mergeDepartments puts the changed departments first (findings index them), then the
// version's others.
func mergeDepartments(base, changed []*data.Department) []*data.Department {
	out := append([]*data.Department{}, changed...)
	seen := map[string]bool{}
	for _, d := range changed {
		seen[d.Code] = true
	}
	for _, d := range base {
		if !seen[d.Code] {
			out = append(out, d)
		}
	}
	return out
}

// ValidateGridDelete checks the deletion of grid code that the components named still name
// (their ids): each is an error (grid.in_use), since they would be left naming no grid, which an
// import of the version refuses (component.grid_missing). Move or delete them first.
func ValidateGridDelete(code string, named []string) *Report {
	rep := &Report{Counts: map[schema.Kind]int{schema.Grid: 1}, Findings: []Finding{}}
	for _, id := range named {
		rep.add(Finding{Check: "grid.in_use", Severity: SeverityError, Layer: schema.Component, SourceID: id,
			Field: "grid", Value: code, Reason: "names the grid being deleted: move or delete the component first"})
	}
	return rep
}
