package tiles

import (
	"fmt"
	"strings"
	"time"

	"citygeo/data"
)

// Style variants.
const (
	StyleWall = "wall" // dark, for the command centre's big screen
	StyleDesk = "desk" // light, for dispatch desks
)

// Page sources: GeoJSON sources the style declares empty and the wall page fills from the API.
const (
	SourceRecent = "events-recent" // events changed since the page loaded, from the event stream
	SourceHeat   = "events-heat"   // every event of a chosen period, for the heat layer
	SourceTrack  = "track"         // one device's track of one day and its moving head
)

// Global state the style reads (MapLibre "global-state"); the page sets both.
const (
	// StateScale multiplies every size in CSS pixels: the page sets it to the screen height over
	// 1080, so a 3840×2160 wall draws text and lines as large, in screen proportion, as a
	// 1920×1080 one.
	StateScale = "scale"
	// StateNow is the current time in Unix seconds, against which events are aged and found
	// overdue. The style's default is the time it was built; the page advances it.
	StateNow = "now"
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

// LayerGroup is one entry of the page's layer list: a Chinese name, the style layers it
// switches, whether it shows at first, and the legend of what it draws.
type LayerGroup struct {
	ID      string      `json:"id"`
	Name    string      `json:"name"`
	Layers  []string    `json:"layers"`
	Visible bool        `json:"visible"`
	Legend  []LegendKey `json:"legend"`
}

// LegendKey is one swatch of a legend: a label, a colour and the shape it is drawn as.
type LegendKey struct {
	Label string `json:"label"`
	Color string `json:"color"`
	Shape string `json:"shape"` // fill, line, circle or ramp (Color is then a CSS gradient)
}

type palette struct {
	bg, community, gridFill, gridLine, street, district, text, halo string
	expressway, arterial, secondary, branch, roadText               string
	live                                                            map[string]string // colour per live set; otherColor if none
	vehicle, track                                                  string
	events                                                          eventColors
	heat                                                            []string // ramp from none to most
	choropleth                                                      []string // one per statsBreaks class
}

// eventColors colours an event by state: closed, overdue, then by age.
type eventColors struct{ closed, overdue, fresh, today, older string }

var palettes = map[string]palette{
	StyleWall: {bg: "#0b1220", community: "#1e293b", gridFill: "#0f172a", gridLine: "#334155",
		street: "#64748b", district: "#e2e8f0", text: "#e2e8f0", halo: "#0b1220",
		expressway: "#fbbf24", arterial: "#f97316", secondary: "#94a3b8", branch: "#475569", roadText: "#e2e8f0",
		live:    map[string]string{SetEvents: "#ef4444", SetPositions: "#22c55e", SetZones: "#a78bfa", SetSegments: "#22d3ee"},
		vehicle: "#38bdf8", track: "#facc15",
		events:     eventColors{closed: "#64748b", overdue: "#ef4444", fresh: "#fde047", today: "#fb923c", older: "#c084fc"},
		heat:       []string{"rgba(0,0,0,0)", "#1d4ed8", "#06b6d4", "#facc15", "#f97316", "#dc2626"},
		choropleth: []string{"#1e3a8a", "#2563eb", "#f59e0b", "#ea580c", "#dc2626"}},
	StyleDesk: {bg: "#f8f7f4", community: "#e7e5e4", gridFill: "#ffffff", gridLine: "#cbd5e1",
		street: "#78716c", district: "#1c1917", text: "#1c1917", halo: "#ffffff",
		expressway: "#d97706", arterial: "#ea580c", secondary: "#a8a29e", branch: "#d6d3d1", roadText: "#44403c",
		live:    map[string]string{SetEvents: "#dc2626", SetPositions: "#16a34a", SetZones: "#7c3aed", SetSegments: "#0891b2"},
		vehicle: "#0284c7", track: "#ca8a04",
		events:     eventColors{closed: "#a8a29e", overdue: "#dc2626", fresh: "#ca8a04", today: "#ea580c", older: "#9333ea"},
		heat:       []string{"rgba(255,255,255,0)", "#93c5fd", "#22d3ee", "#facc15", "#f97316", "#b91c1c"},
		choropleth: []string{"#dbeafe", "#93c5fd", "#fcd34d", "#fb923c", "#dc2626"}},
}

// statsBreaks are the lower bounds of the choropleth's classes after the first (events
// reported in the chosen period per grid or community).
var statsBreaks = []int{1, 3, 6, 11}

// Event age classes, in seconds since the report.
const (
	eventFresh = 3600      // reported within the hour
	eventToday = 24 * 3600 // within a day
)

// liveNames are the Chinese names of the live sets the server registers.
var liveNames = map[string]string{
	SetEvents: "事件", SetPositions: "人员车辆", SetZones: "责任网格", SetSegments: "责任路段",
}

// Fonts is the text-font stack. The style has no "glyphs" URL, so MapLibre draws every glyph
// locally with these CSS font families (Chinese and Latin alike): no glyph PBFs, no internet.
var Fonts = []string{"Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", "sans-serif"}

// px is a size in CSS pixels at 1080 lines, scaled by the page's StateScale.
func px(v any) any { return []any{"*", v, []any{"global-state", StateScale}} }

// zoomPx interpolates a size linearly over zoom (z0, v0, z1, v1, …), each value scaled by px:
// MapLibre allows zoom only as the input of a top-level interpolation.
func zoomPx(stops ...any) any {
	out := []any{"interpolate", []any{"linear"}, []any{"zoom"}}
	for i := 0; i+1 < len(stops); i += 2 {
		out = append(out, stops[i], px(stops[i+1]))
	}
	return out
}

// num reads a numeric attribute, 0 when absent.
func num(field string) any { return []any{"to-number", []any{"get", field}, 0} }

// eventColor colours an event by state: closed, overdue (a deadline before now), then by the
// age of its report. Events carry reported and deadline as Unix seconds (0: none).
func eventColor(c eventColors) any {
	now := []any{"to-number", []any{"global-state", StateNow}, 0}
	age := []any{"-", now, num("reported")}
	return []any{"case",
		[]any{"==", []any{"get", "status"}, "closed"}, c.closed,
		[]any{"all", []any{">", num("deadline"), 0}, []any{"<", num("deadline"), now}}, c.overdue,
		[]any{"<", age, eventFresh}, c.fresh,
		[]any{"<", age, eventToday}, c.today,
		c.older}
}

// eventLegend is the legend of eventColor.
func eventLegend(c eventColors) []LegendKey {
	return []LegendKey{{"超期未办结", c.overdue, "circle"}, {"1小时内上报", c.fresh, "circle"},
		{"24小时内上报", c.today, "circle"}, {"超过24小时", c.older, "circle"}, {"已结案", c.closed, "circle"}}
}

// Style returns the MapLibre style document of a variant: the city set and every set of live
// (nil: none), each live set drawn as lines and circles above the city's shapes and below its
// labels, its own label points (kind=label) with them; the page's heat, statistics, recent
// events and track layers over empty GeoJSON sources it fills. Metadata "citygeo:layers" lists
// the layer groups with Chinese names and legends, which the page's toggles and legend show.
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
	text := func(field any, size float64, color string) map[string]any {
		return map[string]any{
			"layout": map[string]any{"text-field": field, "text-size": px(size), "text-font": Fonts},
			"paint":  map[string]any{"text-color": color, "text-halo-color": p.halo, "text-halo-width": px(1.5)},
		}
	}
	layer := func(id, typ, source, srcLayer string, extra map[string]any) map[string]any {
		l := map[string]any{"id": id, "type": typ}
		if source != "" {
			l["source"] = source
		}
		if srcLayer != "" {
			l["source-layer"] = srcLayer
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
	isPolygon := []any{"==", []any{"geometry-type"}, "Polygon"}
	// The choropleth colours grids and communities by the feature state "reported" the page
	// sets from /v1/stats; features without it stay transparent.
	reported := []any{"to-number", []any{"feature-state", "reported"}, 0}
	statsColor := []any{"step", reported, p.choropleth[0]}
	for i, b := range statsBreaks {
		statsColor = append(statsColor, b, p.choropleth[i+1])
	}
	statsOpacity := []any{"case", []any{">", reported, 0}, 0.7, 0}
	heatColor := []any{"interpolate", []any{"linear"}, []any{"heatmap-density"}}
	for i, c := range p.heat {
		heatColor = append(heatColor, float64(i)/float64(len(p.heat)-1), c)
	}
	layers := []any{
		layer("background", "background", "", "", map[string]any{"paint": map[string]any{"background-color": p.bg}}),
		layer("communities-fill", "fill", SetCity, LayerAreas, map[string]any{
			"filter": []any{"all", []any{"==", []any{"get", "kind"}, "boundary"}, []any{"==", []any{"get", "level"}, "community"}},
			"paint":  map[string]any{"fill-color": p.community, "fill-opacity": 0.35}}),
		layer("grids-fill", "fill", SetCity, LayerGrids, map[string]any{
			"filter": isPolygon,
			"paint":  map[string]any{"fill-color": p.gridFill, "fill-opacity": 0.2}}),
		layer("stats-communities", "fill", SetCity, LayerAreas, map[string]any{
			"maxzoom": 14, "layout": map[string]any{"visibility": "none"},
			"filter": []any{"all", isPolygon, []any{"==", []any{"get", "level"}, "community"}},
			"paint":  map[string]any{"fill-color": statsColor, "fill-opacity": statsOpacity}}),
		layer("stats-grids", "fill", SetCity, LayerGrids, map[string]any{
			"minzoom": 14, "layout": map[string]any{"visibility": "none"},
			"filter": isPolygon,
			"paint":  map[string]any{"fill-color": statsColor, "fill-opacity": statsOpacity}}),
		layer("grids-line", "line", SetCity, LayerGrids, map[string]any{
			"filter": isPolygon,
			"paint":  map[string]any{"line-color": p.gridLine, "line-width": zoomPx(13, 0.3, 18, 1.2)}}),
		layer("areas-line", "line", SetCity, LayerAreas, map[string]any{
			"filter": []any{"==", []any{"get", "kind"}, "boundary"},
			"paint": map[string]any{
				"line-color":     []any{"match", []any{"get", "level"}, "district", p.district, "street", p.street, p.gridLine},
				"line-width":     px([]any{"match", []any{"get", "level"}, "district", 3, "street", 2, 1}),
				"line-dasharray": []any{"literal", []any{3, 1}},
			}}),
		layer("roads-line", "line", SetCity, LayerRoads, map[string]any{
			"layout": map[string]any{"line-cap": "round", "line-join": "round"},
			"paint": map[string]any{
				"line-color": []any{"match", []any{"get", "class"}, "expressway", p.expressway, "arterial", p.arterial, "secondary", p.secondary, p.branch},
				"line-width": zoomPx(10,
					[]any{"match", []any{"get", "class"}, "expressway", 2, "arterial", 1.5, 0.8}, 18,
					[]any{"match", []any{"get", "class"}, "expressway", 14, "arterial", 10, "secondary", 7, 4}),
			}}),
		layer("components-poly", "fill", SetCity, LayerComponents, map[string]any{
			"filter": []any{"all", isComponent, isPolygon},
			"paint":  map[string]any{"fill-color": majorColor, "fill-opacity": 0.6}}),
		layer("components-line", "line", SetCity, LayerComponents, map[string]any{
			"filter": []any{"all", isComponent, []any{"==", []any{"geometry-type"}, "LineString"}},
			"paint":  map[string]any{"line-color": majorColor, "line-width": px(2)}}),
		layer("components-cluster", "circle", SetCity, LayerComponents, map[string]any{
			"filter": []any{"has", "cluster"},
			"paint": map[string]any{
				"circle-color":        majorColor,
				"circle-opacity":      0.8,
				"circle-radius":       px([]any{"interpolate", []any{"linear"}, []any{"get", "count"}, 1, 3, 50, 8, 1000, 18}),
				"circle-stroke-color": p.halo, "circle-stroke-width": px(1),
			}}),
		layer("components-point", "circle", SetCity, LayerComponents, map[string]any{
			"filter": []any{"all", isComponent, []any{"==", []any{"geometry-type"}, "Point"}},
			"paint": map[string]any{
				"circle-color": majorColor, "circle-radius": zoomPx(16, 3, 18, 6),
				"circle-stroke-color": p.halo, "circle-stroke-width": px(1),
			}}),
		layer("heat", "heatmap", SourceHeat, "", map[string]any{
			"layout": map[string]any{"visibility": "none"},
			"paint": map[string]any{
				"heatmap-radius":    zoomPx(10, 12, 14, 24, 18, 40),
				"heatmap-intensity": []any{"interpolate", []any{"linear"}, []any{"zoom"}, 10, 0.6, 16, 1.5},
				"heatmap-color":     heatColor,
				"heatmap-opacity":   0.8,
			}}),
	}
	empty := map[string]any{"type": "geojson", "data": map[string]any{"type": "FeatureCollection", "features": []any{}}}
	sources := map[string]any{SetCity: source(base, SetCity), SourceHeat: empty, SourceRecent: empty, SourceTrack: empty}
	// promoteId lets the page set the choropleth's feature state by grid or area code.
	sources[SetCity].(map[string]any)["promoteId"] = map[string]any{LayerGrids: "code", LayerAreas: "code"}
	roadKeys := []LegendKey{{"快速路", p.expressway, "line"}, {"主干路", p.arterial, "line"}, {"次干路", p.secondary, "line"}, {"支路", p.branch, "line"}}
	var majorKeys []LegendKey
	for _, e := range Legend() {
		majorKeys = append(majorKeys, LegendKey{e.Name, e.Color, "circle"})
	}
	// Class 0 (nothing reported) stays transparent; the legend shows the others.
	var statsKeys []LegendKey
	for i, b := range statsBreaks {
		label := fmt.Sprintf("%d 件及以上", b)
		if i+1 < len(statsBreaks) {
			label = fmt.Sprintf("%d–%d 件", b, statsBreaks[i+1]-1)
		}
		statsKeys = append(statsKeys, LegendKey{label, p.choropleth[i+1], "fill"})
	}
	groups := []LayerGroup{
		{ID: "grids", Name: "单元网格", Layers: []string{"grids-fill", "grids-line", "grids-label"}, Visible: true,
			Legend: []LegendKey{{"单元网格", p.gridLine, "line"}}},
		{ID: "areas", Name: "行政区域", Layers: []string{"communities-fill", "areas-line", "areas-label"}, Visible: true,
			Legend: []LegendKey{{"区界", p.district, "line"}, {"街道界", p.street, "line"}, {"社区", p.community, "fill"}}},
		{ID: "roads", Name: "道路", Layers: []string{"roads-line", "roads-label"}, Visible: true, Legend: roadKeys},
		{ID: "components", Name: "城市部件", Layers: []string{"components-poly", "components-line", "components-cluster", "components-cluster-count", "components-point"},
			Visible: true, Legend: majorKeys},
		{ID: "heat", Name: "事件热力", Layers: []string{"heat"},
			Legend: []LegendKey{{"事件密度 低→高", "linear-gradient(90deg," + strings.Join(p.heat[1:], ",") + ")", "ramp"}}},
		{ID: "stats", Name: "上报量分级", Layers: []string{"stats-communities", "stats-grids"}, Legend: statsKeys},
	}
	var labels []any
	for _, s := range live.all() {
		name := s.Name()
		color := p.live[name]
		if color == "" {
			color = otherColor
		}
		circleColor, legend := any(color), []LegendKey{{liveName(name), color, "circle"}}
		switch name {
		case SetEvents:
			circleColor, legend = eventColor(p.events), eventLegend(p.events)
		case SetPositions:
			circleColor = []any{"match", []any{"get", "kind"}, "vehicle", p.vehicle, color}
			legend = []LegendKey{{"巡查人员", color, "circle"}, {"车辆", p.vehicle, "circle"}}
		case SetZones, SetSegments:
			legend = []LegendKey{{liveName(name), color, "line"}}
		}
		// A live set may hold points, lines (duty segments, zone outlines) and label points
		// (kind=label); each kind its own layer, the labels with the city's.
		isLabel := []any{"==", []any{"get", "kind"}, "label"}
		layers = append(layers, layer(name+"-line", "line", name, s.rule.Layer, map[string]any{
			"filter": []any{"==", []any{"geometry-type"}, "LineString"},
			"layout": map[string]any{"line-cap": "round", "line-join": "round"},
			"paint":  map[string]any{"line-color": color, "line-width": px(3), "line-opacity": 0.8}}))
		layers = append(layers, layer(name+"-circle", "circle", name, s.rule.Layer, map[string]any{
			"filter": []any{"all", []any{"==", []any{"geometry-type"}, "Point"}, []any{"!", isLabel}},
			"paint":  map[string]any{"circle-color": circleColor, "circle-radius": px(7), "circle-stroke-color": "#ffffff", "circle-stroke-width": px(2)}}))
		ids := []string{name + "-line", name + "-circle", name + "-label"}
		if name == SetEvents {
			// Events changed since the page loaded, drawn like the tiles' (which the page then
			// filters out by id), so a change shows without reloading a tile.
			layers = append(layers, layer("events-recent", "circle", SourceRecent, "", map[string]any{
				"paint": map[string]any{"circle-color": eventColor(p.events), "circle-radius": px(9),
					"circle-stroke-color": "#ffffff", "circle-stroke-width": px(3)}}))
			ids = append(ids, "events-recent")
		}
		// Their names from street zooms on: a city view would be covered in segment names.
		labels = append(labels, layer(name+"-label", "symbol", name, s.rule.Layer, merge(text([]any{"get", "name"}, 12, color),
			map[string]any{"filter": isLabel, "minzoom": 15})))
		sources[name] = source(base, name)
		groups = append(groups, LayerGroup{ID: name, Name: liveName(name), Layers: ids, Visible: true, Legend: legend})
	}
	layers = append(layers,
		layer("track-line", "line", SourceTrack, "", map[string]any{
			"filter": []any{"==", []any{"geometry-type"}, "LineString"},
			"layout": map[string]any{"line-cap": "round", "line-join": "round"},
			"paint":  map[string]any{"line-color": p.track, "line-width": px(4), "line-opacity": 0.9}}),
		layer("track-head", "circle", SourceTrack, "", map[string]any{
			"filter": []any{"==", []any{"geometry-type"}, "Point"},
			"paint": map[string]any{"circle-color": p.track, "circle-radius": px(9),
				"circle-stroke-color": "#ffffff", "circle-stroke-width": px(3)}}),
	)
	groups = append(groups, LayerGroup{ID: "track", Name: "轨迹回放", Layers: []string{"track-line", "track-head"}, Visible: true,
		Legend: []LegendKey{{"巡查轨迹", p.track, "line"}, {"回放位置", p.track, "circle"}}})
	layers = append(layers,
		layer("components-cluster-count", "symbol", SetCity, LayerComponents, merge(text([]any{"to-string", []any{"get", "count"}}, 11, p.text),
			map[string]any{"filter": []any{"all", []any{"has", "cluster"}, []any{">=", []any{"get", "count"}, 10}}})),
		// Road names follow the lines from street zooms on, repeated along long roads.
		layer("roads-label", "symbol", SetCity, LayerRoads, merge(text([]any{"get", "name"}, 14, p.roadText), map[string]any{"minzoom": 14})),
		layer("grids-label", "symbol", SetCity, LayerGrids, merge(text([]any{"slice", []any{"get", "code"}, 12}, 11, p.text),
			map[string]any{"minzoom": 16, "filter": []any{"==", []any{"get", "kind"}, "label"}})),
		layer("areas-label", "symbol", SetCity, LayerAreas, merge(text([]any{"get", "name"}, 0, p.text),
			map[string]any{"filter": []any{"==", []any{"get", "kind"}, "label"}})),
	)
	layers = append(layers, labels...)
	// Every layer carries the Chinese name of its group, for any client that lists layers.
	groupOf := map[string]string{"background": "底图"}
	for _, g := range groups {
		for _, id := range g.Layers {
			groupOf[id] = g.Name
		}
	}
	for _, l := range layers {
		m := l.(map[string]any)
		m["metadata"] = map[string]any{"citygeo:name": groupOf[m["id"].(string)]}
		lay, _ := m["layout"].(map[string]any)
		switch m["id"] {
		case "areas-label":
			lay["text-size"] = px([]any{"match", []any{"get", "level"}, "district", 22, "street", 17, 14})
		case "roads-label":
			lay["symbol-placement"] = "line"
			lay["symbol-spacing"] = px(300)
			lay["text-max-angle"] = 40
			lay["text-padding"] = px(1)
			lay["text-rotation-alignment"] = "map"
			lay["text-pitch-alignment"] = "viewport"
		}
		// Labels need no collision with each other's layer order: MapLibre places symbols last.
		if lay != nil && m["type"] == "symbol" {
			lay["text-allow-overlap"] = false
		}
	}
	return map[string]any{
		"version": 8,
		"name":    "citygeo " + variant,
		"sources": sources,
		"layers":  layers,
		// The style's "now" is when it was built, so a client that never advances it still ages
		// events correctly as of loading the style.
		"state": map[string]any{StateScale: map[string]any{"default": 1}, StateNow: map[string]any{"default": time.Now().Unix()}},
		"metadata": map[string]any{
			"citygeo:legend": Legend(),
			"citygeo:layers": groups,
			"citygeo:fonts":  "no glyphs URL: MapLibre draws all text with local fonts (text-font = CSS families)",
		},
	}, nil
}

// liveName is the Chinese name of a live set, or its own name for one this package does not
// know.
func liveName(set string) string {
	if n, ok := liveNames[set]; ok {
		return n
	}
	return set
}

// source is the style source of a set: its TileJSON at base.
func source(base, set string) map[string]any {
	return map[string]any{"type": "vector", "url": base + "/tiles/" + set + ".json"}
}
