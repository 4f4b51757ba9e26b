package tiles

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
)

// TestRadixSort compares radixSort with a stable sort by the same bits, on values that vary in
// a few bits (as cells do), in all bits, in none, and around the digits' edges.
func TestRadixSort(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	random := func(n int, mask uint64) []uint64 {
		vs := make([]uint64, n)
		for i := range vs {
			vs[i] = 0xdead_0000_0000_0000 | rng.Uint64()&mask
		}
		return vs
	}
	for _, tc := range []struct {
		name string
		vs   []uint64
		lo   uint
	}{
		{"empty", nil, 0},
		{"one", []uint64{7}, 0},
		{"equal", []uint64{5, 5, 5}, 0},
		{"all bits", random(5000, ^uint64(0)), 0},
		{"few bits", random(5000, 0x3ff<<30|0x3ff<<50), 0},
		{"top bits only", random(5000, 0xfff<<52), 0},
		{"by cell, positions below", cellsLike(rng, 5000), compBits},
		{"low bits ignored", random(5000, 0xffff), 8},
		{"duplicates", random(5000, 0x7), 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := slices.Clone(tc.vs)
			slices.SortStableFunc(want, func(a, b uint64) int { return cmpU64(a>>tc.lo, b>>tc.lo) })
			got := slices.Clone(tc.vs)
			radixSort(got, tc.lo)
			if !slices.Equal(got, want) {
				t.Fatalf("radixSort differs from a stable sort by bits %d and up", tc.lo)
			}
		})
	}
}

// cellsLike packs n components, listed by ascending position, into random cells of a city-sized
// block of the cell grid.
func cellsLike(rng *rand.Rand, n int) []uint64 {
	vs := make([]uint64, n)
	for i := range vs {
		vs[i] = uint64(packCell(200_000+rng.Uint32N(700), 100_000+rng.Uint32N(700), int32(i)))
	}
	return vs
}

// TestSmallDecimal checks the hand-written decimal read against strconv.ParseUint with the
// 2^52 bound FeatureID applies.
func TestSmallDecimal(t *testing.T) {
	for _, s := range []string{"", "0", "7", "440303", "4403030201000001", "4503599627370495",
		"4503599627370496", "44030302010000001", "00000000000000000000000001", "18446744073709551615",
		"18446744073709551616", "99999999999999999999999", "+1", "-1", "1_000", "12a", " 1", "0x10", "١٢"} {
		fuzzSmallDecimal(t, s)
	}
}

func FuzzSmallDecimal(f *testing.F) {
	for _, s := range []string{"", "4403030201000001", "4503599627370496", "0001", "1e3"} {
		f.Add(s)
	}
	f.Fuzz(fuzzSmallDecimal)
}

func fuzzSmallDecimal(t *testing.T, s string) {
	n, err := strconv.ParseUint(s, 10, 64)
	wantOK := err == nil && n < 1<<52
	got, ok := smallDecimal(s)
	if ok != wantOK || ok && got != n {
		t.Errorf("smallDecimal(%q) = %d, %v; strconv gives %d, %v", s, got, ok, n, err)
	}
}
