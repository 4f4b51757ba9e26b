package dispatch

import (
	"fmt"

	"citygeo/data"
	"citygeo/geo"

	"github.com/paulmach/orb"
)

// GeoLocator is the Locator of a dataset snapshot's geo.Index.
type GeoLocator struct {
	Index *geo.Index
}

var _ Locator = GeoLocator{}

// Locate implements Locator with geo.Index.Locate (snapping within the index's tolerance).
func (g GeoLocator) Locate(p orb.Point) Place {
	l := g.Index.Locate(p)
	return Place{Grid: l.Grid, Community: l.Community, Street: l.Street, District: l.District, Outside: l.Outside}
}

// NearestOfClass implements Locator with geo.Index.Nearest.
func (g GeoLocator) NearestOfClass(p orb.Point, class string, radius float64) (*data.Component, float64) {
	var buf [1]geo.Neighbor
	ns := g.Index.Nearest(p, geo.NearestQuery{K: 1, Radius: radius, Class: class}, buf[:0])
	if len(ns) == 0 {
		return nil, 0
	}
	return ns[0].Component, ns[0].Distance
}

// Component implements Locator.
func (g GeoLocator) Component(id string) *data.Component { return g.Index.Component(id) }

// ToCGCS2000 implements Locator with geo.ParseCRS and geo.ToCGCS2000. Points are lon/lat, so
// a projected CRS is refused.
func (g GeoLocator) ToCGCS2000(p orb.Point, crs string) (orb.Point, error) {
	c, err := geo.ParseCRS(crs)
	if err != nil {
		return p, err
	}
	if !c.LonLat() {
		return p, fmt.Errorf("crs %s: %w: want a lon/lat system (wgs84, cgcs2000, gcj02, bd09)", c, geo.ErrCRS)
	}
	return geo.ToCGCS2000(p, c), nil
}
