package main

import (
	"log/slog"
	"os"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
)

// serveGCPercent is the collector's target (GOGC) while serving.
//
// A served city's heap is almost all its immutable snapshot (1.1 GB for 100k grids and 2M
// components) and requests add little that lives, so Go's default of 100 lets the heap grow to
// twice the snapshot between cycles: RSS creeps from ~1.3 GB when ready towards 2.5 GB under
// load, and a fold or import that builds a second snapshot beside the first doubles that, for no
// gain. At 25 the heap stays within a quarter of the snapshot, for a cycle every ~300 MB
// allocated (README, Memory: the measurements behind the choice).
const serveGCPercent = 25

// tuneServeGC sets the collector for serving, once the first snapshot is built: the loading's
// garbage goes back to the OS at once (RSS starts near the live heap instead of the load's peak,
// which the runtime would otherwise keep for minutes), then GOGC becomes serveGCPercent unless
// the environment sets GOGC; so loading itself runs at the default, where it is fastest.
// GOMEMLIMIT in the environment applies throughout, as the runtime reads it: about 1.2 times
// the live heap logged here, plus the tile cache, holds RSS there under load (README, Memory).
func tuneServeGC(log *slog.Logger) {
	debug.FreeOSMemory()
	gogc := os.Getenv("GOGC")
	if gogc == "" {
		debug.SetGCPercent(serveGCPercent)
		gogc = strconv.Itoa(serveGCPercent)
	}
	live := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(live)
	var mb uint64
	if live[0].Value.Kind() == metrics.KindUint64 {
		mb = live[0].Value.Uint64() >> 20
	}
	log.Info("collector set for serving", "GOGC", gogc, "GOMEMLIMIT", os.Getenv("GOMEMLIMIT"), "live_heap_mb", mb)
}
