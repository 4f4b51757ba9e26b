package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
	"golang.org/x/time/rate"

	"citygeo/data/sample"
)

// soakDuration is how long TestSoak runs at load: CITYGEO_SOAK (a duration; the manual mode
// is 10m or more), else one minute in CI (CI set), else the test is skipped.
func soakDuration(t *testing.T) time.Duration {
	if s := os.Getenv("CITYGEO_SOAK"); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil || d < 10*time.Second {
			t.Fatalf("CITYGEO_SOAK=%q: want a duration of at least 10s", s)
		}
		return d
	}
	if os.Getenv("CI") != "" && !testing.Short() {
		return time.Minute
	}
	t.Skip("soak: set CITYGEO_SOAK=10m to run it (CI runs one minute)")
	return 0
}

// TestSoak runs `citygeo serve` as its own process, measures the most requests per second a
// mix of locate, reverse, geocode and tile requests gets from it, then sends 80 % of that for
// the soak duration: every request must succeed, and the server's resident memory must stay
// within 10 % of what it was once warmed up. The generator runs in the test process, on loopback.
func TestSoak(t *testing.T) {
	soak := soakDuration(t)
	dir := t.TempDir()
	db := filepath.Join(dir, "city.db")
	opts := sample.Options{Grids: 2000, Components: 20000}
	if out, err := run(t, "gen", "--grids", fmt.Sprint(opts.Grids), "--components", fmt.Sprint(opts.Components), "--store", db); err != nil {
		t.Fatalf("gen: %v\n%s", err, out)
	}
	ds, err := sample.Generate(opts)
	if err != nil {
		t.Fatal(err)
	}
	srv := exec.Command(os.Args[0], "serve", "--store", db, "--addr", "127.0.0.1:0", "--log-format", "json", "--log-access=false", "--tile-cache-mb", "32")
	srv.Env = append(os.Environ(), "CITYGEO_MAIN=1")
	stderr, err := srv.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	defer srv.Process.Kill()
	sc := bufio.NewScanner(stderr)
	base := ""
	for base == "" && sc.Scan() {
		var l struct{ Msg, Addr string }
		if json.Unmarshal(sc.Bytes(), &l) == nil && l.Msg == "citygeo serving" {
			base = l.Addr
		}
	}
	if base == "" {
		t.Fatal("serve did not start")
	}
	var serverLog strings.Builder
	logDone := make(chan struct{})
	go func() { // keep reading, or the server blocks on a full pipe
		for sc.Scan() {
			serverLog.WriteString(sc.Text() + "\n")
		}
		close(logDone)
	}()

	b := ds.Bound()
	var roads []string
	for _, r := range ds.Roads {
		if !slices.Contains(roads, r.Name) {
			roads = append(roads, r.Name)
		}
	}
	next := func(rng *rand.Rand) string {
		p := orb.Point{b.Min[0] + rng.Float64()*(b.Max[0]-b.Min[0]), b.Min[1] + rng.Float64()*(b.Max[1]-b.Min[1])}
		ll := fmt.Sprintf("lng=%.6f&lat=%.6f", p[0], p[1])
		switch n := rng.IntN(100); {
		case n < 40:
			return base + "/v1/locate?" + ll
		case n < 60:
			return base + "/v1/reverse?" + ll
		case n < 70:
			return base + "/v1/geocode?q=" + url.QueryEscape(roads[rng.IntN(len(roads))]+strconv.Itoa(1+rng.IntN(60))+"号")
		default:
			tl := maptile.At(p, maptile.Zoom(14+rng.IntN(3)))
			return fmt.Sprintf("%s/tiles/city/%d/%d/%d.mvt", base, tl.Z, tl.X, tl.Y)
		}
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}, Timeout: 10 * time.Second}
	var okN, failN atomic.Int64
	var failMu sync.Mutex
	var failures []string
	get := func(u string) {
		resp, err := client.Get(u)
		if err == nil {
			_, err = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if err == nil && resp.StatusCode != 200 && resp.StatusCode != 204 {
				err = fmt.Errorf("status %d", resp.StatusCode)
			}
		}
		if err != nil {
			failN.Add(1)
			failMu.Lock()
			if len(failures) < 10 {
				failures = append(failures, u+": "+err.Error())
			}
			failMu.Unlock()
			return
		}
		okN.Add(1)
	}
	// drive sends requests from workers until ctx ends, each waiting on lim first (nil: as fast
	// as they go).
	drive := func(ctx context.Context, workers int, lim *rate.Limiter) {
		var wg sync.WaitGroup
		for w := range workers {
			wg.Go(func() {
				rng := rand.New(rand.NewPCG(uint64(w), 7))
				for ctx.Err() == nil {
					if lim != nil && lim.Wait(ctx) != nil {
						return
					}
					get(next(rng))
				}
			})
		}
		wg.Wait()
	}

	// The most the server answers: a closed loop of 16 connections.
	measure := 5 * time.Second
	ctx, cancel := context.WithTimeout(context.Background(), measure)
	drive(ctx, 16, nil)
	cancel()
	maxRPS := float64(okN.Load()) / measure.Seconds()
	if failN.Load() > 0 {
		t.Fatalf("%d failures while measuring: %v", failN.Load(), failures)
	}
	target := 0.8 * maxRPS
	okN.Store(0)

	// The soak: 80 % of that, open loop, with the server's RSS sampled every second.
	var rss []int64
	stopRSS := make(chan struct{})
	rssDone := make(chan struct{})
	go func() {
		defer close(rssDone)
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		for {
			select {
			case <-stopRSS:
				return
			case <-tick.C:
				if kb := rssKB(srv.Process.Pid); kb > 0 {
					rss = append(rss, kb)
				}
			}
		}
	}()
	ctx, cancel = context.WithTimeout(context.Background(), soak)
	start := time.Now()
	drive(ctx, 64, rate.NewLimiter(rate.Limit(target), 16))
	cancel()
	took := time.Since(start)
	close(stopRSS)
	<-rssDone
	srv.Process.Signal(syscall.SIGTERM)
	if err := srv.Wait(); err != nil {
		t.Errorf("serve after SIGTERM: %v", err)
	}
	<-logDone

	got := float64(okN.Load()) / took.Seconds()
	warm := len(rss) / 4 // the first quarter warms caches and the heap
	if warm < 2 {
		t.Fatalf("only %d RSS samples", len(rss))
	}
	warmMax := slices.Max(rss[:warm])
	restMax := slices.Max(rss[warm:])
	t.Logf("soak %v: max %.0f req/s measured, %.0f req/s target (80%%), %.0f req/s sent; %d ok, %d failed; RSS %d MiB after warm-up, at most %d MiB later (%+.1f%%)",
		soak, maxRPS, target, got, okN.Load(), failN.Load(), warmMax>>10, restMax>>10, 100*float64(restMax-warmMax)/float64(warmMax))
	if n := failN.Load(); n > 0 {
		t.Errorf("%d requests failed: %v", n, failures)
	}
	if float64(restMax) > 1.10*float64(warmMax) {
		t.Errorf("RSS grew from %d KiB to %d KiB, more than 10%% (samples %v)", warmMax, restMax, rss)
	}
	if got < 0.7*target {
		t.Errorf("sent only %.0f req/s of the %.0f targeted: the generator could not keep up, the soak did not load the server", got, target)
	}
	if !strings.Contains(serverLog.String(), `"msg":"drained`) {
		t.Errorf("server log does not say it drained:\n%s", serverLog.String())
	}
}

// rssKB reads a process's resident set size from /proc (0 where there is none).
func rssKB(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return n
		}
	}
	return 0
}
