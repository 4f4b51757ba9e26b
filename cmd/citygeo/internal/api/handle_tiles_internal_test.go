package api

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"citygeo/city"
	"citygeo/data/sample"
	"citygeo/tiles"
)

func TestAcceptsGzip(t *testing.T) {
	for h, want := range map[string]bool{
		"":                     false,
		"gzip":                 true,
		"GZIP":                 true,
		"deflate, gzip;q=1.0":  true,
		"gzip;q=0":             false,
		"gzip; q=0.000":        false,
		"*":                    true,
		"*;q=0":                false,
		"br, *;q=0.1":          true,
		"gzip;q=0, *":          false,
		"identity":             false,
		"x-gzip":               true,
		"gzip;q=abc":           false,
		" br ,  gzip ; q=0.5 ": true,
	} {
		if got := acceptsGzip(h); got != want {
			t.Errorf("acceptsGzip(%q) = %v, want %v", h, got, want)
		}
	}
}

func TestETagMatch(t *testing.T) {
	for _, tc := range []struct {
		h, etag string
		want    bool
	}{
		{`"a"`, `"a"`, true},
		{`"b", "a"`, `"a"`, true},
		{`W/"a"`, `"a"`, true},
		{`*`, `"a"`, true},
		{`"a-gz"`, `"a"`, false},
		{``, `"a"`, false},
	} {
		if got := etagMatch(tc.h, tc.etag); got != tc.want {
			t.Errorf("etagMatch(%q, %q) = %v", tc.h, tc.etag, got)
		}
	}
}

// FuzzParseTileCoords: any path segments give coordinates inside zoom z's range or a typed
// 400/404 error, never a panic.
func FuzzParseTileCoords(f *testing.F) {
	f.Add("15", "26772", "14276.mvt")
	f.Add("0", "0", "0.mvt")
	f.Add("31", "1", "1.mvt")
	f.Add("2", "4", "0.mvt")
	f.Add("-1", "0", "0.mvt")
	f.Add("3", "1", "1.png")
	f.Fuzz(func(t *testing.T, zs, xs, ys string) {
		z, x, y, err := parseTileCoords(zs, xs, ys)
		if err != nil {
			var ae *Error
			if !errors.As(err, &ae) || (ae.Status != 400 && ae.Status != 404) {
				t.Fatalf("error %v is not a 400/404 *Error", err)
			}
			return
		}
		if z < 0 || z > 30 || x < 0 || y < 0 || x >= 1<<z || y >= 1<<z {
			t.Fatalf("accepted %d/%d/%d", z, x, y)
		}
	})
}

// positions is a live layer of one patroller in a test set of its own ("patrols"), registered
// beside events and the real positions set as any further live layer is.
type positions struct {
	mu sync.Mutex
	at orb.Point
}

func (p *positions) Rule() tiles.Rule {
	return tiles.Rule{Set: "patrols", Layer: "patrollers", Kind: "patroller", MinZoom: 12, MaxZoom: tiles.MaxZoom, Attrs: []string{"id"}}
}

func (p *positions) In(b orb.Bound, fn func(tiles.LiveFeature) bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if b.Contains(p.at) {
		fn(tiles.LiveFeature{ID: 1, Point: p.at, Tags: []tiles.Tag{tiles.Str("id", "P-001")}})
	}
}

func (p *positions) move(to orb.Point) (from orb.Point) {
	p.mu.Lock()
	defer p.mu.Unlock()
	from, p.at = p.at, to
	return from
}

// TestLiveSetRoutes registers a second live set on a server: the routes serve its tiles,
// TileJSON and style source like the city's, and a move shows in the next tile request.
func TestLiveSetRoutes(t *testing.T) {
	ds, err := sample.Generate(sample.Options{Grids: 500, Components: 1000, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	snap, err := city.Build(ds, city.Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv := New(Options{Logger: slog.New(slog.DiscardHandler)})
	p, q := ds.Bound().Center(), orb.Point{ds.Bound().Center()[0] + 0.01, ds.Bound().Center()[1]}
	pos := &positions{at: p}
	set := srv.live.Register(pos, tiles.NewCache(0))
	srv.Swap(snap)
	tile := func(at orb.Point, z maptile.Zoom) string {
		tl := maptile.At(at, z)
		return fmt.Sprintf("/tiles/patrols/%d/%d/%d.mvt", tl.Z, tl.X, tl.Y)
	}
	get := func(url string) (int, string) {
		rec := httptest.NewRecorder()
		srv.Handler().ServeHTTP(rec, httptest.NewRequest("GET", url, nil))
		return rec.Code, rec.Body.String()
	}
	check := func(t *testing.T, url string, status int, has string) {
		t.Helper()
		code, body := get(url)
		if code != status || !strings.Contains(body, has) {
			t.Errorf("GET %s: %d %.200q, want %d with %q", url, code, body, status, has)
		}
	}
	for _, tc := range []struct {
		name, url string
		status    int
		has       string
	}{
		{"tilejson", "/tiles/patrols.json", 200, `"id":"patrollers"`},
		{"style source", "/styles/desk.json", 200, `"url":"http://example.com/tiles/patrols.json"`},
		{"tile showing the patroller", tile(p, 16), 200, "patrollers"},
		{"tile below the set's zooms", tile(p, 11), 204, ""},
		{"tile where the patroller is not", tile(q, 16), 204, ""},
	} {
		t.Run(tc.name, func(t *testing.T) { check(t, tc.url, tc.status, tc.has) })
	}
	set.Changed(pos.move(q), q)
	check(t, tile(p, 16), 204, "")
	check(t, tile(q, 16), 200, "patrollers")
}
