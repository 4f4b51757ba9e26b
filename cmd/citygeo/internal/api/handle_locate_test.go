package api_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/paulmach/orb"

	"citygeo/cmd/citygeo/internal/api"
	"citygeo/geo"
)

// TestLocateAllocatesNothing: GET /v1/locate through the whole gin stack (request id, metrics,
// recovery, CORS, auth, rate limit, area guard, the handler and its answer) allocates nothing
// for point → grid, beyond what the writer does; nearest of a class one string. net/http's own
// allocations for reading a request are not in this count (the request is built once).
func TestLocateAllocatesNothing(t *testing.T) {
	if testing.CoverMode() != "" || raceEnabled {
		t.Skip("instrumented builds allocate")
	}
	srv, ds := newSampleServer(t)
	h := srv.Handler()
	bd := ds.Bound()
	rng := rand.New(rand.NewPCG(7, 8))
	for _, tc := range []struct {
		name, query string
		allowed     float64
	}{
		{"point → grid", "k=0", 0},
		// data.Component.Class joins major and minor into a new string for the answer.
		{"nearest of a class", "k=1&radius=5000&class=0118", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			reqs := make([]*http.Request, 64)
			for i := range reqs {
				reqs[i] = httptest.NewRequest("GET", fmt.Sprintf("/v1/locate?lng=%.7f&lat=%.7f&crs=cgcs2000&%s",
					bd.Min[0]+rng.Float64()*(bd.Max[0]-bd.Min[0]), bd.Min[1]+rng.Float64()*(bd.Max[1]-bd.Min[1]), tc.query), nil)
			}
			w := &discardWriter{h: http.Header{}}
			i := 0
			serve := func() {
				clear(w.h)
				w.status = 0
				h.ServeHTTP(w, reqs[i%len(reqs)])
				i++
				if w.status != http.StatusOK {
					t.Fatalf("status %d", w.status)
				}
			}
			for range 2 * len(reqs) { // pools and the route's metric children
				serve()
			}
			if n := testing.AllocsPerRun(2000, serve); n > tc.allowed {
				t.Errorf("%.2f allocations a request, want at most %v", n, tc.allowed)
			}
		})
	}
}

// TestDataJSONMatchesGin: the locate answer's headers and bytes are those gin's c.Data writes
// for the same body: Content-Type, Content-Length (short and past the preformatted lengths),
// status.
func TestDataJSONMatchesGin(t *testing.T) {
	srv, ds := newSampleServer(t)
	g := ds.Grids[0]
	rec := httptest.NewRecorder()
	srv.Handler().ServeHTTP(rec, httptest.NewRequest("GET", fmt.Sprintf("/v1/locate?lng=%.8f&lat=%.8f&crs=cgcs2000&k=100&radius=5000", interior(g)[0], interior(g)[1]), nil))
	if rec.Code != 200 || rec.Body.Len() < 4096 {
		t.Fatalf("want a long answer to check the unformatted length: %d, %d bytes", rec.Code, rec.Body.Len())
	}
	for _, body := range [][]byte{[]byte(`{}`), rec.Body.Bytes()[:500], rec.Body.Bytes()} {
		gin.SetMode(gin.ReleaseMode)
		want := httptest.NewRecorder()
		wc, _ := gin.CreateTestContext(want)
		wc.Data(http.StatusOK, "application/json; charset=utf-8", body)
		got := httptest.NewRecorder()
		gc, _ := gin.CreateTestContext(got)
		api.DataJSONForTest(gc, body)
		if got.Code != want.Code || got.Body.String() != want.Body.String() || fmt.Sprint(got.Header()) != fmt.Sprint(want.Header()) {
			t.Errorf("%d bytes: got %d %v, want %d %v", len(body), got.Code, got.Header(), want.Code, want.Header())
		}
	}
}

// TestLocateServesEditedGrid: after a grid is deleted over HTTP, GET /v1/locate at a point
// inside it answers what the snapshot's Locate (which reads the edits) answers, byte for byte
// as encoding/json writes it: not the deleted grid.
func TestLocateServesEditedGrid(t *testing.T) {
	env := newDatasetEnv(t, 0)
	h := env.srv.Handler()
	g := env.ds.Grids[len(env.ds.Grids)/2]
	c := interior(g)
	lng, lat := fmt.Sprintf("%.8f", c[0]), fmt.Sprintf("%.8f", c[1])
	url := "/v1/locate?lng=" + lng + "&lat=" + lat + "&crs=cgcs2000&k=0"
	p := orb.Point{mustFloat(t, lng), mustFloat(t, lat)}
	locate := func() (string, map[string]any) {
		rec := sendRaw(t, h, "GET", url, env.read, nil)
		if rec.Code != 200 {
			t.Fatalf("GET %s: %d %s", url, rec.Code, rec.Body)
		}
		return rec.Body.String(), jsonOf(t, rec)
	}
	if _, before := locate(); before["grid"].(map[string]any)["code"] != g.Code {
		t.Fatalf("before the edit: %v, want grid %s", before["grid"], g.Code)
	}
	// Its components first: a grid they name is not deleted from under them.
	get := sendRaw(t, h, "GET", "/v1/features/grids/"+g.Code, env.read, nil)
	if rec := sendRaw(t, h, "DELETE", "/v1/features/grids/"+g.Code, env.gis, nil, "If-Match", get.Header().Get("ETag")); rec.Code != http.StatusUnprocessableEntity ||
		!strings.Contains(rec.Body.String(), "grid.in_use") {
		t.Fatalf("DELETE a grid its components name: %d %s, want 422 grid.in_use", rec.Code, rec.Body)
	}
	for _, comp := range env.ds.Components {
		if comp.Grid == g.Code {
			cg := sendRaw(t, h, "GET", "/v1/components/"+comp.ID, env.read, nil)
			if rec := sendRaw(t, h, "DELETE", "/v1/components/"+comp.ID, env.gis, nil, "If-Match", cg.Header().Get("ETag")); rec.Code != 200 {
				t.Fatalf("DELETE component %s: %d %s", comp.ID, rec.Code, rec.Body)
			}
		}
	}
	if rec := sendRaw(t, h, "DELETE", "/v1/features/grids/"+g.Code, env.gis, nil, "If-Match", get.Header().Get("ETag")); rec.Code != 200 {
		t.Fatalf("DELETE grid: %d %s", rec.Code, rec.Body)
	}
	body, after := locate()
	if grid, _ := after["grid"].(map[string]any); grid != nil && grid["code"] == g.Code {
		t.Errorf("locate after DELETE still answers grid %s", g.Code)
	}
	want, _ := env.srv.Current().Locate(p, p, geo.CGCS2000, geo.NearestQuery{}, nil)
	wb, err := json.Marshal(want)
	if err != nil {
		t.Fatal(err)
	}
	if body != string(wb) {
		t.Errorf("locate after DELETE:\n got %s\nwant %s", body, wb)
	}
}

func mustFloat(t *testing.T, s string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatal(err)
	}
	return v
}
