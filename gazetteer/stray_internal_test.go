package gazetteer

import (
	"math"
	"slices"
	"testing"

	"github.com/paulmach/orb"
)

// TestOutOfSequence checks which houses of a side the sequence rule singles out: the misplaced
// one, never its good neighbours (out of order with it but on the side's rate), and none on a
// side whose lots vary but run in order.
func TestOutOfSequence(t *testing.T) {
	even := func(n int) []int32 {
		out := make([]int32, n)
		for k := range out {
			out[k] = int32(2 * (k + 1))
		}
		return out
	}
	along := func(num []int32, perNumber float64) []float64 {
		m := make([]float64, len(num))
		for k, n := range num {
			m[k] = perNumber * float64(n)
		}
		return m
	}
	moved := func(m []float64, k int, to float64) []float64 {
		m = slices.Clone(m)
		m[k] = to
		return m
	}
	num := even(12)
	ahead := moved(along(num, 5), 3, 500)
	down := along(num, -5)
	downAhead := moved(down, 8, -400)
	gap := along(num, 5)
	for k := 6; k < len(gap); k++ {
		gap[k] += 300 // a park between 12號 and 14號
	}
	for _, c := range []struct {
		name string
		m    []float64
		want []int
	}{
		{"one far ahead", ahead, []int{3}},
		{"numbers growing the other way", downAhead, []int{8}},
		{"two far apart", moved(ahead, 9, -300), []int{3, 9}},
		{"in order, even lots", along(num, 5), nil},
		{"in order, a park between", gap, nil},
		{"50 m back: within the register's noise", moved(along(num, 5), 5, 60-50), nil},
	} {
		if got := outOfSequence(num, c.m, strayTolerance, strayWindow); !slices.Equal(got, c.want) {
			t.Errorf("%s: outOfSequence = %v, want %v", c.name, got, c.want)
		}
	}
}

// TestMeasuredLineAlong checks that the chunked search places a point where the plain
// projection does, from any starting chunk, on a line of several chunks that bends back.
func TestMeasuredLineAlong(t *testing.T) {
	pl := newPlane(orb.Point{121.5, 25})
	var l orb.LineString
	for i := range 3*chunkSegs + 5 {
		x := float64(i) * 0.0002
		l = append(l, orb.Point{121.5 + x, 25 + 0.002*math.Sin(x*800)})
	}
	lm := pl.measure(l)
	for _, c := range []struct {
		name string
		p    orb.Point
		hint int
	}{
		{"near the start", orb.Point{121.5001, 25.0003}, 0},
		{"near the end, searched from the start", orb.Point{121.5098, 24.999}, 0},
		{"mid line, searched from the last chunk", orb.Point{121.5051, 25.001}, len(lm.boxes) - 1},
		{"off the line's end", orb.Point{121.52, 25}, 1},
		{"far to one side", orb.Point{121.505, 25.02}, 2},
	} {
		want := pl.project(l, c.p).m
		if got, _ := lm.along(pl, c.p, c.hint); math.Abs(got-want) > 1e-6 {
			t.Errorf("%s: along = %.3f m, project = %.3f m", c.name, got, want)
		}
	}
}
