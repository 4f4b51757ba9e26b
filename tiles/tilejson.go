package tiles

import (
	"fmt"
	"strings"
)

// TileJSON is a TileJSON 3.0.0 document.
type TileJSON struct {
	TileJSON     string        `json:"tilejson"`
	Name         string        `json:"name"`
	Description  string        `json:"description,omitempty"`
	Version      string        `json:"version"`
	Attribution  string        `json:"attribution,omitempty"`
	Scheme       string        `json:"scheme"`
	Tiles        []string      `json:"tiles"`
	MinZoom      int           `json:"minzoom"`
	MaxZoom      int           `json:"maxzoom"`
	Bounds       [4]float64    `json:"bounds"`
	Center       [3]float64    `json:"center"`
	VectorLayers []VectorLayer `json:"vector_layers"`
	// DatasetVersion is the citygeo dataset version the tiles show.
	DatasetVersion int64 `json:"citygeo_dataset_version"`
}

// VectorLayer describes one layer of a TileJSON document.
type VectorLayer struct {
	ID          string            `json:"id"`
	Description string            `json:"description,omitempty"`
	MinZoom     int               `json:"minzoom"`
	MaxZoom     int               `json:"maxzoom"`
	Fields      map[string]string `json:"fields"`
}

var layerDescriptions = map[string]string{
	LayerAreas:      "district, street and community boundaries (kind=boundary) and label points (kind=label)",
	LayerGrids:      "unit grids (单元网格); label points (kind=label) from z16",
	LayerRoads:      "road centrelines",
	LayerComponents: "city components (城市部件); clusters (cluster=true, count, major) up to z15",
	LayerEvents:     "live events (事件)",
	LayerPositions:  "patrollers and vehicles at their latest position (巡查人员、车辆)",
	LayerZones:      "duty zones (责任网格, 工作网格, 片区): outlines (kind=outline) and label points (kind=label)",
	LayerSegments:   "duty road segments (责任路段) along their roads (kind=segment) and label points (kind=label)",
	LayerCoverage:   "today's patrol coverage (巡查覆盖) of the road network cut at intersections: passes, target, status covered / short / not_covered",
}

var fieldTypes = map[string]string{
	"count": "Number", "area": "Number", "cluster": "Boolean", "passes": "Number", "target": "Number",
	"reported": "Number", "deadline": "Number", "priority": "Number", // an event's Unix seconds and rank
}

// TileJSON describes a set: the city set or a live set of t. tileURL is the tile URL
// template, e.g. "http://host/tiles/city/{z}/{x}/{y}.mvt".
func (t *Tiler) TileJSON(set, tileURL string) (*TileJSON, error) {
	rs := rules
	if ls := t.live.set(set); ls != nil {
		rs = []Rule{ls.rule}
	} else if set != SetCity {
		return nil, fmt.Errorf("tile set %q: %w", set, ErrUnknownSet)
	}
	b := t.ix.Bound()
	tj := &TileJSON{
		TileJSON: "3.0.0", Name: "citygeo " + set, Version: "1.0.0", Scheme: "xyz",
		Description:    fmt.Sprintf("citygeo %s tiles, dataset version %d", set, t.ix.Version()),
		Tiles:          []string{tileURL},
		MinZoom:        MinZoom,
		MaxZoom:        MaxZoom,
		Bounds:         [4]float64{b.Min[0], b.Min[1], b.Max[0], b.Max[1]},
		Center:         [3]float64{b.Center()[0], b.Center()[1], 13},
		DatasetVersion: t.ix.Version(),
		VectorLayers:   vectorLayers(rs),
	}
	return tj, nil
}

// vectorLayers describes the layers of rs in the order they first appear: each spans the zooms
// of its rules and lists all their attributes.
func vectorLayers(rs []Rule) []VectorLayer {
	var out []VectorLayer
	at := map[string]int{} // layer name → index in out
	for _, r := range rs {
		i, ok := at[r.Layer]
		if !ok {
			i = len(out)
			at[r.Layer] = i
			out = append(out, VectorLayer{ID: r.Layer, Description: layerDescriptions[r.Layer],
				MinZoom: r.MinZoom, MaxZoom: r.MaxZoom, Fields: map[string]string{}})
		}
		vl := &out[i]
		vl.MinZoom, vl.MaxZoom = min(vl.MinZoom, r.MinZoom), max(vl.MaxZoom, r.MaxZoom)
		for _, f := range append(append([]string(nil), r.Attrs...), r.Detail...) {
			typ := fieldTypes[f]
			if typ == "" {
				typ = "String"
			}
			vl.Fields[f] = typ
		}
	}
	return out
}

// TileURL joins a base URL ("http://host" or "") and a set into the tile URL template.
func TileURL(base, set string) string {
	return strings.TrimSuffix(base, "/") + "/tiles/" + set + "/{z}/{x}/{y}.mvt"
}
