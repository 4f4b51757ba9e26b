package tiles

import (
	"math"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
	"weak"

	"citygeo/data"

	"github.com/paulmach/orb"
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
		ix, err := NewIndex(&data.Dataset{Version: 1})
		if err != nil {
			t.Fatal(err)
		}
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

// TestNewIndexRefuses: a dataset the index cannot hold is an error naming the feature, never a
// panic.
func TestNewIndexRefuses(t *testing.T) {
	sq := orb.Polygon{{{114.1, 22.5}, {114.101, 22.5}, {114.101, 22.501}, {114.1, 22.5}}}
	nan := math.NaN()
	for _, tc := range []struct {
		name string
		ds   *data.Dataset
		want string
	}{
		{"nil dataset", nil, "nil dataset"},
		{"nil grid", &data.Dataset{Grids: []*data.Grid{nil}}, "nil grid"},
		{"nil area", &data.Dataset{Areas: []*data.Area{nil}}, "nil area"},
		{"nil component", &data.Dataset{Components: []*data.Component{nil}}, "nil component"},
		{"nil road", &data.Dataset{Roads: []*data.Road{nil}}, "nil road"},
		{"NaN grid", &data.Dataset{Grids: []*data.Grid{{Code: "440303001001001",
			Polygon: orb.Polygon{{{114.1, nan}, {114.101, 22.5}, {114.101, 22.501}, {114.1, 22.5}}}}}}, "grid 440303001001001"},
		{"infinite area label", &data.Dataset{Areas: []*data.Area{{Code: "440303", Polygon: orb.MultiPolygon{sq},
			Label: orb.Point{math.Inf(1), 22.5}}}}, "area 440303"},
		{"NaN component", &data.Dataset{Components: []*data.Component{{ID: "4403030101000001",
			Geometry: orb.Point{nan, nan}}}}, "component 4403030101000001"},
		{"NaN road", &data.Dataset{Roads: []*data.Road{{ID: 7, Name: "深南东路",
			Line: orb.LineString{{114.1, 22.5}, {nan, 22.6}}}}}, "road 7 (深南东路)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ix, err := NewIndex(tc.ds)
			if err == nil || ix != nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("NewIndex = %v, %v; want an error naming %q", ix, err, tc.want)
			}
		})
	}
}

// TestComponentIDCollision checks that a component whose id another one took first keeps the
// id assignIDs moved it to, although the index no longer stores the ids of the others.
func TestComponentIDCollision(t *testing.T) {
	ds := &data.Dataset{Components: []*data.Component{
		{ID: "5", Major: "01", Minor: "18", Geometry: orb.Point{114.1, 22.55}},
		{ID: "7", Major: "01", Minor: "18"}, // no geometry: not drawn, no id
		{ID: "05", Major: "01", Minor: "18", Geometry: orb.Point{114.1, 22.55}},
		{ID: "6", Major: "01", Minor: "18", Geometry: orb.LineString{{114.1, 22.55}, {114.2, 22.56}}},
	}}
	ix, err := NewIndex(ds)
	if err != nil {
		t.Fatal(err)
	}
	for pos, want := range map[int32]uint64{0: 5, 2: 7, 3: 6} { // "6" holds 6, so "05" moves on to 7
		if got := ix.compID(pos); got != want {
			t.Errorf("component %s: feature id %d, want %d", ds.Components[pos].ID, got, want)
		}
	}
	if ix.isShape(0) || ix.isShape(2) || !ix.isShape(3) {
		t.Errorf("isShape: want only the line (position 3)")
	}
}
