package export

import (
	"citygeo/data"
	"citygeo/schema"

	"github.com/paulmach/orb"
)

// The keys of the values an exchange profile writes that the schema derives from others: the
// street and community a component's grid lies in (GB/T 47678.5 表2 SZJDDM … SZSQMC). The
// importer reads them as checks only (schema.Components), so a re-import keeps no copy.
const (
	KeyStreetCode    = "street_code"
	KeyStreetName    = "street_name"
	KeyCommunityCode = "community_code"
	KeyCommunityName = "community_name"
)

// tableOf returns the table of kind k over ds (nil ds: no records), its derived values read
// from whole (nil: ds); nil for an unknown kind.
func tableOf(k schema.Kind, ds, whole *data.Dataset) table {
	if ds == nil {
		ds = &data.Dataset{}
	}
	if whole == nil {
		whole = ds
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
			geom:    func(c *data.Component) orb.Geometry { return c.Geometry },
			extra:   func(c *data.Component) map[string]string { return c.Extra },
			derived: componentAreas(whole)}
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

// componentAreas derives a component's street and community, codes and names, from its grid:
// the grid's community (or the first 12 digits of its code), that community's parent street
// (or its first 9 digits), and their names in ds. A value that cannot be derived is not
// written.
func componentAreas(ds *data.Dataset) map[string]func(*data.Component) (string, bool) {
	community := make(map[string]string, len(ds.Grids))
	for _, g := range ds.Grids {
		community[g.Code] = g.Community
	}
	names := make(map[string]string, len(ds.Areas))
	for _, a := range ds.Areas {
		names[a.Code] = a.Name
	}
	communityOf := func(c *data.Component) string {
		if s := community[c.Grid]; s != "" {
			return s
		}
		if len(c.Grid) >= 12 {
			return c.Grid[:12]
		}
		return ""
	}
	streetOf := func(c *data.Component) string {
		if s := communityOf(c); len(s) >= 9 {
			return s[:9]
		}
		return ""
	}
	nonEmpty := func(s string) (string, bool) { return s, s != "" }
	return map[string]func(*data.Component) (string, bool){
		KeyCommunityCode: func(c *data.Component) (string, bool) { return nonEmpty(communityOf(c)) },
		KeyCommunityName: func(c *data.Component) (string, bool) { return nonEmpty(names[communityOf(c)]) },
		KeyStreetCode:    func(c *data.Component) (string, bool) { return nonEmpty(streetOf(c)) },
		KeyStreetName:    func(c *data.Component) (string, bool) { return nonEmpty(names[streetOf(c)]) },
	}
}
