package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptrace"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"citygeo/city"
	"citygeo/cmd/citygeo/internal/api"
	"citygeo/cmd/citygeo/internal/config"
	"citygeo/data"
	"citygeo/data/sample"
)

// testServer serves a small sample city on a loopback port with the serve command's HTTP
// server, tracker and drain. Cancelling the returned context is SIGTERM.
type testServer struct {
	url    string
	ds     *data.Dataset
	cancel context.CancelFunc
	done   chan struct{} // closed when runHTTP has returned err
	err    error
	log    *bytes.Buffer // read once the server has stopped; slog's handler serialises writes
}

func startTestServer(t *testing.T, hc config.HTTP, drain drainOptions) *testServer {
	t.Helper()
	ds, err := sample.Generate(sample.Options{Grids: 500, Components: 3000, Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	served := city.New(nil, city.Options{}, nil)
	snap, err := city.Build(ds, served.Options())
	if err != nil {
		t.Fatal(err)
	}
	served.Swap(snap)
	logs := &bytes.Buffer{}
	log := slog.New(slog.NewJSONHandler(logs, nil))
	srv := api.New(api.Options{City: served, Logger: log})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	tr := newConnTracker()
	ctx, cancel := context.WithCancel(context.Background())
	ts := &testServer{url: "http://" + ln.Addr().String(), ds: ds, cancel: cancel, done: make(chan struct{}), log: logs}
	go func() {
		ts.err = runHTTP(ctx, httpServer(hc, srv.Handler(), tr), ln, tr, drain, srv.Drain, log)
		close(ts.done)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-ts.done:
		case <-time.After(60 * time.Second):
			t.Error("server did not stop")
		}
	})
	return ts
}

// batchBody is a locate batch of n points inside the city.
func batchBody(ds *data.Dataset, n int, rng *rand.Rand) []byte {
	b := ds.Bound()
	req := api.LocateBatchRequest{Points: make([]api.BatchPoint, n)}
	for i := range req.Points {
		lng := b.Min[0] + rng.Float64()*(b.Max[0]-b.Min[0])
		lat := b.Min[1] + rng.Float64()*(b.Max[1]-b.Min[1])
		req.Points[i] = api.BatchPoint{ID: fmt.Sprint(i), Lng: &lng, Lat: &lat}
	}
	out, _ := json.Marshal(req)
	return out
}

// TestDrainAnswersInFlight sends 100 large locate batches, half on kept-alive connections that
// were idle a moment before and half on new ones, and stops the server (SIGTERM) once every
// request has been written: all 100 must be answered in full, /readyz must turn 503 at once
// while the listener still answers, and the log must say the drain finished.
func TestDrainAnswersInFlight(t *testing.T) {
	if testing.Short() {
		t.Skip("load test; skipped in -short")
	}
	const requests, points = 100, 1000
	hc := config.Default().HTTP
	ts := startTestServer(t, hc, drainOptions{Timeout: hc.DrainTimeout})
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: requests, MaxConnsPerHost: 0}}
	defer client.CloseIdleConnections()
	// Warm up 50 connections, then leave them idle in the client's pool.
	var warm sync.WaitGroup
	for range requests / 2 {
		warm.Go(func() {
			if resp, err := client.Get(ts.url + "/healthz"); err == nil {
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		})
	}
	warm.Wait()

	rng := rand.New(rand.NewPCG(1, 2))
	bodies := make([][]byte, requests)
	for i := range bodies {
		bodies[i] = batchBody(ts.ds, points, rng)
	}
	type result struct {
		status  int
		located int
		err     error
	}
	results := make([]result, requests)
	var written, answered sync.WaitGroup
	written.Add(requests)
	for i := range requests {
		answered.Go(func() {
			var once sync.Once
			trace := &httptrace.ClientTrace{WroteRequest: func(httptrace.WroteRequestInfo) { once.Do(written.Done) }}
			req, _ := http.NewRequestWithContext(httptrace.WithClientTrace(context.Background(), trace), "POST", ts.url+"/v1/locate/batch", bytes.NewReader(bodies[i]))
			req.Header.Set("Content-Type", "application/json")
			resp, err := client.Do(req)
			once.Do(written.Done)
			if err != nil {
				results[i].err = err
				return
			}
			defer resp.Body.Close()
			var body struct {
				Results []json.RawMessage `json:"results"`
			}
			results[i].status = resp.StatusCode
			results[i].err = json.NewDecoder(resp.Body).Decode(&body)
			results[i].located = len(body.Results)
		})
	}
	written.Wait()
	ts.cancel() // SIGTERM
	sigterm := time.Now()

	// Readiness turns at once (the first probe sent after SIGTERM already fails, however long
	// the busy server takes to answer it), and the listener still answers it.
	ready := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 30 * time.Second}
	resp, err := ready.Get(ts.url + "/readyz")
	if err != nil {
		t.Errorf("readyz during the drain: %v", err)
		resp = &http.Response{Body: http.NoBody}
	}
	resp.Body.Close()
	probe := time.Since(sigterm)
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("/readyz just after SIGTERM: %d, want 503", resp.StatusCode)
	}
	answered.Wait()
	drained := time.Since(sigterm)
	ok := 0
	for i, r := range results {
		switch {
		case r.err != nil:
			t.Errorf("request %d: %v", i, r.err)
		case r.status != 200 || r.located != points:
			t.Errorf("request %d: status %d, %d results, want 200 and %d", i, r.status, r.located, points)
		default:
			ok++
		}
	}
	<-ts.done
	if ts.err != nil {
		t.Fatalf("runHTTP: %v", ts.err)
	}
	t.Logf("SIGTERM with %d batches of %d points in flight: %d answered in full; the first /readyz probe got 503 (answered in %v under load); all answered %v after SIGTERM",
		requests, points, ok, probe.Round(time.Millisecond), drained.Round(time.Millisecond))
	if logs := ts.log.String(); !strings.Contains(logs, `"msg":"draining`) || !strings.Contains(logs, `"msg":"drained`) {
		t.Errorf("log does not say the drain started and finished:\n%s", logs)
	}
}

// TestSlowClientCutOff: a client that sends its body a byte at a time no longer holds its
// connection past the read timeout.
func TestSlowClientCutOff(t *testing.T) {
	hc := config.Default().HTTP
	hc.ReadTimeout = 300 * time.Millisecond
	ts := startTestServer(t, hc, drainOptions{Timeout: time.Second})
	conn, err := net.Dial("tcp", strings.TrimPrefix(ts.url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /v1/locate/batch HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{")
	start := time.Now()
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, err = io.ReadAll(conn) // returns when the server closes the connection
	if took := time.Since(start); err != nil || took > 3*time.Second {
		t.Fatalf("connection held %v (err %v); want it closed after the 300 ms read timeout", took, err)
	}
}

// TestServeSIGTERM runs `citygeo serve` on a store as its own process and stops it with a real
// SIGTERM: it exits 0 and its JSON log says it drained, closed the events store and stopped.
func TestServeSIGTERM(t *testing.T) {
	if testing.Short() {
		t.Skip("process test; skipped in -short")
	}
	dir := t.TempDir()
	db := filepath.Join(dir, "city.db")
	if out, err := run(t, "gen", "--grids", "500", "--components", "2000", "--store", db); err != nil {
		t.Fatalf("gen: %v\n%s", err, out)
	}
	cmd := exec.Command(os.Args[0], "serve", "--store", db, "--addr", "127.0.0.1:0", "--log-format", "json")
	cmd.Env = append(os.Environ(), "CITYGEO_MAIN=1")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var logs []string
	sc := bufio.NewScanner(stderr)
	addr := ""
	for addr == "" && sc.Scan() {
		logs = append(logs, sc.Text())
		var l struct{ Msg, Addr string }
		if json.Unmarshal(sc.Bytes(), &l) == nil && l.Msg == "citygeo serving" {
			addr = l.Addr
		}
	}
	if addr == "" {
		cmd.Process.Kill()
		t.Fatalf("serve did not start:\n%s", strings.Join(logs, "\n"))
	}
	resp, err := http.Get(addr + "/readyz")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("readyz: %v %v", resp, err)
	}
	resp.Body.Close()
	cmd.Process.Signal(syscall.SIGTERM)
	for sc.Scan() {
		logs = append(logs, sc.Text())
	}
	if err := cmd.Wait(); err != nil {
		t.Errorf("serve after SIGTERM: %v, want exit 0", err)
	}
	all := strings.Join(logs, "\n")
	for _, want := range []string{`"msg":"draining`, `"msg":"drained`, `"msg":"events store closed"`, `"msg":"citygeo stopped"`} {
		if !strings.Contains(all, want) {
			t.Errorf("log lacks %s:\n%s", want, all)
		}
	}
}
