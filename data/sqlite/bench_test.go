package sqlite_test

import (
	"testing"

	"citygeo/data"
	"citygeo/data/storetest"
)

// BenchmarkSave is storetest.BenchSave on an SQLite file (data/postgis runs the same one).
func BenchmarkSave(b *testing.B) {
	storetest.BenchSave(b, func(tb testing.TB) data.Store { return open(tb) })
}
