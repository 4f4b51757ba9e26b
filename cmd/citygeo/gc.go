package main

import (
	"log/slog"
	"os"
	"runtime/debug"
	"runtime/metrics"
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
// which the runtime would otherwise keep for minutes), then GOGC becomes serveGCPercent. GOGC or
// GOMEMLIMIT in the environment win, as with tuneGC; so loading itself runs at the default, where
// it is fastest.
func tuneServeGC(log *slog.Logger) {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		log.Info("collector as the environment sets it", "GOGC", os.Getenv("GOGC"), "GOMEMLIMIT", os.Getenv("GOMEMLIMIT"))
		return
	}
	debug.FreeOSMemory()
	debug.SetGCPercent(serveGCPercent)
	live := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(live)
	var mb uint64
	if live[0].Value.Kind() == metrics.KindUint64 {
		mb = live[0].Value.Uint64() >> 20
	}
	log.Info("collector set for serving", "GOGC", serveGCPercent, "live_heap_mb", mb)
}
