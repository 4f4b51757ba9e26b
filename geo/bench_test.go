package geo_test

import (
	"math/rand/v2"
	"slices"
	"sync"
	"syscall"
	"testing"
	"time"

	"citygeo/data"
	"citygeo/data/sample"
	"citygeo/geo"

	"github.com/paulmach/orb"
)

// The benchmark city: the built-in sample city at ~100k unit grids and 2M components, the size
// of a large city. It is built once per process, and only when a benchmark asks for it.
var bigCity = sync.OnceValues(func() (*geo.Index, error) {
	ds, err := sample.Generate(sample.Options{Grids: 100_000, Components: 2_000_000, Addresses: 1})
	if err != nil {
		return nil, err
	}
	start := time.Now()
	ix, err := geo.NewIndex(ds, geo.IndexOptions{})
	newIndexTime = time.Since(start)
	return ix, err
})

var newIndexTime time.Duration

// rareClass is the least common class with at least 1,000 components in the benchmark city.
func rareClass(ix *geo.Index) string {
	n := map[string]int{}
	for _, c := range ix.Dataset().Components {
		n[c.Class()]++
	}
	best := ""
	for cl, k := range n {
		if k >= 1000 && (best == "" || k < n[best] || (k == n[best] && cl < best)) {
			best = cl
		}
	}
	return best
}

func benchIndex(b *testing.B) *geo.Index {
	b.Helper()
	start := time.Now()
	ix, err := bigCity()
	if err != nil {
		b.Fatal(err)
	}
	if d := time.Since(start); d > time.Second {
		b.Logf("generated and indexed %d grids, %d components in %v (NewIndex %v)", len(ix.Dataset().Grids),
			len(ix.Dataset().Components), d.Round(time.Millisecond), newIndexTime.Round(time.Millisecond))
	}
	return ix
}

func randomPoints(b orb.Bound, n int, seed uint64) []orb.Point {
	rng := rand.New(rand.NewPCG(seed, 1))
	pts := make([]orb.Point, n)
	for i := range pts {
		pts[i] = orb.Point{b.Min[0] + rng.Float64()*(b.Max[0]-b.Min[0]), b.Min[1] + rng.Float64()*(b.Max[1]-b.Min[1])}
	}
	return pts
}

// reportP50 times single calls and reports their median. Each sample includes the ~20–40 ns
// of two clock reads, so the p50 slightly overstates the call.
func reportP50(b *testing.B, pts []orb.Point, call func(orb.Point)) {
	b.StopTimer()
	d := make([]time.Duration, len(pts))
	for i, p := range pts {
		t0 := time.Now()
		call(p)
		d[i] = time.Since(t0)
	}
	slices.Sort(d)
	b.ReportMetric(float64(d[len(d)/2].Nanoseconds()), "p50-ns")
	b.ReportMetric(float64(d[len(d)*99/100].Nanoseconds()), "p99-ns")
}

func BenchmarkLocate(b *testing.B) {
	ix := benchIndex(b)
	pts := randomPoints(ix.Bound(), 1<<16, 1)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		ix.Locate(pts[i&(1<<16-1)])
	}
	reportP50(b, pts, func(p orb.Point) { ix.Locate(p) })
}

func benchNearest(b *testing.B, q geo.NearestQuery) {
	ix := benchIndex(b)
	pts := randomPoints(ix.Bound(), 1<<16, 2)
	buf := make([]geo.Neighbor, 0, max(q.K, 1))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		buf = ix.Nearest(pts[i&(1<<16-1)], q, buf)
	}
	reportP50(b, pts, func(p orb.Point) { buf = ix.Nearest(p, q, buf) })
}

// BenchmarkNearestClass is the event → component binding: the nearest street lamp (0118)
// within 20 m of a point.
func BenchmarkNearestClass(b *testing.B) {
	benchNearest(b, geo.NearestQuery{Class: "0118", Radius: 20})
}

func BenchmarkNearestClassUnlimited(b *testing.B) {
	benchNearest(b, geo.NearestQuery{Class: "0118"})
}

func BenchmarkNearestRareClass(b *testing.B) {
	cl := rareClass(benchIndex(b))
	b.Logf("rare class %s", cl)
	benchNearest(b, geo.NearestQuery{Class: cl})
}

func BenchmarkNearestMajor(b *testing.B) {
	benchNearest(b, geo.NearestQuery{Class: "01"})
}

func BenchmarkNearestAny5(b *testing.B) {
	benchNearest(b, geo.NearestQuery{K: 5})
}

// BenchmarkGridsIn lists the grids of a ~300 m box (about nine).
func BenchmarkGridsIn(b *testing.B) {
	ix := benchIndex(b)
	pts := randomPoints(ix.Bound(), 1<<16, 3)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		p := pts[i&(1<<16-1)]
		n := 0
		ix.GridsIn(orb.Bound{Min: p, Max: orb.Point{p[0] + 0.003, p[1] + 0.003}}, func(*data.Grid) bool { n++; return true })
	}
}

// BenchmarkNewIndex builds the index of a 10k-grid, 500k-component synthetic city.
func BenchmarkNewIndex(b *testing.B) {
	ds := synthCity(synthOptions{NX: 100, NY: 100, Components: 500_000, Seed: 9})
	for b.Loop() {
		if _, err := geo.NewIndex(ds, geo.IndexOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLocateBatch is BenchmarkLocate's points 1,000 at a time through LocateBatch; ns/op
// is per point, to compare with BenchmarkLocate.
func BenchmarkLocateBatch(b *testing.B) {
	ix := benchIndex(b)
	pts := randomPoints(ix.Bound(), 1<<16, 1)
	out := make([]geo.Location, 0, 1000)
	b.ReportAllocs()
	b.ResetTimer()
	cpu := processCPU()
	for i := 0; b.Loop(); i++ {
		at := i % 64 * 1000
		out = ix.LocateBatch(pts[at:at+1000], out)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/1000, "ns/point")
	b.ReportMetric(float64((processCPU()-cpu).Nanoseconds())/float64(b.N)/1000, "cpu-ns/point")
}

// BenchmarkLocateSeq is BenchmarkLocateBatch's batches through Locate one point at a time,
// its naive twin.
func BenchmarkLocateSeq(b *testing.B) {
	ix := benchIndex(b)
	pts := randomPoints(ix.Bound(), 1<<16, 1)
	b.ReportAllocs()
	b.ResetTimer()
	cpu := processCPU()
	for i := 0; b.Loop(); i++ {
		at := i % 64 * 1000
		for _, p := range pts[at : at+1000] {
			ix.Locate(p)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/1000, "ns/point")
	b.ReportMetric(float64((processCPU()-cpu).Nanoseconds())/float64(b.N)/1000, "cpu-ns/point")
}

// processCPU is the CPU time the process has used: on a shared machine, work per CPU-second
// is the figure that does not move with the neighbours' load.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
