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
	tr := tiles.NewTiler(ix, tiles.NewCache(0), tiles.Options{})
	t := maptile.At(orb.Point{114.1005, 22.5305}, 15)
	tl, _ := tr.Tile(tiles.SetCity, 15, int(t.X), int(t.Y))
	_, err = tr.Tile(tiles.SetCity, 15, 0, 0)
	fmt.Println(tl.Empty, tl.ETag[:8])
	fmt.Println(errors.Is(err, tiles.ErrOutside))
	// Output:
	// false "city-3-
	// true
}

// position is a live layer of one patroller's position.
type position struct{ at orb.Point }

func (p *position) Rule() tiles.Rule {
	return tiles.Rule{Set: "positions", Layer: "positions", Kind: "patroller", MinZoom: 12, MaxZoom: tiles.MaxZoom, Attrs: []string{"id"}}
}

func (p *position) In(b orb.Bound, fn func(tiles.LiveFeature) bool) {
	if b.Contains(p.at) {
		fn(tiles.LiveFeature{ID: 1, Point: p.at, Tags: []tiles.Tag{tiles.Str("id", "P-001")}})
	}
}

// A live layer is registered once, beside the city set. After each change its owner calls
// Changed with the old and the new position, which drops exactly the cached tiles that showed
// or now show the feature.
func ExampleLiveSet_Changed() {
	ds := &data.Dataset{Version: 1, Grids: []*data.Grid{{
		Code: "440303001001001", Community: "440303001001",
		Polygon: orb.Polygon{{{114.1, 22.53}, {114.11, 22.53}, {114.11, 22.54}, {114.1, 22.54}, {114.1, 22.53}}},
	}}}
	pos := &position{at: orb.Point{114.105, 22.535}}
	var live tiles.Live
	positions := live.Register(pos, tiles.NewCache(0))
	ix, err := tiles.NewIndex(ds)
	if err != nil {
		fmt.Println(err)
		return
	}
	tr := tiles.NewTiler(ix, tiles.NewCache(0), tiles.Options{}).WithLive(&live)
	t := maptile.At(pos.at, 16)
	before, _ := tr.Tile("positions", 16, int(t.X), int(t.Y))

	old := pos.at
	pos.at = orb.Point{114.1055, 22.5355} // the patroller walks on
	fmt.Println("dropped", positions.Changed(old, pos.at))
	after, _ := tr.Tile("positions", 16, int(t.X), int(t.Y))
	fmt.Println(before.ETag != after.ETag)
	// Output:
	// dropped 1
	// true
}
