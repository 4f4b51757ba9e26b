package city_test

import (
	"context"
	"path/filepath"
	"strconv"
	"testing"

	"citygeo/city"
	"citygeo/data"
	"citygeo/tiles"
	"citygeo/tiles/mvtcheck"

	"github.com/paulmach/orb/maptile"
	"github.com/paulmach/orb/planar"
)

// roadNames returns the names the roads layer of tile mt draws.
func roadNames(t *testing.T, snap *city.Snapshot, mt maptile.Tile) map[string]bool {
	t.Helper()
	tl, err := snap.Tiles.Tile(tiles.SetCity, int(mt.Z), int(mt.X), int(mt.Y))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	if tl.Empty {
		return out
	}
	dec, probs := mvtcheck.Check(tl.Raw, mvtcheck.Strict)
	if mvtcheck.Fatal(probs) {
		t.Fatalf("tile %v: %v", mt, probs)
	}
	for _, l := range dec.Layers {
		if l.Name == tiles.LayerRoads {
			for _, f := range l.Features {
				out[f.Tags["name"].(string)] = true
			}
		}
	}
	return out
}

// TestRoadEditInTiles: a road renamed is drawn under its new name at once by the snapshot that
// served it when edited (its overlay, before any fold): in the zoom-16 tile at its middle,
// rebuilt under a new ETag, while a zoom-16 tile far from it keeps its ETag; deleted, it is
// drawn no more.
func TestRoadEditInTiles(t *testing.T) {
	ctx := context.Background()
	c, _, ds := editCity(t, filepath.Join(t.TempDir(), "city.db"))
	var road *data.Road
	for _, r := range ds.Roads {
		if r.ID != 0 && r.Name != "" && len(r.Line) >= 2 {
			road = r
			break
		}
	}
	if road == nil {
		t.Fatal("no named road")
	}
	mid := road.Line[len(road.Line)/2]
	mt := maptile.At(mid, 16)
	farP := mid // becomes the grid corner farthest from the road's middle
	for _, g := range ds.Grids {
		if p := g.Polygon[0][0]; planar.Distance(p, mid) > planar.Distance(farP, mid) {
			farP = p
		}
	}
	far := maptile.At(farP, 16)
	for _, x := range tiles.EditedRoadTiles(road.Line) {
		if x == far {
			t.Fatalf("far tile %v is touched by the road", far)
		}
	}
	snap := c.Current()
	if !roadNames(t, snap, mt)[road.Name] {
		t.Fatalf("tile %v does not draw road %q before the edit", mt, road.Name)
	}
	tag, farTag := etag(t, snap.Tiles, mt), etag(t, snap.Tiles, far)

	renamed := *road
	renamed.Name = "测试改名路"
	id := strconv.FormatUint(road.ID, 10)
	if _, err := c.Edit(ctx, city.Edit{Layer: data.LayerRoad, ID: id, Op: data.OpUpdate,
		After: &data.Dataset{Roads: []*data.Road{&renamed}}, IfMatch: "*", Who: "test"}); err != nil {
		t.Fatal(err)
	}
	if got := roadNames(t, snap, mt); !got[renamed.Name] || got[road.Name] {
		t.Errorf("tile %v after the rename draws %v; want %q, not %q", mt, got, renamed.Name, road.Name)
	}
	if etag(t, snap.Tiles, mt) == tag {
		t.Errorf("tile %v draws the renamed road under its old ETag", mt)
	}
	if etag(t, snap.Tiles, far) != farTag {
		t.Errorf("far tile %v changed ETag", far)
	}
	if _, err := c.Edit(ctx, city.Edit{Layer: data.LayerRoad, ID: id, Op: data.OpDelete, IfMatch: "*", Who: "test"}); err != nil {
		t.Fatal(err)
	}
	// The first edit may have been folded meanwhile (a road edit starts a fold): the snapshot
	// served now holds the delete either way.
	if got := roadNames(t, c.Current(), mt); got[renamed.Name] || got[road.Name] {
		t.Errorf("tile %v after the delete draws %v", mt, got)
	}
}
