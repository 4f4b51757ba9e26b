package api_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"citygeo/city"
	"citygeo/cmd/citygeo/internal/api"
	"citygeo/data"
	"citygeo/dispatch"
	"citygeo/tiles"
	"citygeo/tiles/mvtcheck"
)

func get(t testing.TB, h http.Handler, url string, hdr ...string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest("GET", url, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// tileShows reports whether the tile at path has a feature in layer whose tag key is value; a
// 204 is a tile without features. The tile must be strictly valid.
func tileShows(t *testing.T, h http.Handler, path, layer, key, value string, hdr ...string) bool {
	t.Helper()
	rec := get(t, h, path, hdr...)
	switch rec.Code {
	case 204:
		return false
	case 200:
	default:
		t.Fatalf("%s: %d %s", path, rec.Code, rec.Body.String())
	}
	dec, probs := mvtcheck.Check(rec.Body.Bytes(), mvtcheck.Strict)
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	for _, l := range dec.Layers {
		for _, f := range l.Features {
			if l.Name == layer && f.Tags[key] == value {
				return true
			}
		}
	}
	return false
}

func tilePath(set string, t maptile.Tile) string {
	return fmt.Sprintf("/tiles/%s/%d/%d/%d.mvt", set, t.Z, t.X, t.Y)
}

func TestTileRoutes(t *testing.T) {
	srv, ds := newSampleServer(t)
	h := srv.Handler()
	c := ds.Bound().Center()
	in := maptile.At(c, 15)
	for _, tc := range []struct {
		name   string
		url    string
		hdr    []string
		status int
		field  string
	}{
		{"tile gzip", tilePath("city", in), []string{"Accept-Encoding", "gzip, deflate"}, 200, ""},
		{"tile raw", tilePath("city", in), nil, 200, ""},
		{"tile gzip refused", tilePath("city", in), []string{"Accept-Encoding", "gzip;q=0, br"}, 200, ""},
		{"events empty in range", tilePath("events", in), nil, 204, ""},
		{"unknown set", tilePath("parks", in), nil, 404, "set"},
		{"grids only", tilePath("city", in) + "?layers=grids", nil, 200, ""},
		{"unknown layer", tilePath("city", in) + "?layers=grids,parks", nil, 400, "layers"},
		{"layers of a live set", tilePath("events", in) + "?layers=events", nil, 400, "layers"},
		{"too deep", "/tiles/city/19/0/0.mvt", nil, 404, "z"},
		{"outside the city", "/tiles/city/15/0/0.mvt", nil, 404, "z"},
		{"x beyond zoom", "/tiles/city/2/4/0.mvt", nil, 400, "x"},
		{"z not a number", "/tiles/city/a/0/0.mvt", nil, 400, "z"},
		{"z huge", "/tiles/city/99/0/0.mvt", nil, 400, "z"},
		{"no .mvt", fmt.Sprintf("/tiles/city/%d/%d/%d.png", in.Z, in.X, in.Y), nil, 404, "y"},
		{"tilejson", "/tiles/city.json", nil, 200, ""},
		{"tilejson events", "/tiles/events.json", nil, 200, ""},
		{"tilejson unknown", "/tiles/parks.json", nil, 404, "set"},
		{"tilejson no suffix", "/tiles/city", nil, 404, "set"},
		{"style wall", "/styles/wall.json", nil, 200, ""},
		{"style desk", "/styles/desk.json", nil, 200, ""},
		{"style unknown", "/styles/neon.json", nil, 404, "style"},
		{"page", "/", nil, 200, ""},
		{"page script", "/app.js", nil, 200, ""},
		{"vendor missing file", "/vendor/maplibre-gl/nope.js", nil, 404, "path"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := get(t, h, tc.url, tc.hdr...)
			if rec.Code != tc.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, tc.status, rec.Body.String())
			}
			if tc.field != "" {
				var e struct{ Error api.Error }
				if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Error.Field != tc.field {
					t.Errorf("error body %s, want field %q", rec.Body.String(), tc.field)
				}
			}
			if rec.Code == 200 && strings.Contains(tc.url, ".mvt") {
				body := rec.Body.Bytes()
				wantGz := len(tc.hdr) > 0 && !strings.Contains(tc.hdr[1], "q=0")
				if got := rec.Header().Get("Content-Encoding") == "gzip"; got != wantGz {
					t.Fatalf("Content-Encoding %q, want gzip=%v", rec.Header().Get("Content-Encoding"), wantGz)
				}
				if wantGz {
					zr, err := gzip.NewReader(bytes.NewReader(body))
					if err != nil {
						t.Fatal(err)
					}
					body, _ = io.ReadAll(zr)
				}
				if rec.Header().Get("Content-Type") != "application/vnd.mapbox-vector-tile" || rec.Header().Get("ETag") == "" ||
					rec.Header().Get("Cache-Control") == "" || rec.Header().Get("Vary") != "Accept-Encoding" {
					t.Errorf("headers %v", rec.Header())
				}
				if _, probs := mvtcheck.Check(body, mvtcheck.Strict); len(probs) > 0 {
					t.Errorf("served tile invalid: %v", probs)
				}
			}
		})
	}
}

// TestTileLayers checks that ?layers= gives a tile of those layers only, each exactly as the
// full tile has it, under its own ETag.
func TestTileLayers(t *testing.T) {
	srv, ds := newSampleServer(t)
	h := srv.Handler()
	in := maptile.At(ds.Bound().Center(), 15)
	decode := func(url string) (map[string]string, string) {
		rec := get(t, h, url)
		if rec.Code != 200 {
			t.Fatalf("%s: %d %s", url, rec.Code, rec.Body.String())
		}
		dec, probs := mvtcheck.Check(rec.Body.Bytes(), mvtcheck.Strict)
		if len(probs) > 0 {
			t.Fatalf("%s: %v", url, probs)
		}
		out := map[string]string{}
		for _, l := range dec.Layers {
			out[l.Name] = fmt.Sprint(l.Features)
		}
		return out, rec.Header().Get("ETag")
	}
	full, fullTag := decode(tilePath("city", in))
	for _, want := range [][]string{{"grids"}, {"components", "grids"}} {
		got, tag := decode(tilePath("city", in) + "?layers=" + strings.Join(want, ","))
		if len(got) != len(want) || tag == fullTag {
			t.Errorf("layers=%v: got layers %d, ETag %s (full tile %s)", want, len(got), tag, fullTag)
		}
		for _, l := range want {
			if got[l] == "" || got[l] != full[l] {
				t.Errorf("layers=%v: layer %s differs from the full tile's", want, l)
			}
		}
	}
}

func TestTileETag(t *testing.T) {
	srv, ds := newSampleServer(t)
	h := srv.Handler()
	p := tilePath("city", maptile.At(ds.Bound().Center(), 16))
	first := get(t, h, p, "Accept-Encoding", "gzip")
	etag := first.Header().Get("ETag")
	if again := get(t, h, p, "Accept-Encoding", "gzip", "If-None-Match", etag); again.Code != 304 || again.Body.Len() != 0 {
		t.Errorf("If-None-Match: status %d, %d bytes; want 304 and no body", again.Code, again.Body.Len())
	}
	raw := get(t, h, p, "If-None-Match", etag)
	if raw.Code != 200 || raw.Header().Get("ETag") == etag {
		t.Errorf("identity representation: status %d ETag %s must differ from gzip's %s", raw.Code, raw.Header().Get("ETag"), etag)
	}
}

// TestNewVersionVisibleInNextTile swaps in a new version without a grid, then rolls back: each
// swap shows in the very next tile request, and a client's old ETag no longer matches.
func TestNewVersionVisibleInNextTile(t *testing.T) {
	v1, err := sampleOnce()
	if err != nil {
		t.Fatal(err)
	}
	cache := tiles.NewCache(0)
	snap := func(ds *data.Dataset) *city.Snapshot {
		s, err := city.Build(ds, city.Options{TileCache: cache})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	v2 := *v1
	v2.Version = v1.Version + 1
	gone := v1.Grids[len(v1.Grids)/2]
	v2.Grids = nil
	for _, g := range v1.Grids {
		if g != gone {
			v2.Grids = append(v2.Grids, g)
		}
	}
	srv := api.New(api.Options{Logger: quietLog})
	srv.Swap(snap(v1))
	h := srv.Handler()
	c, _ := gone.Polygon.Bound().Center(), 0
	p := tilePath("city", maptile.At(c, 16))
	has := func(rec *httptest.ResponseRecorder) bool {
		dec, probs := mvtcheck.Check(rec.Body.Bytes(), mvtcheck.Strict)
		if len(probs) > 0 {
			t.Fatal(probs)
		}
		for _, l := range dec.Layers {
			for _, f := range l.Features {
				if l.Name == "grids" && f.Tags["code"] == gone.Code {
					return true
				}
			}
		}
		return false
	}
	a := get(t, h, p)
	if !has(a) {
		t.Fatalf("v1 tile lacks grid %s", gone.Code)
	}
	srv.Swap(snap(&v2))
	b := get(t, h, p, "If-None-Match", a.Header().Get("ETag"))
	if b.Code != 200 || has(b) {
		t.Errorf("after swapping in v2: status %d, grid still shown=%v", b.Code, b.Code == 200 && has(b))
	}
	srv.Swap(snap(v1)) // rollback
	if r := get(t, h, p); !has(r) {
		t.Errorf("after rollback to v1 the grid is missing")
	}
}

// TestTilesFollowUploadAndRollback goes through the real write path: an upload makes a new
// version and a rollback re-activates the old one; each shows in the next tile request, with
// one tile cache shared by every version as `citygeo serve` sets it up.
func TestTilesFollowUploadAndRollback(t *testing.T) {
	e := newDatasetEnv(t, 0, city.Options{TileCache: tiles.NewCache(0)})
	comp := e.ds.Components[0]
	var at orb.Point
	switch g := comp.Geometry.(type) {
	case orb.Point:
		at = g
	default:
		at = g.Bound().Center()
	}
	p := tilePath("city", maptile.At(at, 17))
	status := func() (string, string) {
		t.Helper()
		rec := get(t, e.srv.Handler(), p, "Authorization", "Bearer "+e.read)
		if rec.Code != 200 {
			t.Fatalf("tile: %d %s", rec.Code, rec.Body.String())
		}
		dec, probs := mvtcheck.Check(rec.Body.Bytes(), mvtcheck.Strict)
		if len(probs) > 0 {
			t.Fatal(probs)
		}
		for _, l := range dec.Layers {
			for _, f := range l.Features {
				if l.Name == "components" && f.Tags["id"] == comp.ID {
					return f.Tags["status"].(string), rec.Header().Get("ETag")
				}
			}
		}
		t.Fatalf("component %s not in tile %s", comp.ID, p)
		return "", ""
	}
	before, etag1 := status()
	if before == data.StatusDamaged.String() {
		t.Fatalf("component %s is already damaged: the test could not see the change", comp.ID)
	}
	b := componentsGeoJSON(t, e.ds, func(cs []*data.Component) { cs[0].Status = data.StatusDamaged })
	body, ctype := multipartBody(t, map[string][]byte{"component.geojson": b}, nil)
	if code, out := e.request(t, "POST", "/v1/datasets", e.gis, body, ctype); code != 201 {
		t.Fatalf("upload: %d %v", code, out["error"])
	}
	after, etag2 := status()
	if after != data.StatusDamaged.String() || etag2 == etag1 {
		t.Errorf("after upload: status %s (ETag %s → %s), want %s and a new ETag", after, etag1, etag2, data.StatusDamaged)
	}
	if code, out := e.request(t, "POST", fmt.Sprintf("/v1/datasets/%d/activate", e.v1), e.gis, nil, ""); code != 200 {
		t.Fatalf("activate: %d %v", code, out)
	}
	if back, _ := status(); back != before {
		t.Errorf("after rollback: status %s, want %s", back, before)
	}
}

// TestEventsTilesFollowTheFeed: with dispatch configured, the events tile set shows the feed's
// open events, and a created, moved or closed event shows in the next tile request although
// the tiles are cached.
func TestEventsTilesFollowTheFeed(t *testing.T) {
	ds, err := sampleOnce()
	if err != nil {
		t.Fatal(err)
	}
	rules, err := dispatch.SampleRules()
	if err != nil {
		t.Fatal(err)
	}
	dispatch.FillDepartmentCodes(rules, ds.Departments)
	srv, _, feed := serveDispatch(t, ds, rules, nil)
	h := srv.Handler()
	p := ds.Bound().Center()
	q := orb.Point{p[0] + 0.01, p[1] + 0.005}
	tp, tq := tilePath("events", maptile.At(p, 16)), tilePath("events", maptile.At(q, 16))
	shows := func(path string) bool {
		t.Helper()
		return tileShows(t, h, path, "events", "id", "A2026-0001")
	}
	if shows(tp) || shows(tq) { // also fills the cache with the empty tiles
		t.Fatal("event shown before it exists")
	}
	now := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	ev := data.Event{ID: "A2026-0001", Point: p, Class: data.ClassRef{Scheme: data.CJT214, Kind: data.KindEvent, Code: "0101"}}
	if _, err := feed.Put(ev, now); err != nil {
		t.Fatal(err)
	}
	if !shows(tp) {
		t.Error("new event not in the next events tile")
	}
	ev.Point = q
	if _, err := feed.Put(ev, now.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if shows(tp) || !shows(tq) {
		t.Error("moved event not where it moved to in the next tile requests")
	}
	if _, err := feed.Close(ev.ID, now.Add(2*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if shows(tq) {
		t.Error("closed event still shown")
	}
}

// TestUncachedTilesOverHTTP: with the tile cache off (serve --tile-cache-mb 0) every tile is
// built per request in reused buffers. Requests from several goroutines, with and without
// gzip, must each get exactly the tile a fresh build gives, gzip only when asked, and a distinct
// ETag per representation.
func TestUncachedTilesOverHTTP(t *testing.T) {
	ds, err := sampleOnce()
	if err != nil {
		t.Fatal(err)
	}
	snap, err := city.Build(ds, city.Options{TileCache: tiles.NewCacheOff()})
	if err != nil {
		t.Fatal(err)
	}
	srv := api.New(api.Options{Logger: quietLog})
	srv.Swap(snap)
	h := srv.Handler()
	type want struct {
		path string
		data []byte
	}
	var list []want
	tiles.Pyramid(ds.Bound(), 14, 16, func(tl maptile.Tile) bool {
		for _, layers := range [][]string{nil, {tiles.LayerGrids}} {
			res, err := tiles.Build(snap.Tiles.Index(), nil, tiles.SetCity, tl, tiles.Options{Layers: layers})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Data) == 0 {
				continue
			}
			p := tilePath("city", tl)
			if layers != nil {
				p += "?layers=grids"
			}
			list = append(list, want{p, res.Data})
		}
		return len(list) < 60
	})
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 2 * len(list) {
				w := list[(i*7+g*11)%len(list)]
				zipped := (i+g)%2 == 0
				var hdr []string
				if zipped {
					hdr = []string{"Accept-Encoding", "gzip"}
				}
				rec := get(t, h, w.path, hdr...)
				body := rec.Body.Bytes()
				if rec.Code != 200 || (rec.Header().Get("Content-Encoding") == "gzip") != zipped {
					t.Errorf("%s gzip=%v: status %d, Content-Encoding %q", w.path, zipped, rec.Code, rec.Header().Get("Content-Encoding"))
					return
				}
				if zipped {
					zr, err := gzip.NewReader(bytes.NewReader(body))
					if err == nil {
						body, err = io.ReadAll(zr)
					}
					if err != nil {
						t.Errorf("%s: gunzip: %v", w.path, err)
						return
					}
				}
				if !bytes.Equal(body, w.data) {
					t.Errorf("%s gzip=%v: %d bytes, a fresh build %d", w.path, zipped, len(body), len(w.data))
					return
				}
				if etag := rec.Header().Get("ETag"); strings.HasSuffix(etag, `-gz"`) != zipped {
					t.Errorf("%s gzip=%v: ETag %s", w.path, zipped, etag)
					return
				}
			}
		})
	}
	wg.Wait()
}
