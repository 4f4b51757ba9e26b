package tiles_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"citygeo/data"
	"citygeo/tiles"
	"citygeo/tiles/mvtcheck"

	"github.com/google/go-cmp/cmp"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
)

// checkTile runs the strict validator and the size limit on one built tile.
func checkTile(t *testing.T, tile maptile.Tile, res *tiles.Result) *mvtcheck.Tile {
	t.Helper()
	if len(res.Data) > tiles.DefaultMaxBytes {
		t.Errorf("tile %v: %d bytes > %d", tile, len(res.Data), tiles.DefaultMaxBytes)
	}
	dec, probs := mvtcheck.Check(res.Data, mvtcheck.Strict)
	for _, p := range probs {
		t.Errorf("tile %v: %v", tile, p)
	}
	return dec
}

func TestBuildPyramidValid(t *testing.T) {
	ds := testCity(24, 20)
	ix := mustIndex(t, ds)
	seen := map[string]bool{}
	n := 0
	tiles.Pyramid(ds.Bound(), 10, 18, func(tile maptile.Tile) bool {
		res, err := tiles.Build(ix, nil, tiles.SetCity, tile, tiles.Options{})
		if err != nil {
			t.Fatal(err)
		}
		n++
		dec := checkTile(t, tile, res)
		for _, l := range dec.Layers {
			seen[l.Name] = true
			if got := res.Features[l.Name]; got != len(l.Features) {
				t.Errorf("tile %v layer %s: result says %d features, tile has %d", tile, l.Name, got, len(l.Features))
			}
		}
		return !t.Failed()
	})
	if n < 100 {
		t.Errorf("only %d tiles built", n)
	}
	for _, l := range []string{"areas", "grids", "roads", "components"} {
		if !seen[l] {
			t.Errorf("layer %s never appeared", l)
		}
	}
}

func TestBuildDoesNotMutateDataset(t *testing.T) {
	ds := testCity(8, 6)
	before := make([]orb.Geometry, 0, len(ds.Grids)+len(ds.Components))
	for _, g := range ds.Grids {
		before = append(before, orb.Clone(g.Polygon))
	}
	for _, c := range ds.Components {
		before = append(before, orb.Clone(c.Geometry))
	}
	ix := mustIndex(t, ds)
	tiles.Pyramid(ds.Bound(), 12, 18, func(tile maptile.Tile) bool {
		if _, err := tiles.Build(ix, nil, tiles.SetCity, tile, tiles.Options{}); err != nil {
			t.Fatal(err)
		}
		return true
	})
	after := make([]orb.Geometry, 0, len(before))
	for _, g := range ds.Grids {
		after = append(after, g.Polygon)
	}
	for _, c := range ds.Components {
		after = append(after, c.Geometry)
	}
	for i := range before {
		if !orb.Equal(before[i], after[i]) {
			t.Fatalf("geometry %d changed: %v -> %v", i, before[i], after[i])
		}
	}
}

// TestStableIDs checks that a grid keeps one feature id in every tile and zoom that shows it.
func TestStableIDs(t *testing.T) {
	ds := testCity(12, 10)
	ix := mustIndex(t, ds)
	ids := map[string]map[uint64]bool{}
	tiles.Pyramid(ds.Bound(), 13, 18, func(tile maptile.Tile) bool {
		res, _ := tiles.Build(ix, nil, tiles.SetCity, tile, tiles.Options{})
		dec, _ := mvtcheck.Check(res.Data, mvtcheck.Spec)
		for _, l := range dec.Layers {
			if l.Name != "grids" {
				continue
			}
			for _, f := range l.Features {
				if f.Type != 3 {
					continue // label points have their own ids
				}
				code := f.Tags["code"].(string)
				if ids[code] == nil {
					ids[code] = map[uint64]bool{}
				}
				ids[code][f.ID] = true
			}
		}
		return true
	})
	if len(ids) != len(ds.Grids) {
		t.Errorf("%d grids seen, want %d", len(ids), len(ds.Grids))
	}
	for code, set := range ids {
		if len(set) != 1 || !set[tiles.FeatureID(code)] {
			t.Errorf("grid %s has ids %v, want only %d", code, set, tiles.FeatureID(code))
		}
	}
}

func TestZoomRules(t *testing.T) {
	ds := testCity(6, 6)
	ix := mustIndex(t, ds)
	center := ds.Bound().Center()
	layersAt := func(z int) map[string]mvtcheck.Layer {
		tile := maptile.At(center, maptile.Zoom(z))
		res, err := tiles.Build(ix, nil, tiles.SetCity, tile, tiles.Options{})
		if err != nil {
			t.Fatal(err)
		}
		dec := checkTile(t, tile, res)
		out := map[string]mvtcheck.Layer{}
		for _, l := range dec.Layers {
			out[l.Name] = l
		}
		return out
	}
	if _, ok := layersAt(12)["grids"]; ok {
		t.Error("grids at z12, want from z13")
	}
	g13 := layersAt(13)["grids"]
	if len(g13.Features) == 0 {
		t.Fatal("no grids at z13")
	}
	if _, ok := g13.Features[0].Tags["community"]; ok {
		t.Error("grid community attribute at z13, want from z15")
	}
	if _, ok := layersAt(16)["grids"].Features[0].Tags["community"]; !ok {
		t.Error("grid community attribute missing at z16")
	}
	for _, f := range layersAt(15)["components"].Features {
		if f.Tags["cluster"] != true {
			t.Fatalf("z15 component %v is not a cluster", f.Tags)
		}
	}
	for _, f := range layersAt(16)["components"].Features {
		if _, ok := f.Tags["cluster"]; ok {
			t.Fatalf("z16 component %v is a cluster", f.Tags)
		}
	}
}

// TestClustersCountEveryComponent sums cluster counts over the tiles of one zoom, counting
// each cluster once (in the tile that holds it, not in neighbours' buffers).
func TestClustersCountEveryComponent(t *testing.T) {
	ds := testCity(10, 8)
	ix := mustIndex(t, ds)
	for z := 10; z <= 15; z++ {
		total := int64(0)
		ids := map[uint64]bool{}
		tiles.Pyramid(ds.Bound(), z, z, func(tile maptile.Tile) bool {
			res, _ := tiles.Build(ix, nil, tiles.SetCity, tile, tiles.Options{})
			dec, _ := mvtcheck.Check(res.Data, mvtcheck.Spec)
			for _, l := range dec.Layers {
				if l.Name != "components" {
					continue
				}
				for _, f := range l.Features {
					p := f.Parts[0][0]
					if p.X < 0 || p.Y < 0 || p.X >= tiles.Extent || p.Y >= tiles.Extent || ids[f.ID] {
						continue
					}
					ids[f.ID] = true
					total += f.Tags["count"].(int64)
				}
			}
			return true
		})
		if total != int64(len(ds.Components)) {
			t.Errorf("z%d: clusters count %d components, want %d", z, total, len(ds.Components))
		}
	}
}

func TestThinningKeepsEveryLayer(t *testing.T) {
	ds := testCity(20, 20)
	ix := mustIndex(t, ds)
	tile := maptile.At(ds.Bound().Center(), 16)
	full, _ := tiles.Build(ix, nil, tiles.SetCity, tile, tiles.Options{})
	for name, opts := range map[string]tiles.Options{
		"feature cap": {MaxFeatures: 5},
		"byte limit":  {MaxBytes: 2000},
	} {
		t.Run(name, func(t *testing.T) {
			res, err := tiles.Build(ix, nil, tiles.SetCity, tile, opts)
			if err != nil {
				t.Fatal(err)
			}
			if opts.MaxBytes > 0 && len(res.Data) > opts.MaxBytes {
				t.Errorf("%d bytes > %d", len(res.Data), opts.MaxBytes)
			}
			for l, n := range full.Features {
				if res.Features[l] == 0 {
					t.Errorf("layer %s dropped", l)
				}
				if opts.MaxFeatures > 0 && res.Features[l] > opts.MaxFeatures {
					t.Errorf("layer %s: %d features > cap %d", l, res.Features[l], opts.MaxFeatures)
				}
				if res.Features[l]+res.Thinned[l] != n {
					t.Errorf("layer %s: kept %d + thinned %d != %d", l, res.Features[l], res.Thinned[l], n)
				}
			}
			if _, probs := mvtcheck.Check(res.Data, mvtcheck.Strict); len(probs) > 0 {
				t.Errorf("thinned tile invalid: %v", probs)
			}
		})
	}
}

func TestWindingAndHoles(t *testing.T) {
	ds := testCity(12, 8)
	ix := mustIndex(t, ds)
	var comm *data.Area
	for _, a := range ds.Areas {
		if a.Level == data.Community && len(a.Polygon[0]) > 1 {
			comm = a
		}
	}
	tile := maptile.At(comm.Polygon[0][1][0], 16)
	res, _ := tiles.Build(ix, nil, tiles.SetCity, tile, tiles.Options{})
	dec := checkTile(t, tile, res)
	found := false
	for _, l := range dec.Layers {
		for _, f := range l.Features {
			if l.Name != "areas" || f.Tags["code"] != comm.Code || f.Type != 3 {
				continue
			}
			found = true
			signs := []bool{}
			for _, r := range f.Parts {
				signs = append(signs, area2(r) > 0)
			}
			if diff := cmp.Diff([]bool{true, false}, signs); diff != "" {
				t.Errorf("ring signs (exterior positive, hole negative) -want +got:\n%s", diff)
			}
		}
	}
	if !found {
		t.Fatal("community with hole not in tile")
	}
}

func area2(r []mvtcheck.Point) int64 {
	var a int64
	for k := range r {
		j := (k + 1) % len(r)
		a += r[k].X*r[j].Y - r[j].X*r[k].Y
	}
	return a
}

func TestBuildErrors(t *testing.T) {
	ix := mustIndex(t, testCity(2, 2))
	if _, err := tiles.Build(ix, nil, "nope", maptile.New(0, 0, 0), tiles.Options{}); err == nil {
		t.Error("unknown set accepted")
	}
	if _, err := tiles.Build(ix, nil, tiles.SetCity, maptile.New(4, 0, 2), tiles.Options{}); err == nil {
		t.Error("x out of range accepted")
	}
}

// TestRoadOfUnknownClassDrawn: a road whose class is none of the four (a survey's own word) is
// drawn as a branch road, where it was dropped at every zoom; a known class keeps its zooms.
func TestRoadOfUnknownClassDrawn(t *testing.T) {
	ds := testCity(6, 6)
	c := ds.Bound().Center()
	line := func(dy float64) orb.LineString {
		return orb.LineString{{c[0] - 0.0005, c[1] + dy}, {c[0] + 0.0005, c[1] + dy}}
	}
	ds.Roads = []*data.Road{
		{ID: 901, Name: "甲路", Class: data.RoadArterial, Line: line(0)},
		{ID: 902, Name: "乙路", Class: "城市道路", Line: line(0.0001)},
		{ID: 903, Name: "丙路", Line: line(-0.0001)},
	}
	ix := mustIndex(t, ds)
	names := func(z int) string {
		tile := maptile.At(c, maptile.Zoom(z))
		res, err := tiles.Build(ix, nil, tiles.SetCity, tile, tiles.Options{})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, l := range checkTile(t, tile, res).Layers {
			if l.Name == "roads" {
				for _, f := range l.Features {
					out = append(out, fmt.Sprint(f.Tags["name"], ":", f.Tags["class"]))
				}
			}
		}
		slices.Sort(out)
		return strings.Join(out, " ")
	}
	if got, want := names(16), "丙路:branch 乙路:branch 甲路:arterial"; got != want {
		t.Errorf("z16 roads %q, want %q", got, want)
	}
	if got := names(11); strings.Contains(got, "乙路") || strings.Contains(got, "丙路") {
		t.Errorf("z11 roads %q, want no branch road", got)
	}
}

// TestMultiPartComponentsDrawn: a component surveyed in several parts (a guard rail broken by a
// crossing, a planting bed in two pieces) is drawn, every part, where it was left out of the
// tiles and the cluster counts.
func TestMultiPartComponentsDrawn(t *testing.T) {
	ds := testCity(6, 6)
	c := ds.Bound().Center()
	g := ds.Components[0].Grid
	ds.Components = append(ds.Components,
		&data.Component{ID: "4403030211900001", Major: "02", Minor: "11", Grid: g, Geometry: orb.MultiLineString{
			{{c[0] - 0.0002, c[1]}, {c[0] - 0.00005, c[1]}}, {{c[0] + 0.00005, c[1]}, {c[0] + 0.0002, c[1]}}}},
		&data.Component{ID: "4403030301900002", Major: "03", Minor: "01", Grid: g, Geometry: orb.MultiPolygon{
			{{{c[0], c[1] + 0.00002}, {c[0] + 0.0001, c[1] + 0.00002}, {c[0] + 0.0001, c[1] + 0.00012}, {c[0], c[1] + 0.00002}}},
			{{{c[0], c[1] - 0.00012}, {c[0] + 0.0001, c[1] - 0.00012}, {c[0] + 0.0001, c[1] - 0.00002}, {c[0], c[1] - 0.00012}}}}})
	ix := mustIndex(t, ds)
	tile := maptile.At(c, 18)
	res, err := tiles.Build(ix, nil, tiles.SetCity, tile, tiles.Options{})
	if err != nil {
		t.Fatal(err)
	}
	parts := map[string]int{}
	for _, l := range checkTile(t, tile, res).Layers {
		if l.Name == "components" {
			for _, f := range l.Features {
				if id, _ := f.Tags["id"].(string); strings.Contains(id, "9000") {
					parts[id] = len(f.Parts)
				}
			}
		}
	}
	// Two lines; two rings.
	if parts["4403030211900001"] != 2 || parts["4403030301900002"] != 2 {
		t.Errorf("multi-part components in the z18 tile, parts by id: %v, want two each", parts)
	}
}
