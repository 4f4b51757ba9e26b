package api

import (
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/project"

	"citygeo/city"
	"citygeo/data"
	"citygeo/geo"
)

// inCRS returns a copy of g in the client's CRS; the stored geometry is never touched.
func inCRS(g orb.Geometry, crs geo.CRS) orb.Geometry {
	if crs == geo.WGS84 || crs == geo.CGCS2000 {
		return g
	}
	return project.Geometry(orb.Clone(g), func(p orb.Point) orb.Point { return geo.FromCGCS2000(p, crs) })
}

func gridFeature(g *data.Grid, ix *geo.Index, crs geo.CRS) *geojson.Feature {
	f := geojson.NewFeature(inCRS(g.Polygon, crs))
	f.ID = g.Code
	f.Properties = geojson.Properties{
		"code":      g.Code,
		"community": g.Community,
		"area_m2":   city.RoundM(g.AreaM2),
	}
	if g.Derived {
		f.Properties["derived"] = true
	}
	if a := ix.Area(g.Community); a != nil {
		f.Properties["community_name"] = a.Name
	}
	return f
}

func areaFeature(a *data.Area, crs geo.CRS) *geojson.Feature {
	f := geojson.NewFeature(inCRS(a.Polygon, crs))
	f.ID = a.Code
	f.Properties = geojson.Properties{
		"code":  a.Code,
		"name":  a.Name,
		"level": a.Level.String(),
	}
	if a.Parent != "" {
		f.Properties["parent"] = a.Parent
	}
	if a.Derived {
		f.Properties["derived"] = true
	}
	return f
}

func componentFeature(c *data.Component, crs geo.CRS) *geojson.Feature {
	f := geojson.NewFeature(inCRS(c.Geometry, crs))
	f.ID = c.ID
	p := geojson.Properties{
		"id":     c.ID,
		"scheme": c.Scheme.String(),
		"major":  c.Major,
		"minor":  c.Minor,
		"class":  c.Class(),
		"name":   c.Name,
		"grid":   c.Grid,
		"status": c.Status.String(),
	}
	if cl, ok := data.CatalogFor(c.Scheme).Class(c.Class()); ok {
		p["class_name"] = cl.Name
	}
	for k, d := range map[string]data.Dept{"owner": c.Owner, "property": c.Property, "maintainer": c.Maintainer} {
		if !d.IsZero() {
			p[k] = d.Ref()
		}
	}
	if !c.InitDate.IsZero() {
		p["init_date"] = c.InitDate.Format("2006-01-02")
	}
	if !c.ChangeDate.IsZero() {
		p["change_date"] = c.ChangeDate.Format("2006-01-02")
	}
	if c.Source != "" {
		p["source"] = c.Source
	}
	if c.Note != "" {
		p["note"] = c.Note
	}
	if len(c.Extra) > 0 {
		p["extra"] = c.Extra
	}
	f.Properties = p
	return f
}
