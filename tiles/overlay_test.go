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
