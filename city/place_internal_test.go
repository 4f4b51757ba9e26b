package city

import (
	"testing"

	"citygeo/data"
	"citygeo/data/sample"
	"citygeo/geo"

	"github.com/paulmach/orb"
)

// TestPlaceOverEditedGrids: a grid edit reaches locate and dispatch's place at once, before the
// fold rebuilds the index: an updated grid answers in its edited form, a deleted one no more
// (its areas still do), and the base index is left as it was.
func TestPlaceOverEditedGrids(t *testing.T) {
	ds, err := sample.Generate(sample.Options{Grids: 500, Components: 500, Seed: 4})
	if err != nil {
		t.Fatal(err)
	}
	snap, err := Build(ds, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var g *data.Grid
	var p orb.Point
	for _, x := range ds.Grids {
		c := x.Polygon.Bound().Center()
		if loc := snap.Geo.Locate(c); loc.Grid == x && !loc.Snapped {
			g, p = x, c
			break
		}
	}
	if g == nil {
		t.Fatal("no grid holds its box centre")
	}
	locate := func() (*GridRef, *data.AreaRef, *data.Grid) {
		t.Helper()
		loc, _ := snap.Locate(p, p, geo.CGCS2000, geo.NearestQuery{}, nil)
		want := string(loc.AppendJSON(nil))
		// The batch and the reused answer see the edits as Locate does.
		var into Located
		snap.LocateInto(&into, p, p, geo.CGCS2000, geo.NearestQuery{}, nil)
		if got := string(into.AppendJSON(nil)); got != want {
			t.Errorf("LocateInto\n got %s\nwant %s", got, want)
		}
		var b Batch
		snap.LocateBatch(&b, []orb.Point{p}, []orb.Point{p}, geo.CGCS2000, geo.NearestQuery{}, func(_ int, l *Located) {
			if got := string(l.AppendJSON(nil)); got != want {
				t.Errorf("LocateBatch\n got %s\nwant %s", got, want)
			}
		})
		return loc.Grid, loc.Community, snap.Locator().Locate(p).Grid
	}

	edited := *g
	edited.AreaM2 = g.AreaM2 + 1234.5
	snap.serve([]data.Change{{Seq: 1, Base: ds.Version, Layer: data.LayerGrid, ID: g.Code, Op: data.OpUpdate,
		After: &data.Dataset{Grids: []*data.Grid{&edited}}}}, []*data.Dataset{{Grids: []*data.Grid{g}}})
	ref, comm, disp := locate()
	if ref == nil || ref.Code != g.Code || ref.AreaM2 != RoundM(edited.AreaM2) || disp != &edited || comm == nil || comm.Code != g.Community {
		t.Errorf("after an update: locate %+v in %+v, dispatch %+v; want %s with area %.1f", ref, comm, disp, g.Code, edited.AreaM2)
	}

	snap.serve([]data.Change{{Seq: 2, Base: ds.Version, Layer: data.LayerGrid, ID: g.Code, Op: data.OpDelete}},
		[]*data.Dataset{{Grids: []*data.Grid{&edited}}})
	ref, comm, disp = locate()
	if ref != nil || disp != nil || comm == nil || comm.Code != g.Community {
		t.Errorf("after a delete: locate %+v in %+v, dispatch %+v; want no grid, community %s", ref, comm, disp, g.Community)
	}
	// The gazetteer names the grids as served too (reverse and geocode answers' place).
	if pl := snap.Addresses().Reverse(p, 100).Place; pl.Grid != "" || pl.Community.Code != g.Community {
		t.Errorf("after a delete: reverse names grid %q in %q; want none, community %s", pl.Grid, pl.Community.Code, g.Community)
	}
	if base := snap.Geo.Locate(p); base.Grid != g {
		t.Errorf("the base index changed: %+v", base.Grid)
	}
}
