package export

import (
	"github.com/paulmach/orb"
)

// geometryClass groups the geometry types one layer may hold: a GIS layer has one geometry
// type, and a line layer takes LineStrings and MultiLineStrings alike (as Shapefile does).
type geometryClass int

const (
	classNone geometryClass = iota
	classPoint
	classMultiPoint
	classLine
	classPolygon
	classOther
)

// classSuffix is the documented suffix of a layer split off its kind's layer.
var classSuffix = map[geometryClass]string{
	classNone: "_null", classPoint: "_point", classMultiPoint: "_multipoint", classLine: "_line", classPolygon: "_polygon", classOther: "_collection",
}

func classOf(g orb.Geometry) geometryClass {
	switch g.(type) {
	case nil:
		return classNone
	case orb.Point:
		return classPoint
	case orb.MultiPoint:
		return classMultiPoint
	case orb.LineString, orb.MultiLineString:
		return classLine
	case orb.Polygon, orb.MultiPolygon:
		return classPolygon
	}
	return classOther
}

// splitByGeometry splits l into one layer per geometry class. The class of the layer's first
// feature keeps the layer's name (component: the points); the others are named with the class
// suffix (component_line, component_polygon, component_null for features without geometry).
// A layer of one class comes back whole.
func splitByGeometry(l layer) []layer {
	groups := map[geometryClass][]record{}
	var order []geometryClass
	for _, r := range l.records {
		c := classOf(r.geom)
		if groups[c] == nil {
			order = append(order, c)
		}
		groups[c] = append(groups[c], r)
	}
	if len(order) <= 1 {
		return []layer{l}
	}
	out := make([]layer, 0, len(order))
	for i, c := range order {
		name := l.name
		if i > 0 {
			name += classSuffix[c]
		}
		out = append(out, l.subset(name, groups[c]))
	}
	return out
}

// geometryType is the one geometry type name of l's features as GeoPackage and GDAL name it:
// a line or polygon layer holding any multi-part feature is MULTILINESTRING or MULTIPOLYGON
// (its single parts are written as one-part multis), "" for a layer without geometry.
func (l layer) geometryType() string {
	name, multi := "", false
	for _, r := range l.records {
		switch r.geom.(type) {
		case nil:
		case orb.Point:
			name = "POINT"
		case orb.MultiPoint:
			name = "MULTIPOINT"
		case orb.LineString:
			name = "LINESTRING"
		case orb.MultiLineString:
			name, multi = "LINESTRING", true
		case orb.Polygon:
			name = "POLYGON"
		case orb.MultiPolygon:
			name, multi = "POLYGON", true
		default:
			name = "GEOMETRYCOLLECTION"
		}
	}
	if multi {
		return "MULTI" + name
	}
	return name
}

// promote returns g as the layer type t wants: a LineString in a MULTILINESTRING layer as a
// one-part MultiLineString, a Polygon in a MULTIPOLYGON layer likewise.
func promote(g orb.Geometry, t string) orb.Geometry {
	switch g := g.(type) {
	case orb.LineString:
		if t == "MULTILINESTRING" {
			return orb.MultiLineString{g}
		}
	case orb.Polygon:
		if t == "MULTIPOLYGON" {
			return orb.MultiPolygon{g}
		}
	}
	return g
}
