package loadgen_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"citygeo/bench/loadgen"
)

// TestRunHTTP drives a real HTTP server and checks the report against what the server saw:
// every answered request counted once, bad statuses apart, refused connections as errors,
// the paths taken in turn across workers.
func TestRunHTTP(t *testing.T) {
	var served, teapots atomic.Int64
	seen := make(chan string, 1<<20)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		served.Add(1)
		select {
		case seen <- r.URL.RequestURI():
		default:
		}
		if r.URL.Path == "/teapot" {
			teapots.Add(1)
			w.WriteHeader(http.StatusTeapot)
			return
		}
		time.Sleep(100 * time.Microsecond)
	}))
	defer srv.Close()

	tests := map[string]struct {
		paths   []string
		wantBad bool
	}{
		"ok":              {paths: []string{"/a?x=1", "/b"}},
		"teapot is a bad": {paths: []string{"/teapot"}, wantBad: true},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			served.Store(0)
			teapots.Store(0)
			for len(seen) > 0 {
				<-seen
			}
			h, err := loadgen.NewHTTP(srv.URL, 4, "X-Bench: 1")
			if err != nil {
				t.Fatal(err)
			}
			r := loadgen.Run(context.Background(), loadgen.Options{Conns: 4, Duration: 300 * time.Millisecond}, h.GET(tc.paths))
			if r.Requests == 0 || r.Errors != 0 || r.Requests != served.Load() {
				t.Errorf("%d answered, %d errors (%s); the server answered %d", r.Requests, r.Errors, r.FirstError, served.Load())
			}
			if bad := r.BadStatus; (bad == r.Requests) != tc.wantBad || bad != teapots.Load() {
				t.Errorf("%d bad statuses of %d, the server sent %d", bad, r.Requests, teapots.Load())
			}
			if r.P50 <= 0 || r.P99 < r.P50 || r.Max < r.P99 || r.RPS <= 0 {
				t.Errorf("p50 %v p99 %v max %v, %.0f/s", r.P50, r.P99, r.Max, r.RPS)
			}
			// Requests take the paths in turn: the counts differ by no more than the requests
			// in flight when the run ended.
			count := map[string]int{}
			for len(seen) > 0 {
				count[<-seen]++
			}
			if r.Requests < int64(len(tc.paths)+4) {
				t.Logf("only %d requests in the run (a busy machine): turns not checked", r.Requests)
				return
			}
			for _, p := range tc.paths {
				if d := count[p] - count[tc.paths[0]]; count[p] == 0 || d > 4 || d < -4 {
					t.Errorf("paths visited %v; want each of %v about as often", count, tc.paths)
				}
			}
		})
	}
}

// TestRunRefused counts requests to a closed port as errors, with the first one's message.
func TestRunRefused(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	h, err := loadgen.NewHTTP(url, 2, "")
	if err != nil {
		t.Fatal(err)
	}
	r := loadgen.Run(context.Background(), loadgen.Options{Conns: 2, Duration: 100 * time.Millisecond}, h.GET([]string{"/"}))
	if r.Errors == 0 || r.Requests != 0 || r.FirstError == "" {
		t.Errorf("%d errors (%q), %d answered; want only errors", r.Errors, r.FirstError, r.Requests)
	}
}

// TestRunOpenLoop: with a Rate the run sends about Rate requests a second whatever the server
// does, and a stall shows in the percentiles: the requests due while one was stuck count their
// wait, where the closed loop records one slow request and sends fewer.
func TestRunOpenLoop(t *testing.T) {
	if testing.Short() {
		t.Skip("timing test")
	}
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 200 {
			time.Sleep(60 * time.Millisecond) // one stall, on the only connection
		}
	}))
	defer srv.Close()
	run := func(rate float64) loadgen.Report {
		h, err := loadgen.NewHTTP(srv.URL, 1, "")
		if err != nil {
			t.Fatal(err)
		}
		n.Store(0)
		return loadgen.Run(context.Background(), loadgen.Options{Conns: 1, Duration: time.Second, Rate: rate}, h.GET([]string{"/"}))
	}
	open := run(1000)
	if open.Errors != 0 || open.Requests < 800 || open.Requests > 1050 {
		t.Errorf("open loop at 1000/s for 1 s: %d requests, %d errors (%s)", open.Requests, open.Errors, open.FirstError)
	}
	// About 60 requests fell due during the stall, waiting 60 ms down to 0: the slowest 1 % of
	// a thousand waited 50 ms or more.
	if open.P99 < 30*time.Millisecond {
		t.Errorf("open loop p99 %v; the 60 ms stall should hold up the requests due during it", open.P99)
	}
	if closed := run(0); closed.Requests > 300 && closed.P99 >= 30*time.Millisecond {
		t.Errorf("closed loop p99 %v over %d requests; one stalled request is under 1 %%", closed.P99, closed.Requests)
	}
}
