// Command side is the side-by-side harness of issue 18: in one run it generates a city (or
// reuses one generated before), loads it into citygeo, PostgreSQL/PostGIS and, when given a
// binary, Tile38, serves it with each server pinned to core 0 and the load generator (this
// process) to core 1, runs the same workloads against each over its own protocol at 4, 16 and
// 64 connections, and writes a Markdown report with ratios and PNG plots.
//
//	go run ./bench/side -short                      # a 2,000-grid city, a second per measure
//	go run ./bench/side -postgres postgres://…      # the 100,000-grid city (make bench)
//	go run ./bench/side -city 20000 -tile38 ~/bin/tile38-server -out /tmp/side
//
// It only starts processes of its own on loopback and drops the schema it made.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Config is one run of the harness. Zero values take the mode's defaults (Defaults).
type Config struct {
	Short    bool          // a small city, short measures (CI)
	Out      string        // directory of the report and plots
	Work     string        // directory of the generated city and the stores (reused between runs)
	Grids    int           // city size in unit grids (about 20 components and 2 addresses each)
	Postgres string        // PostgreSQL URL; empty: the PostGIS columns are skipped
	Schema   string        // schema the harness creates in Postgres and drops at the end
	Tile38   string        // tile38-server binary; empty: the Tile38 column is skipped
	Citygeo  string        // citygeo binary; empty: built from this module
	Measure  time.Duration // length of one measure at one connection count
	Mixed    time.Duration // length of the mixed load between the two RSS readings
	Conns    []int         // connection counts
	Points   int           // query points
	Pin      bool          // pin servers to core 0 and this process to core 1
	// SharedPostgres leaves the PostgreSQL server's affinity alone even when pinning: other
	// clients use it meanwhile (the test in CI, beside the other packages' tests).
	SharedPostgres bool
	Log            func(format string, args ...any)
}

// Defaults fills what c leaves zero: the full mode is issue 18's city (100,000 grids, 2M
// components), 10 s per measure and a minute of mixed load; the short mode a 2,000-grid city and
// a second per measure.
func (c *Config) Defaults() {
	def := func(v *int, short, full int) {
		if *v == 0 {
			*v = full
			if c.Short {
				*v = short
			}
		}
	}
	def(&c.Grids, 2000, 100_000)
	def(&c.Points, 10_000, 100_000)
	if c.Measure == 0 {
		c.Measure = 10 * time.Second
		if c.Short {
			c.Measure = time.Second
		}
	}
	if c.Mixed == 0 {
		c.Mixed = time.Minute
		if c.Short {
			c.Mixed = 2 * time.Second
		}
	}
	if len(c.Conns) == 0 {
		c.Conns = []int{4, 16, 64}
	}
	if c.Work == "" {
		c.Work = filepath.Join(os.TempDir(), "citygeo-side-"+strconv.Itoa(c.Grids))
	}
	if c.Out == "" {
		c.Out = filepath.Join(c.Work, "report")
	}
	if c.Schema == "" {
		c.Schema = "bench_side"
	}
	if c.Log == nil {
		c.Log = func(format string, args ...any) { fmt.Fprintf(os.Stderr, "side: "+format+"\n", args...) }
	}
}

func main() {
	if serveEmptyFromEnv() {
		return
	}
	var c Config
	var conns, bodies string
	flag.BoolVar(&c.Short, "short", false, "small city and short measures (what CI runs)")
	flag.StringVar(&c.Out, "out", "", "directory for report.md, results.json and the plots (default WORK/report)")
	flag.StringVar(&c.Work, "work", "", "directory for the generated city and the stores, reused by later runs (default $TMPDIR/citygeo-side-GRIDS)")
	flag.IntVar(&c.Grids, "city", 0, "city size in unit grids, 500 to 100000 (default 100000; -short 2000)")
	flag.StringVar(&c.Postgres, "postgres", os.Getenv("CITYGEO_TEST_POSTGRES"), "PostgreSQL/PostGIS URL (default $CITYGEO_TEST_POSTGRES); empty skips PostGIS")
	flag.StringVar(&c.Schema, "schema", "bench_side", "schema to create (and drop at the end) in that database")
	flag.StringVar(&c.Tile38, "tile38", "", "tile38-server binary; empty skips Tile38")
	flag.StringVar(&c.Citygeo, "citygeo", "", "citygeo binary (default: built from this checkout)")
	flag.DurationVar(&c.Measure, "d", 0, "length of each measure at each connection count (default 10s; -short 1s)")
	flag.DurationVar(&c.Mixed, "mixed", 0, "length of the mixed load between the two RSS readings (default 1m; -short 2s; the issue asks 10m)")
	flag.StringVar(&conns, "c", "4,16,64", "connection counts")
	flag.IntVar(&c.Points, "points", 0, "query points (default 100000; -short 10000)")
	flag.BoolVar(&c.Pin, "pin", true, "pin servers to core 0 and the generator to core 1")
	flag.BoolVar(&c.SharedPostgres, "shared-postgres", false, "leave the PostgreSQL server unpinned (others use it meanwhile)")
	flag.StringVar(&bodies, "bodies", "", "only write the batch measure's request bodies, one a line, to this file (for bench/load -post) from the city a run generated before")
	flag.Parse()
	for f := range strings.SplitSeq(conns, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			fmt.Fprintf(os.Stderr, "side: -c %q: want connection counts like 4,16,64\n", conns)
			os.Exit(2)
		}
		c.Conns = append(c.Conns, n)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if bodies != "" {
		if err := WriteBodies(ctx, c, bodies); err != nil {
			fmt.Fprintln(os.Stderr, "side:", err)
			os.Exit(1)
		}
		return
	}
	res, err := Run(ctx, c)
	if err != nil {
		fmt.Fprintln(os.Stderr, "side:", err)
		os.Exit(1)
	}
	fmt.Println(res.ReportPath)
}
