package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/paulmach/orb"

	"citygeo/city"
	"citygeo/cmd/citygeo/internal/api"
	"citygeo/data"
	"citygeo/data/sample"
	"citygeo/geo"
)

// quietLog keeps expected 4xx/5xx out of the test output.
var quietLog = slog.New(slog.NewTextHandler(io.Discard, nil))

var sampleOnce = sync.OnceValues(func() (*data.Dataset, error) { return sample.Generate(sample.Options{}) })

// newSampleServer serves the built-in sample city.
func newSampleServer(t testing.TB) (*api.Server, *data.Dataset) {
	t.Helper()
	ds, err := sampleOnce()
	if err != nil {
		t.Fatal(err)
	}
	snap, err := city.Build(ds, city.Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv := api.New(api.Options{Logger: quietLog})
	srv.Swap(snap)
	return srv, ds
}

// do sends a request with a JSON body (nil: none) and header pairs, and decodes the JSON answer.
func do(t testing.TB, h http.Handler, method, url string, body any, hdr ...string) (int, map[string]any) {
	t.Helper()
	var rd *bytes.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	} else {
		rd = bytes.NewReader(nil)
	}
	req := httptest.NewRequest(method, url, rd)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var out map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
		t.Fatalf("%s %s: body is not JSON: %q", method, url, rec.Body.String())
	}
	return rec.Code, out
}

// interior returns a point well inside a grid: the mean of its ring's distinct vertices.
func interior(g *data.Grid) orb.Point {
	ring := g.Polygon[0]
	var x, y float64
	n := len(ring) - 1
	for _, p := range ring[:n] {
		x += p[0]
		y += p[1]
	}
	return orb.Point{x / float64(n), y / float64(n)}
}

func TestLocateSampleGrids(t *testing.T) {
	srv, ds := newSampleServer(t)
	h := srv.Handler()
	for i := 0; i < len(ds.Grids); i += len(ds.Grids)/25 + 1 {
		g := ds.Grids[i]
		p := interior(g)
		for _, crs := range []geo.CRS{geo.WGS84, geo.GCJ02, geo.BD09} {
			q := geo.FromCGCS2000(p, crs)
			code, body := do(t, h, "GET", fmt.Sprintf("/v1/locate?lng=%.8f&lat=%.8f&crs=%s", q[0], q[1], crs), nil)
			if code != 200 {
				t.Fatalf("status %d: %v", code, body)
			}
			grid, _ := body["grid"].(map[string]any)
			comm, _ := body["community"].(map[string]any)
			if grid == nil || grid["code"] != g.Code {
				t.Fatalf("%s: grid = %v, want %s", crs, body["grid"], g.Code)
			}
			if comm == nil || comm["code"] != g.Code[:12] {
				t.Fatalf("%s: community = %v, want %s", crs, body["community"], g.Code[:12])
			}
			st, _ := body["street"].(map[string]any)
			di, _ := body["district"].(map[string]any)
			if st == nil || st["code"] != g.Code[:9] || di == nil || di["code"] != g.Code[:6] {
				t.Fatalf("%s: street %v district %v for grid %s", crs, st, di, g.Code)
			}
		}
	}
}

func TestLocateErrors(t *testing.T) {
	srv, ds := newSampleServer(t)
	h := srv.Handler()
	comp := ds.Components[0]
	tests := []struct {
		name      string
		method    string
		url       string
		body      any
		status    int
		wantField string
	}{
		{"lat abc", "GET", "/v1/locate?lng=114.1&lat=abc", nil, 400, "lat"},
		{"lat 95", "GET", "/v1/locate?lng=114.1&lat=95", nil, 400, "lat"},
		{"unknown crs", "GET", "/v1/locate?lng=114.1&lat=22.5&crs=mars", nil, 400, "crs"},
		{"bad k", "GET", "/v1/locate?lng=114.1&lat=22.5&k=-1", nil, 400, "k"},
		{"bad class", "GET", "/v1/locate?lng=114.1&lat=22.5&class=0199", nil, 400, "class"},
		{"malformed grid", "GET", "/v1/grids/12345", nil, 400, "code"},
		{"unknown grid", "GET", "/v1/grids/440303001001999", nil, 404, "code"},
		{"malformed area", "GET", "/v1/areas/4403", nil, 400, "code"},
		{"unknown area", "GET", "/v1/areas/440303099", nil, 404, "code"},
		{"malformed component", "GET", "/v1/components/440303011800001", nil, 400, "id"},
		{"unknown component", "GET", "/v1/components/" + comp.ID[:len(comp.ID)-6] + "999999", nil, 404, "id"},
		{"bbox missing", "GET", "/v1/components", nil, 400, "bbox"},
		{"batch empty", "POST", "/v1/locate/batch", map[string]any{"points": []any{}}, 400, "points"},
		{"batch bad point", "POST", "/v1/locate/batch", map[string]any{"points": []any{map[string]any{"lng": 114.1, "lat": 22.5}, map[string]any{"lng": 114.1, "lat": 99}}}, 400, "points[1].lat"},
		{"batch missing lat", "POST", "/v1/locate/batch", map[string]any{"points": []any{map[string]any{"lng": 114.1}}}, 400, "points[0]"},
		{"batch unknown field", "POST", "/v1/locate/batch", map[string]any{"pts": []any{}}, 400, "pts"},
		{"batch too many", "POST", "/v1/locate/batch", map[string]any{"points": manyPoints(api.MaxBatch + 1)}, 413, "points"},
		{"no route", "GET", "/v1/nothing", nil, 404, "path"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, body := do(t, h, tt.method, tt.url, tt.body)
			e, _ := body["error"].(map[string]any)
			if code != tt.status || e == nil || e["field"] != tt.wantField || e["message"] == "" {
				t.Fatalf("status %d body %v; want %d naming field %q", code, body, tt.status, tt.wantField)
			}
		})
	}
}

func manyPoints(n int) []any {
	out := make([]any, n)
	for i := range out {
		out[i] = map[string]any{"lng": 114.1, "lat": 22.5}
	}
	return out
}

func TestLocateOutside(t *testing.T) {
	srv, _ := newSampleServer(t)
	code, body := do(t, srv.Handler(), "GET", "/v1/locate?lng=116.39&lat=39.9", nil)
	if code != 200 || body["outside"] != true || body["grid"] != nil {
		t.Fatalf("status %d body %v; want 200 with outside=true and no grid", code, body)
	}
}

func TestLocateBatchAndNearest(t *testing.T) {
	srv, ds := newSampleServer(t)
	h := srv.Handler()
	var pts []any
	for i := 0; i < 50; i++ {
		c := ds.Components[i*len(ds.Components)/50]
		p, ok := c.Geometry.(orb.Point)
		if !ok {
			continue
		}
		pts = append(pts, map[string]any{"id": c.ID, "lng": p[0], "lat": p[1]})
	}
	code, body := do(t, h, "POST", "/v1/locate/batch", map[string]any{"points": pts, "k": 1, "radius": 5})
	if code != 200 {
		t.Fatalf("status %d: %v", code, body)
	}
	results := body["results"].([]any)
	if len(results) != len(pts) {
		t.Fatalf("%d results for %d points", len(results), len(pts))
	}
	for i, r := range results {
		r := r.(map[string]any)
		want := pts[i].(map[string]any)["id"]
		comps := r["components"].([]any)
		if r["id"] != want || len(comps) != 1 {
			t.Fatalf("result %d: %v", i, r)
		}
		// A component standing at the query point is its own nearest (distance 0).
		if d := comps[0].(map[string]any)["distance_m"].(float64); d != 0 {
			t.Errorf("result %d: nearest at %v m, want 0 (the component itself)", i, d)
		}
	}
}

func TestFeatureRoutes(t *testing.T) {
	srv, ds := newSampleServer(t)
	h := srv.Handler()
	g := ds.Grids[len(ds.Grids)/2]
	code, body := do(t, h, "GET", "/v1/grids/"+g.Code, nil)
	if code != 200 || body["type"] != "Feature" || body["properties"].(map[string]any)["community"] != g.Community {
		t.Fatalf("grid: %d %v", code, body)
	}
	code, body = do(t, h, "GET", "/v1/areas/"+g.Community, nil)
	if code != 200 || body["properties"].(map[string]any)["level"] != "community" {
		t.Fatalf("area: %d %v", code, body)
	}
	c := ds.Components[7]
	code, body = do(t, h, "GET", "/v1/components/"+c.ID, nil)
	if code != 200 || body["properties"].(map[string]any)["grid"] != c.Grid {
		t.Fatalf("component: %d %v", code, body)
	}
	b := g.Polygon.Bound()
	code, body = do(t, h, "GET", fmt.Sprintf("/v1/components?bbox=%f,%f,%f,%f&limit=5", b.Min[0], b.Min[1], b.Max[0], b.Max[1]), nil)
	feats, _ := body["features"].([]any)
	if code != 200 || body["type"] != "FeatureCollection" || len(feats) == 0 || len(feats) > 5 {
		t.Fatalf("components: %d %d features", code, len(feats))
	}
	code, body = do(t, h, "GET", "/v1/info", nil)
	counts, _ := body["counts"].(map[string]any)
	if code != 200 || counts["grids"] != float64(len(ds.Grids)) || counts["communities"] != float64(109) {
		t.Fatalf("info: %d %v", code, body)
	}
	build, _ := body["build"].(map[string]any)
	if build["version"] == nil || build["go"] != runtime.Version() {
		t.Fatalf("info: build %v, want the version and the Go version", body["build"])
	}
}

func TestNotReady(t *testing.T) {
	h := api.New(api.Options{Logger: quietLog}).Handler()
	code, body := do(t, h, "GET", "/readyz", nil)
	if code != 503 {
		t.Fatalf("readyz before a dataset: %d %v", code, body)
	}
	if code, _ := do(t, h, "GET", "/healthz", nil); code != 200 {
		t.Fatalf("healthz: %d", code)
	}
}

// TestOpenAPICoversRoutes keeps the OpenAPI document in step with the route table both ways:
// every route has an operation (with an operationId and security), and every operation of the
// document is a route.
func TestOpenAPICoversRoutes(t *testing.T) {
	srv := api.New(api.Options{})
	code, doc := do(t, srv.Handler(), "GET", "/v1/openapi.json", nil)
	if code != 200 {
		t.Fatal(code)
	}
	paths := doc["paths"].(map[string]any)
	routes := map[string]bool{}
	ids := map[string]bool{}
	for _, r := range srv.Routes() {
		p := api.OpenAPIPath(r.Path)
		routes[r.Method+" "+p] = true
		ops, _ := paths[p].(map[string]any)
		op, ok := ops[strings.ToLower(r.Method)].(map[string]any)
		if !ok {
			t.Errorf("route %s %s is not in openapi.json", r.Method, p)
			continue
		}
		id, _ := op["operationId"].(string)
		if id == "" || ids[id] {
			t.Errorf("route %s %s: operationId %q missing or not unique", r.Method, p, id)
		}
		ids[id] = true
		if _, ok := op["security"]; !ok {
			t.Errorf("route %s %s: no security", r.Method, p)
		}
		// A success answer with a schema per media type: what the route returns, documented.
		success := 0
		for code, resp := range op["responses"].(map[string]any) {
			if code[0] != '2' || code == "204" {
				continue
			}
			success++
			content, _ := resp.(map[string]any)["content"].(map[string]any)
			if len(content) == 0 {
				t.Errorf("route %s %s: response %s has no content schema", r.Method, p, code)
			}
			for mt, media := range content {
				if m, _ := media.(map[string]any); m["schema"] == nil {
					t.Errorf("route %s %s: response %s %s has no schema", r.Method, p, code, mt)
				}
			}
		}
		if success == 0 {
			t.Errorf("route %s %s: no success response documented", r.Method, p)
		}
	}
	for p, item := range paths {
		for m := range item.(map[string]any) {
			if !routes[strings.ToUpper(m)+" "+p] {
				t.Errorf("openapi.json names %s %s, which is no route", strings.ToUpper(m), p)
			}
		}
	}
}
