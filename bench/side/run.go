package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"citygeo/bench/loadgen"
)

// Results is everything one run measured; the report is written from it and results.json
// holds it.
type Results struct {
	Started    time.Time `json:"started"`
	Took       float64   `json:"took_s"`
	Machine    string    `json:"machine"`
	LoadBefore string    `json:"load_before"` // /proc/loadavg at the start
	LoadAfter  string    `json:"load_after"`
	Short      bool      `json:"short"`
	Measure    string    `json:"measure"`
	City       *City     `json:"city"`
	Notes      []string  `json:"notes"`
	Citygeo    System    `json:"citygeo"`
	PostGIS    System    `json:"postgis"`
	Tile38     System    `json:"tile38"`
	Measures   []Measure `json:"measures"`
	ReportPath string    `json:"-"`
	Plots      []string  `json:"plots"`
}

// System is what a run learnt about loading and serving the city in one system.
type System struct {
	Ran         bool    `json:"ran"`
	LoadSeconds float64 `json:"load_s"`
	LoadPeakRSS int64   `json:"load_peak_rss"`
	// LoadCPUSeconds is the loading process's own user and system CPU, when it alone does the
	// work (citygeo's import): on a shared machine the figure that moves least between runs.
	LoadCPUSeconds float64        `json:"load_cpu_s,omitempty"`
	LoadHow        string         `json:"load_how"`
	ReadySeconds   float64        `json:"ready_s,omitempty"`
	RSSReady       int64          `json:"rss_ready,omitempty"`
	RSSAfter       int64          `json:"rss_after,omitempty"`
	RSSPeak        int64          `json:"rss_peak,omitempty"`
	CPUSeconds     float64        `json:"cpu_s,omitempty"`
	DiskBytes      int64          `json:"disk_bytes,omitempty"`
	Mixed          loadgen.Report `json:"mixed"`
	Answers        []answer       `json:"answers,omitempty"`
	Tiles          tileSizes      `json:"tiles"`
}

func (r *Results) note(s string) { r.Notes = append(r.Notes, s) }

// Run runs the harness as c says and writes the report, results.json and the plots into c.Out.
func Run(ctx context.Context, c Config) (*Results, error) {
	c.Defaults()
	if c.Points < 2*batchSize {
		return nil, fmt.Errorf("%d query points: want at least %d (two batches)", c.Points, 2*batchSize)
	}
	for _, d := range []string{c.Work, c.Out} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, err
		}
	}
	res := &Results{Started: time.Now().UTC(), Short: c.Short, LoadBefore: loadAvg(),
		Machine: fmt.Sprintf("%d cores, %s", runtime.NumCPU(), cpuModel()), Measure: c.Measure.String()}
	pin := newPinning(c.Pin)
	res.note(pin.why)
	if err := pin.pinSelf(); err != nil {
		return nil, err
	}
	bin := c.Citygeo
	if bin == "" {
		c.Log("building citygeo")
		var err error
		if bin, err = buildCitygeo(ctx, c.Work); err != nil {
			return nil, err
		}
	}
	city, err := prepareCity(ctx, &c, bin)
	if err != nil {
		return nil, err
	}
	res.City = city
	c.Log("city: %s", city.describe())

	res.Citygeo.Ran = true
	if err := runCitygeo(ctx, &c, pin, city, bin, res); err != nil {
		return nil, err
	}
	// Written after each system, so that a run stopped before its end still leaves its
	// figures so far.
	if err := write(&c, res); err != nil {
		return nil, err
	}
	if c.Postgres == "" {
		res.note("PostGIS skipped: no -postgres URL (nor CITYGEO_TEST_POSTGRES)")
	} else if err := runPostGIS(ctx, &c, pin, city, res); err != nil {
		return nil, fmt.Errorf("PostGIS: %w", err)
	} else if err := write(&c, res); err != nil {
		return nil, err
	}
	if c.Tile38 == "" {
		res.note("Tile38 skipped: no -tile38 binary given")
	} else if err := runTile38(ctx, &c, pin, city, res); err != nil {
		return nil, fmt.Errorf("Tile38: %w", err)
	}
	return res, write(&c, res)
}

// write writes the report, results.json and the plots of what res holds so far.
func write(c *Config, res *Results) error {
	res.LoadAfter = loadAvg()
	res.Took = time.Since(res.Started).Seconds()
	plots, err := writePlots(c.Out, res)
	if err != nil {
		return fmt.Errorf("plots: %w", err)
	}
	res.Plots = plots
	res.ReportPath = filepath.Join(c.Out, "report.md")
	if err := os.WriteFile(res.ReportPath, []byte(report(c, res)), 0o644); err != nil {
		return err
	}
	b, err := json.MarshalIndent(res, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(c.Out, "results.json"), b, 0o644)
}
