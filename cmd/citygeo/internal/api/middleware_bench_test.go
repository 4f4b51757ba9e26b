package api_test

import (
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gin-gonic/gin"

	"citygeo/cmd/citygeo/internal/api"
)

// BenchmarkStack weighs the middleware stack (request id, metrics, recovery, CORS, auth, rate
// limit, area guard; access log off, then on as serve has it by default, then through slog's own
// JSON handler) against bare gin: an empty handler
// on gin.New() and on the real router, then the point → grid and nearest-lamp routes. Requests
// are built once and the writer discards, so allocs/op is the server's alone; cpu-ns/op is the
// process's CPU time per request, the figure a busy machine does not move.
func BenchmarkStack(b *testing.B) {
	srv, ds := newSampleServer(b)
	empty := func(c *gin.Context) { c.Data(http.StatusOK, "application/json; charset=utf-8", []byte("{}")) }
	api.HandleForTest(srv, api.Route{Method: "GET", Path: "/empty", Access: api.Read, Handle: empty})
	// serve's default: an access log line per request, JSON (api.NewJSONLog), here to io.Discard;
	// and the same line built as a slog record by slog's own JSON handler
	logged := api.New(api.Options{Logger: slog.New(api.NewJSONLog(io.Discard, nil)), AccessLog: true})
	logged.Swap(srv.Current())
	api.HandleForTest(logged, api.Route{Method: "GET", Path: "/empty", Access: api.Read, Handle: empty})
	viaSlog := api.New(api.Options{Logger: slog.New(slog.NewJSONHandler(io.Discard, nil)), AccessLog: true})
	viaSlog.Swap(srv.Current())
	api.HandleForTest(viaSlog, api.Route{Method: "GET", Path: "/empty", Access: api.Read, Handle: empty})
	gin.SetMode(gin.ReleaseMode)
	bare := gin.New()
	bare.GET("/empty", empty)

	bd := ds.Bound()
	rng := rand.New(rand.NewPCG(3, 4))
	points := func(query string) []*http.Request {
		reqs := make([]*http.Request, 1024)
		for i := range reqs {
			reqs[i] = httptest.NewRequest("GET", fmt.Sprintf("/v1/locate?lng=%.7f&lat=%.7f&crs=cgcs2000&%s",
				bd.Min[0]+rng.Float64()*(bd.Max[0]-bd.Min[0]), bd.Min[1]+rng.Float64()*(bd.Max[1]-bd.Min[1]), query), nil)
		}
		return reqs
	}
	emptyReq := []*http.Request{httptest.NewRequest("GET", "/empty", nil)}
	for _, tc := range []struct {
		name string
		h    http.Handler
		reqs []*http.Request
	}{
		{"empty/bare gin", bare, emptyReq},
		{"empty/citygeo stack", srv.Handler(), emptyReq},
		{"locate grid", srv.Handler(), points("k=0")},
		{"nearest lamp", srv.Handler(), points("k=1&class=0118")},
		{"access log/empty", logged.Handler(), emptyReq},
		{"access log/locate grid", logged.Handler(), points("k=0")},
		{"access log through slog/empty", viaSlog.Handler(), emptyReq},
	} {
		b.Run(tc.name, func(b *testing.B) {
			w := &discardWriter{h: http.Header{}}
			b.ReportAllocs()
			cpu := processCPU()
			for i := 0; b.Loop(); i++ {
				clear(w.h)
				w.status = 0
				tc.h.ServeHTTP(w, tc.reqs[i%len(tc.reqs)])
				if w.status != http.StatusOK {
					b.Fatalf("status %d", w.status)
				}
			}
			b.ReportMetric(float64((processCPU()-cpu).Nanoseconds())/float64(b.N), "cpu-ns/op")
		})
	}
}

// discardWriter is a ResponseWriter that keeps the status and drops the body.
type discardWriter struct {
	h      http.Header
	status int
}

func (w *discardWriter) Header() http.Header { return w.h }

func (w *discardWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return len(b), nil
}

func (w *discardWriter) WriteHeader(code int) { w.status = code }
