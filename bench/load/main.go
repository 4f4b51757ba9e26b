// Command load is citygeo's HTTP load generator: it sends GET requests to one or more URLs from
// a fixed number of keep-alive connections for a fixed time and reports throughput and latency
// percentiles. It stops by itself and only targets the URLs it is given (run it against
// loopback).
//
//	go run ./bench/load -c 32 -d 10s -urls urls.txt
//	go run ./bench/load -c 8 -d 5s 'http://127.0.0.1:8080/v1/locate?lng=114.12&lat=22.55'
//
// Pin the server and the generator to different cores (taskset -c 0 / -c 1) so their
// figures are not measured on a shared core.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	conns := flag.Int("c", 16, "concurrent connections")
	dur := flag.Duration("d", 5*time.Second, "duration (at most 5 minutes)")
	urlFile := flag.String("urls", "", "file with one URL per line (requests cycle through them)")
	header := flag.String("H", "", "extra header, e.g. 'Accept-Encoding: gzip'")
	asJSON := flag.Bool("json", false, "print the report as JSON")
	flag.Parse()
	urls := flag.Args()
	if *urlFile != "" {
		more, err := readLines(*urlFile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "load:", err)
			os.Exit(2)
		}
		urls = append(urls, more...)
	}
	if len(urls) == 0 || *conns < 1 || *dur <= 0 || *dur > 5*time.Minute {
		fmt.Fprintln(os.Stderr, "load: want at least one URL, -c ≥ 1 and 0 < -d ≤ 5m")
		os.Exit(2)
	}
	rep := run(urls, *conns, *dur, *header)
	if *asJSON {
		_ = json.NewEncoder(os.Stdout).Encode(rep)
		return
	}
	fmt.Printf("%d requests in %v from %d connections: %.0f req/s, %d errors, %d non-2xx\n",
		rep.Requests, rep.Duration, *conns, rep.RPS, rep.Errors, rep.Non2xx)
	fmt.Printf("latency p50 %v  p90 %v  p99 %v  max %v\n", rep.P50, rep.P90, rep.P99, rep.Max)
}

// Report is one run's result.
type Report struct {
	Requests int64         `json:"requests"`
	Errors   int64         `json:"errors"`
	Non2xx   int64         `json:"non_2xx"`
	Duration time.Duration `json:"duration_ns"`
	RPS      float64       `json:"rps"`
	P50      time.Duration `json:"p50_ns"`
	P90      time.Duration `json:"p90_ns"`
	P99      time.Duration `json:"p99_ns"`
	Max      time.Duration `json:"max_ns"`
}

func run(urls []string, conns int, dur time.Duration, header string) Report {
	tr := &http.Transport{MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns, DisableCompression: true}
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	hk, hv, _ := strings.Cut(header, ":")
	var (
		mu        sync.Mutex
		lat       []time.Duration
		n, errs   atomic.Int64
		non2xx    atomic.Int64
		wg        sync.WaitGroup
		deadline  = time.Now().Add(dur)
		startWall = time.Now()
	)
	for w := 0; w < conns; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			local := make([]time.Duration, 0, 1<<16)
			for i := w; time.Now().Before(deadline); i++ {
				req, _ := http.NewRequest("GET", urls[i%len(urls)], nil)
				if hk != "" {
					req.Header.Set(strings.TrimSpace(hk), strings.TrimSpace(hv))
				}
				t0 := time.Now()
				resp, err := client.Do(req)
				if err != nil {
					errs.Add(1)
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				local = append(local, time.Since(t0))
				n.Add(1)
				if resp.StatusCode < 200 || resp.StatusCode > 299 {
					non2xx.Add(1)
				}
			}
			mu.Lock()
			lat = append(lat, local...)
			mu.Unlock()
		}(w)
	}
	wg.Wait()
	elapsed := time.Since(startWall)
	slices.Sort(lat)
	pct := func(p float64) time.Duration {
		if len(lat) == 0 {
			return 0
		}
		return lat[int(p*float64(len(lat)-1))]
	}
	return Report{Requests: n.Load(), Errors: errs.Load(), Non2xx: non2xx.Load(), Duration: elapsed,
		RPS: float64(n.Load()) / elapsed.Seconds(), P50: pct(0.5), P90: pct(0.9), P99: pct(0.99), Max: pct(1)}
}

func readLines(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); l != "" && !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	return out, sc.Err()
}
