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
		return buildCity(ix, t, opts, nil), nil
	}
	if ls := live.set(set); ls != nil {
		return ls.build(t, opts), nil
	}
	return nil, fmt.Errorf("build %q: %w", set, ErrUnknownSet)
}

// buildCity builds tile t of the city set, with the component, grid and road edits of view (nil: none).
func buildCity(ix *Index, t maptile.Tile, opts Options, view OverlayView) *Result {
	opts = opts.withDefaults()
	z := int(t.Z)
	tp := newTileProj(t, tolerance(z))
	wb := worldBound(t, Buffer)
	var layers []builtLayer
	add := func(name string, build func() []feature) {
		if opts.wants(name) {
			layers = append(layers, builtLayer{name: name, feats: build()})
		}
	}
	add(LayerAreas, func() []feature { return areasLayer(ix, tp, wb, z) })
	add(LayerGrids, func() []feature { return gridsLayer(ix, tp, wb, z, view) })
	add(LayerRoads, func() []feature { return roadsLayer(ix, tp, wb, z, view) })
	add(LayerComponents, func() []feature { return componentsLayer(ix, tp, wb, z, view) })
	return encodeTile(layers, opts)
}

type builtLayer struct {
	name  string
	feats []feature
	limit int
}

// encodeTile thins each layer to the feature cap, encodes, and while the tile is too large
// halves the largest layer. Thinning keeps the features with the lowest priority value — a hash
// of the id — so the same features survive in neighbouring tiles. A layer never drops below one
// feature, so no layer vanishes.
func encodeTile(layers []builtLayer, opts Options) *Result {
	res := &Result{Features: map[string]int{}, Thinned: map[string]int{}}
	for i := range layers {
		l := &layers[i]
		l.limit = min(len(l.feats), opts.MaxFeatures)
		if l.limit < len(l.feats) {
			slices.SortStableFunc(l.feats, func(a, b feature) int { return cmpU64(a.prio, b.prio) })
		}
	}
	for {
		var out []byte
		sizes := make([]int, len(layers))
		for i := range layers {
			l := &layers[i]
			if l.limit == 0 {
				continue
			}
			enc := newLayerEnc(l.name)
			for j := range l.feats[:l.limit] {
				enc.add(&l.feats[j])
			}
			before := len(out)
			out = enc.appendTo(out)
			sizes[i] = len(out) - before
		}
		if len(out) <= opts.MaxBytes {
			for _, l := range layers {
				if l.limit > 0 {
					res.Features[l.name] = l.limit
				}
				if d := len(l.feats) - l.limit; d > 0 {
					res.Thinned[l.name] = d
				}
			}
			res.Data = out
			return res
		}
		big := -1
		for i := range layers {
			if layers[i].limit > 1 && (big < 0 || sizes[i] > sizes[big]) {
				big = i
			}
		}
		if big < 0 { // every layer is down to one feature: nothing more to thin
			res.Data = out
			return res
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

func areasLayer(ix *Index, tp *tileProj, wb orb.Bound, z int) []feature {
	var out []feature
	ix.areaT.Search(wb.Min, wb.Max, func(_, _ [2]float64, i int32) bool {
		f := &ix.areas[i]
		level := f.a.Level.String()
		if _, ok := ruleAt(LayerAreas, level, z); !ok {
			return true
		}
		var parts [][]ipt
		for _, p := range f.poly {
			parts = tp.polygon(parts, p)
		}
		base := []Tag{Str("code", f.a.Code), Str("name", f.a.Name), Str("level", level)}
		if len(parts) > 0 {
			tags := append(slices.Clip(base), Str("kind", "boundary"))
			out = append(out, feature{id: f.id, typ: typePolygon, parts: parts, tags: tags, prio: prio(f.id)})
		}
		if p, ok := tp.point(f.label); ok {
			id := f.id + labelIDBase
			tags := append(slices.Clip(base), Str("kind", "label"))
			out = append(out, feature{id: id, typ: typePoint, parts: [][]ipt{{p}}, tags: tags, prio: prio(id)})
		}
		return true
	})
	return out
}

func gridsLayer(ix *Index, tp *tileProj, wb orb.Bound, z int, view OverlayView) []feature {
	r, ok := ruleAt(LayerGrids, "grid", z)
	if !ok {
		return nil
	}
	detail := z >= r.DetailZoom
	_, labels := ruleAt(LayerGrids, "label", z)
	var out []feature
	add := func(f *gridF) {
		parts := tp.polygon(nil, f.poly)
		if len(parts) == 0 {
			return
		}
		tags := []Tag{Str("code", f.g.Code)}
		if detail {
			tags = append(tags, Str("community", f.g.Community), Double("area", roundTo(f.g.AreaM2, 1)))
		}
		out = append(out, feature{id: f.id, typ: typePolygon, parts: parts, tags: tags, prio: prio(f.id)})
		if p, ok := tp.point(f.label); ok && labels {
			lt := []Tag{Str("code", f.g.Code), Str("kind", "label")}
			out = append(out, feature{id: f.labelID, typ: typePoint, parts: [][]ipt{{p}}, tags: lt, prio: prio(f.labelID)})
		}
	}
	ix.gridT.Search(wb.Min, wb.Max, func(_, _ [2]float64, i int32) bool {
		if f := &ix.grids[i]; view == nil || !view.GridReplaced(f.g.Code) {
			add(f)
		}
		return true
	})
	if view != nil {
		view.Grids(func(g *data.Grid) {
			// An edited grid keeps the feature id its code maps to; the base's probing of a rare
			// hash collision (NewIndex) is not redone for it.
			if f, ok := worldGrid(g); ok && wb.Intersects(f.poly.Bound()) {
				add(&f)
			}
		})
	}
	return out
}

func roundTo(v, step float64) float64 {
	return float64(int64(v/step+0.5)) * step
}

func roadsLayer(ix *Index, tp *tileProj, wb orb.Bound, z int, view OverlayView) []feature {
	var out []feature
	add := func(f *roadF) {
		class := string(f.r.Class)
		if class == "" {
			class = string(data.RoadBranch)
		}
		if _, ok := ruleAt(LayerRoads, class, z); !ok {
			return
		}
		parts := tp.line(nil, f.line)
		if len(parts) == 0 {
			return
		}
		tags := []Tag{Str("name", f.r.Name), Str("class", class)}
		out = append(out, feature{id: f.id, typ: typeLine, parts: parts, tags: tags, prio: prio(f.id)})
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

func componentsLayer(ix *Index, tp *tileProj, wb orb.Bound, z int, view OverlayView) []feature {
	if z <= clusterMaxZoom {
		return clustersLayer(ix, tp, wb, z, view)
	}
	var out []feature
	add := func(id uint64, c *data.Component, shape orb.Geometry) {
		var parts [][]ipt
		typ := uint8(typePoint)
		if shape == nil {
			if p, ok := tp.point(toWorld(c.Geometry.(orb.Point))); ok {
				parts = [][]ipt{{p}}
			}
		}
		switch g := shape.(type) {
		case orb.LineString:
			typ, parts = typeLine, tp.line(nil, g)
		case orb.Polygon:
			typ, parts = typePolygon, tp.polygon(nil, g)
		}
		if len(parts) == 0 {
			return
		}
		tags := []Tag{
			Str("id", c.ID), Str("major", c.Major), Str("minor", c.Minor), Str("class", c.Class()),
			Str("status", string(c.Status)), Str("department", c.Owner.Name()),
		}
		if c.Name != "" {
			tags = append(tags, Str("name", c.Name))
		}
		out = append(out, feature{id: id, typ: typ, parts: parts, tags: tags, prio: prio(id)})
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
