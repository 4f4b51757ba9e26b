package api

import (
	"github.com/paulmach/orb"

	"citygeo/duty"
	"citygeo/tiles"
)

// The duty lists as two live tile sets beside the city set, for the wall and for handsets:
// zones (outlines and label points) and segments (lines along their roads and label points).
// They change with an import of the lists, not with the dataset version, and follow a version
// swap through the board, so they are live sets; registered without a cache, their tiles are
// built on request from the index of the snapshot being served (a few hundred shapes).

// dutyZones shows the zones of the duty lists.
type dutyZones struct{ s *Server }

// dutySegments shows the road segments of the duty lists.
type dutySegments struct{ s *Server }

var (
	_ tiles.LiveLayer = dutyZones{}
	_ tiles.LiveLayer = dutySegments{}
)

// liveDutyIndex returns the duty index of the snapshot served, nil without one.
func (s *Server) liveDutyIndex() *duty.Index {
	if s.duty == nil {
		return nil
	}
	snap := s.city.Current()
	if snap == nil {
		return nil
	}
	return s.duty.Board.Index(snap.DutyCity())
}

// Rule shows zones from z11, when a street fills the screen.
func (dutyZones) Rule() tiles.Rule {
	return tiles.Rule{Set: tiles.SetZones, Layer: tiles.LayerZones, Kind: "outline", MinZoom: 11, MaxZoom: tiles.MaxZoom,
		Attrs: []string{"id", "name", "kind", "zone_kind"}}
}

func (z dutyZones) In(b orb.Bound, fn func(tiles.LiveFeature) bool) {
	ix := z.s.liveDutyIndex()
	if ix == nil {
		return
	}
	for _, zn := range ix.Zones() {
		outline, label, ok := ix.ZoneShape(zn.ID)
		if !ok || !outline.Bound().Intersects(b) {
			continue
		}
		id := tiles.FeatureID("zone:" + zn.ID)
		tags := func(kind string) []tiles.Tag {
			return []tiles.Tag{tiles.Str("id", zn.ID), tiles.Str("name", zn.Name), tiles.Str("kind", kind), tiles.Str("zone_kind", string(zn.Kind))}
		}
		if !fn(tiles.LiveFeature{ID: id, Shape: outline, Tags: tags("outline")}) {
			return
		}
		if b.Contains(label) && !fn(tiles.LiveFeature{ID: id + 1, Point: label, Tags: tags("label")}) {
			return
		}
	}
}

// Rule shows segments from z13, where roads carry their names.
func (dutySegments) Rule() tiles.Rule {
	return tiles.Rule{Set: tiles.SetSegments, Layer: tiles.LayerSegments, Kind: "segment", MinZoom: 13, MaxZoom: tiles.MaxZoom,
		Attrs: []string{"id", "name", "kind", "road", "side", "unit"}}
}

func (sg dutySegments) In(b orb.Bound, fn func(tiles.LiveFeature) bool) {
	ix := sg.s.liveDutyIndex()
	if ix == nil {
		return
	}
	for _, seg := range ix.Segments() {
		if !seg.Line.Bound().Intersects(b) {
			continue
		}
		id := tiles.FeatureID("segment:" + seg.ID)
		tags := func(kind string) []tiles.Tag {
			return []tiles.Tag{tiles.Str("id", seg.ID), tiles.Str("name", seg.Name), tiles.Str("kind", kind),
				tiles.Str("road", seg.RoadName), tiles.Str("side", string(seg.Side)), tiles.Str("unit", seg.Unit.Name)}
		}
		if !fn(tiles.LiveFeature{ID: id, Shape: seg.Line, Tags: tags("segment")}) {
			return
		}
		l := seg.Line[0]
		if mid := l[len(l)/2]; b.Contains(mid) && !fn(tiles.LiveFeature{ID: id + 1, Point: mid, Tags: tags("label")}) {
			return
		}
	}
}
