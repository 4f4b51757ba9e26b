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

// clusterTotal sums the cluster counts drawn inside tile (not its buffer) of an MVT body.
func clusterTotal(t *testing.T, body []byte) int64 {
	t.Helper()
	if len(body) == 0 {
		return 0
	}
	dec, probs := mvtcheck.Check(body, mvtcheck.Strict)
	if len(probs) > 0 {
		t.Fatalf("tile: %v", probs)
	}
	var n int64
	for _, l := range dec.Layers {
		for _, f := range l.Features {
			p := f.Parts[0][0]
			if l.Name != tiles.LayerComponents || f.Tags["cluster"] != true || p.X < 0 || p.Y < 0 || p.X >= int64(l.Extent) || p.Y >= int64(l.Extent) {
				continue
			}
			switch v := f.Tags["count"].(type) {
			case int64:
				n += v
			case uint64:
				n += int64(v)
			}
		}
	}
	return n
}

// TestEditReachesOGCAndClusterTiles: an edit is in the OGC API at once — the item by id in
// the all-class and the class collection, an items filter on the new value with its count —
// a created component is an item and its zoom-14 cluster tile counts it (new ETag) while a
// zoom-14 tile away from it keeps its ETag, and a deleted one is no item.
func TestEditReachesOGCAndClusterTiles(t *testing.T) {
	env := newDatasetEnv(t, 0)
	h := env.srv.Handler()
	comp, to := editTarget(t, env.ds)
	item := "/ogc/collections/components/items/" + comp.ID
	lost := 0
	for _, c := range env.ds.Components {
		if c.Status == data.StatusLost {
			lost++
		}
	}
	if comp.Status == data.StatusLost {
		t.Fatal("the component is lost already")
	}
	lostURL := "/ogc/collections/components/items?limit=1000&status=" + "%E4%B8%A2%E5%A4%B1" // 丢失
	matched := func() (float64, bool) {
		rec := sendRaw(t, h, "GET", lostURL, env.read, nil)
		page := jsonOf(t, rec)
		found := false
		for _, f := range page["features"].([]any) {
			found = found || f.(map[string]any)["id"] == comp.ID
		}
		return page["numberMatched"].(float64), found
	}
	if n, found := matched(); int(n) != lost || found {
		t.Fatalf("before: %v lost, found %v; want %d, false", n, found, lost)
	}

	get := sendRaw(t, h, "GET", "/v1/components/"+comp.ID, env.read, nil)
	feat := jsonOf(t, get)
	feat["geometry"] = map[string]any{"type": "Point", "coordinates": []float64{to[0], to[1]}}
	feat["properties"].(map[string]any)["status"] = "丢失"
	body, _ := json.Marshal(feat)
	if rec := sendRaw(t, h, "PUT", "/v1/components/"+comp.ID, env.gis, body, "If-Match", get.Header().Get("ETag")); rec.Code != 200 {
		t.Fatalf("PUT: %d %s", rec.Code, rec.Body)
	}
	for _, u := range []string{item, "/ogc/collections/components-" + comp.Major + "/items/" + comp.ID} {
		rec := sendRaw(t, h, "GET", u+"?f=json", env.read, nil)
		if rec.Code != 200 {
			t.Fatalf("GET %s: %d %s", u, rec.Code, rec.Body)
		}
		f := jsonOf(t, rec)
		xy := f["geometry"].(map[string]any)["coordinates"].([]any)
		if f["properties"].(map[string]any)["status"] != "丢失" || math.Abs(xy[0].(float64)-to[0]) > 1e-7 || math.Abs(xy[1].(float64)-to[1]) > 1e-7 {
			t.Errorf("GET %s after the edit: %s", u, rec.Body)
		}
	}
	if n, found := matched(); int(n) != lost+1 || !found {
		t.Errorf("after: %v lost, found %v; want %d, true", n, found, lost+1)
	}

	// A component created in the grid farthest from the first one's tile at zoom 14.
	from := comp.Geometry.(orb.Point)
	var far orb.Point
	for _, g := range env.ds.Grids {
		if p := interior(g); far == (orb.Point{}) || planar.Distance(p, from) > planar.Distance(far, from) {
			far = p
		}
	}
	farGrid := ""
	for _, g := range env.ds.Grids {
		if interior(g) == far {
			farGrid = g.Code
		}
	}
	cluster := maptile.At(far, 14)
	away := maptile.At(from, 14)
	for _, mt := range tiles.EditedTiles(far) {
		if mt == away {
			t.Fatalf("tile %v covers both places; the test needs them apart", away)
		}
	}
	tileURL := func(mt maptile.Tile) string { return fmt.Sprintf("/tiles/city/%d/%d/%d.mvt", mt.Z, mt.X, mt.Y) }
	type seen struct {
		etag string
		body []byte
	}
	before := map[maptile.Tile]seen{}
	for _, mt := range []maptile.Tile{cluster, away} {
		rec := sendRaw(t, h, "GET", tileURL(mt), env.read, nil)
		before[mt] = seen{rec.Header().Get("ETag"), rec.Body.Bytes()}
	}
	n := jsonOf(t, get)
	newID := comp.ID[:10] + "999999"
	n["id"] = newID
	props := n["properties"].(map[string]any)
	props["id"], props["grid"] = newID, farGrid
	n["geometry"] = map[string]any{"type": "Point", "coordinates": []float64{far[0], far[1]}}
	nb, _ := json.Marshal(n)
	if rec := sendRaw(t, h, "POST", "/v1/components", env.gis, nb); rec.Code != http.StatusCreated {
		t.Fatalf("POST: %d %s", rec.Code, rec.Body)
	}
	if rec := sendRaw(t, h, "GET", "/ogc/collections/components/items/"+newID+"?f=json", env.read, nil); rec.Code != 200 {
		t.Errorf("created component's item: %d %s", rec.Code, rec.Body)
	}
	for mt, old := range before {
		rec := sendRaw(t, h, "GET", tileURL(mt), env.read, nil)
		changed := rec.Header().Get("ETag") != old.etag
		if mt == away {
			if changed {
				t.Errorf("tile %v away from the new component changed ETag", mt)
			}
			continue
		}
		if !changed {
			t.Errorf("tile %v covers the new component but kept its ETag", mt)
		}
		if got, was := clusterTotal(t, rec.Body.Bytes()), clusterTotal(t, old.body); got != was+1 {
			t.Errorf("tile %v counts %d components in clusters, want %d + 1", mt, got, was)
		}
	}
	ntag := sendRaw(t, h, "GET", "/v1/components/"+newID, env.read, nil).Header().Get("ETag")
	if rec := sendRaw(t, h, "DELETE", "/v1/components/"+newID, env.gis, nil, "If-Match", ntag); rec.Code != 200 {
		t.Fatalf("DELETE: %d %s", rec.Code, rec.Body)
	}
	if rec := sendRaw(t, h, "GET", "/ogc/collections/components/items/"+newID+"?f=json", env.read, nil); rec.Code != http.StatusNotFound {
		t.Errorf("deleted component's item: %d", rec.Code)
	}
}
