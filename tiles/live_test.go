package tiles_test

import (
	"strings"
	"testing"

	"citygeo/tiles"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
)

// newPositions returns an empty layer of patrollers' positions, shown from z12 on: a second
// live set that shares nothing with events but the interface.
func newPositions() *points {
	return &points{m: map[uint64]orb.Point{}, rule: tiles.Rule{Set: "positions", Layer: "patrollers", Kind: "patroller",
		MinZoom: 12, MaxZoom: tiles.MaxZoom, Attrs: []string{"id", "status"}}}
}

// TestSecondLiveLayer registers a positions layer on its own and follows one patroller: its
// tiles are served from the layer at the zooms of its rule, cached, and each move drops exactly
// the cached tiles that showed the old or show the new position; every other tile stays cached.
func TestSecondLiveLayer(t *testing.T) {
	ds := testCity(20, 20)
	b := ds.Bound()
	pos := newPositions()
	const id = 7
	pos.move(id, b.Center())
	cache := tiles.NewCache(0)
	var live tiles.Live
	set := live.Register(pos, cache)
	tr := tiles.NewTiler(mustIndex(t, ds), nil, tiles.Options{}).WithLive(&live)
	if got := strings.Join(tr.Sets(), ","); got != tiles.SetCity+",positions" {
		t.Fatalf("sets %s", got)
	}
	var all []maptile.Tile // z10–11 lie below the rule: served, empty
	tiles.Pyramid(b, 10, 16, func(tl maptile.Tile) bool { all = append(all, tl); return true })
	serve := func() map[maptile.Tile]*tiles.Tile {
		t.Helper()
		out := map[maptile.Tile]*tiles.Tile{}
		for _, tl := range all {
			got, err := tr.Tile(set.Name(), int(tl.Z), int(tl.X), int(tl.Y))
			if err != nil {
				t.Fatal(err)
			}
			out[tl] = got
		}
		return out
	}
	shownAt := func(p orb.Point) map[maptile.Tile]bool {
		out := map[maptile.Tile]bool{}
		for _, tl := range set.TilesAt(p) {
			out[tl] = true
		}
		return out
	}

	served := serve()
	want := shownAt(b.Center())
	for _, tl := range all {
		if got := layerIDs(t, served[tl], "patrollers")[id]; got != want[tl] {
			t.Errorf("tile %v shows the patroller: %v, TilesAt says %v", tl, got, want[tl])
		}
		if want[tl] && tl.Z < 12 {
			t.Errorf("TilesAt lists %v, below the rule's zooms", tl)
		}
	}
	if cache.Len() != len(all) {
		t.Fatalf("cache holds %d tiles, want all %d served", cache.Len(), len(all))
	}
	if again := serve(); again[all[0]] != served[all[0]] {
		t.Error("a second request rebuilt a cached tile")
	}

	corner := tiles.TileCorner(maptile.At(b.Center(), 14))
	for _, tc := range []struct {
		name string
		to   orb.Point
	}{
		{"within its z16 tile", orb.Point{b.Center()[0] + 0.00002, b.Center()[1]}},
		{"onto a z14 tile corner", corner},
		{"just off that corner", nudge(corner, 1e-6)},
		{"across the city", orb.Point{b.Min[0] + 0.0001, b.Min[1] + 0.0001}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := serve()
			from := pos.move(id, tc.to)
			affected := shownAt(from)
			for tl := range shownAt(tc.to) {
				affected[tl] = true
			}
			wantDropped := 0
			for _, tl := range all {
				if affected[tl] {
					wantDropped++
				}
			}
			if got := set.Changed(from, tc.to); got != wantDropped {
				t.Errorf("Changed dropped %d tiles, want %d", got, wantDropped)
			}
			if cache.Len() != len(all)-wantDropped {
				t.Errorf("cache holds %d tiles, want %d", cache.Len(), len(all)-wantDropped)
			}
			after := serve()
			now := shownAt(tc.to)
			for _, tl := range all {
				if got := layerIDs(t, after[tl], "patrollers")[id]; got != now[tl] {
					t.Errorf("tile %v shows the patroller: %v, want %v (stale)", tl, got, now[tl])
				}
				if kept := after[tl] == before[tl]; kept == affected[tl] {
					t.Errorf("tile %v: kept in the cache %v, affected by the move %v", tl, kept, affected[tl])
				}
			}
		})
	}
}

// TestLiveSetDescribed: TileJSON and the styles describe a registered live set from its rule.
func TestLiveSetDescribed(t *testing.T) {
	ds := testCity(4, 4)
	var live tiles.Live
	live.Register(newPositions(), nil)
	tr := tiles.NewTiler(mustIndex(t, ds), nil, tiles.Options{}).WithLive(&live)
	tj, err := tr.TileJSON("positions", tiles.TileURL("http://h", "positions"))
	if err != nil {
		t.Fatal(err)
	}
	if len(tj.VectorLayers) != 1 {
		t.Fatalf("vector_layers %+v, want the one patrollers layer", tj.VectorLayers)
	}
	vl := tj.VectorLayers[0]
	if vl.ID != "patrollers" || vl.MinZoom != 12 || vl.MaxZoom != tiles.MaxZoom || vl.Fields["id"] != "String" || vl.Fields["status"] != "String" {
		t.Errorf("vector layer %+v", vl)
	}
	if tj.Tiles[0] != "http://h/tiles/positions/{z}/{x}/{y}.mvt" {
		t.Errorf("tiles %v", tj.Tiles)
	}
	for _, v := range []string{tiles.StyleWall, tiles.StyleDesk} {
		st, err := tiles.Style(v, "http://h", &live)
		if err != nil {
			t.Fatal(err)
		}
		src, _ := st["sources"].(map[string]any)["positions"].(map[string]any)
		if src["url"] != "http://h/tiles/positions.json" {
			t.Errorf("%s: positions source %v", v, src)
		}
		drawn := false
		for _, l := range st["layers"].([]any) {
			m := l.(map[string]any)
			drawn = drawn || (m["source"] == "positions" && m["source-layer"] == "patrollers")
		}
		if !drawn {
			t.Errorf("%s: no style layer draws the positions set", v)
		}
	}
}

// TestRegisterRefuses: a live set whose name or zooms could not be served is a programming error.
func TestRegisterRefuses(t *testing.T) {
	ok := tiles.Rule{Set: "vehicles", Layer: "vehicles", MinZoom: 12, MaxZoom: tiles.MaxZoom}
	for name, edit := range map[string]func(r *tiles.Rule){
		"the city's name": func(r *tiles.Rule) { r.Set = tiles.SetCity },
		"a taken name":    func(r *tiles.Rule) { r.Set = "positions" },
		"no name":         func(r *tiles.Rule) { r.Set = "" },
		"a slash":         func(r *tiles.Rule) { r.Set = "a/b" },
		"no layer":        func(r *tiles.Rule) { r.Layer = "" },
		"too deep":        func(r *tiles.Rule) { r.MaxZoom = tiles.MaxZoom + 1 },
		"zooms reversed":  func(r *tiles.Rule) { r.MinZoom, r.MaxZoom = 14, 13 },
	} {
		t.Run(name, func(t *testing.T) {
			var live tiles.Live
			live.Register(newPositions(), nil)
			r := ok
			edit(&r)
			defer func() {
				if recover() == nil {
					t.Errorf("Register accepted %+v", r)
				}
			}()
			live.Register(&points{rule: r}, nil)
		})
	}
}
