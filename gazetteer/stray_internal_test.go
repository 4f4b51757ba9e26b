package gazetteer

import (
	"slices"
	"testing"
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
