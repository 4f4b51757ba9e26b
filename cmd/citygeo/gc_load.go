package main

import (
	"math"
	"os"
	"runtime/debug"
)

// The collector while the first snapshot is loaded and built (loadGC).
const (
	loadGCPercent = 400
	// loadMemoryLimit bounds the heap meanwhile: 2M components load to ~600 MB live and build
	// to ~950 MB, so the limit, not the percentage, decides the cycles of the build, and the
	// peak stays under the 2 GB a start may take. A larger city's load is collected at the
	// limit, never lost.
	loadMemoryLimit = 1600 << 20
)

// loadGC sets the collector for loading the first snapshot and returns what puts it back.
// At the default GOGC of 100 a heap growing from nothing to a city's ~600 MB was collected
// some twenty times while loading, each cycle marking everything loaded so far: ~2 of the load's
// 11.5 CPU-seconds on the 2M-component city (bench/heap, GOGC=400 GOMEMLIMIT=1600MiB). GOGC
// or GOMEMLIMIT in the environment win, as they do while serving (tuneServeGC).
func loadGC() (restore func()) {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		return func() {}
	}
	percent := debug.SetGCPercent(loadGCPercent)
	debug.SetMemoryLimit(loadMemoryLimit)
	return func() {
		debug.SetMemoryLimit(math.MaxInt64)
		debug.SetGCPercent(percent)
	}
}
