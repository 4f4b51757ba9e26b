package tiles

// Rule says from which zoom a kind of feature appears in a layer and with which attributes.
// The city set's table is the single place these decisions live for its layers: Build, TileJSON
// and the styles read it. A live layer brings the one rule of its set (LiveLayer.Rule); its
// features carry their own tags, and Attrs and Detail only list them for TileJSON.
type Rule struct {
	Set     string   // tile set: SetCity or a live set's name
	Layer   string   // MVT layer name
	Kind    string   // which features of the layer: "district", "cluster", "arterial" …
	MinZoom int      // first zoom that has them
	MaxZoom int      // last zoom that has them
	Attrs   []string // attributes written (from MinZoom unless noted in Detail)
	Detail  []string // attributes added from DetailZoom on
	// DetailZoom is the first zoom with the Detail attributes.
	DetailZoom int
}

// Tile sets: the URL names /tiles/{set}/… and the style's sources.
const (
	SetCity   = "city"   // grids, areas, components, roads: changes only with the dataset version
	SetEvents = "events" // a live set: the open events of the dispatch feed, changing per event
	// SetPositions is a live set: the latest position of every field device (personal data:
	// the HTTP layer serves it to dispatchers only).
	SetPositions = "positions"
	// SetZones and SetSegments are live sets of the duty lists: they change with an import of
	// the lists, not with the dataset version.
	SetZones    = "zones"
	SetSegments = "segments"
	// SetCoverage is a live set: today's patrol coverage of the road network, segment by
	// segment (covered, short, not covered), refreshed every minute.
	SetCoverage = "coverage"
)

// MVT layer names, as tiles, TileJSON and the styles spell them.
const (
	LayerAreas      = "areas"      // city: district, street and community boundaries and labels
	LayerGrids      = "grids"      // city: unit grids and their labels
	LayerRoads      = "roads"      // city: road centrelines
	LayerComponents = "components" // city: components, clustered up to clusterMaxZoom
	LayerEvents     = "events"     // events: the open events
	LayerPositions  = "positions"  // positions: patrollers and vehicles where they last reported
	LayerZones      = "zones"      // zones: duty zone outlines (kind=outline) and label points (kind=label)
	LayerSegments   = "segments"   // segments: duty road segments (kind=segment) and label points (kind=label)
	LayerCoverage   = "coverage"   // coverage: road segments with today's passes, target and status
)

// MaxZoom is the deepest zoom any set is built for; MapLibre overzooms past it.
const MaxZoom = 18

// MinZoom is the shallowest zoom served.
const MinZoom = 0

var rules = []Rule{
	{Set: SetCity, Layer: LayerAreas, Kind: "district", MinZoom: 0, MaxZoom: MaxZoom, Attrs: []string{"code", "name", "level", "kind"}},
	{Set: SetCity, Layer: LayerAreas, Kind: "street", MinZoom: 11, MaxZoom: MaxZoom, Attrs: []string{"code", "name", "level", "kind"}},
	{Set: SetCity, Layer: LayerAreas, Kind: "community", MinZoom: 13, MaxZoom: MaxZoom, Attrs: []string{"code", "name", "level", "kind"}},
	{Set: SetCity, Layer: LayerGrids, Kind: "grid", MinZoom: 13, MaxZoom: MaxZoom, Attrs: []string{"code"},
		Detail: []string{"community", "area"}, DetailZoom: 15},
	{Set: SetCity, Layer: LayerGrids, Kind: "label", MinZoom: 16, MaxZoom: MaxZoom, Attrs: []string{"code", "kind"}},
	{Set: SetCity, Layer: LayerRoads, Kind: "expressway", MinZoom: 0, MaxZoom: MaxZoom, Attrs: []string{"name", "class"}},
	{Set: SetCity, Layer: LayerRoads, Kind: "arterial", MinZoom: 10, MaxZoom: MaxZoom, Attrs: []string{"name", "class"}},
	{Set: SetCity, Layer: LayerRoads, Kind: "secondary", MinZoom: 12, MaxZoom: MaxZoom, Attrs: []string{"name", "class"}},
	{Set: SetCity, Layer: LayerRoads, Kind: "branch", MinZoom: 14, MaxZoom: MaxZoom, Attrs: []string{"name", "class"}},
	{Set: SetCity, Layer: LayerComponents, Kind: "cluster", MinZoom: 0, MaxZoom: clusterMaxZoom, Attrs: []string{"cluster", "count", "major"}},
	{Set: SetCity, Layer: LayerComponents, Kind: "component", MinZoom: clusterMaxZoom + 1, MaxZoom: MaxZoom,
		Attrs: []string{"id", "major", "minor", "class", "status", "department", "name"}},
}

// Rules returns a copy of the city set's per-zoom layer rules.
func Rules() []Rule {
	out := make([]Rule, len(rules))
	copy(out, rules)
	return out
}

// ruleAt returns the rule for a layer kind at zoom z, and whether the kind appears at z.
func ruleAt(layer, kind string, z int) (Rule, bool) {
	for _, r := range rules {
		if r.Layer == layer && r.Kind == kind {
			return r, z >= r.MinZoom && z <= r.MaxZoom
		}
	}
	return Rule{}, false
}

// tolerance is the Douglas–Peucker tolerance in tile units at zoom z: one screen pixel of a
// 512-pixel tile is 8 units, so coarse zooms drop detail nobody can see and deep zooms only snap.
func tolerance(z int) float64 {
	switch {
	case z <= 12:
		return 8
	case z <= 15:
		return 2
	default:
		return 0
	}
}
