package tiles_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

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
