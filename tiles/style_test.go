package tiles_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode"

	"citygeo/tiles"
	"citygeo/web/webtest"
)

func TestStyles(t *testing.T) {
	dir := t.TempDir()
	var files []string
	for _, v := range []string{tiles.StyleWall, tiles.StyleDesk} {
		st, err := tiles.Style(v, "http://example.test", liveOf(newEvents()))
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := st["glyphs"]; ok {
			t.Errorf("%s: style has a glyphs URL; text must be drawn with local fonts", v)
		}
		b, err := json.Marshal(st)
		if err != nil {
			t.Fatal(err)
		}
		f := filepath.Join(dir, v+".json")
		os.WriteFile(f, b, 0o644)
		files = append(files, f)
	}
	if _, err := tiles.Style("neon", "", nil); err == nil {
		t.Error("unknown variant accepted")
	}
	webtest.Need(t, "@maplibre/maplibre-gl-style-spec")
	var got map[string][]string
	if err := json.Unmarshal(webtest.Node(t, time.Minute, "style-validate.mjs", files...), &got); err != nil {
		t.Fatal(err)
	}
	for f, errs := range got {
		for _, e := range errs {
			t.Errorf("%s: %s", filepath.Base(f), e)
		}
	}
}

func TestTileJSON(t *testing.T) {
	ds := testCity(4, 4)
	tr := tiles.NewTiler(mustIndex(t, ds), nil, tiles.Options{})
	tj, err := tr.TileJSON(tiles.SetCity, tiles.TileURL("http://h:1/", tiles.SetCity))
	if err != nil {
		t.Fatal(err)
	}
	if tj.TileJSON != "3.0.0" || tj.Tiles[0] != "http://h:1/tiles/city/{z}/{x}/{y}.mvt" || tj.MaxZoom != tiles.MaxZoom {
		t.Errorf("tilejson %+v", tj)
	}
	b := ds.Bound()
	if tj.Bounds != [4]float64{b.Min[0], b.Min[1], b.Max[0], b.Max[1]} {
		t.Errorf("bounds %v, want %v", tj.Bounds, b)
	}
	ids := map[string]bool{}
	for _, l := range tj.VectorLayers {
		ids[l.ID] = true
		if len(l.Fields) == 0 {
			t.Errorf("layer %s has no fields", l.ID)
		}
	}
	for _, want := range []string{"areas", "grids", "roads", "components"} {
		if !ids[want] {
			t.Errorf("vector_layers lacks %s", want)
		}
	}
	if _, err := tr.TileJSON("nope", ""); err == nil {
		t.Error("unknown set accepted")
	}
}

// TestStyleLayers: every style layer has a Chinese name and belongs to a listed group whose
// legend is not empty; the wall's own rules hold (road names along the lines, events aged
// against the page's clock, sizes scaled to the screen).
func TestStyleLayers(t *testing.T) {
	var live tiles.Live
	live.Register(newEvents(), nil)
	live.Register(newPositions(), nil)
	for _, v := range []string{tiles.StyleWall, tiles.StyleDesk} {
		st, err := tiles.Style(v, "http://h", &live)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(st)
		var doc struct {
			Layers []struct {
				ID       string
				Type     string
				Layout   map[string]any
				Paint    map[string]any
				Metadata map[string]string
			}
			Metadata struct {
				Layers []tiles.LayerGroup `json:"citygeo:layers"`
			}
			State map[string]map[string]any
		}
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatal(err)
		}
		inGroup := map[string]bool{}
		for _, g := range doc.Metadata.Layers {
			if !hasHan(g.Name) || len(g.Legend) == 0 || len(g.Layers) == 0 {
				t.Errorf("%s: group %+v: want a Chinese name, layers and a legend", v, g)
			}
			for _, k := range g.Legend {
				if !hasHan(k.Label) || k.Color == "" {
					t.Errorf("%s: group %s legend %+v", v, g.ID, k)
				}
			}
			for _, id := range g.Layers {
				inGroup[id] = true
			}
		}
		byID := map[string]int{}
		for i, l := range doc.Layers {
			byID[l.ID] = i
			if !hasHan(l.Metadata["citygeo:name"]) {
				t.Errorf("%s: layer %s has no Chinese name: %v", v, l.ID, l.Metadata)
			}
			if l.ID != "background" && !inGroup[l.ID] {
				t.Errorf("%s: layer %s is in no group: no toggle, no legend", v, l.ID)
			}
		}
		for id := range inGroup {
			if _, ok := byID[id]; !ok {
				t.Errorf("%s: a group lists layer %s, which the style lacks", v, id)
			}
		}
		for _, want := range []string{"heat", "stats-grids", "stats-communities", "events-recent", "track-line", "track-head", "positions-circle", "events-circle"} {
			if _, ok := byID[want]; !ok {
				t.Errorf("%s: no layer %s", v, want)
			}
		}
		if l := doc.Layers[byID["roads-label"]]; l.Layout["symbol-placement"] != "line" {
			t.Errorf("%s: road names not along the lines: %v", v, l.Layout)
		}
		for _, id := range []string{"events-circle", "events-recent"} {
			if c, _ := json.Marshal(doc.Layers[byID[id]].Paint["circle-color"]); !strings.Contains(string(c), `["global-state","now"]`) {
				t.Errorf("%s: %s not coloured by age against now: %s", v, id, c)
			}
		}
		if s, _ := json.Marshal(doc.Layers[byID["roads-label"]].Layout["text-size"]); !strings.Contains(string(s), `["global-state","scale"]`) {
			t.Errorf("%s: road label size not scaled to the screen: %s", v, s)
		}
		if doc.State["scale"]["default"] != 1.0 || doc.State["now"]["default"] == nil {
			t.Errorf("%s: state %v", v, doc.State)
		}
	}
}

func hasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}
