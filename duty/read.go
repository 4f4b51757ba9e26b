package duty

import (
	"slices"

	"github.com/paulmach/orb"

	"citygeo/data"
)

// Person returns the roster person with id, or nil.
func (ix *Index) Person(id string) *data.Person {
	if p := ix.people[id]; p != nil {
		return p.p
	}
	return nil
}

// Zones returns the zones that resolved against the dataset, in roster order.
func (ix *Index) Zones() []*data.Zone {
	out := make([]*data.Zone, len(ix.zones))
	for i, z := range ix.zones {
		out[i] = z.z
	}
	return out
}

// ZoneGrids returns the grids zone id holds in this dataset; ok is false when the zone did not
// resolve (or does not exist).
func (ix *Index) ZoneGrids(id string) (grids []*data.Grid, ok bool) {
	z := ix.zoneBy[id]
	if z == nil {
		return nil, false
	}
	out := make([]*data.Grid, len(z.grids))
	for i, g := range z.grids {
		out[i] = ix.ds.Grids[g]
	}
	return out, true
}

// Segment returns the resolved segment with id, or nil.
func (ix *Index) Segment(id string) *Segment { return ix.segBy[id] }

// Segments returns the resolved segments, in roster order.
func (ix *Index) Segments() []*Segment { return ix.segs }

// Dataset returns the dataset version the index was built against.
func (ix *Index) Dataset() *data.Dataset { return ix.ds }

// ZoneShape returns zone id's outline (the edges of its grids no other of its grids shares,
// or its polygon's rings) and a label point inside it; ok is false for a zone that did not
// resolve.
func (ix *Index) ZoneShape(id string) (outline orb.MultiLineString, label orb.Point, ok bool) {
	z := ix.zoneBy[id]
	if z == nil {
		return nil, orb.Point{}, false
	}
	return z.outline, z.label, true
}

// ZonesOf returns the ids of the resolved zones device d's subject is assigned to — as the
// person of an assignment, or through d's team (by id or name) — in roster order: the zones a
// patroller is expected to spend the shift in.
func (ix *Index) ZonesOf(d *data.Device) []string {
	if d == nil || ix.roster == nil {
		return nil
	}
	teams := map[string]bool{}
	if d.Team != "" {
		for _, t := range ix.roster.Teams {
			if t.ID == d.Team || t.Name == d.Team {
				teams[t.ID] = true
			}
		}
	}
	var out []string
	for _, a := range ix.roster.Assignments {
		if a.Zone == "" || ix.zoneBy[a.Zone] == nil || slices.Contains(out, a.Zone) {
			continue
		}
		if (a.Person != "" && a.Person == d.Subject) || (a.Team != "" && teams[a.Team]) {
			out = append(out, a.Zone)
		}
	}
	return out
}
