package main

import (
	"context"
	"time"

	"citygeo/bench/loadgen"
)

// Systems measured.
const (
	sysCitygeo = "citygeo"
	sysPostGIS = "PostGIS"
	sysTile38  = "Tile38"
	sysEmpty   = "empty gin handler"
)

// Measures, named as in issue 18's table.
const (
	mGrid    = "point → grid (no components)"
	mLocate5 = "point → grid with the default 5 nearest components"
	mNearest = "nearest component of a class"
	mBatch   = "batch locate, 1,000 points a request, grid only"
	mTile    = "z15 grids-layer tile, uncached"
	// mGridOpen is point → grid offered at openShare of the rate the same system answered in
	// the closed loop at the same connection count: the latency of a server that is busy but
	// not saturated, where the closed loop's p99 is mostly the wait behind the other
	// connections' requests (loadgen's doc).
	mGridOpen    = "point → grid, open loop at half the closed loop's rate"
	mNearestOpen = "nearest component of a class, open loop at half the closed loop's rate"
)

// openShare is the share of its closed-loop rate a system is offered in the open-loop measure.
const openShare = 0.5

// batchSize is the points of one batch request (the API's most).
const batchSize = 1000

// Measure is one workload on one system at one connection count.
type Measure struct {
	Name       string `json:"name"`
	System     string `json:"system"`
	Conns      int    `json:"conns"`
	PerRequest int    `json:"per_request"` // answers a request carries: 1, or a batch's points
	// ServerCPU is the CPU seconds the processes answering used during the run (/proc, 10 ms
	// steps): on a shared machine answers per server CPU-second is the figure that holds, as a
	// server of many processes (PostgreSQL's backends) takes more of a contended core than one
	// of one (citygeo, GOMAXPROCS 1 when pinned).
	ServerCPU float64 `json:"server_cpu_s"`
	// Offered is the requests per second offered in an open-loop measure; 0 in a closed loop.
	Offered float64 `json:"offered_rps,omitempty"`
	loadgen.Report
}

// Rate is answers per second: requests per second times the answers each carries.
func (m Measure) Rate() float64 { return m.RPS * float64(max(1, m.PerRequest)) }

// PerCPU is answers per CPU-second of the server (0 when too short to read).
func (m Measure) PerCPU() float64 {
	if m.ServerCPU <= 0 {
		return 0
	}
	return float64(m.Requests*int64(max(1, m.PerRequest))) / m.ServerCPU
}

// workload is one system's side of a measure at one connection count.
type workload struct {
	do   loadgen.Do
	done func()         // closes its connections
	cpu  func() float64 // CPU seconds the processes answering it have used so far
}

// setup opens a workload with conns connections.
type setup func(conns int) (workload, error)

// processCPU reads the CPU seconds of process pid.
func processCPU(pid int) func() float64 { return func() float64 { return cpuSeconds(pid) } }

// measure runs do at each connection count of c, after a warm-up of a fifth of the measure
// (at most 2 s; not recorded) that opens the connections and fills the caches a steady server
// has warm, and appends the results to res. The loop is closed unless rate, given, returns
// the requests per second to offer at a connection count.
func measure(ctx context.Context, c *Config, res *Results, name, system string, perRequest int, open setup, rate func(conns int) float64) error {
	for _, n := range c.Conns {
		w, err := open(n)
		if err != nil {
			return err
		}
		opts := loadgen.Options{Conns: n, Duration: min(c.Measure/5, 2*time.Second)}
		if rate != nil {
			opts.Rate = rate(n)
		}
		loadgen.Run(ctx, opts, w.do)
		cpu0 := w.cpu()
		opts.Duration = c.Measure
		r := loadgen.Run(ctx, opts, w.do)
		cpu := w.cpu() - cpu0
		w.done()
		if ctx.Err() != nil {
			return ctx.Err()
		}
		m := Measure{Name: name, System: system, Conns: n, PerRequest: perRequest, ServerCPU: cpu, Offered: opts.Rate, Report: r}
		c.Log("%-22s %-52s c=%-3d %9.0f/s %9.0f/CPU-s  p50 %-9v p99 %-9v errors %d bad %d %s", system, name, n, m.Rate(), m.PerCPU(),
			r.P50.Round(time.Microsecond), r.P99.Round(time.Microsecond), r.Errors, r.BadStatus, r.FirstError)
		res.Measures = append(res.Measures, m)
	}
	return nil
}

// shareOf returns the rate function of an open-loop measure: openShare of what system answered
// in the closed-loop measure closed at the same connection count.
func (r *Results) shareOf(closed, system string) func(conns int) float64 {
	return func(n int) float64 {
		m, _ := r.find(closed, system, n)
		return openShare * m.RPS
	}
}

// find returns the measure of name on system at conns.
func (r *Results) find(name, system string, conns int) (Measure, bool) {
	for _, m := range r.Measures {
		if m.Name == name && m.System == system && m.Conns == conns {
			return m, true
		}
	}
	return Measure{}, false
}
