package tiles_test

import (
	"testing"

	"citygeo/tiles"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
)

// TestEditedTiles: an edited point touches its own tile at every zoom, clustered (0–15: the
// tile that shows its cluster) or drawn one by one (16–18), a neighbour only when it lies within
// the neighbour's buffer, and never a tile two away.
func TestEditedTiles(t *testing.T) {
	p := orb.Point{114.1203, 22.5471}
	got := map[maptile.Tile]bool{}
	for _, mt := range tiles.EditedTiles(p) {
		got[mt] = true
	}
	for z := maptile.Zoom(0); z <= tiles.MaxZoom; z++ {
		own := maptile.At(p, z)
		if !got[own] {
			t.Errorf("zoom %d: own tile %v missing", z, own)
		}
		// a tile two away never holds the point or its cluster, buffer or not
		if far := maptile.New(own.X+2, own.Y, z); got[far] {
			t.Errorf("zoom %d: far tile %v listed", z, far)
		}
	}
	// A point on a tile's west edge is in the west neighbour's buffer too.
	own := maptile.New(53500, 28500, 16)
	edge := own.Bound().Min
	edge[1] = own.Bound().Center()[1]
	tl := map[maptile.Tile]bool{}
	for _, mt := range tiles.EditedTiles(edge) {
		tl[mt] = true
	}
	if !tl[own] || !tl[maptile.New(own.X-1, own.Y, 16)] {
		t.Errorf("edge point: tiles %v, want %v and its west neighbour", tl, own)
	}
	if tiles.EditedTiles(nil) != nil {
		t.Error("nil geometry touches tiles")
	}
}

// TestEditedGridAndRoadTiles: a grid edit touches, at each zoom where grids are drawn (13 up),
// the tiles that hold its polygon, and none below or two tiles away; a road edit touches the
// tiles that hold its line at every zoom (an expressway is drawn from zoom 0).
func TestEditedGridAndRoadTiles(t *testing.T) {
	poly := orb.Polygon{{{114.1200, 22.5470}, {114.1210, 22.5470}, {114.1210, 22.5479}, {114.1200, 22.5479}, {114.1200, 22.5470}}}
	line := orb.LineString{{114.1200, 22.5470}, {114.1210, 22.5479}}
	for _, tc := range []struct {
		name   string
		tiles  []maptile.Tile
		g      orb.Geometry
		minZ   maptile.Zoom
		corner orb.Point
	}{
		{"grid", tiles.EditedGridTiles(poly), poly, 13, poly[0][2]},
		{"road", tiles.EditedRoadTiles(line), line, 0, line[1]},
	} {
		got := map[maptile.Tile]bool{}
		for _, mt := range tc.tiles {
			got[mt] = true
		}
		for z := maptile.Zoom(0); z <= tiles.MaxZoom; z++ {
			own, other := maptile.At(tc.g.Bound().Min, z), maptile.At(tc.corner, z)
			if want := z >= tc.minZ; got[own] != want || got[other] != want {
				t.Errorf("%s zoom %d: tiles %v %v listed %v %v, want %v", tc.name, z, own, other, got[own], got[other], want)
			}
			if far := maptile.New(own.X+3, own.Y, z); got[far] {
				t.Errorf("%s zoom %d: far tile %v listed", tc.name, z, far)
			}
		}
	}
	if tiles.EditedGridTiles(nil) != nil || tiles.EditedRoadTiles(nil) != nil {
		t.Error("nil geometry touches tiles")
	}
}
