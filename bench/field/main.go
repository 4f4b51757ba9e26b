// Command field is the load generator of the field force's two doors: handsets posting
// batches of fixes to POST /v1/positions, and JT/T 808 terminals sending location reports, each
// waiting for the platform's acknowledgement as real terminals do. It runs for a fixed time and
// reports fixes per second and acknowledgement latency. It only targets the address it is
// given (run it against loopback).
//
//	citygeo token --name load --role device        # once; put the line in tokens.json
//	taskset -c 0 citygeo serve --auth tokens.json --tracks /tmp/t.db --jt808 127.0.0.1:7808 &
//	taskset -c 1 go run ./bench/field -http 127.0.0.1:8080 -token $TOKEN -d 10s
//	taskset -c 1 go run ./bench/field -jt808 127.0.0.1:7808 -c 200 -d 10s
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"citygeo/bench/fieldload"
	"citygeo/jt808"
)

func main() {
	httpAddr := flag.String("http", "", "HTTP address of citygeo serve (HOST:PORT)")
	token := flag.String("token", "", "a device token for POST /v1/positions")
	jtAddr := flag.String("jt808", "", "JT/T 808 address of citygeo serve (HOST:PORT)")
	conns := flag.Int("c", 8, "connections (HTTP clients or terminals)")
	batch := flag.Int("batch", 1000, "fixes per HTTP request (200 handsets × batch/200)")
	dur := flag.Duration("d", 10*time.Second, "duration (at most 5 minutes)")
	flag.Parse()
	if (*httpAddr == "") == (*jtAddr == "") || *conns < 1 || *dur <= 0 || *dur > 5*time.Minute {
		fmt.Fprintln(os.Stderr, "field: want one of -http or -jt808, -c ≥ 1 and 0 < -d ≤ 5m")
		os.Exit(2)
	}
	var r *result
	if *httpAddr != "" {
		r = runHTTP(*httpAddr, *token, *conns, *batch, *dur)
	} else {
		r = runJT808(*jtAddr, *conns, *dur)
	}
	slices.Sort(r.lat)
	pct := func(p float64) time.Duration {
		if len(r.lat) == 0 {
			return 0
		}
		return r.lat[int(p*float64(len(r.lat)-1))]
	}
	fmt.Printf("%d fixes acknowledged in %v from %d connections: %.0f fixes/s, %d errors\n",
		r.fixes.Load(), r.took.Round(time.Millisecond), *conns, float64(r.fixes.Load())/r.took.Seconds(), r.errs.Load())
	fmt.Printf("acknowledgement latency p50 %v  p90 %v  p99 %v\n", pct(0.5), pct(0.9), pct(0.99))
}

type result struct {
	fixes, errs atomic.Int64
	mu          sync.Mutex
	lat         []time.Duration
	took        time.Duration
}

func (r *result) ack(n int, since time.Time) {
	r.fixes.Add(int64(n))
	d := time.Since(since)
	r.mu.Lock()
	r.lat = append(r.lat, d)
	r.mu.Unlock()
}

// run calls work on each of conns goroutines until dur has passed.
func run(conns int, dur time.Duration, work func(w int, deadline time.Time)) time.Duration {
	start := time.Now()
	deadline := start.Add(dur)
	var wg sync.WaitGroup
	for w := range conns {
		wg.Add(1)
		go func() { defer wg.Done(); work(w, deadline) }()
	}
	wg.Wait()
	return time.Since(start)
}

// runHTTP posts batches of fixes: 200 handsets, each batch carrying the next batch/200 fixes of
// every one, as a gateway relaying handsets does.
func runHTTP(addr, token string, conns, batch int, dur time.Duration) *result {
	r := &result{}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: conns}, Timeout: 30 * time.Second}
	base := time.Now().Add(-20 * time.Hour)
	var next atomic.Int64
	per := max(batch/fieldload.Handsets, 1)
	r.took = run(conns, dur, func(_ int, deadline time.Time) {
		var body []byte
		for time.Now().Before(deadline) {
			i := int(next.Add(1))
			body = fieldload.FixesBody(body[:0], i, per, base)
			req, _ := http.NewRequest("POST", "http://"+addr+"/v1/positions", bytes.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+token)
			t0 := time.Now()
			resp, err := client.Do(req)
			if err != nil {
				r.errs.Add(1)
				continue
			}
			var rep struct{ Accepted int }
			err = json.NewDecoder(resp.Body).Decode(&rep)
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if err != nil || resp.StatusCode != 200 {
				r.errs.Add(1)
				continue
			}
			r.ack(rep.Accepted, t0)
		}
	})
	return r
}

// runJT808 connects conns terminals, logs each in, and has each send location reports one at a
// time, waiting for every acknowledgement.
func runJT808(addr string, conns int, dur time.Duration) *result {
	r := &result{}
	terms := make([]*jt808.Terminal, conns)
	for w := range terms {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			fmt.Fprintln(os.Stderr, "field:", err)
			os.Exit(1)
		}
		defer c.Close()
		terms[w] = jt808.NewTerminal(c, fmt.Sprintf("1380000%04d", w), w%2 == 0)
		if err := terms[w].Login(fieldload.Register(w), "861234567890123"); err != nil {
			fmt.Fprintln(os.Stderr, "field: login:", err)
			os.Exit(1)
		}
	}
	base := time.Now().Add(-20 * time.Hour).Truncate(time.Second)
	r.took = run(conns, dur, func(w int, deadline time.Time) {
		tm := terms[w]
		for k := 0; time.Now().Before(deadline); k++ {
			body := fieldload.Location(w, k, base)
			t0 := time.Now()
			if err := tm.Send(jt808.MsgLocation, body); err != nil {
				r.errs.Add(1)
				return
			}
			resp, err := tm.Response()
			if err != nil || resp.Result != jt808.ResultOK {
				r.errs.Add(1)
				return
			}
			r.ack(1, t0)
		}
	})
	return r
}
