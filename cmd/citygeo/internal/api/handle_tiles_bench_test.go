package api_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/paulmach/orb/maptile"

	"citygeo/city"
	"citygeo/cmd/citygeo/internal/api"
	"citygeo/tiles"
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

// BenchmarkTileUncached is one z15 grids tile built per request through the whole gin stack,
// as `serve --tile-cache-mb 0` answers bench/side (no Accept-Encoding), cycling over the
// sample city's z15 tiles.
func BenchmarkTileUncached(b *testing.B) {
	ds, err := sampleOnce()
	if err != nil {
		b.Fatal(err)
	}
	snap, err := city.Build(ds, city.Options{TileCache: tiles.NewCacheOff()})
	if err != nil {
		b.Fatal(err)
	}
	srv := api.New(api.Options{Logger: quietLog})
	srv.Swap(snap)
	h := srv.Handler()
	var reqs []*http.Request
	tiles.Pyramid(ds.Bound(), 15, 15, func(t maptile.Tile) bool {
		reqs = append(reqs, httptest.NewRequest("GET", tilePath("city", t)+"?layers=grids", nil))
		return true
	})
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, reqs[i%len(reqs)])
		if rec.Code != 200 && rec.Code != 204 {
			b.Fatal(rec.Code, rec.Body.String())
		}
	}
}
