package api_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"

	"citygeo/city"
	"citygeo/cmd/citygeo/internal/api"
	"citygeo/data"
	"citygeo/data/sample"
	"citygeo/tiles"
)

var smallOnce = sync.OnceValues(func() (*data.Dataset, error) {
	return sample.Generate(sample.Options{Grids: 500, Components: 3000, Seed: 5})
})

// newOpsServer serves a small sample city with a shared tile cache, as serve does, plus opts.
func newOpsServer(t testing.TB, opts api.Options) (*api.Server, *data.Dataset) {
	t.Helper()
	ds, err := smallOnce()
	if err != nil {
		t.Fatal(err)
	}
	served := city.New(nil, city.Options{TileCache: tiles.NewCache(0)}, quietLog)
	snap, err := city.Build(ds, served.Options())
	if err != nil {
		t.Fatal(err)
	}
	served.Swap(snap)
	opts.City = served
	if opts.Logger == nil {
		opts.Logger = quietLog
	}
	return api.New(opts), ds
}

// send does one request and returns the recorder.
func send(h http.Handler, method, url string, header map[string]string, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, url, strings.NewReader(body))
	for k, v := range header {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestRequestID(t *testing.T) {
	srv, _ := newOpsServer(t, api.Options{})
	h := srv.Handler()
	random := regexp.MustCompile(`^[0-9a-f]{16}$`)
	tests := map[string]struct {
		in   string
		echo bool // the answer carries in; otherwise a fresh random id
	}{
		"none":           {in: ""},
		"a gateway's id": {in: "3f2a9c1e-77b4-4e0a-9d0e-1b2c3d4e5f60", echo: true},
		"a trace header": {in: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", echo: true},
		"too long":       {in: strings.Repeat("a", 129)},
		"a space":        {in: "abc def"},
		"a quote":        {in: `abc"def`},
	}
	seen := map[string]bool{}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			rec := send(h, "GET", "/healthz", map[string]string{api.RequestIDHeader: tc.in}, "")
			got := rec.Header().Get(api.RequestIDHeader)
			switch {
			case tc.echo && got != tc.in:
				t.Errorf("X-Request-Id %q, want the client's %q", got, tc.in)
			case !tc.echo && !random.MatchString(got):
				t.Errorf("X-Request-Id %q, want a fresh 16-hex-digit id", got)
			}
			if !tc.echo && seen[got] {
				t.Errorf("id %q given twice", got)
			}
			seen[got] = true
		})
	}
}

// TestAccessLog: every request, refusals included, gets one JSON line carrying the id the
// client was answered with, the route pattern, the status and, when known, the token.
func TestAccessLog(t *testing.T) {
	var buf bytes.Buffer // requests run one at a time; slog's handler serialises its writes
	auth, toks := authWith(t, api.RoleReader)
	reader := toks[0]
	srv, ds := newOpsServer(t, api.Options{Logger: slog.New(slog.NewJSONHandler(&buf, nil)), Auth: auth, AccessLog: true})
	h := srv.Handler()
	g := ds.Grids[0]
	tests := map[string]struct {
		method, url, token string
		status             int
		route              string
		level              string
		tokenName, errCode string
	}{
		"read":          {"GET", "/v1/grids/" + g.Code, "", 200, "/v1/grids/:code", "INFO", "", ""},
		"unknown grid":  {"GET", "/v1/grids/440303001001999", "", 404, "/v1/grids/:code", "INFO", "", "not_found"},
		"no token":      {"POST", "/v1/datasets/1/activate", "", 401, "/v1/datasets/:version/activate", "WARN", "", "unauthorized"},
		"bad token":     {"POST", "/v1/events", "nope", 401, "/v1/events", "WARN", "", "unauthorized"},
		"wrong role":    {"POST", "/v1/events", reader, 403, "/v1/events", "WARN", "reader-1", "forbidden"},
		"no such route": {"GET", "/v2/nothing", "", 404, "unmatched", "INFO", "", "not_found"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			buf.Reset()
			hdr := map[string]string{}
			if tc.token != "" {
				hdr["Authorization"] = "Bearer " + tc.token
			}
			rec := send(h, tc.method, tc.url, hdr, "")
			if rec.Code != tc.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, tc.status, rec.Body)
			}
			lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
			if len(lines) != 1 {
				t.Fatalf("%d log lines, want 1: %q", len(lines), lines)
			}
			var l map[string]any
			if err := json.Unmarshal([]byte(lines[0]), &l); err != nil {
				t.Fatalf("log line is not JSON: %v: %s", err, lines[0])
			}
			want := map[string]any{"msg": "request", "level": tc.level, "request_id": rec.Header().Get(api.RequestIDHeader),
				"method": tc.method, "route": tc.route, "status": float64(tc.status)}
			if tc.tokenName != "" {
				want["token"] = tc.tokenName
			}
			if tc.errCode != "" {
				want["error"] = tc.errCode
			}
			for k, v := range want {
				if l[k] != v {
					t.Errorf("log %s = %v, want %v (line %s)", k, l[k], v, lines[0])
				}
			}
		})
	}
}

func TestMetrics(t *testing.T) {
	srv, ds := newOpsServer(t, api.Options{})
	h := srv.Handler()
	g := ds.Grids[0]
	for range 3 {
		send(h, "GET", "/v1/grids/"+g.Code, nil, "")
	}
	send(h, "GET", "/v1/grids/nope", nil, "")
	send(h, "POST", "/v1/events", nil, "{}")
	send(h, "BREW", "/v1/info", nil, "")
	for range 2 {
		if rec := send(h, "GET", "/tiles/city/14/13385/7138.mvt", nil, ""); rec.Code != 200 && rec.Code != 204 {
			t.Fatalf("tile: %d", rec.Code)
		}
	}
	rec := send(h, "GET", "/metrics", nil, "")
	if rec.Code != 200 {
		t.Fatalf("/metrics: %d", rec.Code)
	}
	text := rec.Body.String()
	for _, want := range []string{
		`citygeo_http_requests_total{method="GET",route="/v1/grids/:code",status="200"} 3`,
		`citygeo_http_requests_total{method="GET",route="/v1/grids/:code",status="400"} 1`,
		`citygeo_http_requests_total{method="POST",route="/v1/events",status="401"} 1`,
		`citygeo_http_requests_total{method="OTHER",route="unmatched",status="405"} 1`,
		`citygeo_http_request_duration_seconds_count{method="GET",route="/v1/grids/:code"} 4`,
		`citygeo_http_request_duration_seconds_bucket{method="GET",route="/tiles/:set/:z/:x/:y",le="+Inf"} 2`,
		`citygeo_tile_cache_hits_total{cache="city"} 1`,
		`citygeo_tile_cache_misses_total{cache="city"} 1`,
		`citygeo_tile_cache_tiles{cache="city"} 1`,
		`citygeo_tile_cache_budget_bytes{cache="events"}`,
		`citygeo_snapshot_version 1`,
		`citygeo_snapshot_build_seconds `,
		`citygeo_build_info{commit="",go="go`,
		`go_goroutines `,
		`process_resident_memory_bytes `,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if t.Failed() {
		t.Log(grep(text, "citygeo_"))
	}
}

func grep(text, prefix string) string {
	var out []string
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), prefix) {
			out = append(out, sc.Text())
		}
	}
	return strings.Join(out, "\n")
}

// authWith returns an Auth with one token of each role given, named <role>-1, and the clear
// tokens in the same order.
func authWith(t testing.TB, roles ...api.Role) (*api.Auth, []string) {
	t.Helper()
	var cfg api.AuthConfig
	toks := make([]string, len(roles))
	for i, r := range roles {
		tok, hash, err := api.NewToken()
		if err != nil {
			t.Fatal(err)
		}
		toks[i] = tok
		cfg.Tokens = append(cfg.Tokens, api.TokenHash{Name: string(r) + "-1", Role: r, SHA256: hash})
	}
	a, err := api.NewAuth(&cfg)
	if err != nil {
		t.Fatal(err)
	}
	return a, toks
}
