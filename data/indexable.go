package data

import (
	"errors"
	"fmt"
	"math"

	"github.com/paulmach/orb"
)

// ErrNotIndexable is wrapped by CheckIndexable's errors.
var ErrNotIndexable = errors.New("dataset cannot be indexed")

// CheckIndexable refuses what no index can hold: a nil dataset or feature, and a NaN or
// infinite coordinate (which would poison R-trees and grid cells). Every index constructor (geo,
// gazetteer, tiles) calls it first, so a bad dataset is an error naming the feature, never a
// panic. It checks nothing else: codes, topology and classes are the importer's to validate.
func (ds *Dataset) CheckIndexable() error {
	if ds == nil {
		return fmt.Errorf("%w: nil dataset", ErrNotIndexable)
	}
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: "+format, append([]any{ErrNotIndexable}, args...)...)
	}
	for _, g := range ds.Grids {
		if g == nil {
			return bad("nil grid")
		}
		if !Finite(g.Polygon) {
			return bad("grid %s: polygon: coordinate is not finite", g.Code)
		}
	}
	for _, a := range ds.Areas {
		if a == nil {
			return bad("nil area")
		}
		if !Finite(a.Polygon) || !Finite(a.Label) {
			return bad("area %s: polygon: coordinate is not finite", a.Code)
		}
	}
	for _, c := range ds.Components {
		if c == nil {
			return bad("nil component")
		}
		if c.Geometry != nil && !Finite(c.Geometry) {
			return bad("component %s: geometry: coordinate is not finite", c.ID)
		}
	}
	for _, r := range ds.Roads {
		if r == nil {
			return bad("nil road")
		}
		if !Finite(r.Line) {
			return bad("road %d (%s): line: coordinate is not finite", r.ID, r.Name)
		}
	}
	for _, a := range ds.Addresses {
		if a == nil {
			return bad("nil address")
		}
		if !Finite(a.Point) {
			return bad("address %d (%s): point: coordinate is not finite", a.ID, a.Full)
		}
	}
	for _, b := range ds.Buildings {
		if b == nil {
			return bad("nil building")
		}
		if !Finite(b.Point) || (b.Footprint != nil && !Finite(b.Footprint)) {
			return bad("building %d (%s): geometry: coordinate is not finite", b.ID, b.Name)
		}
	}
	for _, p := range ds.POIs {
		if p == nil {
			return bad("nil POI")
		}
		if !Finite(p.Point) {
			return bad("POI %d (%s): point: coordinate is not finite", p.ID, p.Name)
		}
	}
	return nil
}

// Finite reports whether every coordinate of g is a finite number.
func Finite(g orb.Geometry) bool {
	ok := true
	visit(g, func(p orb.Point) {
		ok = ok && !math.IsNaN(p[0]) && !math.IsNaN(p[1]) && !math.IsInf(p[0], 0) && !math.IsInf(p[1], 0)
	})
	return ok
}

// visit calls fn with every point of g. orb has no such walker for its geometry types.
func visit(g orb.Geometry, fn func(orb.Point)) {
	switch g := g.(type) {
	case orb.Point:
		fn(g)
	case orb.MultiPoint:
		for _, p := range g {
			fn(p)
		}
	case orb.LineString:
		for _, p := range g {
			fn(p)
		}
	case orb.Ring:
		for _, p := range g {
			fn(p)
		}
	case orb.Polygon:
		for _, r := range g {
			visit(r, fn)
		}
	case orb.MultiLineString:
		for _, l := range g {
			visit(l, fn)
		}
	case orb.MultiPolygon:
		for _, p := range g {
			visit(p, fn)
		}
	case orb.Collection:
		for _, x := range g {
			visit(x, fn)
		}
	}
}
