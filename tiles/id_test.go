package tiles_test

import (
	"hash/fnv"
	"strconv"
	"testing"

	"citygeo/tiles"
)

func TestFeatureID(t *testing.T) {
	for _, tc := range []struct {
		code    string
		want    uint64 // 0: hashed into [2^52, 2^53)
		numeric bool
	}{
		{"440303", 440303, true},
		{"440303001001", 440303001001, true},
		{"440303001001001", 440303001001001, true},
		{"4403030201000001", 4403030201000001, true}, // CJ/T 214, 16 digits, < 2^52
		{"44030302010000001", 0, false},              // GB/T 47678.5, 17 digits
		{"G-17", 0, false},
	} {
		got := tiles.FeatureID(tc.code)
		if tc.numeric && got != tc.want {
			t.Errorf("FeatureID(%s) = %d, want %d", tc.code, got, tc.want)
		}
		if !tc.numeric && (got < 1<<52 || got >= tiles.MaxID) {
			t.Errorf("FeatureID(%s) = %d, want in [2^52, 2^53)", tc.code, got)
		}
		if tiles.FeatureID(tc.code) != got {
			t.Errorf("FeatureID(%s) not deterministic", tc.code)
		}
	}
	if tiles.FeatureID("44030302010000001") == tiles.FeatureID("44030302010000002") {
		t.Error("neighbouring 17-digit ids collide")
	}
}

// TestFeatureIDHash checks the written-out FNV-1a against hash/fnv, so a hashed id never moves.
func TestFeatureIDHash(t *testing.T) {
	for _, code := range []string{"44030302010000001", "G-17", "road:0:深南大道", "", "99999999999999999999"} {
		if n, err := strconv.ParseUint(code, 10, 64); err == nil && n < 1<<52 {
			t.Fatalf("%q is not a hashed code", code)
		}
		h := fnv.New64a()
		h.Write([]byte(code))
		want := h.Sum64()&(1<<52-1) | 1<<52
		if got := tiles.FeatureID(code); got != want {
			t.Errorf("FeatureID(%q) = %d, hash/fnv gives %d", code, got, want)
		}
	}
	if n := testing.AllocsPerRun(100, func() { _ = tiles.FeatureID("44030302010000001") }); n != 0 {
		t.Errorf("FeatureID of a 17-digit id allocates %v times", n)
	}
}
