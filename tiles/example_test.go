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
	ix := tiles.NewIndex(ds)
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
	tr := tiles.NewTiler(tiles.NewIndex(ds), tiles.NewCache(0), nil, tiles.Options{})
	t := maptile.At(orb.Point{114.1005, 22.5305}, 15)
	tl, _ := tr.Tile(tiles.SetCity, 15, int(t.X), int(t.Y))
	_, err := tr.Tile(tiles.SetCity, 15, 0, 0)
	fmt.Println(tl.Empty, tl.ETag[:8])
	fmt.Println(errors.Is(err, tiles.ErrOutside))
	// Output:
	// false "city-3-
	// true
}
