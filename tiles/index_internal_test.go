package tiles

import (
	"citygeo/data"
	"runtime"
	"slices"
	"testing"
	"time"
	"weak"
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

// TestCacheDoesNotKeepReplacedIndexes: a long-running server claims a new index for every
// version it serves; the cache must not keep the old ones (and their datasets) alive.
func TestCacheDoesNotKeepReplacedIndexes(t *testing.T) {
	c := NewCache(1 << 20)
	gone := make(chan struct{})
	func() {
		ix := NewIndex(&data.Dataset{Version: 1})
		runtime.AddCleanup(ix, func(ch chan struct{}) { close(ch) }, gone)
		c.claim(1, ix)
		c.claim(1, ix) // the same index again: still the owner
		if c.owner[1] != weak.Make(ix) {
			t.Fatal("claim did not record the owner")
		}
	}()
	for i := 0; i < 20; i++ {
		runtime.GC()
		select {
		case <-gone:
			return
		case <-time.After(10 * time.Millisecond):
		}
	}
	t.Fatal("the cache kept a replaced index alive")
}
