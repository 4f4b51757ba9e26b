package tiles

import (
	"fmt"

	"citygeo/data"
)

// Style variants.
const (
	StyleWall = "wall" // dark, for the command centre's big screen
	StyleDesk = "desk" // light, for dispatch desks
)

// LegendEntry is one component major class with its colour, as the page's legend shows it.
type LegendEntry struct {
	Major string `json:"major"`
	Name  string `json:"name"`
	Color string `json:"color"`
}

// majorColors colours the component major classes (CJ/T 214 and GB/T 47678.5 share 01–05).
var majorColors = []struct{ major, color string }{
	{"01", "#3b82f6"}, // 公用设施: blue
	{"02", "#f59e0b"}, // 道路交通: amber
	{"03", "#10b981"}, // 市容环境: green
	{"04", "#84cc16"}, // 园林绿化: lime
	{"05", "#a855f7"}, // 房屋土地: purple
	{"06", "#ec4899"}, // 其他设施: pink
}

const otherColor = "#94a3b8"

// Legend returns the component colours with the CJ/T 214 major class names.
func Legend() []LegendEntry {
	cat := data.CatalogFor(data.CJT214)
	out := make([]LegendEntry, 0, len(majorColors))
	for _, m := range majorColors {
		out = append(out, LegendEntry{Major: m.major, Name: cat.MajorName(m.major), Color: m.color})
	}
	return out
}

type palette struct {
	bg, community, gridFill, gridLine, street, district, text, halo string
	expressway, arterial, secondary, branch, roadText               string
	live                                                            map[string]string // circle colour per live set; otherColor if none
}

var palettes = map[string]palette{
	StyleWall: {bg: "#0b1220", community: "#1e293b", gridFill: "#0f172a", gridLine: "#334155",
		street: "#64748b", district: "#e2e8f0", text: "#e2e8f0", halo: "#0b1220",
		expressway: "#fbbf24", arterial: "#f97316", secondary: "#94a3b8", branch: "#475569", roadText: "#cbd5e1",
		live: map[string]string{SetEvents: "#ef4444", SetPositions: "#22c55e", SetZones: "#a78bfa", SetSegments: "#22d3ee"}},
	StyleDesk: {bg: "#f8f7f4", community: "#e7e5e4", gridFill: "#ffffff", gridLine: "#cbd5e1",
		street: "#78716c", district: "#1c1917", text: "#1c1917", halo: "#ffffff",
		expressway: "#d97706", arterial: "#ea580c", secondary: "#a8a29e", branch: "#d6d3d1", roadText: "#44403c",
		live: map[string]string{SetEvents: "#dc2626", SetPositions: "#16a34a", SetZones: "#7c3aed", SetSegments: "#0891b2"}},
}

// Fonts is the text-font stack. The style has no "glyphs" URL, so MapLibre draws every glyph
// locally with these CSS font families (Chinese and Latin alike): no glyph PBFs, no internet.
var Fonts = []string{"Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", "sans-serif"}

// Style returns the MapLibre style document of a variant: the city set and every set of live
// (nil: none), each live set drawn as lines and circles above the city's shapes and below its
// labels, its own label points (kind=label) with them.
// base is the server's URL ("http://host:port"); MapLibre needs absolute source URLs.
func Style(variant, base string, live *Live) (map[string]any, error) {
	p, ok := palettes[variant]
	if !ok {
		return nil, fmt.Errorf("style %q: want %s or %s", variant, StyleWall, StyleDesk)
	}
	majorColor := []any{"match", []any{"get", "major"}}
	for _, m := range majorColors {
		majorColor = append(majorColor, m.major, m.color)
	}
	majorColor = append(majorColor, otherColor)
	text := func(field any, size any, color string) map[string]any {
		return map[string]any{
			"layout": map[string]any{"text-field": field, "text-size": size, "text-font": Fonts},
			"paint":  map[string]any{"text-color": color, "text-halo-color": p.halo, "text-halo-width": 1.5},
		}
	}
	layer := func(id, typ, source, srcLayer string, extra map[string]any) map[string]any {
		l := map[string]any{"id": id, "type": typ}
		if source != "" {
			l["source"], l["source-layer"] = source, srcLayer
		}
		for k, v := range extra {
			l[k] = v
		}
		return l
	}
	merge := func(a, b map[string]any) map[string]any {
		for k, v := range b {
			a[k] = v
		}
		return a
	}
	isComponent := []any{"!", []any{"has", "cluster"}}
	layers := []any{
		layer("background", "background", "", "", map[string]any{"paint": map[string]any{"background-color": p.bg}}),
		layer("communities-fill", "fill", SetCity, LayerAreas, map[string]any{
			"filter": []any{"all", []any{"==", []any{"get", "kind"}, "boundary"}, []any{"==", []any{"get", "level"}, "community"}},
			"paint":  map[string]any{"fill-color": p.community, "fill-opacity": 0.35}}),
		layer("grids-fill", "fill", SetCity, LayerGrids, map[string]any{
			"filter": []any{"==", []any{"geometry-type"}, "Polygon"},
			"paint":  map[string]any{"fill-color": p.gridFill, "fill-opacity": 0.2}}),
		layer("grids-line", "line", SetCity, LayerGrids, map[string]any{
			"filter": []any{"==", []any{"geometry-type"}, "Polygon"},
			"paint":  map[string]any{"line-color": p.gridLine, "line-width": []any{"interpolate", []any{"linear"}, []any{"zoom"}, 13, 0.3, 18, 1.2}}}),
		layer("areas-line", "line", SetCity, LayerAreas, map[string]any{
			"filter": []any{"==", []any{"get", "kind"}, "boundary"},
			"paint": map[string]any{
				"line-color":     []any{"match", []any{"get", "level"}, "district", p.district, "street", p.street, p.gridLine},
				"line-width":     []any{"match", []any{"get", "level"}, "district", 3, "street", 2, 1},
				"line-dasharray": []any{"literal", []any{3, 1}},
			}}),
		layer("roads-line", "line", SetCity, LayerRoads, map[string]any{
			"layout": map[string]any{"line-cap": "round", "line-join": "round"},
			"paint": map[string]any{
				"line-color": []any{"match", []any{"get", "class"}, "expressway", p.expressway, "arterial", p.arterial, "secondary", p.secondary, p.branch},
				"line-width": []any{"interpolate", []any{"linear"}, []any{"zoom"}, 10,
					[]any{"match", []any{"get", "class"}, "expressway", 2, "arterial", 1.5, 0.8}, 18,
					[]any{"match", []any{"get", "class"}, "expressway", 14, "arterial", 10, "secondary", 7, 4}},
			}}),
		layer("components-poly", "fill", SetCity, LayerComponents, map[string]any{
			"filter": []any{"all", isComponent, []any{"==", []any{"geometry-type"}, "Polygon"}},
			"paint":  map[string]any{"fill-color": majorColor, "fill-opacity": 0.6}}),
		layer("components-line", "line", SetCity, LayerComponents, map[string]any{
			"filter": []any{"all", isComponent, []any{"==", []any{"geometry-type"}, "LineString"}},
			"paint":  map[string]any{"line-color": majorColor, "line-width": 2}}),
		layer("components-cluster", "circle", SetCity, LayerComponents, map[string]any{
			"filter": []any{"has", "cluster"},
			"paint": map[string]any{
				"circle-color":        majorColor,
				"circle-opacity":      0.8,
				"circle-radius":       []any{"interpolate", []any{"linear"}, []any{"get", "count"}, 1, 3, 50, 8, 1000, 18},
				"circle-stroke-color": p.halo, "circle-stroke-width": 1,
			}}),
		layer("components-point", "circle", SetCity, LayerComponents, map[string]any{
			"filter": []any{"all", isComponent, []any{"==", []any{"geometry-type"}, "Point"}},
			"paint": map[string]any{
				"circle-color": majorColor, "circle-radius": []any{"interpolate", []any{"linear"}, []any{"zoom"}, 16, 3, 18, 6},
				"circle-stroke-color": p.halo, "circle-stroke-width": 1,
			}}),
	}
	sources := map[string]any{SetCity: source(base, SetCity)}
	var labels []any
	for _, s := range live.all() {
		color := p.live[s.Name()]
		if color == "" {
			color = otherColor
		}
		// A live set may hold points, lines (duty segments, zone outlines) and label points
		// (kind=label); each kind its own layer, the labels with the city's.
		isLabel := []any{"==", []any{"get", "kind"}, "label"}
		layers = append(layers, layer(s.Name()+"-line", "line", s.Name(), s.rule.Layer, map[string]any{
			"filter": []any{"==", []any{"geometry-type"}, "LineString"},
			"layout": map[string]any{"line-cap": "round", "line-join": "round"},
			"paint":  map[string]any{"line-color": color, "line-width": 3, "line-opacity": 0.8}}))
		layers = append(layers, layer(s.Name()+"-circle", "circle", s.Name(), s.rule.Layer, map[string]any{
			"filter": []any{"all", []any{"==", []any{"geometry-type"}, "Point"}, []any{"!", isLabel}},
			"paint":  map[string]any{"circle-color": color, "circle-radius": 7, "circle-stroke-color": "#ffffff", "circle-stroke-width": 2}}))
		labels = append(labels, layer(s.Name()+"-label", "symbol", s.Name(), s.rule.Layer, merge(text([]any{"get", "name"}, 12, color),
			map[string]any{"filter": isLabel})))
		sources[s.Name()] = source(base, s.Name())
	}
	layers = append(layers,
		layer("components-cluster-count", "symbol", SetCity, LayerComponents, merge(text([]any{"to-string", []any{"get", "count"}}, 10, p.text),
			map[string]any{"filter": []any{"all", []any{"has", "cluster"}, []any{">=", []any{"get", "count"}, 10}}})),
		layer("roads-label", "symbol", SetCity, LayerRoads, merge(text([]any{"get", "name"}, 13, p.roadText), map[string]any{"minzoom": 14})),
		layer("grids-label", "symbol", SetCity, LayerGrids, merge(text([]any{"slice", []any{"get", "code"}, 12}, 11, p.text),
			map[string]any{"minzoom": 16, "filter": []any{"==", []any{"get", "kind"}, "label"}})),
		layer("areas-label", "symbol", SetCity, LayerAreas, merge(text([]any{"get", "name"},
			[]any{"match", []any{"get", "level"}, "district", 22, "street", 17, 14}, p.text),
			map[string]any{"filter": []any{"==", []any{"get", "kind"}, "label"}})),
	)
	layers = append(layers, labels...)
	// Labels need no collision with each other's layer order: MapLibre places symbols last.
	for _, l := range layers {
		m := l.(map[string]any)
		if lay, ok := m["layout"].(map[string]any); ok && m["type"] == "symbol" {
			lay["text-allow-overlap"] = false
		}
	}
	return map[string]any{
		"version": 8,
		"name":    "citygeo " + variant,
		"sources": sources,
		"layers":  layers,
		"metadata": map[string]any{
			"citygeo:legend": Legend(),
			"citygeo:fonts":  "no glyphs URL: MapLibre draws all text with local fonts (text-font = CSS families)",
		},
	}, nil
}

// source is the style source of a set: its TileJSON at base.
func source(base, set string) map[string]any {
	return map[string]any{"type": "vector", "url": base + "/tiles/" + set + ".json"}
}
