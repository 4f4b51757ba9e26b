package dispatch_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"
	"time"

	"citygeo/data"
	"citygeo/data/sample"
	"citygeo/dispatch"
	"citygeo/geo"

	"github.com/paulmach/orb"
)

// benchClasses are the event classes the synthetic feed draws from (CJ/T 214 事件 minors).
var benchClasses = func() []data.ClassRef {
	var out []data.ClassRef
	for _, c := range data.CatalogFor(data.CJT214).Classes() {
		if c.Kind == data.KindEvent {
			out = append(out, data.ClassRef{Scheme: c.Scheme, Kind: c.Kind, Code: c.Code()})
		}
	}
	return out
}()

// The synthetic city for feed benchmarks: the sample city's extent (罗湖区, ≈ 8 km × 6 km).
var benchBound = orb.Bound{Min: orb.Point{114.091, 22.521}, Max: orb.Point{114.171, 22.575}}

// benchPerDay is the report rate of the synthetic feed: a large district's 数字城管 files a
// few thousand cases a day.
const benchPerDay = 3000

func benchPoint(rng *rand.Rand) orb.Point {
	return orb.Point{benchBound.Min[0] + rng.Float64()*(benchBound.Max[0]-benchBound.Min[0]),
		benchBound.Min[1] + rng.Float64()*(benchBound.Max[1]-benchBound.Min[1])}
}

var benchT0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// benchFeed fills a feed with n open events arriving at benchPerDay, so the feed spans
// n/benchPerDay days: it grows the way a real feed grows, over time.
func benchFeed(b testing.TB, n int) *dispatch.Feed {
	b.Helper()
	feed, err := dispatch.NewFeed(nil, dispatch.DupConfig{})
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(7, uint64(n)))
	step := 24 * time.Hour / benchPerDay
	for i := range n {
		e := data.Event{ID: fmt.Sprintf("E%07d", i), Class: benchClasses[rng.IntN(len(benchClasses))],
			Point: benchPoint(rng), Reported: benchT0.Add(time.Duration(i) * step)}
		if _, err := feed.Put(e, e.Reported); err != nil {
			b.Fatal(err)
		}
	}
	return feed
}

// BenchmarkDuplicates is the duplicate-search curve: one query (50 m, 24 h, its class) against
// feeds of 1k to 1M open events. Run with -bench=Duplicates -benchtime=200000x.
func BenchmarkDuplicates(b *testing.B) {
	for _, n := range []int{1_000, 10_000, 100_000, 1_000_000} {
		b.Run(fmt.Sprintf("events=%d", n), func(b *testing.B) {
			feed := benchFeed(b, n)
			span := time.Duration(n) * (24 * time.Hour / benchPerDay)
			rng := rand.New(rand.NewPCG(3, 4))
			buf := make([]dispatch.Duplicate, 0, 16)
			runtime.GC() // measure the steady state, not the collection of the fill's garbage
			found := 0
			lat := make([]time.Duration, 0, 1<<16)
			for i := 0; b.Loop(); i++ {
				q := dispatch.DupQuery{Point: benchPoint(rng), Class: benchClasses[i%len(benchClasses)],
					At: benchT0.Add(time.Duration(rng.Int64N(int64(span))))}
				t0 := time.Now()
				buf = feed.Duplicates(q, buf[:0])
				if len(lat) < cap(lat) {
					lat = append(lat, time.Since(t0))
				}
				found += len(buf)
			}
			b.ReportMetric(float64(found)/float64(b.N), "found/op")
			reportPercentiles(b, lat)
		})
	}
}

// BenchmarkDuplicatesNaive is the linear-scan twin of BenchmarkDuplicates (up to 100k).
func BenchmarkDuplicatesNaive(b *testing.B) {
	for _, n := range []int{1_000, 10_000, 100_000} {
		b.Run(fmt.Sprintf("events=%d", n), func(b *testing.B) {
			rng := rand.New(rand.NewPCG(7, uint64(n)))
			step := 24 * time.Hour / benchPerDay
			evs := make([]data.Event, n)
			for i := range evs {
				evs[i] = data.Event{Class: benchClasses[rng.IntN(len(benchClasses))], Point: benchPoint(rng),
					Reported: benchT0.Add(time.Duration(i) * step)}
			}
			span := time.Duration(n) * step
			found := 0
			for i := 0; b.Loop(); i++ {
				p, c := benchPoint(rng), benchClasses[i%len(benchClasses)]
				at := benchT0.Add(time.Duration(rng.Int64N(int64(span))))
				for j := range evs {
					e := &evs[j]
					if e.Class == c && e.Reported.Sub(at).Abs() <= 24*time.Hour && metres(p, e.Point) <= 50 {
						found++
					}
				}
			}
			b.ReportMetric(float64(found)/float64(b.N), "found/op")
		})
	}
}

// BenchmarkResolve is one dispatch in-process on the default sample city (4,500 grids, ~90k
// components) with the sample rules and 100k open events: class parse, locate, component
// binding, rule walk, working-hours deadline, duplicate search. It reports the p50 and p99 of
// single calls besides the mean.
func BenchmarkResolve(b *testing.B) {
	ds, err := sample.Generate(sample.Options{})
	if err != nil {
		b.Fatal(err)
	}
	ix, err := geo.NewIndex(ds, geo.IndexOptions{})
	if err != nil {
		b.Fatal(err)
	}
	rules, err := dispatch.SampleRules()
	if err != nil {
		b.Fatal(err)
	}
	set, err := dispatch.NewRuleSet(rules)
	if err != nil {
		b.Fatal(err)
	}
	feed := benchFeed(b, 100_000)
	r := &dispatch.Resolver{Locator: dispatch.GeoLocator{Index: ix}, Rules: set, Feed: feed}
	bound := ds.Bound()
	rng := rand.New(rand.NewPCG(5, 6))
	classes := []struct{ class, kind string }{{"0118", "component"}, {"0101", "component"}, {"0501", "event"},
		{"0102", "event"}, {"0505", "event"}, {"0402", "component"}, {"0201", "event"}, {"09001", "event"}}
	span := time.Duration(100_000) * (24 * time.Hour / benchPerDay)
	const nIn = 4096
	ins := make([]dispatch.Input, nIn)
	for i := range ins {
		p := orb.Point{bound.Min[0] + rng.Float64()*(bound.Max[0]-bound.Min[0]), bound.Min[1] + rng.Float64()*(bound.Max[1]-bound.Min[1])}
		c := classes[i%len(classes)]
		ins[i] = dispatch.Input{Point: &p, Class: c.class, Kind: c.kind, At: benchT0.Add(time.Duration(rng.Int64N(int64(span))))}
	}
	ctx := context.Background()
	runtime.GC()
	lat := make([]time.Duration, 0, 1<<16)
	outside := 0
	for i := 0; b.Loop(); i++ {
		t0 := time.Now()
		_, err := r.Resolve(ctx, ins[i%nIn])
		d := time.Since(t0)
		if len(lat) < cap(lat) {
			lat = append(lat, d)
		}
		if errors.Is(err, dispatch.ErrOutside) {
			outside++
		} else if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(outside)/float64(b.N), "outside/op")
	reportPercentiles(b, lat)
}

// reportPercentiles reports the p50 and p99 of single-call latencies (each includes ~40 ns of
// clock reads).
func reportPercentiles(b *testing.B, lat []time.Duration) {
	if len(lat) == 0 {
		return
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Nanoseconds()), "p50-ns")
	b.ReportMetric(float64(lat[len(lat)*99/100].Nanoseconds()), "p99-ns")
}
