package duty_test

import (
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"citygeo/data"
	"citygeo/data/sample"
	"citygeo/duty"
	"citygeo/geo"
)

// The benchmark city: the sample city at ~100k unit grids (the size of a large city) with the
// sample roster cut into ~10k duty segments. Components and addresses play no part in duty
// lookups and are kept few; the segments' ends are cross streets, so no gazetteer is needed.
var bigCity = sync.OnceValues(func() (*duty.Index, error) {
	ds, err := sample.Generate(sample.Options{Grids: 100_000, Components: 1000, Addresses: 1})
	if err != nil {
		return nil, err
	}
	gx, err := geo.NewIndex(ds, geo.IndexOptions{})
	if err != nil {
		return nil, err
	}
	bigGeo = gx
	start := time.Now()
	ix, fs := duty.Build(duty.NewRoster(sample.Roster(ds, sample.RosterOptions{Segments: 10_000})), duty.City{Dataset: ds, Geo: gx}, duty.Options{})
	buildTime = time.Since(start)
	return ix, fs.Err()
})

var (
	buildTime time.Duration
	bigGeo    *geo.Index
)

func benchIndex(b *testing.B) *duty.Index {
	b.Helper()
	ix, err := bigCity()
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("%d segments, %d people; Build %v", len(ix.Segments()), len(ix.Roster().People), buildTime.Round(time.Millisecond))
	return ix
}

// BenchmarkOnDuty: who is on duty at a random point of the city at a random time of the week
// (the point located in its grid first, as GET /v1/duty does).
func BenchmarkOnDuty(b *testing.B) {
	ix := benchIndex(b)
	pts := randomPoints(ix.Segments(), 1<<14, false)
	benchLookup(b, ix, pts)
}

// BenchmarkOnDutyBesideSegments: the same for points 0–25 m off a random segment, where every
// answer includes a segment's unit and person.
func BenchmarkOnDutyBesideSegments(b *testing.B) {
	ix := benchIndex(b)
	pts := randomPoints(ix.Segments(), 1<<14, true)
	benchLookup(b, ix, pts)
}

// BenchmarkLocateAlone is the part of a lookup that locates the point in its grid, for
// comparison: the rest is the duty index's own.
func BenchmarkLocateAlone(b *testing.B) {
	ix := benchIndex(b)
	pts := randomPoints(ix.Segments(), 1<<14, false)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		bigGeo.Locate(pts[i&(len(pts)-1)])
	}
	b.StopTimer()
	d := make([]time.Duration, len(pts))
	for i, p := range pts {
		t0 := time.Now()
		bigGeo.Locate(p)
		d[i] = time.Since(t0)
	}
	slices.Sort(d)
	b.ReportMetric(float64(d[len(d)/2].Nanoseconds()), "p50-ns")
}

func benchLookup(b *testing.B, ix *duty.Index, pts []orb.Point) {
	week := time.Date(2026, 11, 16, 0, 0, 0, 0, cst)
	rng := rand.New(rand.NewPCG(3, 4))
	times := make([]time.Time, len(pts))
	for i := range times {
		times[i] = week.Add(time.Duration(rng.IntN(7*24*60)) * time.Minute)
	}
	buf := make([]data.OnDuty, 0, 16)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		k := i & (len(pts) - 1)
		buf = ix.OnDuty(duty.Query{Point: pts[k], At: times[k]}, buf)
	}
	b.StopTimer()
	d := make([]time.Duration, len(pts))
	for i, p := range pts {
		t0 := time.Now()
		buf = ix.OnDuty(duty.Query{Point: p, At: times[i]}, buf)
		d[i] = time.Since(t0)
	}
	slices.Sort(d)
	b.ReportMetric(float64(d[len(d)/2].Nanoseconds()), "p50-ns")
	b.ReportMetric(float64(d[len(d)*99/100].Nanoseconds()), "p99-ns")
}

// randomPoints returns n points in the segments' bound, or, beside, points 0–25 m off a random
// point of a random segment.
func randomPoints(segs []*duty.Segment, n int, beside bool) []orb.Point {
	rng := rand.New(rand.NewPCG(1, 2))
	var bound orb.Bound
	for i, s := range segs {
		if i == 0 {
			bound = s.Line.Bound()
		}
		bound = bound.Union(s.Line.Bound())
	}
	pts := make([]orb.Point, n)
	for i := range pts {
		if !beside {
			pts[i] = orb.Point{bound.Min[0] + rng.Float64()*(bound.Max[0]-bound.Min[0]), bound.Min[1] + rng.Float64()*(bound.Max[1]-bound.Min[1])}
			continue
		}
		l := segs[rng.IntN(len(segs))].Line[0]
		k := rng.IntN(len(l) - 1)
		f := rng.Float64()
		p := orb.Point{l[k][0] + f*(l[k+1][0]-l[k][0]), l[k][1] + f*(l[k+1][1]-l[k][1])}
		pts[i] = geo.Offset(p, rng.Float64()*360, rng.Float64()*25)
	}
	return pts
}

// BenchmarkOnDutyHot asks about the same 64 points over and over: the lookup's computing cost
// with its memory in cache, against which BenchmarkOnDuty shows what waiting on memory adds.
func BenchmarkOnDutyHot(b *testing.B) {
	ix := benchIndex(b)
	pts := randomPoints(ix.Segments(), 64, true)
	benchLookup(b, ix, pts)
}
