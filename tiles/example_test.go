package tiles_test

import (
	"errors"
	"fmt"

	"citygeo/data"
	"citygeo/tiles"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
)

func ExampleBuild() {
	ds := &data.Dataset{Version: 1, Grids: []*data.Grid{{
		Code: "440303001001001", Community: "440303001001", AreaM2: 10000,
		Polygon: orb.Polygon{{{114.1, 22.53}, {114.101, 22.53}, {114.101, 22.531}, {114.1, 22.531}, {114.1, 22.53}}},
	}}}
	ix, err := tiles.NewIndex(ds)
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := tiles.Build(ix, nil, tiles.SetCity, maptile.At(orb.Point{114.1005, 22.5305}, 16), tiles.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Features, len(res.Data) > 0)
	// Output: map[grids:2] true
}

func ExampleTiler_Tile() {
	ds := &data.Dataset{Version: 3, Grids: []*data.Grid{{
		Code: "440303001001001", Community: "440303001001",
		Polygon: orb.Polygon{{{114.1, 22.53}, {114.101, 22.53}, {114.101, 22.531}, {114.1, 22.531}, {114.1, 22.53}}},
	}}}
	ix, err := tiles.NewIndex(ds)
	if err != nil {
		fmt.Println(err)
		return
	}
	tr := tiles.NewTiler(ix, tiles.NewCache(0), nil, tiles.Options{})
	t := maptile.At(orb.Point{114.1005, 22.5305}, 15)
	tl, _ := tr.Tile(tiles.SetCity, 15, int(t.X), int(t.Y))
	_, err = tr.Tile(tiles.SetCity, 15, 0, 0)
	fmt.Println(tl.Empty, tl.ETag[:8])
	fmt.Println(errors.Is(err, tiles.ErrOutside))
	// Output:
	// false "city-3-
	// true
}

// The dispatch work plugs its events feed in as an EventSource and, after each change, drops
// exactly the cached events tiles that showed the old or show the new position.
func ExampleCache_EventChanged() {
	ds := &data.Dataset{Version: 1, Grids: []*data.Grid{{
		Code: "440303001001001", Community: "440303001001",
		Polygon: orb.Polygon{{{114.1, 22.53}, {114.11, 22.53}, {114.11, 22.54}, {114.1, 22.54}, {114.1, 22.53}}},
	}}}
	pos := orb.Point{114.105, 22.535}
	feed := tiles.EventsFunc(func(b orb.Bound, fn func(tiles.Event) bool) {
		if b.Contains(pos) {
			fn(tiles.Event{ID: tiles.FeatureID("A2026-0001"), Ref: "A2026-0001", Point: pos, Class: "0101", Status: "open"})
		}
	})
	ix, err := tiles.NewIndex(ds)
	if err != nil {
		fmt.Println(err)
		return
	}
	cache := tiles.NewCache(0)
	tr := tiles.NewTiler(ix, cache, feed, tiles.Options{})
	t := maptile.At(pos, 16)
	before, _ := tr.Tile(tiles.SetEvents, 16, int(t.X), int(t.Y))

	old := pos
	pos = orb.Point{114.1055, 22.5355} // the event moves
	fmt.Println("dropped", cache.EventChanged(old, pos))
	after, _ := tr.Tile(tiles.SetEvents, 16, int(t.X), int(t.Y))
	fmt.Println(before.ETag != after.ETag)
	// Output:
	// dropped 1
	// true
}
