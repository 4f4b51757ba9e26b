// Command heap loads the active version of a store, builds its snapshot as serve does and
// reports where the time and memory go: the wall and CPU time of each step, the live heap and
// RSS after each, the bytes per grid, component and address, and optionally a heap profile
// (-profile FILE, read with `go tool pprof -sample_index=inuse_space`) and a CPU profile
// (-cpuprofile FILE), then what the dataset's components, addresses and grids each cost. With
// -each N it also builds each of the snapshot's three indexes alone N times and reports the
// median CPU of each: the build's parts, which Build runs side by side.
//
//	go run ./bench/heap -store /tmp/perf/big.db -profile /tmp/perf/heap.pprof
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"citygeo/city"
	"citygeo/data"
	"citygeo/data/postgis"
	"citygeo/data/sqlite"
	"citygeo/gazetteer"
	"citygeo/geo"
	"citygeo/tiles"
)

func main() {
	store := flag.String("store", "", "SQLite file or postgres:// URL")
	profile := flag.String("profile", "", "write a heap profile of the built snapshot here")
	gcCost := flag.Bool("gc", false, "measure the CPU time of one collection with each index, then each layer, dropped")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of loading and building here")
	each := flag.Int("each", 0, "build each index alone this many times and report the median CPU of each")
	flag.Parse()
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			log.Fatal(err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			log.Fatal(err)
		}
		defer pprof.StopCPUProfile()
	}
	if *store == "" {
		log.Fatal("-store is required")
	}
	ctx := context.Background()
	var st data.Store
	var err error
	if strings.HasPrefix(*store, "postgres") {
		st, err = postgis.Open(ctx, *store)
	} else {
		st, err = sqlite.Open(ctx, *store)
	}
	if err != nil {
		log.Fatal(err)
	}
	start, cpu := time.Now(), cpuTime()
	v, err := st.ActiveVersion(ctx)
	if err != nil {
		log.Fatal(err)
	}
	ds, err := st.Load(ctx, v)
	if err != nil {
		log.Fatal(err)
	}
	loaded, loadCPU := time.Since(start), cpuTime()-cpu
	dsHeap := liveHeap()
	report("dataset loaded", loaded, loadCPU, dsHeap)
	start, cpu = time.Now(), cpuTime()
	snap, err := city.Build(ds, city.Options{})
	if err != nil {
		log.Fatal(err)
	}
	built, buildCPU := time.Since(start), cpuTime()-cpu
	all := liveHeap()
	report("snapshot built", built, buildCPU, all)
	idx := all - dsHeap
	fmt.Printf("grids %d, components %d, addresses %d\n", len(ds.Grids), len(ds.Components), len(ds.Addresses))
	per := func(what string, b uint64) {
		fmt.Printf("%s: %.0f B/grid+20comp+2addr; i.e. %.0f B per component if grids and addresses were free\n",
			what, float64(b)/float64(len(ds.Grids)), float64(b)/float64(len(ds.Components)))
	}
	per("dataset", dsHeap)
	per("indexes", idx)
	if *each > 0 {
		eachIndex(ds, *each)
	}
	if *profile != "" {
		f, err := os.Create(*profile)
		if err != nil {
			log.Fatal(err)
		}
		if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
			log.Fatal(err)
		}
		f.Close()
	}
	if *gcCost {
		// What one collection costs is what a server under load pays every cycle: mark work
		// grows with the pointers the heap holds, not with its bytes. Dropping the indexes one
		// at a time shows which structure the collector spends its time in.
		fmt.Printf("GC CPU per cycle, everything: %v\n", gcCPU())
		snap.Tiles = nil
		fmt.Printf("GC CPU per cycle, without the tile index: %v\n", gcCPU())
		snap.Gazetteer = nil
		fmt.Printf("GC CPU per cycle, without the gazetteer too: %v\n", gcCPU())
		snap.Geo = nil
		fmt.Printf("GC CPU per cycle, the dataset alone: %v\n", gcCPU())
	}
	runtime.KeepAlive(snap) // the snapshot's last use: perLayer measures the dataset alone
	perLayer(ds, *gcCost)
	// What the process holds outside the Go heap (SQLite's page cache lives in its own C-style
	// allocator) shows as the RSS that closing the store gives back.
	before := rss("VmRSS")
	st.Close()
	liveHeap()
	fmt.Printf("store closed: RSS %d MB (was %d MB)\n", rss("VmRSS"), before)
}

// eachIndex builds each index of the snapshot alone n times, after a collection, and prints the
// median CPU time of each, of the check Build runs once before them, and of Build itself (every thread's, the collector's included): what each part of Build
// costs where the three cannot run side by side, as on one core.
func eachIndex(ds *data.Dataset, n int) {
	for _, ix := range []struct {
		name  string
		build func() error
	}{
		{"CheckIndexable", ds.CheckIndexable}, // once for geo and tiles, as Build does
		{"geo.NewIndex", func() error { _, err := geo.NewIndex(ds, geo.IndexOptions{Checked: true}); return err }},
		{"tiles.NewIndex", func() error { _, err := tiles.NewCheckedIndex(ds); return err }},
		{"gazetteer.New", func() error { _, err := gazetteer.New(ds, gazetteer.Options{}); return err }},
		{"city.Build", func() error { _, err := city.Build(ds, city.Options{}); return err }}, // all, side by side
	} {
		d := make([]time.Duration, n)
		var alloc uint64
		for i := range d {
			runtime.GC()
			before, allocated := cpuTime(), totalAlloc()
			if err := ix.build(); err != nil {
				log.Fatal(err)
			}
			d[i], alloc = cpuTime()-before, totalAlloc()-allocated
		}
		slices.Sort(d)
		fmt.Printf("%-15s %6.2fs CPU (median of %d; %v … %v), %d MB allocated\n", ix.name, d[n/2].Seconds(), n,
			d[0].Round(10*time.Millisecond), d[n-1].Round(10*time.Millisecond), alloc>>20)
	}
}

// totalAlloc returns the bytes allocated on the heap so far: what a build adds to it is the
// garbage it leaves (less what the index keeps), and with it how soon the collector runs.
func totalAlloc() uint64 {
	ms := []metrics.Sample{{Name: "/gc/heap/allocs:bytes"}}
	metrics.Read(ms)
	return ms[0].Value.Uint64()
}

// perLayer writes down what each big layer of the dataset costs on its own: the live heap falls
// by that much when the layer is dropped (strings it shares with another layer stay).
func perLayer(ds *data.Dataset, gcCost bool) {
	before := liveHeap()
	for _, l := range []struct {
		name string
		n    int
		drop func()
	}{
		{"component", len(ds.Components), func() { ds.Components = nil }},
		{"address", len(ds.Addresses), func() { ds.Addresses = nil }},
		{"grid", len(ds.Grids), func() { ds.Grids = nil }},
	} {
		l.drop()
		after := liveHeap()
		if l.n > 0 && after <= before {
			fmt.Printf("dataset: %.0f B per %s (%d MB for %d)\n", float64(before-after)/float64(l.n), l.name, (before-after)>>20, l.n)
		}
		before = after
		if gcCost {
			fmt.Printf("GC CPU per cycle, without the %ss too: %v\n", l.name, gcCPU())
		}
	}
}

// gcCPU returns the process CPU time (every thread's, user + system) of one forced collection,
// the median of seven (on a machine shared with other work the median of three moved by tens
// of milliseconds between runs, as much as one index costs), with what the collector had to
// visit: the heap objects and the scannable bytes, which do not depend on the machine's load.
func gcCPU() gcCost {
	var d [7]time.Duration
	for i := range d {
		before := cpuTime()
		runtime.GC()
		d[i] = cpuTime() - before
	}
	slices.Sort(d[:])
	ms := []metrics.Sample{{Name: "/gc/heap/objects:objects"}, {Name: "/gc/scan/heap:bytes"}}
	metrics.Read(ms)
	return gcCost{cpu: d[len(d)/2].Round(time.Millisecond), objects: ms[0].Value.Uint64(), scan: ms[1].Value.Uint64()}
}

// gcCost is what one collection cost.
type gcCost struct {
	cpu     time.Duration
	objects uint64 // heap objects
	scan    uint64 // bytes of heap that may hold pointers
}

func (c gcCost) String() string {
	return fmt.Sprintf("%v (%.2f M objects, %d MB scannable)", c.cpu, float64(c.objects)/1e6, c.scan>>20)
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func liveHeap() uint64 {
	runtime.GC()
	debug.FreeOSMemory()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// report prints a step's wall time and CPU time (user + system, the figure to quote on a shared
// machine) with the memory after it. The CPU is the step's own: until this reported the CPU
// since the previous step's report, which also counted the collections and the return of memory
// to the OS that measure the live heap (~0.3 s for the snapshot of the 2M-component city).
func report(step string, took, cpu time.Duration, heap uint64) {
	fmt.Printf("%-15s %6.1fs wall %6.1fs CPU  live heap %5d MB  RSS %5d MB  peak RSS %5d MB\n",
		step, took.Seconds(), cpu.Seconds(), heap>>20, rss("VmRSS"), rss("VmHWM"))
}

// rss reads a field of /proc/self/status in MB (0 where there is no /proc).
func rss(field string) int {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, field+":"); ok {
			kb, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")))
			return kb >> 10
		}
	}
	return 0
}
