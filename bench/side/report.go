package main

import (
	"fmt"
	"strings"
	"time"

	"citygeo/bench/loadgen"
)

// measureOrder is the order of the report's rows.
var measureOrder = []string{mGrid, mGridOpen, mLocate5, mNearest, mNearestOpen, mBatch, mTile}

// report renders the results as Markdown: issue 18's table (measure | PostGIS | Tile38 |
// citygeo, with ratios), the targets it sets, the notes and the plots.
func report(c *Config, r *Results) string {
	var b strings.Builder
	mode := "full"
	if r.Short {
		mode = "short"
	}
	fmt.Fprintf(&b, "# citygeo side by side (%s mode)\n\n", mode)
	fmt.Fprintf(&b, "Run %s, %.0f s. Machine: %s; load average %s at the start, %s at the end (a shared machine: quote ratios from one run).\n\n",
		r.Started.Format(time.RFC3339), r.Took, r.Machine, r.LoadBefore, r.LoadAfter)
	fmt.Fprintf(&b, "City: %s.\n\n", r.City.describe())
	fmt.Fprintf(&b, "Each measure: %s per connection count after a warm-up, closed loop (a request as soon as the last is answered) from `bench/loadgen`, but for the open-loop rows (requests due at a fixed rate, %.0f %% of what the same system answered in the closed loop at the same connection count, each latency counted from when its request was due); HTTP through fasthttp's client, PostGIS through pgx (one query a request), Tile38 through redigo. Rates are answers per second (a batch request answers 1,000 points); per server CPU-s divides the answers by the CPU time the answering processes used (citygeo's or the empty handler's process, the pool's PostgreSQL backends, Tile38's process), the figure that holds on a shared machine, where a server of many processes takes more of a contended core than one of one.\n\n", r.Measure, 100*openShare)

	systems := []string{sysPostGIS, sysTile38, sysCitygeo}
	ran := map[string]bool{sysPostGIS: r.PostGIS.Ran, sysTile38: r.Tile38.Ran, sysCitygeo: r.Citygeo.Ran}
	b.WriteString("| measure | conns | PostGIS | Tile38 | citygeo | citygeo ÷ PostGIS | citygeo ÷ Tile38 |\n|---|---|---|---|---|---|---|\n")
	for _, name := range measureOrder {
		for _, n := range c.Conns {
			cg, ok := r.find(name, sysCitygeo, n)
			if !ok {
				continue
			}
			fmt.Fprintf(&b, "| %s | %d |", name, n)
			for _, s := range systems {
				m, ok := r.find(name, s, n)
				switch {
				case ok:
					fmt.Fprintf(&b, " %s |", cell(m))
				case !ran[s]:
					b.WriteString(" not run |")
				default:
					b.WriteString(" — |")
				}
			}
			for _, s := range []string{sysPostGIS, sysTile38} {
				if m, ok := r.find(name, s, n); ok && m.Rate() > 0 {
					fmt.Fprintf(&b, " %.2f×", cg.Rate()/m.Rate())
					if cg.PerCPU() > 0 && m.PerCPU() > 0 {
						fmt.Fprintf(&b, " (%.2f× per CPU-s)", cg.PerCPU()/m.PerCPU())
					}
					b.WriteString(" |")
				} else {
					b.WriteString(" — |")
				}
			}
			b.WriteString("\n")
		}
	}
	for _, n := range c.Conns {
		cg, ok1 := r.find(mGrid, sysCitygeo, n)
		e, ok2 := r.find(mGrid, sysEmpty, n)
		if ok1 && ok2 && e.Rate() > 0 {
			fmt.Fprintf(&b, "| point → grid ÷ empty gin handler (%s) | %d | | | **%.0f%%** | | |\n", cell(e), n, 100*cg.Rate()/e.Rate())
		}
	}
	tile := func(s System) string {
		if !s.Ran || s.Tiles.NonEmpty == 0 {
			return "—"
		}
		return fmt.Sprintf("%.1f KB mean over %d non-empty", s.Tiles.Mean()/1024, s.Tiles.NonEmpty)
	}
	fmt.Fprintf(&b, "| z15 grids-layer tile size, each of the %d tiles once | | %s | no MVT | %s | | |\n", len(r.City.Tiles), tile(r.PostGIS), tile(r.Citygeo))
	load := func(s System) string {
		if !s.Ran {
			return "not run"
		}
		if s.LoadCPUSeconds > 0 {
			return fmt.Sprintf("%.1f s (%.1f s of its own CPU), peak RSS %s", s.LoadSeconds, s.LoadCPUSeconds, mb(s.LoadPeakRSS))
		}
		return fmt.Sprintf("%.1f s, peak RSS %s", s.LoadSeconds, mb(s.LoadPeakRSS))
	}
	fmt.Fprintf(&b, "| load the city (%d components) | | %s | %s | %s | | |\n", r.City.Components, load(r.PostGIS), load(r.Tile38), load(r.Citygeo))
	fmt.Fprintf(&b, "| start to ready (Tile38: a restart reading its append-only file) | | — | %s | %.1f s | | |\n", secs(r.Tile38.ReadySeconds, r.Tile38.Ran), r.Citygeo.ReadySeconds)
	mem := func(s System, mixed bool) string {
		switch {
		case !s.Ran:
			return "not run"
		case mixed:
			return fmt.Sprintf("%s RSS when ready, %s after the runs and %v of mixed load (peak %s)", mb(s.RSSReady), mb(s.RSSAfter), s.Mixed.Duration.Round(time.Second), mb(s.RSSPeak))
		}
		return fmt.Sprintf("%s RSS when ready, %s after the runs (peak %s)", mb(s.RSSReady), mb(s.RSSAfter), mb(s.RSSPeak))
	}
	pgMem := "not run"
	if r.PostGIS.Ran {
		pgMem = mb(r.PostGIS.DiskBytes) + " on disk (tables and indexes)"
	}
	fmt.Fprintf(&b, "| memory serving this city | | %s | %s | %s | | |\n", pgMem, mem(r.Tile38, false), mem(r.Citygeo, true))
	if r.PostGIS.Ran {
		g, n, of := agreement(r.Citygeo.Answers, r.PostGIS.Answers)
		fmt.Fprintf(&b, "| same answer as citygeo, first %d points | | grid %d/%d (points citygeo places in a grid), nearest %d/%d | | | | |\n", of, g.same, g.of, n.same, n.of)
	}
	if r.Tile38.Ran {
		g, n, of := agreement(r.Citygeo.Answers, r.Tile38.Answers)
		fmt.Fprintf(&b, "| same answer as citygeo, first %d points | | | grid %d/%d, nearest %d/%d | | | |\n", of, g.same, g.of, n.same, n.of)
	}

	b.WriteString("\n## Issue 18's targets\n\n")
	if r.Short {
		b.WriteString("The targets are set for the 100,000-grid city; a short run only shows the harness works.\n\n")
	}
	for _, t := range targets(c, r) {
		fmt.Fprintf(&b, "- %s\n", t)
	}
	b.WriteString("\n## Notes\n\n")
	for _, n := range r.Notes {
		fmt.Fprintf(&b, "- %s\n", n)
	}
	fmt.Fprintf(&b, "- Loading: citygeo: %s. PostGIS: %s.\n", r.Citygeo.LoadHow, orNone(r.PostGIS.LoadHow))
	fmt.Fprintf(&b, "- citygeo serves with `--tile-cache-mb 0`: every tile is built on request. The mixed load interleaves point → grid, locate with 5 components, nearest of a class and tiles at 16 connections: %s.\n", mixedText(r.Citygeo.Mixed))
	fmt.Fprintf(&b, "- Nearest of a class is `/v1/locate?k=1&radius=5000&class=…` on citygeo (metres on the ellipsoid) and KNN `<->` on the GiST index in PostGIS (planar degrees), over the classes whose components are all points.\n")
	for _, m := range r.Measures {
		if m.Errors > 0 || m.BadStatus > 0 {
			fmt.Fprintf(&b, "- %s on %s at %d connections: %d errors, %d bad statuses (%s).\n", m.Name, m.System, m.Conns, m.Errors, m.BadStatus, m.FirstError)
		}
	}
	b.WriteString("\n")
	for _, p := range r.Plots {
		fmt.Fprintf(&b, "![%s](%s)\n\n", strings.TrimSuffix(p, ".png"), p)
	}
	return b.String()
}

// cell is one system's figure: rate, p50 and p99.
func cell(m Measure) string {
	unit := "/s"
	if m.PerRequest > 1 {
		unit = " points/s"
	}
	out := fmt.Sprintf("%s%s, p50 %s, p99 %s", si(m.Rate()), unit, dur(m.P50), dur(m.P99))
	if m.Offered > 0 {
		out = fmt.Sprintf("offered %s/s: ", si(m.Offered)) + out
	}
	if pc := m.PerCPU(); pc > 0 {
		out += fmt.Sprintf("; %s per server CPU-s", si(pc))
	}
	return out
}

func mixedText(m loadgen.Report) string {
	return fmt.Sprintf("%s requests/s over %v, p50 %s, p99 %s, %d errors, %d bad statuses", si(m.RPS), m.Duration.Round(time.Second), dur(m.P50), dur(m.P99), m.Errors, m.BadStatus)
}

func si(v float64) string {
	switch {
	case v >= 1e6:
		return fmt.Sprintf("%.2fM", v/1e6)
	case v >= 1e3:
		return fmt.Sprintf("%.1fk", v/1e3)
	}
	return fmt.Sprintf("%.0f", v)
}

func dur(d time.Duration) string {
	switch {
	case d >= time.Millisecond:
		return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
	default:
		return fmt.Sprintf("%.0f µs", float64(d)/float64(time.Microsecond))
	}
}

func secs(s float64, ran bool) string {
	if !ran {
		return "not run"
	}
	return fmt.Sprintf("%.1f s", s)
}

func orNone(s string) string {
	if s == "" {
		return "not run"
	}
	return s
}

type tally struct{ same, of int }

// agreement counts the check points where other gave citygeo's answer: grids over the points
// citygeo placed in a grid, nearest over the points both found one for.
func agreement(cg, other []answer) (grid, nearest tally, of int) {
	of = min(len(cg), len(other))
	for i := range of {
		if cg[i].Grid != "" {
			grid.of++
			if cg[i].Grid == other[i].Grid {
				grid.same++
			}
		}
		if cg[i].Nearest != "" && other[i].Nearest != "" {
			nearest.of++
			if cg[i].Nearest == other[i].Nearest {
				nearest.same++
			}
		}
	}
	return grid, nearest, of
}

// targets checks the results against issue 18's "done when", each line saying met or not
// with the figure.
func targets(c *Config, r *Results) []string {
	var out []string
	mark := func(ok bool) string {
		if ok {
			return "met"
		}
		return "**not met**"
	}
	cg := r.Citygeo
	out = append(out, fmt.Sprintf("RSS serving the city ≤ 1 GB: %s (%s when ready)", mark(cg.RSSReady <= 1<<30), mb(cg.RSSReady)))
	grow := float64(cg.RSSAfter)/float64(max(1, cg.RSSReady)) - 1
	out = append(out, fmt.Sprintf("RSS within 10%% after the mixed load: %s (%+.0f%% after %v of it; the issue asks 10 minutes)", mark(grow <= 0.10), 100*grow, cg.Mixed.Duration.Round(time.Second)))
	for _, n := range c.Conns {
		g, ok1 := r.find(mGrid, sysCitygeo, n)
		e, ok2 := r.find(mGrid, sysEmpty, n)
		if ok1 && ok2 {
			out = append(out, fmt.Sprintf("point → grid ≥ 90%% of the empty gin handler and p99 ≤ 1 ms at %d connections: %s (%.0f%%, p99 %s)",
				n, mark(g.Rate() >= 0.9*e.Rate() && g.P99 <= time.Millisecond), 100*g.Rate()/max(1, e.Rate()), dur(g.P99)))
		}
	}
	for _, n := range c.Conns {
		g, ok1 := r.find(mGridOpen, sysCitygeo, n)
		e, ok2 := r.find(mGridOpen, sysEmpty, n)
		if ok1 && ok2 {
			out = append(out, fmt.Sprintf("(not the issue's measure, which is the closed loop above) point → grid p99 ≤ 1 ms offered %.0f %% of its closed-loop rate at %d connections: %s (%s/s offered, p99 %s%s; the empty handler at %.0f %% of its own: p99 %s)",
				100*openShare, n, mark(g.P99 <= time.Millisecond), si(g.Offered), dur(g.P99), busy(g, r, mGrid), 100*openShare, dur(e.P99)))
		}
	}
	for _, n := range c.Conns {
		if m, ok := r.find(mNearest, sysCitygeo, n); ok {
			out = append(out, fmt.Sprintf("nearest of a class ≥ 25k/s with p99 ≤ 2 ms at %d connections: %s (%s/s, p99 %s)", n,
				mark(m.Rate() >= 25e3 && m.P99 <= 2*time.Millisecond), si(m.Rate()), dur(m.P99)))
		}
	}
	for _, n := range c.Conns {
		if m, ok := r.find(mNearestOpen, sysCitygeo, n); ok {
			out = append(out, fmt.Sprintf("(not the issue's measure) nearest of a class p99 ≤ 2 ms offered %.0f %% of its closed-loop rate at %d connections: %s (%s/s offered, p99 %s%s)",
				100*openShare, n, mark(m.P99 <= 2*time.Millisecond), si(m.Offered), dur(m.P99), busy(m, r, mNearest)))
		}
	}
	best := 0.0
	for _, n := range c.Conns {
		if m, ok := r.find(mBatch, sysCitygeo, n); ok {
			best = max(best, m.Rate())
		}
	}
	out = append(out, fmt.Sprintf("batch ≥ 1M points/s: %s (best %s points/s)", mark(best >= 1e6), si(best)))
	for _, n := range c.Conns {
		t, ok1 := r.find(mTile, sysCitygeo, n)
		p, ok2 := r.find(mTile, sysPostGIS, n)
		if ok1 && ok2 {
			out = append(out, fmt.Sprintf("uncached z15 grids tiles ≥ 5× PostGIS's ST_AsMVT at %d connections: %s (%.2f×)", n, mark(t.Rate() >= 5*p.Rate()), t.Rate()/max(1, p.Rate())))
		}
	}
	out = append(out, fmt.Sprintf("import ≤ 20 s with peak RSS ≤ 2 GB: %s (%.1f s, %.1f s of CPU, %s)", mark(cg.LoadSeconds <= 20 && cg.LoadPeakRSS <= 2<<30), cg.LoadSeconds, cg.LoadCPUSeconds, mb(cg.LoadPeakRSS)))
	out = append(out, fmt.Sprintf("serving ≤ 10 s after start: %s (%.1f s)", mark(cg.ReadySeconds <= 10), cg.ReadySeconds))
	return out
}

// busy says how loaded citygeo's core was in open-loop measure m: the share of the run its
// process was on the CPU, and what a request cost there against the closed loop of measure
// closed at the same connection count. Answered one at a time, a request costs more (a read,
// a write and a wake-up each, where the closed loop's came in batches), so half the closed
// loop's rate can keep the core most of the time busy, and any hiccup then leaves a queue.
func busy(m Measure, r *Results, closed string) string {
	if m.ServerCPU <= 0 || m.Duration <= 0 {
		return ""
	}
	note := fmt.Sprintf("; the core %.0f %% busy", 100*m.ServerCPU/m.Duration.Seconds())
	if c, ok := r.find(closed, m.System, m.Conns); ok && c.PerCPU() > 0 && m.PerCPU() > 0 {
		note += fmt.Sprintf(", %.0f µs of its CPU a request against %.0f µs in the closed loop", 1e6/m.PerCPU(), 1e6/c.PerCPU())
	}
	return note
}
