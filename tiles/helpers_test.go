package tiles_test

import (
	"testing"

	"citygeo/data"
	"citygeo/tiles"
)

// mustIndex builds the tile index of ds or fails the test.
func mustIndex(tb testing.TB, ds *data.Dataset) *tiles.Index {
	tb.Helper()
	ix, err := tiles.NewIndex(ds)
	if err != nil {
		tb.Fatal(err)
	}
	return ix
}
