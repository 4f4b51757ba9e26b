package tiles_test

import (
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
