package api_test

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"testing"
)

// TestAddressEditGeocodesOverHTTP creates, moves and deletes a 门牌 over the edit API and asks
// /v1/geocode and /v1/reverse right after each answer: the edit is in the very next reply.
func TestAddressEditGeocodesOverHTTP(t *testing.T) {
	env := newDatasetEnv(t, 0)
	h := env.srv.Handler()
	road := env.ds.Roads[len(env.ds.Roads)/2]
	mid := road.Line[len(road.Line)/2]
	at := [2]float64{mid[0] + 0.0002, mid[1] + 0.0001}
	moved := [2]float64{at[0] + 0.0003, at[1]}
	full := road.Name + "88号"
	feature := func(p [2]float64) []byte {
		b, _ := json.Marshal(map[string]any{"type": "Feature",
			"geometry":   map[string]any{"type": "Point", "coordinates": p},
			"properties": map[string]any{"id": 990001, "road": road.Name, "number": "88", "full": full}})
		return b
	}
	const url1 = "/v1/features/addresses/990001"
	etag := func() string { return sendRaw(t, h, "GET", url1, env.read, nil).Header().Get("ETag") }
	geocode := func() map[string]any {
		code, body := do(t, h, "GET", "/v1/geocode?limit=3&crs=cgcs2000&q="+url.QueryEscape(full), nil)
		if code != http.StatusOK {
			t.Fatalf("geocode %s: %d %v", full, code, body)
		}
		if rs, _ := body["results"].([]any); len(rs) > 0 {
			return rs[0].(map[string]any)
		}
		return nil
	}
	near := func(r map[string]any, p [2]float64) bool {
		pt, _ := r["point"].(map[string]any)
		return pt != nil && math.Abs(pt["lng"].(float64)-p[0]) < 1e-7 && math.Abs(pt["lat"].(float64)-p[1]) < 1e-7
	}
	for _, step := range []struct {
		name, method, url string
		body              func() []byte
		ifMatch           bool
		want              int
		check             func(t *testing.T)
	}{
		{"create", "POST", "/v1/features/addresses", func() []byte { return feature(at) }, false, http.StatusCreated, func(t *testing.T) {
			if r := geocode(); r == nil || r["level"] != "门牌号" || r["score"].(float64) != 1 || !near(r, at) {
				t.Errorf("geocode %s after create = %v, want 门牌号 at %v", full, r, at)
			}
			_, rev := do(t, h, "GET", fmt.Sprintf("/v1/reverse?crs=cgcs2000&lng=%.8f&lat=%.8f", at[0], at[1]+0.00001), nil)
			if house, _ := rev["house"].(map[string]any); house == nil || house["name"] != full {
				t.Errorf("reverse beside the new 门牌 = %v, want it named", rev)
			}
		}},
		{"move", "PUT", url1, func() []byte { return feature(moved) }, true, http.StatusOK, func(t *testing.T) {
			if r := geocode(); r == nil || r["level"] != "门牌号" || r["score"].(float64) != 1 || !near(r, moved) {
				t.Errorf("geocode %s after move = %v, want 门牌号 at %v", full, r, moved)
			}
		}},
		{"delete", "DELETE", url1, func() []byte { return nil }, true, http.StatusOK, func(t *testing.T) {
			if r := geocode(); r != nil && (r["level"] == "门牌号" && r["reason"] == nil || near(r, moved)) {
				t.Errorf("geocode %s after delete = %v, want no exact 门牌", full, r)
			}
		}},
	} {
		t.Run(step.name, func(t *testing.T) {
			var hdr []string
			if step.ifMatch {
				hdr = []string{"If-Match", etag()}
			}
			if rec := sendRaw(t, h, step.method, step.url, env.gis, step.body(), hdr...); rec.Code != step.want {
				t.Fatalf("%s %s: %d %s", step.method, step.url, rec.Code, rec.Body)
			}
			step.check(t)
		})
	}
}
