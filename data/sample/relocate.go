package sample

import (
	"fmt"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/project"

	"citygeo/data"
)

// Relocate turns a generated city into another one for tests and benchmarks of a database
// holding several cities: every code that starts with the sample's district (areas, grids,
// components, the grid and community each names) starts with key instead, every geometry moves
// dlng, dlat degrees, and the dataset's name says it is a moved copy. ds is changed in place;
// its names (罗湖区 …) stay, so a geocoder still reads them.
func Relocate(ds *data.Dataset, key string, dlng, dlat float64) error {
	if err := data.ParseCityKey(key); err != nil {
		return err
	}
	re := func(code string) string {
		if rest, ok := strings.CutPrefix(code, districtCode); ok {
			return key + rest
		}
		return code
	}
	move := func(p orb.Point) orb.Point { return orb.Point{p[0] + dlng, p[1] + dlat} }
	ds.Name = fmt.Sprintf("%s（移至 %s）", ds.Name, key)
	for _, a := range ds.Areas {
		a.Code, a.Parent = re(a.Code), re(a.Parent)
		a.Polygon, a.Label = project.MultiPolygon(a.Polygon, move), move(a.Label)
	}
	for _, g := range ds.Grids {
		g.Code, g.Community = re(g.Code), re(g.Community)
		g.Polygon = project.Polygon(g.Polygon, move)
	}
	for _, c := range ds.Components {
		c.ID, c.Grid = re(c.ID), re(c.Grid)
		c.Geometry = project.Geometry(c.Geometry, move)
	}
	for _, r := range ds.Roads {
		r.Line = project.LineString(r.Line, move)
	}
	for _, a := range ds.Addresses {
		a.Community, a.Point = re(a.Community), move(a.Point)
	}
	for _, b := range ds.Buildings {
		b.Point = move(b.Point)
		if b.Footprint != nil {
			b.Footprint = project.Polygon(b.Footprint, move)
		}
	}
	for _, p := range ds.POIs {
		p.Point = move(p.Point)
	}
	return nil
}
