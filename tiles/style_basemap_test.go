package tiles_test

import (
	"reflect"
	"testing"

	"citygeo/tiles"
)

func TestAddBasemap(t *testing.T) {
	tests := []struct {
		name string
		b    tiles.Basemap
		ids  []string
		typ  string
	}{
		{"raster", tiles.Basemap{TileJSONURL: "http://h/basemap.json", Raster: true}, []string{"basemap"}, "raster"},
		{"vector", tiles.Basemap{TileJSONURL: "http://h/basemap.json", Layers: []string{"water", "building"}},
			[]string{"basemap-water-fill", "basemap-water-line", "basemap-building-fill", "basemap-building-line"}, "vector"},
	}
	for _, variant := range []string{tiles.StyleWall, tiles.StyleDesk} {
		for _, tc := range tests {
			t.Run(variant+" "+tc.name, func(t *testing.T) {
				plain, err := tiles.Style(variant, "http://h", nil)
				if err != nil {
					t.Fatal(err)
				}
				st, _ := tiles.Style(variant, "http://h", nil)
				tiles.AddBasemap(st, variant, tc.b)
				src := st["sources"].(map[string]any)["basemap"].(map[string]any)
				if src["type"] != tc.typ || src["url"] != "http://h/basemap.json" {
					t.Errorf("source %v", src)
				}
				layers := st["layers"].([]any)
				before := plain["layers"].([]any)
				if len(layers) != len(before)+len(tc.ids) {
					t.Fatalf("%d layers, want %d + %d", len(layers), len(before), len(tc.ids))
				}
				// Right above the background, below every city layer; the rest unchanged.
				if layers[0].(map[string]any)["type"] != "background" {
					t.Errorf("first layer %v", layers[0])
				}
				for i, id := range tc.ids {
					if got := layers[1+i].(map[string]any)["id"]; got != id {
						t.Errorf("layer %d = %v, want %s", 1+i, got, id)
					}
				}
				if !reflect.DeepEqual(layers[1+len(tc.ids):], before[1:]) {
					t.Error("the city layers changed")
				}
			})
		}
	}
}
