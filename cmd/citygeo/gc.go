package main

import (
	"log/slog"
	"os"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
)

// serveGCPercent is the collector's target (GOGC) while serving when the environment names no
// budget.
//
// A served city's heap is almost all its immutable snapshot (0.81 GB for 100k grids and 2M
// components), but since its features live in arenas the collector does not scan (data.Arena,
// data.Pin) a cycle marks only the indexes and what requests hold: ~18 ms of CPU for that city
// (bench/heap -gc), was ~2 s before the arenas, the compact components and the flat geo index. Requests add little
// that lives but much that does not: net/http alone allocates ~2.3 KB to read and answer a GET
// (an empty gin handler too; citygeo's locate adds nothing: TestLocateAllocatesNothing,
// BenchmarkOverTCP), so cycles come at a rate set by the headroom the heap is given, and the
// headroom is what RSS grows by under load. Go's default of 100 gives it the snapshot's size
// again. At 8 the heap's headroom is 8 % of the snapshot, a cycle every ~65 MB allocated (~28k
// requests, under 1 µs of collector CPU each), and RSS, which also holds what is not heap, stays
// within a tenth of what it was when ready (at 10 it reached +9.7 % after ten minutes of mixed
// load: too close); the README's "Collector while serving" has the measured trade.
const serveGCPercent = 8

// gcPolicy is how serve sets the collector once its first snapshot is built.
type gcPolicy struct {
	percent int    // the GOGC to set; 0: leave the runtime's (the environment's GOGC)
	why     string // for the log line
}

// serveGCPolicy chooses the collector's setting from the environment:
//   - GOGC set: it wins, as the runtime already applies it;
//   - GOMEMLIMIT set and no GOGC: the operator has given the process a memory budget, so the
//     collector runs only as the heap nears it (GOGC off): the fewest cycles that budget
//     allows, which is what a big immutable heap wants (each cycle marks all of it). RSS then
//     grows to about the budget under load; size it to the VM, leaving room for the tile cache,
//     the page cache and a rebuild's second snapshot (README, Collector while serving);
//   - neither: serveGCPercent, so RSS stays near the snapshot without any setting.
func serveGCPolicy(getenv func(string) string) gcPolicy {
	switch {
	case getenv("GOGC") != "":
		return gcPolicy{why: "GOGC from the environment"}
	case getenv("GOMEMLIMIT") != "":
		return gcPolicy{percent: -1, why: "GOMEMLIMIT from the environment: collect only as the heap nears it"}
	}
	return gcPolicy{percent: serveGCPercent, why: "default: heap within 8 % of the snapshot"}
}

// tuneServeGC sets the collector for serving, once the first snapshot is built: the loading's
// garbage goes back to the OS at once (RSS starts near the live heap instead of the load's peak,
// which the runtime would otherwise keep for minutes), then serveGCPolicy applies; so loading
// itself runs at the runtime's setting, where it is fastest. GOMEMLIMIT in the environment
// applies throughout, as the runtime reads it.
func tuneServeGC(log *slog.Logger) {
	debug.FreeOSMemory()
	p := serveGCPolicy(os.Getenv)
	gogc := os.Getenv("GOGC")
	if p.percent != 0 {
		debug.SetGCPercent(p.percent)
		gogc = strconv.Itoa(p.percent)
		if p.percent < 0 {
			gogc = "off"
		}
	}
	live := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(live)
	var mb uint64
	if live[0].Value.Kind() == metrics.KindUint64 {
		mb = live[0].Value.Uint64() >> 20
	}
	log.Info("collector set for serving", "GOGC", gogc, "GOMEMLIMIT", os.Getenv("GOMEMLIMIT"), "why", p.why, "live_heap_mb", mb)
}
