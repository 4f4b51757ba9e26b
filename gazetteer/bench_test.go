package gazetteer_test

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"citygeo/data"
	"citygeo/data/sample"
	"citygeo/gazetteer"

	"github.com/paulmach/orb"
)

// The benchmarks run on a generated city of about a million house numbers, built once.
var big struct {
	once  sync.Once
	ds    *data.Dataset
	ix    *gazetteer.Index
	perA  float64 // heap bytes per address held by the index
	build time.Duration
	err   error
}

func bigCity(b *testing.B) (*data.Dataset, *gazetteer.Index) {
	big.once.Do(func() {
		// 100,000 grids (the generator's maximum) at 10 houses each: a million house numbers.
		big.ds, big.err = sample.Generate(sample.Options{Grids: sample.MaxGrids, Addresses: 1_000_000})
		if big.err != nil {
			return
		}
		var m0, m1 runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&m0)
		t0 := time.Now()
		big.ix, big.err = gazetteer.New(big.ds, gazetteer.Options{})
		big.build = time.Since(t0)
		if big.err != nil {
			return
		}
		runtime.GC()
		runtime.ReadMemStats(&m1)
		big.perA = float64(m1.HeapAlloc-m0.HeapAlloc) / float64(big.ix.Len())
	})
	if big.err != nil {
		b.Fatal(big.err)
	}
	return big.ds, big.ix
}

// percentiles reports p50 and p99 of per-operation times as metrics.
func percentiles(b *testing.B, ts []time.Duration) {
	if len(ts) == 0 {
		return
	}
	slices.Sort(ts)
	b.ReportMetric(float64(ts[len(ts)/2].Nanoseconds()), "p50-ns")
	b.ReportMetric(float64(ts[len(ts)*99/100].Nanoseconds()), "p99-ns")
}

func BenchmarkGeocode(b *testing.B) {
	ds, ix := bigCity(b)
	rng := rand.New(rand.NewPCG(1, 2))
	qs := make([]string, 4096)
	for i := range qs {
		qs[i] = ds.Addresses[rng.IntN(len(ds.Addresses))].Full
	}
	ts := make([]time.Duration, 0, 1<<16)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		t0 := time.Now()
		if len(ix.Geocode(qs[i%len(qs)], gazetteer.Query{})) == 0 {
			b.Fatalf("no candidate for %s", qs[i%len(qs)])
		}
		if len(ts) < cap(ts) {
			ts = append(ts, time.Since(t0))
		}
	}
	percentiles(b, ts)
	b.ReportMetric(big.perA, "B/addr")
	b.ReportMetric(float64(ix.Len()), "addrs")
	b.ReportMetric(big.build.Seconds(), "build-s")
}

// BenchmarkGeocodeNoisy geocodes harder queries: a missing number (interpolation), a
// misspelt road (fuzzy), Chinese numerals and an offset.
func BenchmarkGeocodeNoisy(b *testing.B) {
	ds, ix := bigCity(b)
	rng := rand.New(rand.NewPCG(5, 6))
	qs := make([]string, 4096)
	for i := range qs {
		a := ds.Addresses[rng.IntN(len(ds.Addresses))]
		rs := []rune(a.Road)
		switch i % 4 {
		case 0:
			qs[i] = fmt.Sprintf("%s%d号", a.Road, a.Number+1)
		case 1:
			rs[0] = '口'
			qs[i] = fmt.Sprintf("%s%d号", string(rs), a.Number)
		case 2:
			qs[i] = "深圳市罗湖区" + a.Road + "十二号附近"
		default:
			qs[i] = a.Full + "东50米"
		}
	}
	ts := make([]time.Duration, 0, 1<<16)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		t0 := time.Now()
		ix.Geocode(qs[i%len(qs)], gazetteer.Query{})
		if len(ts) < cap(ts) {
			ts = append(ts, time.Since(t0))
		}
	}
	percentiles(b, ts)
}

func BenchmarkReverse(b *testing.B) {
	ds, ix := bigCity(b)
	rng := rand.New(rand.NewPCG(3, 4))
	ps := make([]orb.Point, 4096)
	for i := range ps {
		// Points near houses: where dispatchers click.
		a := ds.Addresses[rng.IntN(len(ds.Addresses))].Point
		ps[i] = orb.Point{a[0] + (rng.Float64()-0.5)*0.0005, a[1] + (rng.Float64()-0.5)*0.0005}
	}
	ts := make([]time.Duration, 0, 1<<16)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		t0 := time.Now()
		ix.Reverse(ps[i%len(ps)], 0)
		if len(ts) < cap(ts) {
			ts = append(ts, time.Since(t0))
		}
	}
	percentiles(b, ts)
}

func BenchmarkSuggest(b *testing.B) {
	ds, ix := bigCity(b)
	var qs []string
	for _, r := range ds.Roads {
		rs := []rune(r.Name)
		for n := 1; n <= min(3, len(rs)); n++ {
			qs = append(qs, string(rs[:n]))
		}
	}
	qs = append(qs, "l", "lh", "hb", "jsl", "sz", "x", "z")
	ts := make([]time.Duration, 0, 1<<16)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		t0 := time.Now()
		ix.Suggest(qs[i%len(qs)], 10)
		if len(ts) < cap(ts) {
			ts = append(ts, time.Since(t0))
		}
	}
	percentiles(b, ts)
}

func BenchmarkNormalize(b *testing.B) {
	for b.Loop() {
		gazetteer.Normalize("臺北市大安區信義路三段一九0之二號一樓")
	}
}

func BenchmarkBuild(b *testing.B) {
	ds, err := sample.Generate(sample.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(len(ds.Addresses)), "addrs")
	for b.Loop() {
		mustNew(b, ds, gazetteer.Options{})
	}
}
