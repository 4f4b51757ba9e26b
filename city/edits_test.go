package city_test

import (
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"strconv"
	"testing"

	"citygeo/city"
	"citygeo/data"
	"citygeo/data/sample"
	"citygeo/data/sqlite"
	"citygeo/geo"
	importer "citygeo/import"
	"citygeo/tiles"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
	"github.com/paulmach/orb/planar"
)

// editCity serves a generated city from a new store file.
func editCity(t *testing.T, path string) (*city.City, *sqlite.Store, *data.Dataset) {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	ds, err := sample.Generate(sample.Options{Grids: 500, Components: 2000, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.ActiveVersion(ctx); errors.Is(err, data.ErrNoActive) {
		if _, err := st.Save(ctx, ds, "seed"); err != nil {
			t.Fatal(err)
		}
	}
	c := city.New(st, city.Options{TileCache: tiles.NewCache(0)}, slog.New(slog.DiscardHandler))
	if err := c.Load(ctx); err != nil {
		t.Fatal(err)
	}
	return c, st, ds
}

// pointComponent returns a point component of ds and its grid.
func pointComponent(t *testing.T, ds *data.Dataset) (*data.Component, *data.Grid) {
	t.Helper()
	grids := map[string]*data.Grid{}
	for _, g := range ds.Grids {
		grids[g.Code] = g
	}
	for _, c := range ds.Components {
		if _, ok := c.Geometry.(orb.Point); ok && grids[c.Grid] != nil {
			return c, grids[c.Grid]
		}
	}
	t.Fatal("no point component")
	return nil, nil
}

func moved(c *data.Component, to orb.Point, status data.Status) *data.Dataset {
	n := *c
	n.Geometry, n.Status = to, status
	return &data.Dataset{Components: []*data.Component{&n}}
}

func tileAt(p orb.Point, z int) maptile.Tile { return maptile.At(p, maptile.Zoom(z)) }

func etag(t *testing.T, tl *tiles.Tiler, mt maptile.Tile) string {
	t.Helper()
	x, err := tl.Tile(tiles.SetCity, int(mt.Z), int(mt.X), int(mt.Y))
	if err != nil {
		t.Fatal(err)
	}
	return x.ETag
}

// TestEditVisibleEverywhere moves a component across its grid and changes its status: locate,
// nearest, the lookup by id, the bbox query, dispatch's binding and the tiles that cover its old
// and new places show the edit at once; a tile elsewhere keeps its ETag; the history holds it.
func TestEditVisibleEverywhere(t *testing.T) {
	ctx := context.Background()
	c, st, ds := editCity(t, filepath.Join(t.TempDir(), "city.db"))
	comp, grid := pointComponent(t, ds)
	from := comp.Geometry.(orb.Point)
	to := grid.Polygon.Bound().Center()
	if !geo.Intersects(grid.Polygon, orb.Bound{Min: to, Max: to}) {
		t.Skip("grid centre outside its polygon")
	}
	snap := c.Current()
	oldTile, newTile := tileAt(from, 18), tileAt(to, 18)
	far := tileAt(orb.Point{from[0] + 0.02, from[1] + 0.02}, 18)
	before := map[maptile.Tile]string{}
	for _, mt := range []maptile.Tile{oldTile, newTile, far} {
		if err := snap.Tiles.Check(tiles.SetCity, int(mt.Z), int(mt.X), int(mt.Y)); err == nil {
			before[mt] = etag(t, snap.Tiles, mt)
		}
	}

	res, err := c.Edit(ctx, city.Edit{Layer: data.LayerComponent, ID: comp.ID, Op: data.OpUpdate,
		After: moved(comp, to, data.StatusLost), IfMatch: city.FeatureETag(&data.Dataset{Components: []*data.Component{comp}}),
		Who: "gis1", Why: "复核位置"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Change.Seq == 0 || res.ETag == "" {
		t.Fatalf("edit answered %+v", res)
	}
	now := c.Current()
	if got := now.Component(comp.ID); got == nil || got.Status != data.StatusLost || !got.Geometry.(orb.Point).Equal(to) {
		t.Errorf("Component(%s) = %+v, want it moved and lost", comp.ID, got)
	}
	if comp.Status == data.StatusLost {
		t.Fatal("the base component was changed in place")
	}
	loc, _ := now.Locate(to, to, geo.CGCS2000, geo.NearestQuery{K: 1, Radius: 5}, nil)
	if len(loc.Components) != 1 || loc.Components[0].ID != comp.ID || loc.Components[0].Status != data.StatusLost.String() {
		t.Errorf("locate at the new place = %+v, want %s", loc.Components, comp.ID)
	}
	for _, n := range now.Nearest(from, geo.NearestQuery{K: 5, Radius: 0.5}, nil) {
		if n.Component.ID == comp.ID {
			t.Errorf("nearest at the old place still finds %s", comp.ID)
		}
	}
	var inBox []string
	now.ComponentsIn(orb.Bound{Min: to, Max: to}.Pad(1e-6), comp.Class(), func(x *data.Component) bool {
		inBox = append(inBox, x.ID)
		return true
	})
	if len(inBox) != 1 || inBox[0] != comp.ID {
		t.Errorf("components in a box at the new place = %v", inBox)
	}
	if got, _ := now.Locator().NearestOfClass(to, comp.Class(), 20); got == nil || got.ID != comp.ID {
		t.Errorf("dispatch binds %v at the new place, want %s", got, comp.ID)
	}
	for mt, tag := range before {
		after := etag(t, now.Tiles, mt)
		switch mt {
		case oldTile, newTile:
			if after == tag {
				t.Errorf("tile %v covers the edit but kept ETag %s", mt, tag)
			}
		default:
			if after != tag {
				t.Errorf("tile %v away from the edit changed ETag %s → %s", mt, tag, after)
			}
		}
	}
	h, err := st.History(ctx, data.LayerComponent, comp.ID)
	if err != nil || len(h) != 1 || h[0].Who != "gis1" || h[0].Why != "复核位置" {
		t.Fatalf("history = %+v, %v", h, err)
	}
	keys := map[string]bool{}
	for _, f := range h[0].Fields {
		keys[f.Key] = true
	}
	if !keys["status"] || !keys["geometry"] || len(keys) != 2 {
		t.Errorf("history fields = %+v, want status and geometry", h[0].Fields)
	}

	// A restart serves the edit from the store: the base plus its pending changes.
	c2 := city.New(st, city.Options{}, slog.New(slog.DiscardHandler))
	if err := c2.Load(ctx); err != nil {
		t.Fatal(err)
	}
	if got := c2.Current().Component(comp.ID); got == nil || got.Status != data.StatusLost {
		t.Errorf("after restart: %+v", got)
	}

	// A fold makes the edits a delta version; it serves the same.
	v0 := now.Version()
	if err := c.Fold(ctx); err != nil {
		t.Fatal(err)
	}
	folded := c.Current()
	if folded.Version() == v0 {
		t.Fatal("fold made no new version")
	}
	if n, _ := folded.Edits(); n != 0 {
		t.Errorf("folded snapshot still holds %d edits", n)
	}
	if got := folded.Geo.Component(comp.ID); got == nil || got.Status != data.StatusLost {
		t.Errorf("folded base: %+v", got)
	}
}

func TestEditRefusals(t *testing.T) {
	ctx := context.Background()
	c, _, ds := editCity(t, filepath.Join(t.TempDir(), "city.db"))
	comp, _ := pointComponent(t, ds)
	one := &data.Dataset{Components: []*data.Component{comp}}
	tag := city.FeatureETag(one)
	bad := *comp
	bad.Grid = "440303001001999"
	var grid *data.Grid
	for _, g := range ds.Grids {
		if g.Code == comp.Grid {
			grid = g
		}
	}
	gridTag := city.FeatureETag(&data.Dataset{Grids: []*data.Grid{grid}})
	shrunk := *grid // a corner of itself, 1 % of its area: the component is left outside
	b := grid.Polygon.Bound()
	w, h := (b.Max[0]-b.Min[0])/10, (b.Max[1]-b.Min[1])/10
	shrunk.Polygon = orb.Polygon{{b.Min, {b.Min[0] + w, b.Min[1]}, {b.Min[0] + w, b.Min[1] + h}, {b.Min[0], b.Min[1] + h}, b.Min}}
	if planar.PolygonContains(shrunk.Polygon, comp.Geometry.(orb.Point)) {
		t.Fatal("the shrunk grid still holds the component")
	}
	addr := ds.Addresses[0]
	addrTag := city.FeatureETag(&data.Dataset{Addresses: []*data.Address{addr}})
	for _, tc := range []struct {
		name string
		edit city.Edit
		want error
	}{
		{"no If-Match", city.Edit{Layer: data.LayerComponent, ID: comp.ID, Op: data.OpUpdate, After: one}, city.ErrPreconditionMiss},
		{"stale ETag", city.Edit{Layer: data.LayerComponent, ID: comp.ID, Op: data.OpDelete, IfMatch: `"0"`}, city.ErrStale},
		{"create existing", city.Edit{Layer: data.LayerComponent, ID: comp.ID, Op: data.OpCreate, After: one}, city.ErrExists},
		{"update missing", city.Edit{Layer: data.LayerComponent, ID: "4403030101999999", Op: data.OpUpdate, IfMatch: tag}, city.ErrNotFound},
		{"id differs", city.Edit{Layer: data.LayerComponent, ID: "4403030101999999", Op: data.OpCreate, After: one}, city.ErrWrongID},
		{"no such grid", city.Edit{Layer: data.LayerComponent, ID: comp.ID, Op: data.OpUpdate, IfMatch: tag,
			After: &data.Dataset{Components: []*data.Component{&bad}}}, importer.ErrValidation},
		{"departments", city.Edit{Layer: data.LayerDepartment, ID: "x", Op: data.OpDelete, IfMatch: tag}, city.ErrNotEditable},
		// A grid its components name: not deleted, not reshaped from under them.
		{"grid in use", city.Edit{Layer: data.LayerGrid, ID: grid.Code, Op: data.OpDelete, IfMatch: gridTag}, importer.ErrValidation},
		{"grid shrunk off its component", city.Edit{Layer: data.LayerGrid, ID: grid.Code, Op: data.OpUpdate, IfMatch: gridTag,
			After: &data.Dataset{Grids: []*data.Grid{&shrunk}}}, importer.ErrValidation},
		// An id is its number as written: 05 is no address, whatever 5 is.
		{"id spelled otherwise", city.Edit{Layer: data.LayerAddress, ID: "0" + strconv.FormatUint(addr.ID, 10), Op: data.OpDelete, IfMatch: addrTag}, city.ErrNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := c.Edit(ctx, tc.edit); !errors.Is(err, tc.want) {
				t.Errorf("Edit = %v, want %v", err, tc.want)
			}
		})
	}
	if n, _ := c.Current().Edits(); n != 0 {
		t.Errorf("refused edits left %d changes served", n)
	}
	var ve *importer.ValidationError
	_, err := c.Edit(ctx, city.Edit{Layer: data.LayerComponent, ID: comp.ID, Op: data.OpUpdate, IfMatch: tag,
		After: &data.Dataset{Components: []*data.Component{&bad}}})
	if !errors.As(err, &ve) || len(ve.Report.Findings) == 0 || ve.Report.Findings[0].Check != "component.grid_missing" {
		t.Errorf("validation = %v", err)
	}
	// Delete, then the id is free to create again.
	if _, err := c.Edit(ctx, city.Edit{Layer: data.LayerComponent, ID: comp.ID, Op: data.OpDelete, IfMatch: tag}); err != nil {
		t.Fatal(err)
	}
	if c.Current().Component(comp.ID) != nil {
		t.Error("deleted component still served")
	}
	if _, err := c.Edit(ctx, city.Edit{Layer: data.LayerComponent, ID: comp.ID, Op: data.OpCreate, After: one}); err != nil {
		t.Fatal(err)
	}
}
