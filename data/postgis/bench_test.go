package postgis_test

import (
	"testing"

	"citygeo/data"
	"citygeo/data/storetest"
)

// BenchmarkSave is storetest.BenchSave on PostgreSQL: one transaction, a COPY per layer
// (data/sqlite runs the same one).
func BenchmarkSave(b *testing.B) {
	storetest.BenchSave(b, func(tb testing.TB) data.Store { return open(tb, testDB(tb)) })
}
