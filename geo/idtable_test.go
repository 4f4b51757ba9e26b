package geo

import (
	"strconv"
	"testing"
)

// TestKeyTable fills tables of several sizes, where the tag keeps from 31 bits down to 19, and
// checks every key is found at its position, strangers are not, and a repeated key is refused.
func TestKeyTable(t *testing.T) {
	for _, n := range []int{0, 1, 2, 3, 15, 16, 17, 1000, 5000} {
		keys := make([]string, n)
		for i := range keys {
			keys[i] = "k" + strconv.Itoa(i*7919)
		}
		keyAt := func(i int32) string { return keys[i] }
		kt := newKeyTable(n)
		for i, k := range keys {
			if !kt.insert(k, int32(i), keyAt) {
				t.Fatalf("n=%d: insert %q refused", n, k)
			}
		}
		for i, k := range keys {
			if j, ok := kt.find(k, keyAt); !ok || j != int32(i) {
				t.Fatalf("n=%d: find %q = %d, %v; want %d", n, k, j, ok, i)
			}
			if kt.insert(k, int32(n), keyAt) {
				t.Fatalf("n=%d: duplicate %q accepted", n, k)
			}
		}
		for i := range 2 * n {
			if j, ok := kt.find("x"+strconv.Itoa(i), keyAt); ok {
				t.Fatalf("n=%d: stranger found at %d", n, j)
			}
		}
	}
	var zero keyTable
	if _, ok := zero.find("a", func(int32) string { return "a" }); ok {
		t.Fatal("the zero table found a key")
	}
}
