package importer

import (
	"errors"
	"fmt"
	"math"

	"citygeo/data"
	"citygeo/geo"
	"citygeo/schema"

	"github.com/paulmach/orb"
	orbgeo "github.com/paulmach/orb/geo"
)

// sliverShare is the largest share of a repaired polygon's area that may be dropped to keep a
// grid or component one polygon: the little loop of a corner digitised twice, not half a grid.
const sliverShare = 0.01

// repair mends the self-crossing polygons of the imported layers (Options.Repair) with
// geo.MakeValid and reports each repair, with its area before and after, through add. A grid or
// a component is one polygon: a repair that splits it into parts keeps the largest only when
// the rest is a sliver; otherwise it is left as read (validation then refuses it) and the
// finding says why.
func repair(ds *data.Dataset, kinds map[schema.Kind]bool, add func(Finding)) {
	if kinds[schema.Grid] {
		for i, g := range ds.Grids {
			if p, ok := repairOne(g.Polygon, schema.Grid, i, g.Code, true, add); ok {
				if math.Abs(g.AreaM2-orbgeo.Area(g.Polygon)) < 1e-6*g.AreaM2 {
					g.AreaM2 = orbgeo.Area(p[0]) // measured, not surveyed: measure again
				}
				g.Polygon = p[0]
			}
		}
	}
	idx := map[data.AreaLevel]int{}
	for _, a := range ds.Areas {
		k := schema.AreaKind(a.Level)
		i := idx[a.Level]
		idx[a.Level]++
		if !kinds[k] {
			continue
		}
		var out orb.MultiPolygon
		changed := false
		for _, p := range a.Polygon {
			if mp, ok := repairOne(p, k, i, a.Code, false, add); ok {
				out, changed = append(out, mp...), true
			} else {
				out = append(out, p)
			}
		}
		if changed {
			a.Polygon = out
		}
	}
	if kinds[schema.Component] {
		for i, c := range ds.Components {
			if p, ok := c.Geometry.(orb.Polygon); ok {
				if mp, ok := repairOne(p, schema.Component, i, c.ID, true, add); ok {
					c.Geometry = mp[0]
				}
			}
		}
	}
}

// repairOne repairs p when a ring crosses itself and reports it; one says the result must be
// one polygon. ok is false when p is left as it is.
func repairOne(p orb.Polygon, k schema.Kind, i int, id string, one bool, add func(Finding)) (orb.MultiPolygon, bool) {
	ring, si, sj := -1, 0, 0
	for ri, r := range p {
		if len(r) >= 4 && r[0] == r[len(r)-1] {
			if a, b, crosses := selfIntersection(r); crosses {
				ring, si, sj = ri, a, b
				break
			}
		}
	}
	if ring < 0 {
		return nil, false
	}
	before := math.Abs(orbgeo.Area(p))
	where := fmt.Sprintf("ring %d crosses itself (segments %d and %d)", ring, si, sj)
	note := func(check string, sev Severity, value, reason string) {
		add(Finding{Check: check, Severity: sev, Layer: k, Index: i, SourceID: id, Field: "geometry", Value: value, Reason: reason})
	}
	mp, err := geo.MakeValid(p)
	if errors.Is(err, geo.ErrTangled) || len(mp) == 0 {
		note("geometry.repair", SeverityWarning, fmt.Sprintf("%.1f m² as read", before), where+": not repaired, the ring is tangled so that no repair is unambiguous; fix it in the survey")
		return nil, false
	}
	after := orbgeo.Area(mp)
	value := fmt.Sprintf("%.1f m² before, %.1f m² after", before, after)
	reason := fmt.Sprintf("%s: repaired (makevalid: cut at its crossings into %d part(s), as PostGIS ST_MakeValid)", where, len(mp))
	if one && len(mp) > 1 {
		dropped := after - orbgeo.Area(mp[0])
		if dropped > sliverShare*after {
			note("geometry.repair", SeverityWarning, value, fmt.Sprintf("%s: not repaired, makevalid splits it into %d parts (largest %.1f m² of %.1f m²) and a %s is one polygon; fix the vertex order in the survey",
				where, len(mp), orbgeo.Area(mp[0]), after, k))
			return nil, false
		}
		mp = mp[:1]
		value = fmt.Sprintf("%.1f m² before, %.1f m² after", before, orbgeo.Area(mp))
		reason += fmt.Sprintf("; kept the largest, dropped %.2f m² of sliver", dropped)
	}
	note("geometry.repaired", SeverityWarning, value, reason)
	return mp, true
}
