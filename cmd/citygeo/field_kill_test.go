package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sync"
	"syscall"
	"testing"
	"time"

	"citygeo/cmd/citygeo/internal/api"
	"citygeo/data"
	"citygeo/data/postgis/pgtest"
	"citygeo/jt808"
)

// acked collects the fixes the server acknowledged, by device, as Unix milliseconds.
type acked struct {
	mu sync.Mutex
	by map[string][]int64
	n  int
}

func (a *acked) add(dev string, ms ...int64) {
	a.mu.Lock()
	a.by[dev] = append(a.by[dev], ms...)
	a.n += len(ms)
	a.mu.Unlock()
}

var listenRE = regexp.MustCompile(`msg="(JT/T 808 listening|citygeo serving)" addr=(?:http://)?([0-9.:]+)`)

// startServe runs `citygeo serve` as a child process and returns it with its HTTP and JT/T 808
// addresses, read from its log.
func startServe(t *testing.T, args ...string) (cmd *exec.Cmd, httpAddr, jtAddr string) {
	t.Helper()
	cmd = exec.Command(os.Args[0], append([]string{"serve", "--addr", "127.0.0.1:0", "--jt808", "127.0.0.1:0", "--log-format", "text"}, args...)...)
	cmd.Env = append(os.Environ(), "CITYGEO_MAIN=1")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(stderr)
	// A server that never logs both addresses must fail the test, not hang it.
	stuck := time.AfterFunc(time.Minute, func() { cmd.Process.Kill() })
	defer stuck.Stop()
	for (httpAddr == "" || jtAddr == "") && sc.Scan() {
		if m := listenRE.FindStringSubmatch(sc.Text()); m != nil {
			if m[1] == "citygeo serving" {
				httpAddr = m[2]
			} else {
				jtAddr = m[2]
			}
		}
	}
	if httpAddr == "" || jtAddr == "" {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("serve did not report its addresses (%v)", sc.Err())
	}
	go func() { // keep draining the log so the server never blocks on a full pipe
		for sc.Scan() {
		}
	}()
	return cmd, httpAddr, jtAddr
}

// TestFixesSurviveSIGKILL streams fixes into `citygeo serve` through both doors (HTTP batches
// and JT/T 808 terminals), kills it with SIGKILL at a random moment, three times over one
// track store, and finds every fix that was acknowledged in the store: an SQLite tracks file,
// and the field_fix table of a PostgreSQL database (skipped without CITYGEO_TEST_POSTGRES).
func TestFixesSurviveSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("process test; skipped in -short")
	}
	onEachStore(t, "tracks.db", fixesSurviveSIGKILL)
}

// killWhileWriting is one round of the kill tests: it runs writers goroutines, write(ctx, w)
// for w in [0, writers), until wait returns, then kills cmd with SIGKILL, cancels ctx and waits
// for every writer. wait is given a channel closed once every writer has returned of itself.
func killWhileWriting(cmd *exec.Cmd, writers int, write func(ctx context.Context, w int), wait func(writersDone <-chan struct{})) {
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() { write(ctx, w) })
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	wait(done)
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	stop()
	<-done
}

// sleep is a killWhileWriting wait of d.
func sleep(d time.Duration) func(<-chan struct{}) { return func(<-chan struct{}) { time.Sleep(d) } }

// onEachStore runs fn as two subtests, given an SQLite file named file in a temporary
// directory and a fresh PostgreSQL schema (skipped without CITYGEO_TEST_POSTGRES): the kill
// tests' two backends.
func onEachStore(t *testing.T, file string, fn func(t *testing.T, where string)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, filepath.Join(t.TempDir(), file)) })
	t.Run("postgres", func(t *testing.T) { fn(t, pgtest.Schema(t)) })
}

// tokenFile writes a token file holding one new token of role, named name, and returns the
// token and the file's path.
func tokenFile(t *testing.T, name string, role api.Role) (token, path string) {
	t.Helper()
	token, hash, err := api.NewToken()
	if err != nil {
		t.Fatal(err)
	}
	path = filepath.Join(t.TempDir(), "tokens.json")
	cfg, _ := json.Marshal(api.AuthConfig{Tokens: []api.TokenHash{{Name: name, Role: role, SHA256: hash}}})
	if err := os.WriteFile(path, cfg, 0o600); err != nil {
		t.Fatal(err)
	}
	return token, path
}

// genCity generates a city of grids and components (`citygeo gen`, seed) into the store
// named by db and returns it as loaded back.
func genCity(t *testing.T, db string, grids, components, seed int) *data.Dataset {
	t.Helper()
	ctx := context.Background()
	if out, err := run(t, "gen", "--grids", fmt.Sprint(grids), "--components", fmt.Sprint(components), "--seed", fmt.Sprint(seed), "--store", db); err != nil {
		t.Fatalf("gen: %v\n%s", err, out)
	}
	st, err := openStore(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ds, err := data.LoadActive(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

// fixesSurviveSIGKILL is TestFixesSurviveSIGKILL over the track store named by tracks (a
// --tracks value).
func fixesSurviveSIGKILL(t *testing.T, tracks string) {
	token, authFile := tokenFile(t, "handsets", api.RoleDevice)
	got := &acked{by: map[string][]int64{}}
	base := time.Now().Add(-time.Hour).Truncate(time.Second)
	rng := rand.New(rand.NewPCG(8, 9))
	for round := range 3 {
		cmd, httpAddr, jtAddr := startServe(t, "--tracks", tracks, "--auth", authFile)
		before := got.n
		// Writers 0–2 are handsets' gateways posting batches, 3–5 vehicle terminals sending
		// bursts of reports.
		gateway := func(ctx context.Context, w int) {
			dev := fmt.Sprintf("h-%d-%d", round, w)
			for b := 0; ctx.Err() == nil; b++ {
				var fixes []map[string]any
				var ms []int64
				for i := range 200 {
					at := base.Add(time.Duration(b*200+i) * 10 * time.Millisecond)
					fixes = append(fixes, map[string]any{"device": dev, "time": at.Format(time.RFC3339Nano), "lng": 114.1 + float64(i)*1e-5, "lat": 22.55})
					ms = append(ms, at.UnixMilli())
				}
				body, _ := json.Marshal(map[string]any{"fixes": fixes})
				req, _ := http.NewRequestWithContext(ctx, "POST", "http://"+httpAddr+"/v1/positions", bytes.NewReader(body))
				req.Header.Set("Authorization", "Bearer "+token)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					return
				}
				var rep struct {
					Accepted int
					Rejected []any
				}
				err = json.NewDecoder(resp.Body).Decode(&rep)
				resp.Body.Close()
				if err != nil || resp.StatusCode != 200 {
					return
				}
				if rep.Accepted != len(fixes) || len(rep.Rejected) != 0 {
					t.Errorf("batch of %d: %+v", len(fixes), rep)
					return
				}
				got.add(dev, ms...)
			}
		}
		terminal := func(ctx context.Context, w int) {
			phone := fmt.Sprintf("1390000%02d%02d", round, w)
			tm := dialTerminal(t, jtAddr, phone, w%2 == 1)
			tm.login()
			for b := 0; ctx.Err() == nil; b++ {
				var burst []byte
				bySerial := map[uint16]int64{}
				for i := range 20 {
					at := base.Add(time.Duration(b*20+i) * time.Second)
					bySerial[tm.Serial()] = at.UnixMilli()
					burst = append(burst, tm.frame(jt808.MsgLocation, location(at, 114.12, 22.55+float64(i)*1e-5))...)
				}
				if _, err := tm.conn.Write(burst); err != nil {
					return
				}
				for range 20 {
					r, ok := tryResponse(tm)
					if !ok {
						return
					}
					if r.Result == jt808.ResultOK {
						got.add((&jt808.Header{Phone: phone}).Terminal(), bySerial[r.Serial])
					}
				}
			}
		}
		killWhileWriting(cmd, 6, func(ctx context.Context, w int) {
			if w < 3 {
				gateway(ctx, w)
			} else {
				terminal(ctx, w-3)
			}
		}, sleep(time.Duration(300+rng.IntN(700))*time.Millisecond))
		t.Logf("round %d: %d fixes acknowledged before the kill", round, got.n-before)
		if got.n == before {
			t.Fatalf("round %d: nothing was acknowledged; the test is not exercising the store", round)
		}
	}
	st, err := openTracks(context.Background(), tracks)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	missing := 0
	for dev, ms := range got.by {
		fixes, err := st.Track(context.Background(), dev, base, base.Add(24*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		have := map[int64]bool{}
		for _, f := range fixes {
			have[f.Time.UnixMilli()] = true
		}
		for _, m := range ms {
			if !have[m] {
				missing++
			}
		}
	}
	if missing > 0 {
		t.Errorf("%d of %d acknowledged fixes are not in the tracks file after SIGKILL", missing, got.n)
	}
	t.Logf("%d acknowledged fixes over 3 kills, all in the store", got.n)
}
