package importer_test

import (
	"testing"

	"citygeo/data"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// newLocator answers the community of the grid containing p (brute force; replaced by
// geo.NewIndex once package geo is on main).
func newLocator(t *testing.T, ds *data.Dataset) func(orb.Point) (string, bool) {
	return func(p orb.Point) (string, bool) {
		for _, g := range ds.Grids {
			if g.Polygon.Bound().Contains(p) && planar.PolygonContains(g.Polygon, p) {
				return g.Community, true
			}
		}
		return "", false
	}
}
