package tiles

import (
	"slices"
	"testing"
)

func TestUniqueIDs(t *testing.T) {
	for name, tc := range map[string]struct{ in, want []uint64 }{
		"no duplicates":      {[]uint64{3, 1, 2}, []uint64{3, 1, 2}},
		"later one moves":    {[]uint64{5, 5, 6}, []uint64{5, 7, 6}},
		"three of a kind":    {[]uint64{9, 9, 9}, []uint64{9, 10, 11}},
		"wraps below 2^53":   {[]uint64{MaxID - 1, MaxID - 1}, []uint64{MaxID - 1, 1 << 52}},
		"dataset order wins": {[]uint64{4, 1, 4, 1}, []uint64{4, 1, 5, 2}},
	} {
		t.Run(name, func(t *testing.T) {
			got := slices.Clone(tc.in)
			uniqueIDs(got)
			if !slices.Equal(got, tc.want) {
				t.Errorf("uniqueIDs(%v) = %v, want %v", tc.in, got, tc.want)
			}
		})
	}
}
