package duty

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/paulmach/orb"

	"citygeo/data"
	"citygeo/data/sample"
	"citygeo/geo"
)

// TestSegIndexMatchesBruteForce: the bucketed segment search finds what a scan of every piece
// of every segment finds, on random points of the sample city with its roster's segments.
func TestSegIndexMatchesBruteForce(t *testing.T) {
	ds, err := sample.Generate(sample.Options{Grids: 1000, Components: 100, Addresses: 100})
	if err != nil {
		t.Fatal(err)
	}
	gx, err := geo.NewIndex(ds, geo.IndexOptions{})
	if err != nil {
		t.Fatal(err)
	}
	r := sample.Roster(ds, sample.RosterOptions{Segments: 400})
	// Half the segments cover one side only, to test the side rule too.
	for i, s := range r.Segments {
		s.Side = []data.Side{data.SideBoth, data.SideEast, data.SideBoth, data.SideNorth}[i%4]
	}
	ix, _ := Build(NewRoster(r), City{Dataset: ds, Geo: gx}, Options{})
	if len(ix.segs) < 100 {
		t.Fatalf("only %d segments resolved", len(ix.segs))
	}
	rng := rand.New(rand.NewPCG(5, 6))
	b := gx.Bound()
	for range 5000 {
		q := orb.Point{b.Min[0] + rng.Float64()*(b.Max[0]-b.Min[0]), b.Min[1] + rng.Float64()*(b.Max[1]-b.Min[1])}
		got := ix.segIdx.near(q, nil)
		for i := range got {
			got[i].side = 0 // compared by segment and distance
		}
		want := bruteNear(ix, q)
		slices.SortFunc(got, func(a, b segHit) int { return int(a.seg - b.seg) })
		if len(got) != len(want) {
			t.Fatalf("%v: index finds %v, brute force %v", q, got, want)
		}
		for i := range got {
			if got[i].seg != want[i].seg || math.Abs(got[i].dist-want[i].dist) > 1e-3 { // float32 pieces: within a millimetre
				t.Fatalf("%v: index finds %v, brute force %v", q, got, want)
			}
		}
	}
}

// bruteNear scans every piece of every segment with the rules of segIndex.near spelt out.
func bruteNear(ix *Index, q orb.Point) []segHit {
	p := ix.pl.ToMetres(q)
	var out []segHit
	for si, s := range ix.segs {
		best := segHit{seg: int32(si), dist: math.Inf(1)}
		for _, l := range s.Line {
			for i := 1; i < len(l); i++ {
				a, c := ix.pl.ToMetres(l[i-1]), ix.pl.ToMetres(l[i])
				tt, _ := geo.NearestOnSegment(p, a, c)
				// Unclamped: past the first or last vertex of the line is past the segment.
				u := ((p[0]-a[0])*(c[0]-a[0]) + (p[1]-a[1])*(c[1]-a[1])) / ((c[0]-a[0])*(c[0]-a[0]) + (c[1]-a[1])*(c[1]-a[1]))
				if (u < 0 && i == 1) || (u > 1 && i == len(l)-1) {
					continue
				}
				n := orb.Point{a[0] + tt*(c[0]-a[0]), a[1] + tt*(c[1]-a[1])}
				if d := math.Hypot(p[0]-n[0], p[1]-n[1]); d < best.dist {
					best.dist, best.off = d, orb.Point{p[0] - n[0], p[1] - n[1]}
				}
			}
		}
		if best.dist > ix.opts.SegmentRadius {
			continue
		}
		u := s.Side.Unit()
		if u == (orb.Point{}) || best.dist < 0.5 || best.off[0]*u[0]+best.off[1]*u[1] > 0 {
			out = append(out, best)
		}
	}
	return out
}
