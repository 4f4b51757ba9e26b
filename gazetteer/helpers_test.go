package gazetteer_test

import (
	"testing"

	"citygeo/data"
	"citygeo/gazetteer"
)

// mustNew builds the gazetteer of ds or fails the test.
func mustNew(tb testing.TB, ds *data.Dataset, opts gazetteer.Options) *gazetteer.Index {
	tb.Helper()
	ix, err := gazetteer.New(ds, opts)
	if err != nil {
		tb.Fatal(err)
	}
	return ix
}
