package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"citygeo/bench/fieldload"
	"citygeo/cmd/citygeo/internal/api"
	"citygeo/data"
	"citygeo/data/sqlite"
	"citygeo/field"
	"citygeo/jt808"
)

// countingTracks counts the appends (group commits) a store receives and the fixes in them.
type countingTracks struct {
	*sqlite.Tracks
	appends, fixes atomic.Int64
}

func (c *countingTracks) Append(ctx context.Context, fs []data.Fix) error {
	c.appends.Add(1)
	c.fixes.Add(int64(len(fs)))
	return c.Tracks.Append(ctx, fs)
}

// report adds the mean group size and the CPU time per fix (user + system of the whole
// process, client included: on a shared machine the wall clock measures the neighbours too).
func (c *countingTracks) report(b *testing.B, cpu0 time.Duration, n int) {
	if a := c.appends.Load(); a > 0 {
		b.ReportMetric(float64(c.fixes.Load())/float64(a), "fixes/commit")
	}
	b.ReportMetric(float64((cpuTime()-cpu0).Nanoseconds())/1e3/float64(n), "cpu-µs/fix")
}

// cpuTime returns the CPU time the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// benchForce is a field force over a SQLite tracks file in a temporary folder.
func benchForce(b *testing.B) (*field.Force, *countingTracks) {
	b.Helper()
	st, err := sqlite.OpenTracks(filepath.Join(b.TempDir(), "tracks.db"))
	if err != nil {
		b.Fatal(err)
	}
	ct := &countingTracks{Tracks: st}
	f, err := field.Open(context.Background(), ct, field.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { f.Close(); st.Close() })
	return f, ct
}

// BenchmarkHTTPIngest posts batches of 1,000 fixes (200 handsets × 5) to POST /v1/positions
// over loopback from 8 connections, stored in a SQLite tracks file and acknowledged durable.
// The client and the server share this process's cores; bench/README.md has the run with
// them on separate cores.
func BenchmarkHTTPIngest(b *testing.B) {
	const devices, perDevice, clients = fieldload.Handsets, 5, 8
	f, ct := benchForce(b)
	token, hash, _ := api.NewToken()
	auth, _ := api.NewAuth(&api.AuthConfig{Tokens: []api.TokenHash{{Name: "d", Role: api.RoleDevice, SHA256: hash}}})
	srv := api.New(api.Options{Auth: auth, Field: f, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients}}
	base := time.Now().Add(-20 * time.Hour)
	var next atomic.Int64
	var wg sync.WaitGroup
	b.ResetTimer()
	start, cpu0 := time.Now(), cpuTime()
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var body []byte
			for i := int(next.Add(1)) - 1; i < b.N; i = int(next.Add(1)) - 1 {
				body = fieldload.FixesBody(body[:0], i, perDevice, base)
				req, _ := http.NewRequest("POST", ts.URL+"/v1/positions", bytes.NewReader(body))
				req.Header.Set("Authorization", "Bearer "+token)
				resp, err := client.Do(req)
				if err != nil {
					b.Error(err)
					return
				}
				out, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 || !bytes.HasPrefix(out, []byte(`{"accepted":1000,"rejected":[]}`)) {
					b.Errorf("status %d: %s", resp.StatusCode, out)
					return
				}
			}
		}()
	}
	wg.Wait()
	b.ReportMetric(float64(b.N*devices*perDevice)/time.Since(start).Seconds(), "fixes/s")
	ct.report(b, cpu0, b.N*devices*perDevice)
}

// BenchmarkJT808Ingest: 200 terminals on their own connections send location reports, each
// waiting for the platform's acknowledgement before the next (as terminals do), stored in a
// SQLite tracks file before each acknowledgement.
func BenchmarkJT808Ingest(b *testing.B) {
	const terminals = 200
	f, ct := benchForce(b)
	addr := serveJT808(b, f)
	tms := make([]*terminal, terminals)
	for i := range tms {
		tms[i] = dialTerminal(b, addr, fmt.Sprintf("139%08d", i), i%2 == 0)
		tms[i].login()
	}
	base := time.Now().Add(-20 * time.Hour).Truncate(time.Second)
	var next atomic.Int64
	var wg sync.WaitGroup
	b.ResetTimer()
	start, cpu0 := time.Now(), cpuTime()
	for w, tm := range tms {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := 0; next.Add(1) <= int64(b.N); k++ {
				tm.send(tm.frame(jt808.MsgLocation, fieldload.Location(w, k, base)))
				if r, ok := tryResponse(tm); !ok || r.Result != jt808.ResultOK {
					b.Errorf("terminal %d: %+v", w, r)
					return
				}
			}
		}()
	}
	wg.Wait()
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "reports/s")
	ct.report(b, cpu0, b.N)
}
