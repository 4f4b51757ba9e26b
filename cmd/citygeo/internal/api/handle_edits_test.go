package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"citygeo/data"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
)

// sendRaw does one request with a raw body and headers and returns the recorder.
func sendRaw(t testing.TB, h http.Handler, method, url, tok string, body []byte, hdr ...string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, url, bytes.NewReader(body))
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func jsonOf(t testing.TB, rec *httptest.ResponseRecorder) map[string]any {
	t.Helper()
	var out map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
		t.Fatalf("body is not JSON: %q", rec.Body.String())
	}
	return out
}

// editTarget is a point component with the interior of its grid, where it is moved to.
func editTarget(t *testing.T, ds *data.Dataset) (*data.Component, orb.Point) {
	t.Helper()
	grids := map[string]*data.Grid{}
	for _, g := range ds.Grids {
		grids[g.Code] = g
	}
	for _, c := range ds.Components {
		if _, ok := c.Geometry.(orb.Point); ok && grids[c.Grid] != nil {
			return c, interior(grids[c.Grid])
		}
	}
	t.Fatal("no point component in a grid")
	return nil, orb.Point{}
}

// TestEditComponentOverHTTP: GET gives an ETag; PUT needs it (428 without, 412 when stale),
// validates like an import (422) and is visible at once in the lookup, locate, the bbox query
// and exactly the tiles that cover the old and new place; the history records who, why and
// what; create, a second create and delete answer 201, 409 and 200; readers cannot edit.
func TestEditComponentOverHTTP(t *testing.T) {
	env := newDatasetEnv(t, 0)
	h := env.srv.Handler()
	comp, to := editTarget(t, env.ds)
	from := comp.Geometry.(orb.Point)
	url := "/v1/components/" + comp.ID

	get := sendRaw(t, h, "GET", url, env.read, nil)
	tag := get.Header().Get("ETag")
	if get.Code != 200 || tag == "" {
		t.Fatalf("GET %s: %d, ETag %q", url, get.Code, tag)
	}
	feat := jsonOf(t, get)
	feat["geometry"] = map[string]any{"type": "Point", "coordinates": []float64{to[0], to[1]}}
	feat["properties"].(map[string]any)["status"] = "丢失"
	body, _ := json.Marshal(feat)

	tileURL := func(p orb.Point) string {
		mt := maptile.At(p, 18)
		return fmt.Sprintf("/tiles/city/18/%d/%d.mvt", mt.X, mt.Y)
	}
	farP := orb.Point{from[0] + 0.01, from[1] + 0.01}
	before := map[string]string{}
	for _, u := range []string{tileURL(from), tileURL(to), tileURL(farP)} {
		before[u] = sendRaw(t, h, "GET", u, env.read, nil).Header().Get("ETag")
	}

	for _, tc := range []struct {
		name, tok, ifMatch string
		want               int
	}{
		{"reader", env.read, tag, http.StatusForbidden},
		{"no If-Match", env.gis, "", http.StatusPreconditionRequired},
		{"stale", env.gis, `"123"`, http.StatusPreconditionFailed},
	} {
		if rec := sendRaw(t, h, "PUT", url, tc.tok, body, "If-Match", tc.ifMatch); rec.Code != tc.want {
			t.Errorf("%s: PUT %d %s, want %d", tc.name, rec.Code, rec.Body, tc.want)
		}
	}
	badFeat := jsonOf(t, get)
	badFeat["properties"].(map[string]any)["grid"] = "440303001001999"
	bad, _ := json.Marshal(badFeat)
	if rec := sendRaw(t, h, "PUT", url, env.gis, bad, "If-Match", tag); rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), "component.grid_missing") {
		t.Errorf("invalid PUT: %d %s", rec.Code, rec.Body)
	}

	// Values of the wrong JSON type are refused, naming the property, not stored as text.
	for key, v := range map[string]any{"name": map[string]any{"a": []int{1, 2}}, "owner": map[string]any{"code": 1e300, "name": true},
		"note": []any{"x"}, "extra": map[string]any{"MATERIAL": map[string]any{}}} {
		wrong := jsonOf(t, get)
		wrong["properties"].(map[string]any)[key] = v
		b, _ := json.Marshal(wrong)
		if rec := sendRaw(t, h, "PUT", url, env.gis, b, "If-Match", tag); rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), `"field":"properties.`) {
			t.Errorf("PUT with %s = %v: %d %s, want 400 naming it", key, v, rec.Code, rec.Body)
		}
	}

	put := sendRaw(t, h, "PUT", url+"?reason=复核", env.gis, body, "If-Match", tag)
	if put.Code != 200 || put.Header().Get("ETag") == tag || put.Header().Get("ETag") == "" {
		t.Fatalf("PUT: %d %s", put.Code, put.Body)
	}
	if got := sendRaw(t, h, "GET", url, env.read, nil); got.Header().Get("ETag") != put.Header().Get("ETag") ||
		jsonOf(t, got)["properties"].(map[string]any)["status"] != "丢失" {
		t.Errorf("GET after PUT: %s", got.Body)
	}
	_, loc := do(t, h, "GET", fmt.Sprintf("/v1/locate?lng=%.8f&lat=%.8f&crs=cgcs2000&k=1&radius=3", to[0], to[1]), nil)
	if cs, _ := loc["components"].([]any); len(cs) != 1 || cs[0].(map[string]any)["id"] != comp.ID {
		t.Errorf("locate at the new place: %v", loc["components"])
	}
	_, fc := do(t, h, "GET", fmt.Sprintf("/v1/components?crs=cgcs2000&bbox=%.8f,%.8f,%.8f,%.8f", to[0]-1e-6, to[1]-1e-6, to[0]+1e-6, to[1]+1e-6), nil)
	if fs, _ := fc["features"].([]any); len(fs) != 1 {
		t.Errorf("bbox at the new place: %v", fc["features"])
	}
	for u, old := range before {
		now := sendRaw(t, h, "GET", u, env.read, nil).Header().Get("ETag")
		if changed := now != old; changed != (u != tileURL(farP)) {
			t.Errorf("tile %s: ETag %s → %s (it covers the edit: %v)", u, old, now, u != tileURL(farP))
		}
	}
	hist := sendRaw(t, h, "GET", url+"/history", env.gis, nil)
	hb := jsonOf(t, hist)
	cs, _ := hb["changes"].([]any)
	if hist.Code != 200 || len(cs) != 1 {
		t.Fatalf("history: %d %s", hist.Code, hist.Body)
	}
	ch := cs[0].(map[string]any)
	if ch["who"] != "gis" || ch["why"] != "复核" || ch["op"] != "update" || len(ch["fields"].([]any)) != 2 || ch["feature"] == nil {
		t.Errorf("history entry: %v", ch)
	}

	// create, create again, delete
	n := jsonOf(t, get)
	newID := comp.ID[:10] + "999999"
	n["id"] = newID
	n["properties"].(map[string]any)["id"] = newID
	nb, _ := json.Marshal(n)
	if rec := sendRaw(t, h, "POST", "/v1/components", env.gis, nb); rec.Code != http.StatusCreated {
		t.Fatalf("POST: %d %s", rec.Code, rec.Body)
	}
	if rec := sendRaw(t, h, "POST", "/v1/components", env.gis, nb); rec.Code != http.StatusConflict {
		t.Errorf("second POST: %d %s", rec.Code, rec.Body)
	}
	ntag := sendRaw(t, h, "GET", "/v1/components/"+newID, env.read, nil).Header().Get("ETag")
	if rec := sendRaw(t, h, "DELETE", "/v1/components/"+newID, env.gis, nil, "If-Match", ntag); rec.Code != 200 {
		t.Errorf("DELETE: %d %s", rec.Code, rec.Body)
	}
	if rec := sendRaw(t, h, "GET", "/v1/components/"+newID, env.read, nil); rec.Code != http.StatusNotFound {
		t.Errorf("GET after DELETE: %d", rec.Code)
	}

	// The change feed pages through all three changes; after=v1 starts at version 1's end.
	var seqs []float64
	next := "v1"
	for range 5 {
		rec := sendRaw(t, h, "GET", "/v1/changes?limit=2&after="+next, env.gis, nil)
		page := jsonOf(t, rec)
		if rec.Code != 200 {
			t.Fatalf("changes: %d %s", rec.Code, rec.Body)
		}
		for _, c := range page["changes"].([]any) {
			seqs = append(seqs, c.(map[string]any)["seq"].(float64))
		}
		next = page["next"].(string)
		if page["more"] != true {
			break
		}
	}
	if len(seqs) != 3 || seqs[0] >= seqs[1] || seqs[1] >= seqs[2] {
		t.Errorf("change feed: seqs %v, want 3 ascending", seqs)
	}
	for _, q := range []string{"after=v99", "after=x", "limit=0"} {
		if rec := sendRaw(t, h, "GET", "/v1/changes?"+q, env.gis, nil); rec.Code != 400 && rec.Code != 404 {
			t.Errorf("changes?%s: %d", q, rec.Code)
		}
	}
}

// TestEditOtherLayers edits a grid through /v1/features/grids: its ETag, the update and its
// history with the case id (TestEditGridReachesEveryRead follows a grid edit into every read).
func TestEditOtherLayers(t *testing.T) {
	env := newDatasetEnv(t, 0)
	h := env.srv.Handler()
	g := env.ds.Grids[0]
	url := "/v1/features/grids/" + g.Code
	get := sendRaw(t, h, "GET", url, env.read, nil)
	if get.Code != 200 || get.Header().Get("ETag") == "" {
		t.Fatalf("GET %s: %d %s", url, get.Code, get.Body)
	}
	if rec := sendRaw(t, h, "GET", "/v1/features/trees/1", env.read, nil); rec.Code != 404 {
		t.Errorf("unknown layer: %d", rec.Code)
	}
	f := jsonOf(t, get)
	f["properties"].(map[string]any)["area_m2"] = 1234.5
	b, _ := json.Marshal(f)
	rec := sendRaw(t, h, "PUT", url+"?case=EV-7", env.gis, b, "If-Match", get.Header().Get("ETag"))
	if rec.Code != 200 {
		t.Fatalf("PUT grid: %d %s", rec.Code, rec.Body)
	}
	hist := jsonOf(t, sendRaw(t, h, "GET", url+"/history", env.gis, nil))
	if cs := hist["changes"].([]any); len(cs) != 1 || cs[0].(map[string]any)["case"] != "EV-7" {
		t.Errorf("grid history: %v", hist)
	}
}

// TestEditRoundTrip: a body GET answered, PUT back as it is, changes nothing — no extra
// attribute from the Feature's own id, the same ETag — and an edit of an extra attribute alone
// is a change the history names.
func TestEditRoundTrip(t *testing.T) {
	env := newDatasetEnv(t, 0)
	h := env.srv.Handler()
	comp, _ := editTarget(t, env.ds)
	url := "/v1/components/" + comp.ID
	var road *data.Road
	for _, r := range env.ds.Roads {
		if r.Class != "" {
			road = r
			break
		}
	}
	if road == nil {
		t.Fatal("the sample has no road with a class")
	}
	var again *httptest.ResponseRecorder
	for _, u := range []string{"/v1/features/roads/" + strconv.FormatUint(road.ID, 10), url} { // the component last
		get := sendRaw(t, h, "GET", u, env.read, nil)
		put := sendRaw(t, h, "PUT", u, env.gis, get.Body.Bytes(), "If-Match", get.Header().Get("ETag"))
		if put.Code != 200 {
			t.Fatalf("PUT back %s: %d %s", u, put.Code, put.Body)
		}
		again = sendRaw(t, h, "GET", u, env.read, nil)
		if again.Header().Get("ETag") != get.Header().Get("ETag") || strings.Contains(again.Body.String(), `"extra":{"id"`) {
			t.Errorf("a PUT of %s as read changed it: ETag %s → %s, %s", u, get.Header().Get("ETag"), again.Header().Get("ETag"), again.Body)
		}
	}
	feat := jsonOf(t, again)
	feat["properties"].(map[string]any)["extra"] = map[string]any{"MATERIAL": "复合材料"}
	body, _ := json.Marshal(feat)
	if rec := sendRaw(t, h, "PUT", url, env.gis, body, "If-Match", again.Header().Get("ETag")); rec.Code != 200 || !strings.Contains(rec.Body.String(), "extra.MATERIAL") {
		t.Errorf("an extra attribute's edit: %d %s, want its field named", rec.Code, rec.Body)
	}
}
