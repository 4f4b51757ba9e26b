package importer

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestIDSetRepeats checks that idSet reports exactly the positions a map of strings would: every
// occurrence of an id after its first, whether the id is of the standard's 16 or 17 digits
// (found by repeats, in order) or anything else (found at once by add).
func TestIDSetRepeats(t *testing.T) {
	tests := []struct {
		name string
		ids  []string
	}{
		{"none", []string{"4403030101000001", "4403030101000002", "44030301010000001"}},
		{"16 digits twice", []string{"4403030101000001", "4403030101000002", "4403030101000001"}},
		{"thrice", []string{"4403030101000001", "4403030101000001", "x", "4403030101000001"}},
		{"16 and 17 digits of one number differ", []string{"0440303010100001", "00440303010100001", "440303010100001"}},
		{"other ids", []string{"A-1", "A-1", "", "", "44030301010000x1", "44030301010000x1"}},
		{"mixed", []string{"A", "4403030101000001", "A", "4403030101000001", "99999999999999999", "99999999999999999"}},
	}
	rng := rand.New(rand.NewPCG(1, 2))
	var random []string
	for range 5000 {
		random = append(random, fmt.Sprintf("44030301%02d%06d", rng.IntN(3), rng.IntN(2000)))
	}
	tests = append(tests, struct {
		name string
		ids  []string
	}{"random", random})
	for _, tt := range tests {
		var want []int
		seen := map[string]bool{}
		for i, id := range tt.ids {
			if seen[id] {
				want = append(want, i)
			}
			seen[id] = true
		}
		s := newIDSet(len(tt.ids))
		var got []int
		for i, id := range tt.ids {
			if s.add(id) {
				got = append(got, i)
			}
		}
		got = append(got, s.repeats()...)
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("%s: repeats at %v, want %v", tt.name, got, want)
		}
	}
}
