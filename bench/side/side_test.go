package main

import (
	"context"
	"encoding/json"
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

func TestMain(m *testing.M) {
	if serveEmptyFromEnv() { // this test binary started again as the empty gin handler
		return
	}
	os.Exit(m.Run())
}

// TestShortRun runs the harness's short mode, smaller still (a 500-grid city, the least gen
// makes; two connection counts, half a second per measure; PostGIS when CITYGEO_TEST_POSTGRES
// is set) and checks that the report, the results and the plots are written and that every
// figure is a measurement: requests answered without error, rates and latencies above zero,
// ratios computed, the peers giving citygeo's answers. It asserts no speed target: those are
// the full run's, on a quiet machine.
func TestShortRun(t *testing.T) {
	pg := os.Getenv("CITYGEO_TEST_POSTGRES")
	began := time.Now()
	logf := func(format string, args ...any) {
		t.Logf("%5.1fs "+format, append([]any{time.Since(began).Seconds()}, args...)...)
	}
	c := Config{Short: true, Work: t.TempDir(), Postgres: pg, Schema: fmt.Sprintf("bench_side_test_%d", os.Getpid()),
		Grids: 500, Points: 4000, Conns: []int{4, 16}, Measure: 500 * time.Millisecond, Mixed: time.Second, SharedPostgres: true, Log: logf}
	res, err := Run(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}

	out := filepath.Join(c.Work, "report")
	md, err := os.ReadFile(filepath.Join(out, "report.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"| measure | conns | PostGIS | Tile38 | citygeo |", mGrid, mNearest, mBatch, mTile,
		"÷ empty gin handler", "Tile38 skipped: no -tile38 binary given", "## Issue 18's targets"} {
		if !strings.Contains(string(md), want) {
			t.Errorf("report.md lacks %q", want)
		}
	}
	var back Results
	if b, err := os.ReadFile(filepath.Join(out, "results.json")); err != nil {
		t.Fatal(err)
	} else if err := json.Unmarshal(b, &back); err != nil {
		t.Fatalf("results.json: %v", err)
	}
	if len(back.Measures) != len(res.Measures) {
		t.Errorf("results.json holds %d measures, the run made %d", len(back.Measures), len(res.Measures))
	}
	for _, p := range res.Plots {
		f, err := os.Open(filepath.Join(out, p))
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := png.DecodeConfig(f)
		f.Close()
		if err != nil || cfg.Width < 100 || cfg.Height < 100 {
			t.Errorf("%s: %dx%d, %v; want a PNG plot", p, cfg.Width, cfg.Height, err)
		}
	}

	systems := []string{sysCitygeo, sysEmpty}
	names := map[string][]string{sysCitygeo: measureOrder, sysEmpty: {mGrid}, sysPostGIS: {mGrid, mNearest, mTile}}
	if pg != "" {
		systems = append(systems, sysPostGIS)
	} else {
		t.Log("CITYGEO_TEST_POSTGRES not set: PostGIS not measured")
	}
	for _, sys := range systems {
		for _, name := range names[sys] {
			for _, n := range c.Conns {
				m, ok := res.find(name, sys, n)
				switch {
				case !ok:
					t.Errorf("%s on %s at %d connections: not measured", name, sys, n)
				case m.Requests == 0 || m.Errors > 0 || m.BadStatus > 0:
					t.Errorf("%s on %s at %d: %d answered, %d errors, %d bad statuses (%s)", name, sys, n, m.Requests, m.Errors, m.BadStatus, m.FirstError)
				case m.Rate() <= 0 || m.P50 <= 0 || m.P99 < m.P50 || m.Max < m.P99:
					t.Errorf("%s on %s at %d: rate %.0f, p50 %v, p99 %v, max %v", name, sys, n, m.Rate(), m.P50, m.P99, m.Max)
				}
			}
		}
	}
	cg := res.Citygeo
	if cg.LoadSeconds <= 0 || cg.LoadCPUSeconds <= 0 || cg.LoadPeakRSS <= 0 || cg.ReadySeconds <= 0 || cg.RSSReady <= 0 || cg.RSSAfter <= 0 || cg.Mixed.Requests == 0 || cg.Mixed.Errors > 0 {
		t.Errorf("citygeo: load %.1f s (%.1f s CPU) peak %d B, ready %.1f s, RSS %d → %d B, mixed %+v", cg.LoadSeconds, cg.LoadCPUSeconds, cg.LoadPeakRSS, cg.ReadySeconds, cg.RSSReady, cg.RSSAfter, cg.Mixed)
	}
	if cg.Tiles.NonEmpty == 0 {
		t.Error("citygeo drew no z15 grids tile")
	}
	if len(cg.Answers) != checkPoints {
		t.Errorf("citygeo answered %d check points, want %d", len(cg.Answers), checkPoints)
	}
	if pg == "" {
		return
	}
	p := res.PostGIS
	if p.LoadSeconds <= 0 || p.DiskBytes <= 0 || p.Tiles.NonEmpty == 0 {
		t.Errorf("PostGIS: load %.1f s, %d B on disk, %d non-empty tiles", p.LoadSeconds, p.DiskBytes, p.Tiles.NonEmpty)
	}
	// The two must agree on what they were asked, or the ratios compare different work. Grids
	// share borders, so a point exactly on one may go either way; nearest ties and PostGIS's
	// planar degrees against citygeo's metres may differ on a few.
	grid, near, _ := agreement(cg.Answers, p.Answers)
	if grid.of < checkPoints/2 || grid.same < grid.of*98/100 {
		t.Errorf("PostGIS gave citygeo's grid for %d of %d points", grid.same, grid.of)
	}
	if near.of < checkPoints*9/10 || near.same < near.of*9/10 {
		t.Errorf("PostGIS gave citygeo's nearest component for %d of %d points", near.same, near.of)
	}
	if !regexp.MustCompile(`\| [0-9]+\.[0-9]{2}×`).Match(md) {
		t.Error("report.md has no citygeo ÷ PostGIS ratio")
	}
	conn, err := pgx.Connect(context.Background(), pg)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var left bool
	if err := conn.QueryRow(context.Background(), "SELECT EXISTS (SELECT FROM pg_namespace WHERE nspname = $1)", c.Schema).Scan(&left); err != nil || left {
		t.Errorf("schema %s left behind (%v)", c.Schema, err)
	}
}
