package tiles

import "strings"

// Basemap is a base map for the styles to draw under the city: a raster or vector tile source
// (package tiles/basemap reads the archive).
type Basemap struct {
	TileJSONURL string   // the base map's TileJSON ("http://host/basemap.json")
	Raster      bool     // image tiles; otherwise vector tiles with Layers
	Layers      []string // vector layer ids of a vector base map
}

// basemapSource names the base map in a style.
const basemapSource = "basemap"

// basemapColors colours a vector base map's layers by what their names say they hold (the
// OpenMapTiles and Tianditu-package names), per style variant: quiet, so the city reads first.
var basemapColors = map[string]map[string]string{
	StyleWall: {"water": "#0f2a44", "green": "#11261c", "building": "#1f2937", "road": "#283548", "other": "#141c2b"},
	StyleDesk: {"water": "#bfdbfe", "green": "#dcfce7", "building": "#e5e7eb", "road": "#ffffff", "other": "#efece6"},
}

var basemapKinds = []struct{ kind, words string }{
	{"water", "water ocean lake river sea 水"},
	{"green", "park landcover landuse green wood forest grass 绿"},
	{"building", "building house 建筑 房屋"},
	{"road", "road transportation street highway 道路 交通"},
}

// AddBasemap puts b into style (as returned by Style for variant) directly above the
// background, under every city and live layer, so the style works the same without it. A
// raster base map is one raster layer; a vector one gets a fill and a line layer per source
// layer, coloured by its name. It is kept apart from Style so that a style without a base map
// is exactly Style's.
func AddBasemap(style map[string]any, variant string, b Basemap) {
	sources, _ := style["sources"].(map[string]any)
	layers, _ := style["layers"].([]any)
	if sources == nil {
		return
	}
	var add []any
	if b.Raster {
		sources[basemapSource] = map[string]any{"type": "raster", "url": b.TileJSONURL, "tileSize": 256}
		add = append(add, map[string]any{"id": "basemap", "type": "raster", "source": basemapSource,
			"paint": map[string]any{"raster-opacity": 0.85}})
	} else {
		sources[basemapSource] = map[string]any{"type": "vector", "url": b.TileJSONURL}
		colors := basemapColors[variant]
		if colors == nil {
			colors = basemapColors[StyleDesk]
		}
		for _, id := range b.Layers {
			c := colors[basemapKind(id)]
			add = append(add,
				map[string]any{"id": "basemap-" + id + "-fill", "type": "fill", "source": basemapSource, "source-layer": id,
					"filter": []any{"==", []any{"geometry-type"}, "Polygon"}, "paint": map[string]any{"fill-color": c}},
				map[string]any{"id": "basemap-" + id + "-line", "type": "line", "source": basemapSource, "source-layer": id,
					"filter": []any{"==", []any{"geometry-type"}, "LineString"}, "paint": map[string]any{"line-color": c, "line-width": 1}})
		}
	}
	at := 0
	for i, l := range layers {
		if m, ok := l.(map[string]any); ok && m["type"] == "background" {
			at = i + 1
		}
	}
	style["layers"] = append(append(append([]any{}, layers[:at]...), add...), layers[at:]...)
}

func basemapKind(id string) string {
	low := strings.ToLower(id)
	for _, k := range basemapKinds {
		for _, w := range strings.Fields(k.words) {
			if strings.Contains(low, w) {
				return k.kind
			}
		}
	}
	return "other"
}
