package tiles

import (
	"errors"
	"fmt"
	"slices"

	"citygeo/data"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
)

// Default limits of one tile.
const (
	DefaultMaxBytes    = 500 << 10 // encoded, before gzip
	DefaultMaxFeatures = 20000     // per layer
)

// Errors of Build and Tiler.
var (
	ErrUnknownSet = errors.New("tiles: unknown tile set")
	ErrBadTile    = errors.New("tiles: tile coordinates out of range")
)

// Options bound one tile. The zero value means the defaults.
type Options struct {
	MaxBytes    int // encoded size limit; thinning halves the largest layer until it fits
	MaxFeatures int // per-layer feature cap, enforced by thinning
	// Layers, if set, restricts a tile to these layers (e.g. only LayerGrids).
	Layers []string
}

func (o Options) withDefaults() Options {
	if o.MaxBytes <= 0 {
		o.MaxBytes = DefaultMaxBytes
	}
	if o.MaxFeatures <= 0 {
		o.MaxFeatures = DefaultMaxFeatures
	}
	return o
}

// wants reports whether a tile built with o includes layer.
func (o Options) wants(layer string) bool {
	return len(o.Layers) == 0 || slices.Contains(o.Layers, layer)
}

// Result is one built tile.
type Result struct {
	Data     []byte         // the MVT, uncompressed; empty when no layer has a feature
	Features map[string]int // features written per layer
	Thinned  map[string]int // features dropped per layer by the feature cap or the byte limit
}

// Build builds tile t of a set: the city set from ix, a live set from its layer in live (nil:
// no live sets). Neither is changed.
func Build(ix *Index, live *Live, set string, t maptile.Tile, opts Options) (*Result, error) {
	if t.Z > 30 || uint64(t.X) >= 1<<t.Z || uint64(t.Y) >= 1<<t.Z {
		return nil, fmt.Errorf("build %d/%d/%d: %w", t.Z, t.X, t.Y, ErrBadTile)
	}
	if set == SetCity {
		s := getScratch(t, tolerance(int(t.Z)))
		defer s.put()
		return s.result(s.buildCity(ix, t, opts, nil)), nil
	}
	if ls := live.set(set); ls != nil {
		return ls.build(t, opts), nil
	}
	return nil, fmt.Errorf("build %q: %w", set, ErrUnknownSet)
}

// buildCity builds tile t of the city set, with the component, grid and road edits of view
// (nil: none), and returns it encoded. s must have been set up for t (getScratch); the bytes
// and s.layers live in s.
func (s *scratch) buildCity(ix *Index, t maptile.Tile, opts Options, view OverlayView) []byte {
	opts = opts.withDefaults()
	z := int(t.Z)
	tp := &s.tp
	wb := worldBound(t, Buffer)
	if opts.wants(LayerAreas) {
		s.addLayer(0, LayerAreas, areasLayer(ix, tp, wb, z, s.layerFeats(0)))
	}
	if opts.wants(LayerGrids) {
		s.addLayer(1, LayerGrids, gridsLayer(ix, tp, wb, z, view, s.layerFeats(1)))
	}
	if opts.wants(LayerRoads) {
		s.addLayer(2, LayerRoads, roadsLayer(ix, tp, wb, z, view, s.layerFeats(2)))
	}
	if opts.wants(LayerComponents) {
		s.addLayer(3, LayerComponents, componentsLayer(ix, tp, wb, z, view, s.layerFeats(3)))
	}
	return s.encodeTile(opts)
}

type builtLayer struct {
	name  string
	feats []feature
	limit int
}

// encodeTile thins each of s.layers to the feature cap, encodes, and while the tile is too
// large halves the largest layer. Thinning keeps the features with the lowest priority value —
// a hash of the id — so the same features survive in neighbouring tiles. A layer never drops
// below one feature, so no layer vanishes. The tile is s.out; each layer's limit says how many
// of its features it holds.
func (s *scratch) encodeTile(opts Options) []byte {
	layers := s.layers
	for i := range layers {
		l := &layers[i]
		l.limit = min(len(l.feats), opts.MaxFeatures)
		if l.limit < len(l.feats) {
			slices.SortStableFunc(l.feats, func(a, b feature) int { return cmpU64(a.prio, b.prio) })
		}
	}
	if cap(s.sizes) < len(layers) {
		s.sizes = make([]int, len(layers))
	}
	sizes := s.sizes[:len(layers)]
	for {
		out := s.out[:0]
		clear(sizes)
		for i := range layers {
			l := &layers[i]
			if l.limit == 0 {
				continue
			}
			enc := &s.enc
			enc.reset(l.name)
			for j := range l.feats[:l.limit] {
				enc.add(&l.feats[j])
			}
			before := len(out)
			out = enc.appendTo(out)
			sizes[i] = len(out) - before
		}
		s.out = out
		if len(out) <= opts.MaxBytes {
			return out
		}
		big := -1
		for i := range layers {
			if layers[i].limit > 1 && (big < 0 || sizes[i] > sizes[big]) {
				big = i
			}
		}
		if big < 0 { // every layer is down to one feature: nothing more to thin
			return out
		}
		l := &layers[big]
		if l.limit == len(l.feats) {
			slices.SortStableFunc(l.feats, func(a, b feature) int { return cmpU64(a.prio, b.prio) })
		}
		l.limit /= 2
	}
}

func cmpU64(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// prio spreads ids evenly (splitmix64) so thinning keeps a uniform sample.
func prio(id uint64) uint64 {
	id += 0x9e3779b97f4a7c15
	id = (id ^ id>>30) * 0xbf58476d1ce4e5b9
	id = (id ^ id>>27) * 0x94d049bb133111eb
	return id ^ id>>31
}

func areasLayer(ix *Index, tp *tileProj, wb orb.Bound, z int, out []feature) []feature {
	ix.areaT.Search(wb.Min, wb.Max, func(_, _ [2]float64, i int32) bool {
		f := &ix.areas[i]
		level := f.a.Level.String()
		if _, ok := ruleAt(LayerAreas, level, z); !ok {
			return true
		}
		mark := len(tp.parts)
		for _, p := range f.poly {
			tp.polygon(p)
		}
		tags := func(kind string) []Tag {
			m := len(tp.tags)
			tp.tags = append(tp.tags, Str("code", f.a.Code), Str("name", f.a.Name), Str("level", level), Str("kind", kind))
			return tp.tagsFrom(m)
		}
		if parts := tp.partsFrom(mark); len(parts) > 0 {
			out = append(out, feature{id: f.id, typ: typePolygon, parts: parts, tags: tags("boundary"), prio: prio(f.id)})
		}
		if p, ok := tp.point(f.label); ok {
			id := f.id + labelIDBase
			out = append(out, feature{id: id, typ: typePoint, parts: tp.pointParts(p), tags: tags("label"), prio: prio(id)})
		}
		return true
	})
	return out
}

func gridsLayer(ix *Index, tp *tileProj, wb orb.Bound, z int, view OverlayView, out []feature) []feature {
	r, ok := ruleAt(LayerGrids, "grid", z)
	if !ok {
		return out
	}
	detail := z >= r.DetailZoom
	_, labels := ruleAt(LayerGrids, "label", z)
	memo := z == memoZoom
	// add adds grid f, the base grid at i of the index or an edited one (i < 0).
	add := func(f *gridF, i int32) {
		var parts [][]ipt
		geom, ok := []byte(nil), false
		if memo && i >= 0 {
			geom, ok = ix.memo.lookup(i, tp.tile.X, tp.tile.Y)
		}
		if ok {
			if len(geom) == 0 {
				return
			}
		} else {
			mark := len(tp.parts)
			tp.polygon(f.poly)
			if parts = tp.partsFrom(mark); len(parts) == 0 {
				return
			}
		}
		m := len(tp.tags)
		tp.tags = append(tp.tags, Str("code", f.code))
		if detail {
			tp.tags = append(tp.tags, Str("community", f.community), Double("area", f.area))
		}
		out = append(out, feature{id: f.id, typ: typePolygon, parts: parts, geom: geom, tags: tp.tagsFrom(m), prio: prio(f.id)})
		if p, ok := tp.point(f.label); ok && labels {
			m := len(tp.tags)
			tp.tags = append(tp.tags, Str("code", f.code), Str("kind", "label"))
			out = append(out, feature{id: f.labelID, typ: typePoint, parts: tp.pointParts(p), tags: tp.tagsFrom(m), prio: prio(f.labelID)})
		}
	}
	ix.gridT.Search(wb.Min, wb.Max, func(_, _ [2]float64, i int32) bool {
		if view == nil || !view.GridReplaced(ix.grids.code(&ix.grids.rows[i])) {
			f := ix.grids.grid(i, tp.rings)
			tp.rings = f.poly
			add(&f, i)
		}
		return true
	})
	// The headers point into this index's points: a pooled tileProj must not keep a replaced
	// version's alive.
	clear(tp.rings[:cap(tp.rings)])
	if view != nil {
		view.Grids(func(g *data.Grid) {
			// An edited grid keeps the feature id its code maps to; the base's probing of a rare
			// hash collision (NewIndex) is not redone for it.
			if f, ok := worldGrid(g); ok && wb.Intersects(f.poly.Bound()) {
				add(&f, -1)
			}
		})
	}
	return out
}

func roundTo(v, step float64) float64 {
	return float64(int64(v/step+0.5)) * step
}

func roadsLayer(ix *Index, tp *tileProj, wb orb.Bound, z int, view OverlayView, out []feature) []feature {
	add := func(f *roadF) {
		class := string(f.r.Class)
		if r, _ := ruleAt(LayerRoads, class, z); r.Layer == "" {
			class = string(data.RoadBranch) // none, or one this product does not know: drawn as a branch road
		}
		if _, ok := ruleAt(LayerRoads, class, z); !ok {
			return
		}
		mark := len(tp.parts)
		tp.line(f.line)
		parts := tp.partsFrom(mark)
		if len(parts) == 0 {
			return
		}
		m := len(tp.tags)
		tp.tags = append(tp.tags, Str("name", f.r.Name), Str("class", class))
		out = append(out, feature{id: f.id, typ: typeLine, parts: parts, tags: tp.tagsFrom(m), prio: prio(f.id)})
	}
	ix.roadT.Search(wb.Min, wb.Max, func(_, _ [2]float64, i int32) bool {
		if f := &ix.roads[i]; view == nil || !view.RoadReplaced(f.r.ID) {
			add(f)
		}
		return true
	})
	if view != nil {
		view.Roads(func(r *data.Road) {
			if f, ok := worldRoad(r); ok && wb.Intersects(f.line.Bound()) {
				add(&f)
			}
		})
	}
	return out
}

func componentsLayer(ix *Index, tp *tileProj, wb orb.Bound, z int, view OverlayView, out []feature) []feature {
	if z <= clusterMaxZoom {
		return clustersLayer(ix, tp, wb, z, view, out)
	}
	add := func(id uint64, c *data.Component, shape orb.Geometry) {
		mark := len(tp.parts)
		typ := uint8(typePoint)
		if shape == nil {
			if p, ok := tp.point(toWorld(c.Geometry.(orb.Point))); ok {
				tp.pointParts(p)
			}
		}
		switch g := shape.(type) {
		case orb.LineString:
			typ = typeLine
			tp.line(g)
		case orb.Polygon:
			typ = typePolygon
			tp.polygon(g)
		case orb.MultiLineString:
			typ = typeLine
			for _, l := range g {
				tp.line(l)
			}
		case orb.MultiPolygon:
			typ = typePolygon
			for _, p := range g {
				tp.polygon(p)
			}
		}
		parts := tp.partsFrom(mark)
		if len(parts) == 0 {
			return
		}
		m := len(tp.tags)
		tp.tags = append(tp.tags,
			Str("id", c.ID), Str("major", c.Major), Str("minor", c.Minor), Str("class", c.Class()),
			Str("status", c.Status.String()), Str("department", c.Owner.Name()))
		if c.Name != "" {
			tp.tags = append(tp.tags, Str("name", c.Name))
		}
		out = append(out, feature{id: id, typ: typ, parts: parts, tags: tp.tagsFrom(m), prio: prio(id)})
	}
	base := func(pos int32, shape orb.Geometry) {
		if c := ix.dsComp[pos]; view == nil || !view.Replaced(c.ID) {
			add(ix.compID(pos), c, shape)
		}
	}
	ix.pointComponentsIn(wb.Min[0], wb.Min[1], wb.Max[0], wb.Max[1], func(pos int32) {
		if !ix.isShape(pos) {
			base(pos, nil)
		}
	})
	ix.compT.Search(wb.Min, wb.Max, func(_, _ [2]float64, i int32) bool {
		base(ix.shapes[i].pos, ix.shapes[i].geom)
		return true
	})
	if view != nil {
		view.Components(func(c *data.Component) {
			if pt, shape, ok := worldComponent(c); ok && overlaps(pt, shape, wb) {
				add(FeatureID(c.ID), c, shape)
			}
		})
	}
	return out
}
