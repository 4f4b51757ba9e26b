// Command load is citygeo's HTTP load generator: it sends GET requests to one or more URLs of
// one host from a fixed number of keep-alive connections for a fixed time and reports
// throughput and latency percentiles (package bench/loadgen). It stops by itself and only
// targets the URLs it is given (run it against loopback).
//
//	go run ./bench/load -c 32 -d 10s -urls urls.txt
//	go run ./bench/load -c 8 -d 5s 'http://127.0.0.1:8080/v1/locate?lng=114.12&lat=22.55'
//	go run ./bench/load -c 4 -d 10s -post bodies.jsonl http://127.0.0.1:8080/v1/locate/batch
//
// Pin the server and the generator to different cores (taskset -c 0 / -c 1) so their
// figures are not measured on a shared core.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/url"
	"os"
	"strings"
	"time"

	"citygeo/bench/loadgen"
)

func main() {
	conns := flag.Int("c", 16, "concurrent connections")
	dur := flag.Duration("d", 5*time.Second, "duration (at most 5 minutes)")
	urlFile := flag.String("urls", "", "file with one URL per line (requests cycle through them)")
	header := flag.String("H", "", "extra header, e.g. 'Accept-Encoding: gzip'")
	asJSON := flag.Bool("json", false, "print the report as JSON")
	post := flag.String("post", "", "file of request bodies, one a line: POST them in turn to the one URL given (bench/side -bodies writes the batch measure's)")
	contentType := flag.String("type", "application/json", "Content-Type of the -post bodies")
	rate := flag.Float64("rate", 0, "requests per second offered over all connections, latency counted from when each was due (open loop); 0: each connection sends as soon as answered (closed loop)")
	flag.Parse()
	urls := flag.Args()
	if *urlFile != "" {
		more, err := readLines(*urlFile)
		if err != nil {
			fail(err)
		}
		urls = append(urls, more...)
	}
	if len(urls) == 0 || *conns < 1 || *dur <= 0 || *dur > 5*time.Minute {
		fmt.Fprintln(os.Stderr, "load: want at least one URL, -c ≥ 1 and 0 < -d ≤ 5m")
		os.Exit(2)
	}
	base, paths, err := splitURLs(urls)
	if err != nil {
		fail(err)
	}
	client, err := loadgen.NewHTTP(base, *conns, *header)
	if err != nil {
		fail(err)
	}
	do := client.GET(paths)
	if *post != "" {
		bodies, err := readLines(*post)
		if err != nil {
			fail(err)
		}
		if len(paths) != 1 || len(bodies) == 0 {
			fail(fmt.Errorf("-post wants one URL and a file of at least one body"))
		}
		do = client.POST(paths[0], *contentType, toBytes(bodies))
	}
	rep := loadgen.Run(context.Background(), loadgen.Options{Conns: *conns, Duration: *dur, Rate: *rate}, do)
	if *asJSON {
		_ = json.NewEncoder(os.Stdout).Encode(rep)
		return
	}
	fmt.Printf("%d requests in %v from %d connections: %.0f req/s, %d errors, %d non-2xx\n",
		rep.Requests, rep.Duration, *conns, rep.RPS, rep.Errors, rep.BadStatus)
	if rep.FirstError != "" {
		fmt.Println("first error:", rep.FirstError)
	}
	fmt.Printf("latency p50 %v  p90 %v  p99 %v  max %v\n", rep.P50, rep.P90, rep.P99, rep.Max)
}

// splitURLs returns the one scheme and host the URLs share and each one's request URI.
func splitURLs(urls []string) (string, []string, error) {
	var base string
	paths := make([]string, len(urls))
	for i, s := range urls {
		u, err := url.Parse(s)
		if err != nil {
			return "", nil, err
		}
		if b := u.Scheme + "://" + u.Host; base == "" {
			base = b
		} else if b != base {
			return "", nil, fmt.Errorf("%s: every URL must name the same host as %s", s, base)
		}
		paths[i] = u.RequestURI()
	}
	return base, paths, nil
}

func toBytes(lines []string) [][]byte {
	out := make([][]byte, len(lines))
	for i, l := range lines {
		out[i] = []byte(l)
	}
	return out
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "load:", err)
	os.Exit(2)
}

func readLines(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 16<<20) // a -post body of a batch is a long line
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); l != "" && !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	return out, sc.Err()
}
