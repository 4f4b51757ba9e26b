package city_test

import (
	"context"
	"path/filepath"
	"testing"

	"citygeo/city"
	"citygeo/data"
	"citygeo/tiles"
	"citygeo/tiles/mvtcheck"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
)

// clusterCount decodes city tile mt and sums the counts of its component clusters that lie
// inside the tile proper (not its buffer).
func clusterCount(t *testing.T, tl *tiles.Tiler, mt maptile.Tile) int64 {
	t.Helper()
	x, err := tl.Tile(tiles.SetCity, int(mt.Z), int(mt.X), int(mt.Y))
	if err != nil {
		t.Fatal(err)
	}
	if x.Empty {
		return 0
	}
	dec, probs := mvtcheck.Check(x.Raw, mvtcheck.Strict)
	if len(probs) > 0 {
		t.Fatalf("tile %v: %v", mt, probs)
	}
	var n int64
	for _, l := range dec.Layers {
		if l.Name != tiles.LayerComponents {
			continue
		}
		for _, f := range l.Features {
			p := f.Parts[0][0]
			if f.Tags["cluster"] != true || p.X < 0 || p.Y < 0 || p.X >= int64(l.Extent) || p.Y >= int64(l.Extent) {
				continue
			}
			switch v := f.Tags["count"].(type) {
			case int64:
				n += v
			case uint64:
				n += int64(v)
			default:
				t.Fatalf("tile %v: cluster count %v (%T)", mt, v, v)
			}
		}
	}
	return n
}

// TestEditReachesClusterTiles: a component created at one place and another moved away are
// counted at once in the clusters of the zoom-14 and zoom-15 tiles that cover them (their ETags
// change), while a clustered tile away from both keeps its ETag.
func TestEditReachesClusterTiles(t *testing.T) {
	ctx := context.Background()
	c, _, ds := editCity(t, filepath.Join(t.TempDir(), "city.db"))
	comp, grid := pointComponent(t, ds)
	from := comp.Geometry.(orb.Point)
	// The new component goes to the grid farthest from comp, so the two edits touch different
	// tiles.
	var far *data.Grid
	best := -1.0
	for _, g := range ds.Grids {
		ctr := g.Polygon.Bound().Center()
		if d := (ctr[0]-from[0])*(ctr[0]-from[0]) + (ctr[1]-from[1])*(ctr[1]-from[1]); d > best {
			far, best = g, d
		}
	}
	to := far.Polygon.Bound().Center()
	snap := c.Current()
	touched := map[maptile.Tile]bool{}
	for _, p := range []orb.Point{from, to} {
		for _, mt := range tiles.EditedTiles(p) {
			touched[mt] = true
		}
	}
	for _, z := range []maptile.Zoom{14, 15} {
		if tileAt(from, int(z)) == tileAt(to, int(z)) {
			t.Fatalf("zoom %d: the two places share a tile; the test needs them apart", z)
		}
	}
	// A zoom-15 tile of the city that neither edit touches (z15 tiles are ~1 km; the city is
	// several across).
	var untouched maptile.Tile
	found := false
	b := ds.Bound()
	for x := maptile.At(b.Min, 15).X; x <= maptile.At(b.Max, 15).X && !found; x++ {
		for y := maptile.At(b.Max, 15).Y; y <= maptile.At(b.Min, 15).Y && !found; y++ {
			mt := maptile.New(x, y, 15)
			if !touched[mt] && clusterCount(t, snap.Tiles, mt) > 0 {
				untouched, found = mt, true
			}
		}
	}
	if !found {
		t.Fatal("no clustered tile away from the edits")
	}
	watch := []maptile.Tile{tileAt(from, 14), tileAt(to, 14), tileAt(from, 15), tileAt(to, 15), untouched}
	tags, counts := map[maptile.Tile]string{}, map[maptile.Tile]int64{}
	for _, mt := range watch {
		tags[mt], counts[mt] = etag(t, snap.Tiles, mt), clusterCount(t, snap.Tiles, mt)
	}

	// Create a component at `to`, and move comp into the same far grid.
	created := *comp
	created.ID = comp.ID[:10] + "999999"
	created.Geometry, created.Grid = to, far.Code
	if _, err := c.Edit(ctx, city.Edit{Layer: data.LayerComponent, ID: created.ID, Op: data.OpCreate,
		After: &data.Dataset{Components: []*data.Component{&created}}, Who: "gis1"}); err != nil {
		t.Fatal(err)
	}
	movedComp := *comp
	movedComp.Geometry, movedComp.Grid = orb.Point{to[0] + 1e-5, to[1]}, far.Code
	if _, err := c.Edit(ctx, city.Edit{Layer: data.LayerComponent, ID: comp.ID, Op: data.OpUpdate,
		After: &data.Dataset{Components: []*data.Component{&movedComp}}, IfMatch: "*", Who: "gis1"}); err != nil {
		t.Fatal(err)
	}
	_ = grid
	now := c.Current().Tiles
	for _, mt := range watch {
		want := counts[mt]
		switch {
		case mt == untouched:
		case mt.X == tileAt(from, int(mt.Z)).X && mt.Y == tileAt(from, int(mt.Z)).Y:
			want-- // comp left
		default:
			want += 2 // the new one and comp arrived
		}
		if got := clusterCount(t, now, mt); got != want {
			t.Errorf("tile %v: clusters count %d, want %d (before %d)", mt, got, want, counts[mt])
		}
		changed := etag(t, now, mt) != tags[mt]
		if changed != (mt != untouched) {
			t.Errorf("tile %v: ETag changed = %v, want %v", mt, changed, mt != untouched)
		}
	}
}
