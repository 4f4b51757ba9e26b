package importer_test

import (
	"testing"

	"citygeo/data"
	"citygeo/geo"

	"github.com/paulmach/orb"
)

// newLocator answers the community code that geo's index locates p in.
func newLocator(t *testing.T, ds *data.Dataset) func(orb.Point) (string, bool) {
	t.Helper()
	ix, err := geo.NewIndex(ds, geo.IndexOptions{SnapTolerance: -1})
	if err != nil {
		t.Fatal(err)
	}
	return func(p orb.Point) (string, bool) {
		loc := ix.Locate(p)
		if loc.Grid == nil || loc.Community == nil {
			return "", false
		}
		return loc.Community.Code, true
	}
}
