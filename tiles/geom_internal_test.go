package tiles

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/clip"
	"github.com/paulmach/orb/simplify"
)

// randomRing is a closed ring of n points around (cx, cy) in tile units, radius up to r, with
// some points repeated and some nearly collinear, as projected survey rings are.
func randomRing(rng *rand.Rand, n int, cx, cy, r float64) orb.Ring {
	out := make(orb.Ring, 0, n+1)
	for i := range n {
		rr := r * (0.3 + 0.7*rng.Float64())
		a := 2 * math.Pi * (float64(i) + rng.Float64()*0.5) / float64(n)
		p := orb.Point{cx + rr*math.Cos(a), cy + rr*math.Sin(a)}
		switch rng.IntN(10) {
		case 0:
			if len(out) > 0 {
				p = out[len(out)-1] // a repeated vertex
			}
		case 1:
			if len(out) > 0 {
				q := out[len(out)-1]
				p = orb.Point{q[0] + 0.5*rng.Float64(), q[1] + 0.5*rng.Float64()} // within the tolerance
			}
		}
		out = append(out, p)
	}
	return append(out, out[0])
}

// TestSimplifyMatchesOrb: the in-place Douglas–Peucker keeps exactly the points
// orb/simplify.DouglasPeucker keeps, on rings and lines of every size, at every tolerance the
// rules use.
func TestSimplifyMatchesOrb(t *testing.T) {
	var tp tileProj
	tp.tol = 2
	// A point exactly at the tolerance goes, one just beyond it stays: the comparison is strict.
	for _, tc := range []struct {
		in   []orb.Point
		kept int
	}{
		{[]orb.Point{{0, 0}, {10, 2}, {20, 0}}, 2},
		{[]orb.Point{{0, 0}, {10, 2.000001}, {20, 0}}, 3},
		{[]orb.Point{{0, 0}, {5, 1}, {10, 3}, {15, 1}, {20, 0}}, 3},
	} {
		want := simplify.DouglasPeucker(2).LineString(slices.Clone(orb.LineString(tc.in)))
		got := tp.simplify(slices.Clone(tc.in))
		if len(got) != tc.kept || !slices.Equal(got, []orb.Point(want)) {
			t.Errorf("simplify(%v) = %v, orb %v, want %d points", tc.in, got, want, tc.kept)
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, tol := range []float64{2, 8, 0.5} {
		tp.tol = tol
		for i := range 3000 {
			r := randomRing(rng, 3+rng.IntN(60), 2048, 2048, 10+rng.Float64()*3000)
			want := simplify.DouglasPeucker(tol).Ring(slices.Clone(r))
			got := tp.simplify(slices.Clone(r))
			if !slices.Equal(got, want) {
				t.Fatalf("tolerance %v, ring %d of %d points: kept %d points, orb %d", tol, i, len(r), len(got), len(want))
			}
			line := orb.LineString(r[:len(r)-1])
			wantL := simplify.DouglasPeucker(tol).LineString(slices.Clone(line))
			if gotL := tp.simplify(slices.Clone(line)); !slices.Equal(gotL, wantL) {
				t.Fatalf("tolerance %v, line %d: kept %d points, orb %d", tol, i, len(gotL), len(wantL))
			}
		}
	}
}

// TestClipRingMatchesOrb: clipRing gives orb/clip.Ring's ring point for point, for rings
// inside, across one or more sides and corners of the buffered tile, around it and outside it.
func TestClipRingMatchesOrb(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	var tp tileProj
	clipped, gone := 0, 0
	for i := range 20000 {
		cx, cy := -3000+rng.Float64()*10000, -3000+rng.Float64()*10000
		r := randomRing(rng, 3+rng.IntN(40), cx, cy, 10+rng.Float64()*4000)
		if rng.IntN(8) == 0 {
			r = r[:len(r)-1] // an open ring: orb does not close it
		}
		want := clip.Ring(clipBox, slices.Clone(r))
		tp.proj = append(tp.proj[:0], r...)
		got := tp.clipRing(tp.proj)
		if !slices.Equal(got, want) {
			t.Fatalf("ring %d (%d points around %.0f,%.0f): clipped to %d points, orb %d\n got %v\nwant %v", i, len(r), cx, cy, len(got), len(want), got, want)
		}
		if want == nil {
			gone++
		} else if len(want) != len(r) {
			clipped++
		}
	}
	if clipped < 1000 || gone < 1000 {
		t.Fatalf("only %d rings clipped and %d clipped away: the cases are not covered", clipped, gone)
	}
}
