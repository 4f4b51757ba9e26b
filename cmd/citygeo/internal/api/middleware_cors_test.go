package api_test

import (
	"strings"
	"testing"
	"time"

	"citygeo/cmd/citygeo/internal/api"
)

func TestCORS(t *testing.T) {
	const wall = "https://wall.example.gov.cn"
	listed, _ := newOpsServer(t, api.Options{CORS: api.CORS{Origins: []string{wall, "http://10.1.2.3:8080"}, MaxAge: 10 * time.Minute}})
	anyOrigin, _ := newOpsServer(t, api.Options{CORS: api.CORS{Origins: []string{"*"}}})
	none, _ := newOpsServer(t, api.Options{})
	preflight := func(origin, method, headers string) map[string]string {
		h := map[string]string{"Origin": origin, "Access-Control-Request-Method": method}
		if headers != "" {
			h["Access-Control-Request-Headers"] = headers
		}
		return h
	}
	tests := map[string]struct {
		srv     *api.Server
		method  string
		path    string
		header  map[string]string
		status  int
		headers map[string]string // "" = must be absent
	}{
		"preflight allowed": {listed, "OPTIONS", "/v1/locate/batch", preflight(wall, "POST", "Content-Type, Authorization"), 204,
			map[string]string{"Access-Control-Allow-Origin": wall, "Access-Control-Allow-Methods": "POST",
				"Access-Control-Max-Age": "600", "Vary": "Origin"}},
		"preflight of a route with a parameter": {listed, "OPTIONS", "/v1/grids/440303001001001", preflight("http://10.1.2.3:8080", "GET", ""), 204,
			map[string]string{"Access-Control-Allow-Origin": "http://10.1.2.3:8080", "Access-Control-Allow-Methods": "GET"}},
		"preflight from another origin": {listed, "OPTIONS", "/v1/locate/batch", preflight("https://evil.example", "POST", ""), 403,
			map[string]string{"Access-Control-Allow-Origin": ""}},
		"preflight asking for a header not allowed": {listed, "OPTIONS", "/v1/info", preflight(wall, "GET", "X-Secret"), 400,
			map[string]string{"Access-Control-Allow-Methods": ""}},
		"preflight with cors off": {none, "OPTIONS", "/v1/info", preflight(wall, "GET", ""), 403,
			map[string]string{"Access-Control-Allow-Origin": ""}},
		"preflight to no route": {listed, "OPTIONS", "/v9/none", preflight(wall, "GET", ""), 404, nil},
		"any origin": {anyOrigin, "OPTIONS", "/v1/info", preflight("https://x.example", "GET", ""), 204,
			map[string]string{"Access-Control-Allow-Origin": "*"}},
		"simple request allowed": {listed, "GET", "/healthz", map[string]string{"Origin": wall}, 200,
			map[string]string{"Access-Control-Allow-Origin": wall, "Access-Control-Expose-Headers": "X-Request-Id, Retry-After, ETag, WWW-Authenticate, X-Component-Change, X-Dataset-Version"}},
		"simple request from another origin is answered without CORS headers": {listed, "GET", "/healthz", map[string]string{"Origin": "https://evil.example"}, 200,
			map[string]string{"Access-Control-Allow-Origin": ""}},
		"plain OPTIONS":          {none, "OPTIONS", "/v1/events", nil, 204, map[string]string{"Allow": "GET, POST"}},
		"other method still 405": {none, "DELETE", "/v1/info", nil, 405, map[string]string{"Allow": "GET"}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			rec := send(tc.srv.Handler(), tc.method, tc.path, tc.header, "")
			if rec.Code != tc.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, tc.status, rec.Body)
			}
			for k, want := range tc.headers {
				if got := rec.Header().Get(k); got != want {
					t.Errorf("%s = %q, want %q", k, got, want)
				}
			}
		})
	}
}

// TestPublicURL: TileJSON and styles carry the configured public URL, whatever Host the
// request names; without one they follow the request.
func TestPublicURL(t *testing.T) {
	set, _ := newOpsServer(t, api.Options{PublicURL: "https://gis.example.gov.cn/citygeo/"})
	unset, _ := newOpsServer(t, api.Options{})
	tests := map[string]struct {
		srv  *api.Server
		path string
		want string
	}{
		"tilejson, configured": {set, "/tiles/city.json", `"https://gis.example.gov.cn/citygeo/tiles/city/{z}/{x}/{y}.mvt"`},
		"style, configured":    {set, "/styles/wall.json", `https://gis.example.gov.cn/citygeo/tiles/city.json`},
		"tilejson, from Host":  {unset, "/tiles/city.json", `"http://example.com/tiles/city/{z}/{x}/{y}.mvt"`},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			req := send(tc.srv.Handler(), "GET", tc.path, nil, "") // Host: example.com
			body := req.Body.String()
			if req.Code != 200 || !strings.Contains(body, tc.want) {
				t.Errorf("%s: %d, want %s in\n%.400s", tc.path, req.Code, tc.want, body)
			}
			if tc.srv == set && strings.Contains(body, "example.com") {
				t.Errorf("%s names the request's Host with a public URL configured", tc.path)
			}
		})
	}
}
