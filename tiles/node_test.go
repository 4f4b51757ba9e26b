package tiles_test

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"citygeo/tiles"
	"citygeo/tiles/mvtcheck"
	"citygeo/web/webtest"

	"github.com/paulmach/orb/maptile"
)

// TestDecodeWithMapboxVectorTile decodes our tiles with @mapbox/vector-tile (MapLibre's decoder)
// and compares layers, ids, properties and polygon structure with our own validator's reading.
func TestDecodeWithMapboxVectorTile(t *testing.T) {
	webtest.Need(t, "@mapbox/vector-tile", "pbf")
	ds := testCity(12, 10)
	ix := mustIndex(t, ds)
	dir := t.TempDir()
	var args []string
	ours := map[string]*mvtcheck.Tile{}
	c := ds.Bound().Center()
	for z := 12; z <= 18; z += 2 {
		tl := maptile.At(c, maptile.Zoom(z))
		res, err := tiles.Build(ix, nil, tiles.SetCity, tl, tiles.Options{})
		if err != nil {
			t.Fatal(err)
		}
		zxy := fmt.Sprintf("%d/%d/%d", tl.Z, tl.X, tl.Y)
		f := filepath.Join(dir, fmt.Sprintf("%d.mvt", z))
		if err := os.WriteFile(f, res.Data, 0o644); err != nil {
			t.Fatal(err)
		}
		args = append(args, zxy+"="+f)
		ours[zxy], _ = mvtcheck.Check(res.Data, mvtcheck.Strict)
	}
	var got []struct {
		Tile   string
		Layers map[string]struct {
			Version, Extent int
			Features        []struct {
				ID         float64
				Type       int
				Properties map[string]any
				Parts      int
				Polygons   int
				First      [2]float64
			}
		}
	}
	if err := json.Unmarshal(webtest.Node(t, time.Minute, "decode-mvt.mjs", args...), &got); err != nil {
		t.Fatal(err)
	}
	if len(got) != len(args) {
		t.Fatalf("decoded %d tiles, want %d", len(got), len(args))
	}
	b := ds.Bound()
	for _, tile := range got {
		mine := ours[tile.Tile]
		if len(tile.Layers) != len(mine.Layers) {
			t.Errorf("%s: %d layers, ours %d", tile.Tile, len(tile.Layers), len(mine.Layers))
		}
		for _, ml := range mine.Layers {
			jl, ok := tile.Layers[ml.Name]
			if !ok {
				t.Errorf("%s: layer %s missing", tile.Tile, ml.Name)
				continue
			}
			if jl.Version != 2 || jl.Extent != 4096 || len(jl.Features) != len(ml.Features) {
				t.Errorf("%s/%s: version %d extent %d features %d (ours %d)", tile.Tile, ml.Name, jl.Version, jl.Extent, len(jl.Features), len(ml.Features))
				continue
			}
			for i, jf := range jl.Features {
				mf := ml.Features[i]
				if uint64(jf.ID) != mf.ID || jf.Type != mf.Type || jf.Parts != len(mf.Parts) {
					t.Errorf("%s/%s #%d: id %v type %d parts %d; ours %d %d %d", tile.Tile, ml.Name, i, jf.ID, jf.Type, jf.Parts, mf.ID, mf.Type, len(mf.Parts))
				}
				if code, ok := mf.Tags["code"]; ok && jf.Properties["code"] != code {
					t.Errorf("%s/%s #%d: code %v, ours %v", tile.Tile, ml.Name, i, jf.Properties["code"], code)
				}
				if mf.Type == 3 {
					ext := 0
					for _, r := range mf.Parts {
						if area2(r) > 0 {
							ext++
						}
					}
					if jf.Polygons != ext {
						t.Errorf("%s/%s #%d: classifyRings found %d polygons, we wrote %d exteriors", tile.Tile, ml.Name, i, jf.Polygons, ext)
					}
				}
				// Decoded positions land near the city (buffers reach a little beyond).
				if jf.First[0] < b.Min[0]-0.05 || jf.First[0] > b.Max[0]+0.05 || math.Abs(jf.First[1]-b.Center()[1]) > 0.1 {
					t.Errorf("%s/%s #%d: first position %v far from the city %v", tile.Tile, ml.Name, i, jf.First, b)
				}
			}
		}
	}
}
