package api_test

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"testing"

	"citygeo/data"
	"citygeo/tiles"
	"citygeo/tiles/mvtcheck"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
	"github.com/paulmach/orb/planar"
)

// tilePx is p in the tile units (0–tiles.Extent) of tile mt.
func tilePx(p orb.Point, mt maptile.Tile) (x, y float64) {
	n := math.Exp2(float64(mt.Z))
	lat := p[1] * math.Pi / 180
	wx := (p[0] + 180) / 360 * n
	wy := (1 - math.Log(math.Tan(lat)+1/math.Cos(lat))/math.Pi) / 2 * n
	return (wx - float64(mt.X)) * tiles.Extent, (wy - float64(mt.Y)) * tiles.Extent
}

// gridInTile decodes the grids layer of an MVT body and returns the polygon feature of code.
func gridInTile(t *testing.T, body []byte, code string) (mvtcheck.Feature, bool) {
	t.Helper()
	dec, probs := mvtcheck.Check(body, mvtcheck.Strict)
	if mvtcheck.Fatal(probs) {
		t.Fatalf("tile: %v", probs)
	}
	for _, l := range dec.Layers {
		if l.Name != tiles.LayerGrids {
			continue
		}
		for _, f := range l.Features {
			if f.Tags["code"] == code && f.Tags["kind"] == nil {
				return f, true
			}
		}
	}
	return mvtcheck.Feature{}, false
}

// shrunk is ring r scaled by k about c.
func shrunk(r orb.Ring, c orb.Point, k float64) orb.Ring {
	out := make(orb.Ring, len(r))
	for i, p := range r {
		out[i] = orb.Point{c[0] + (p[0]-c[0])*k, c[1] + (p[1]-c[1])*k}
	}
	return out
}

// TestEditGridReachesEveryRead: a grid's polygon and area edited over HTTP are at once in
// GET /v1/grids/{code}, the OGC grids item, and the zoom-15 tile that covers it — decoded, its
// ring is the new one and its area tag the new area, under a new ETag — while a zoom-15 tile far
// away keeps its ETag; the grid deleted is gone from all three, and a grid created in its place
// is in all three.
func TestEditGridReachesEveryRead(t *testing.T) {
	env := newDatasetEnv(t, 0)
	h := env.srv.Handler()
	// A grid whose shrunk polygon lies inside one zoom-15 tile, clear of its edges.
	var g *data.Grid
	var poly orb.Polygon
	var mt maptile.Tile
	for _, cand := range env.ds.Grids {
		c := interior(cand)
		p := orb.Polygon{shrunk(cand.Polygon[0], c, 0.5)}
		b := p.Bound()
		mt = maptile.At(c, 15)
		x0, y1 := tilePx(b.Min, mt)
		x1, y0 := tilePx(b.Max, mt)
		if geo := (orb.Bound{Min: orb.Point{x0, y0}, Max: orb.Point{x1, y1}}); geo.Min[0] > 50 && geo.Min[1] > 50 && geo.Max[0] < tiles.Extent-50 && geo.Max[1] < tiles.Extent-50 {
			g, poly = cand, p
			break
		}
	}
	if g == nil {
		t.Fatal("no grid inside one zoom-15 tile")
	}
	area := math.Round(g.AreaM2/4*10) / 10 // /v1/grids answers 0.1 m²
	var far maptile.Tile
	farD := 0.0
	for _, o := range env.ds.Grids {
		if d := planar.Distance(interior(o), interior(g)); d > farD {
			far, farD = maptile.At(interior(o), 15), d
		}
	}
	for _, e := range append(tiles.EditedGridTiles(g.Polygon), tiles.EditedGridTiles(poly)...) {
		if e == far {
			t.Fatalf("far tile %v is touched by the edit; the test needs them apart", far)
		}
	}
	tileURL := func(mt maptile.Tile) string { return fmt.Sprintf("/tiles/city/%d/%d/%d.mvt", mt.Z, mt.X, mt.Y) }
	etags := map[maptile.Tile]string{}
	for _, x := range []maptile.Tile{mt, far} {
		rec := sendRaw(t, h, "GET", tileURL(x), env.read, nil)
		etags[x] = rec.Header().Get("ETag")
		if x == mt {
			if f, ok := gridInTile(t, rec.Body.Bytes(), g.Code); !ok || f.Tags["area"] != math.Round(g.AreaM2) {
				t.Fatalf("before: grid %s in tile %v: %v %v", g.Code, mt, ok, f.Tags)
			}
		}
	}

	url := "/v1/features/grids/" + g.Code
	get := sendRaw(t, h, "GET", url, env.read, nil)
	feat := jsonOf(t, get)
	feat["geometry"] = map[string]any{"type": "Polygon", "coordinates": poly}
	feat["properties"].(map[string]any)["area_m2"] = area
	body, _ := json.Marshal(feat)
	put := sendRaw(t, h, "PUT", url, env.gis, body, "If-Match", get.Header().Get("ETag"))
	if put.Code != 200 {
		t.Fatalf("PUT grid: %d %s", put.Code, put.Body)
	}

	// The lookup and the OGC item answer the new polygon and area.
	for _, u := range []string{"/v1/grids/" + g.Code + "?crs=cgcs2000", "/ogc/collections/grids/items/" + g.Code + "?f=json"} {
		rec := sendRaw(t, h, "GET", u, env.read, nil)
		if rec.Code != 200 {
			t.Fatalf("GET %s: %d %s", u, rec.Code, rec.Body)
		}
		f := jsonOf(t, rec)
		ring := f["geometry"].(map[string]any)["coordinates"].([]any)[0].([]any)
		p0 := ring[0].([]any)
		if f["properties"].(map[string]any)["area_m2"] != area || math.Abs(p0[0].(float64)-poly[0][0][0]) > 1e-7 || math.Abs(p0[1].(float64)-poly[0][0][1]) > 1e-7 {
			t.Errorf("GET %s after the edit: area %v, first vertex %v; want %v, %v", u, f["properties"].(map[string]any)["area_m2"], p0, area, poly[0][0])
		}
	}
	// The covering tile draws the new ring and area under a new ETag; the far one is unchanged.
	rec := sendRaw(t, h, "GET", tileURL(mt), env.read, nil)
	if rec.Header().Get("ETag") == etags[mt] {
		t.Errorf("tile %v covers the edited grid but kept its ETag", mt)
	}
	f, ok := gridInTile(t, rec.Body.Bytes(), g.Code)
	if !ok {
		t.Fatalf("tile %v after the edit has no grid %s", mt, g.Code)
	}
	if f.Tags["area"] != math.Round(area) {
		t.Errorf("tile area tag %v, want %v", f.Tags["area"], math.Round(area))
	}
	b := poly.Bound()
	wx0, wy1 := tilePx(b.Min, mt)
	wx1, wy0 := tilePx(b.Max, mt)
	minX, minY, maxX, maxY := int64(math.MaxInt64), int64(math.MaxInt64), int64(math.MinInt64), int64(math.MinInt64)
	for _, p := range f.Parts[0] {
		minX, minY, maxX, maxY = min(minX, p.X), min(minY, p.Y), max(maxX, p.X), max(maxY, p.Y)
	}
	for _, d := range [][2]float64{{float64(minX), wx0}, {float64(maxX), wx1}, {float64(minY), wy0}, {float64(maxY), wy1}} {
		if math.Abs(d[0]-d[1]) > 4 {
			t.Errorf("tile ring box (%d %d, %d %d), want the new polygon's (%.0f %.0f, %.0f %.0f)", minX, minY, maxX, maxY, wx0, wy0, wx1, wy1)
			break
		}
	}
	if now := sendRaw(t, h, "GET", tileURL(far), env.read, nil).Header().Get("ETag"); now != etags[far] {
		t.Errorf("far tile %v changed ETag: %s → %s", far, etags[far], now)
	}

	// The OGC items list finds it in a bbox around its new polygon, once, and counts every grid.
	ogcList := func(q string) (n float64, codes []any) {
		t.Helper()
		rec := sendRaw(t, h, "GET", "/ogc/collections/grids/items?f=json&limit=1000"+q, env.read, nil)
		if rec.Code != 200 {
			t.Fatalf("OGC items%s: %d %s", q, rec.Code, rec.Body)
		}
		page := jsonOf(t, rec)
		for _, f := range page["features"].([]any) {
			codes = append(codes, f.(map[string]any)["id"])
		}
		return page["numberMatched"].(float64), codes
	}
	c := interior(g)
	bbox := fmt.Sprintf("&bbox=%.8f,%.8f,%.8f,%.8f", c[0]-1e-6, c[1]-1e-6, c[0]+1e-6, c[1]+1e-6)
	if n, _ := ogcList(""); int(n) != len(env.ds.Grids) {
		t.Errorf("OGC grids after the edit: %v matched, want %d", n, len(env.ds.Grids))
	}
	if _, codes := ogcList(bbox); len(codes) != 1 || codes[0] != g.Code {
		t.Errorf("OGC grids at the edited grid's centre: %v, want [%s]", codes, g.Code)
	}

	// Deleted: gone from the lookup, the OGC item and list, and the tile.
	if rec := sendRaw(t, h, "DELETE", url, env.gis, nil, "If-Match", put.Header().Get("ETag")); rec.Code != 200 {
		t.Fatalf("DELETE grid: %d %s", rec.Code, rec.Body)
	}
	for _, u := range []string{"/v1/grids/" + g.Code, "/ogc/collections/grids/items/" + g.Code + "?f=json"} {
		if rec := sendRaw(t, h, "GET", u, env.read, nil); rec.Code != http.StatusNotFound {
			t.Errorf("GET %s after DELETE: %d", u, rec.Code)
		}
	}
	if n, _ := ogcList(""); int(n) != len(env.ds.Grids)-1 {
		t.Errorf("OGC grids after DELETE: %v matched, want %d", n, len(env.ds.Grids)-1)
	}
	if _, codes := ogcList(bbox); len(codes) != 0 {
		t.Errorf("OGC grids at the deleted grid's centre: %v", codes)
	}
	if _, ok := gridInTile(t, sendRaw(t, h, "GET", tileURL(mt), env.read, nil).Body.Bytes(), g.Code); ok {
		t.Errorf("tile %v still draws deleted grid %s", mt, g.Code)
	}

	// Created in its place under a new code: in the lookup, the OGC item and the tile.
	code := g.Community + "999"
	feat["id"] = code
	props := feat["properties"].(map[string]any)
	props["code"] = code
	body, _ = json.Marshal(feat)
	if rec := sendRaw(t, h, "POST", "/v1/features/grids", env.gis, body); rec.Code != http.StatusCreated {
		t.Fatalf("POST grid: %d %s", rec.Code, rec.Body)
	}
	for _, u := range []string{"/v1/grids/" + code, "/ogc/collections/grids/items/" + code + "?f=json"} {
		if rec := sendRaw(t, h, "GET", u, env.read, nil); rec.Code != 200 {
			t.Errorf("GET %s after POST: %d %s", u, rec.Code, rec.Body)
		}
	}
	if _, codes := ogcList(bbox); len(codes) != 1 || codes[0] != code {
		t.Errorf("OGC grids at the created grid's centre: %v, want [%s]", codes, code)
	}
	if _, ok := gridInTile(t, sendRaw(t, h, "GET", tileURL(mt), env.read, nil).Body.Bytes(), code); !ok {
		t.Errorf("tile %v does not draw created grid %s", mt, code)
	}
	if now := sendRaw(t, h, "GET", tileURL(far), env.read, nil).Header().Get("ETag"); now != etags[far] {
		t.Errorf("far tile %v changed ETag after delete and create: %s → %s", far, etags[far], now)
	}
}

// TestEditRoadReachesOGC: a road renamed over HTTP is its OGC item under the new name, and an
// items filter on the new name finds exactly it; deleted, it is no item.
func TestEditRoadReachesOGC(t *testing.T) {
	env := newDatasetEnv(t, 0)
	h := env.srv.Handler()
	var road *data.Road
	for _, r := range env.ds.Roads {
		if r.ID != 0 && r.Name != "" {
			road = r
			break
		}
	}
	if road == nil {
		t.Fatal("no named road")
	}
	id := fmt.Sprint(road.ID)
	url := "/v1/features/roads/" + id
	get := sendRaw(t, h, "GET", url, env.read, nil)
	if get.Code != 200 {
		t.Fatalf("GET %s: %d %s", url, get.Code, get.Body)
	}
	feat := jsonOf(t, get)
	const name = "测试改名路"
	feat["properties"].(map[string]any)["name"] = name
	body, _ := json.Marshal(feat)
	put := sendRaw(t, h, "PUT", url, env.gis, body, "If-Match", get.Header().Get("ETag"))
	if put.Code != 200 {
		t.Fatalf("PUT road: %d %s", put.Code, put.Body)
	}
	item := "/ogc/collections/roads/items/" + id + "?f=json"
	if rec := sendRaw(t, h, "GET", item, env.read, nil); rec.Code != 200 || jsonOf(t, rec)["properties"].(map[string]any)["name"] != name {
		t.Errorf("GET %s after the rename: %d %s", item, rec.Code, rec.Body)
	}
	rec := sendRaw(t, h, "GET", "/ogc/collections/roads/items?f=json&name=%E6%B5%8B%E8%AF%95%E6%94%B9%E5%90%8D%E8%B7%AF", env.read, nil)
	if page := jsonOf(t, rec); page["numberMatched"] != 1.0 || fmt.Sprint(page["features"].([]any)[0].(map[string]any)["id"]) != id {
		t.Errorf("OGC roads named %s: %s", name, rec.Body)
	}
	if rec := sendRaw(t, h, "DELETE", url, env.gis, nil, "If-Match", put.Header().Get("ETag")); rec.Code != 200 {
		t.Fatalf("DELETE road: %d %s", rec.Code, rec.Body)
	}
	if rec := sendRaw(t, h, "GET", item, env.read, nil); rec.Code != http.StatusNotFound {
		t.Errorf("GET %s after DELETE: %d", item, rec.Code)
	}
}
