package api_test

import (
	"net/http/httptest"
	"testing"

	"github.com/paulmach/orb/maptile"
)

// BenchmarkTileCached is one cached tile through the whole gin stack (no network).
func BenchmarkTileCached(b *testing.B) {
	srv, ds := newSampleServer(b)
	h := srv.Handler()
	req := httptest.NewRequest("GET", tilePath("city", maptile.At(ds.Bound().Center(), 17)), nil)
	req.Header.Set("Accept-Encoding", "gzip")
	h.ServeHTTP(httptest.NewRecorder(), req)
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 200 {
			b.Fatal(rec.Code)
		}
	}
}
