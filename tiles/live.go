package tiles

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
)

// LiveFeature is one feature of a live layer as its tiles show it: a point, or a line or area
// (Shape) such as a duty zone's outline or a road segment.
type LiveFeature struct {
	// ID is the MVT feature id (ids ≥ MaxID are hashed below it). Keep it stable while the
	// feature lives, so a client can follow it from tile to tile as it moves.
	ID    uint64
	Point orb.Point // lon/lat
	// Shape, when not nil, is drawn instead of Point: an orb.LineString, MultiLineString,
	// Polygon or MultiPolygon in lon/lat. LiveSet.Changed drops tiles by point, so a layer
	// with shapes is registered without a cache (its tiles are built on request).
	Shape orb.Geometry
	Tags  []Tag // attributes, written in this order
}

// LiveLayer is a source of point features that change while a dataset version is served —
// events, patrollers' and vehicles' positions — shown as a tile set of its own with one layer. Its
// owner registers it on a Live and calls the returned LiveSet's Changed after every change.
type LiveLayer interface {
	// Rule names the layer's tile set and MVT layer, the zooms that show it and the attributes
	// TileJSON lists. It is read once, at registration.
	Rule() Rule
	// In calls fn with the features inside a lon/lat bound until fn returns false. Requests
	// building tiles call it concurrently.
	In(b orb.Bound, fn func(LiveFeature) bool)
}

// Live is the registry of live sets shown beside the city set, in registration order (which is
// also their drawing order in the styles). The zero value is empty and ready; a nil *Live has
// no sets. Register every layer before the Live is given to a Tiler or Style: it is read
// without a lock.
type Live struct {
	sets []*LiveSet
}

// LiveSet is one registered live layer with its own tile cache. Its tiles are not keyed by a
// dataset version: they change when the layer's features do, and Changed drops them.
type LiveSet struct {
	layer LiveLayer
	rule  Rule
	cache *Cache // nil: every tile is built on request
}

// Register adds layer as a tile set of its own, cached in cache (nil: not cached), and returns
// the set, whose Changed the layer's owner calls after each change. A cache may be shared with
// other sets and Tilers. Register panics, like http.ServeMux.Handle, when the layer's set is
// SetCity, already registered, empty or holds a '/', its layer name is empty, or its zooms are
// not within MinZoom–MaxZoom: names come from code, so a clash is a programming error.
func (l *Live) Register(layer LiveLayer, cache *Cache) *LiveSet {
	r := layer.Rule()
	if err := l.check(r); err != nil {
		panic(err)
	}
	s := &LiveSet{layer: layer, rule: r, cache: cache}
	l.sets = append(l.sets, s)
	return s
}

func (l *Live) check(r Rule) error {
	switch {
	case r.Set == "" || strings.Contains(r.Set, "/"):
		return fmt.Errorf("tiles: live set %q: want a name without '/'", r.Set)
	case r.Set == SetCity || l.set(r.Set) != nil:
		return fmt.Errorf("tiles: live set %q: name already in use", r.Set)
	case r.Layer == "":
		return fmt.Errorf("tiles: live set %q has no layer name", r.Set)
	case r.MinZoom < MinZoom || r.MaxZoom > MaxZoom || r.MinZoom > r.MaxZoom:
		return fmt.Errorf("tiles: live set %q: zooms %d–%d not within %d–%d", r.Set, r.MinZoom, r.MaxZoom, MinZoom, MaxZoom)
	}
	return nil
}

// Without returns a registry of the same sets, sharing their caches, except those named: the
// style of a client that may not see a set (positions are personal data) leaves it out. A nil
// Live gives nil.
func (l *Live) Without(names ...string) *Live {
	if l == nil {
		return nil
	}
	out := &Live{}
	for _, s := range l.sets {
		if !slices.Contains(names, s.rule.Set) {
			out.sets = append(out.sets, s)
		}
	}
	return out
}

// set returns the live set called name, or nil.
func (l *Live) set(name string) *LiveSet {
	if l == nil {
		return nil
	}
	for _, s := range l.sets {
		if s.rule.Set == name {
			return s
		}
	}
	return nil
}

// all returns the registered sets; nil for a nil Live.
func (l *Live) all() []*LiveSet {
	if l == nil {
		return nil
	}
	return l.sets
}

// Name returns the set's name: the {set} of its tile URLs.
func (s *LiveSet) Name() string { return s.rule.Set }

// TilesAt returns every tile of the set, at every zoom of its rule, that shows a feature at p
// (lon/lat): the tile containing p and any neighbour whose buffer reaches it.
func (s *LiveSet) TilesAt(p orb.Point) []maptile.Tile {
	w := toWorld(p)
	var out []maptile.Tile
	for z := s.rule.MinZoom; z <= s.rule.MaxZoom; z++ {
		n := float64(uint64(1) << z)
		px, py := w[0]*n*Extent, w[1]*n*Extent
		// Tile x shows the point when px - x*Extent lies in [-Buffer, Extent+Buffer].
		x0 := int(math.Max(0, math.Ceil((px-Extent-Buffer)/Extent)))
		x1 := int(math.Min(n-1, math.Floor((px+Buffer)/Extent)))
		y0 := int(math.Max(0, math.Ceil((py-Extent-Buffer)/Extent)))
		y1 := int(math.Min(n-1, math.Floor((py+Buffer)/Extent)))
		for y := y0; y <= y1; y++ {
			for x := x0; x <= x1; x++ {
				out = append(out, maptile.New(uint32(x), uint32(y), maptile.Zoom(z)))
			}
		}
	}
	return out
}

// Changed drops exactly the cached tiles of the set that show a feature at any of the given
// positions — pass the old and the new position of a moved feature, the one position of a new
// or removed one — and returns how many were cached. Every other tile stays cached.
func (s *LiveSet) Changed(points ...orb.Point) int {
	if s.cache == nil {
		return 0
	}
	var keys []cacheKey
	for _, p := range points {
		for _, t := range s.TilesAt(p) {
			keys = append(keys, s.key(t))
		}
	}
	return s.cache.drop(keys)
}

func (s *LiveSet) key(t maptile.Tile) cacheKey {
	return cacheKey{set: s.rule.Set, live: true, z: uint8(t.Z), x: t.X, y: t.Y}
}

// tile returns tile t of the set from its cache, or builds and caches it.
func (s *LiveSet) tile(t maptile.Tile, opts Options) (*Tile, error) {
	k := s.key(t)
	if tl, ok := s.cache.get(k); ok {
		return tl, nil
	}
	// Read the generation before the features: a change during the build moves it on, and
	// putLive then refuses a tile that may show a feature where it no longer is.
	gen := s.cache.liveGen()
	res := s.build(t, opts)
	tl, err := newTile(res.Data, thinnedString(res.Thinned), k)
	if err != nil {
		return nil, err
	}
	s.cache.putLive(k, tl, gen)
	return tl, nil
}

// build builds tile t of the set from the layer's current features.
func (s *LiveSet) build(t maptile.Tile, opts Options) *Result {
	opts = opts.withDefaults()
	z := int(t.Z)
	sc := getScratch(t, tolerance(z))
	defer sc.put()
	if opts.wants(s.rule.Layer) {
		sc.addLayer(0, s.rule.Layer, s.features(&sc.tp, worldBound(t, Buffer), z, sc.layerFeats(0)))
	}
	return sc.result(sc.encodeTile(opts))
}

// features returns the layer's features within wb (world coordinates), projected into the tile;
// none at a zoom the rule excludes.
func (s *LiveSet) features(tp *tileProj, wb orb.Bound, z int, out []feature) []feature {
	if z < s.rule.MinZoom || z > s.rule.MaxZoom {
		return out
	}
	nw, se := fromWorld(wb.Min), fromWorld(wb.Max)
	b := orb.Bound{Min: orb.Point{nw[0], se[1]}, Max: orb.Point{se[0], nw[1]}}
	s.layer.In(b, func(f LiveFeature) bool {
		if f.Shape != nil {
			if parts, typ := tp.shape(f.Shape); len(parts) > 0 {
				out = append(out, feature{id: liveID(f.ID), typ: typ, parts: parts, tags: f.Tags, prio: prio(f.ID)})
			}
			return true
		}
		p, ok := tp.point(toWorld(f.Point))
		if !ok {
			return true
		}
		out = append(out, feature{id: liveID(f.ID), typ: typePoint, parts: tp.pointParts(p), tags: f.Tags, prio: prio(f.ID)})
		return true
	})
	return out
}

// liveID keeps a live feature's id below MaxID.
func liveID(id uint64) uint64 {
	if id >= MaxID {
		return FeatureID(fmt.Sprint(id))
	}
	return id
}

// shape projects, clips and snaps a line or area given in lon/lat into the tile.
func (tp *tileProj) shape(g orb.Geometry) ([][]ipt, uint8) {
	mark := len(tp.parts)
	switch g := g.(type) {
	case orb.LineString:
		tp.line(worldLine(g))
		return tp.partsFrom(mark), typeLine
	case orb.MultiLineString:
		for _, l := range g {
			tp.line(worldLine(l))
		}
		return tp.partsFrom(mark), typeLine
	case orb.Polygon:
		tp.polygon(worldPolygon(g))
		return tp.partsFrom(mark), typePolygon
	case orb.MultiPolygon:
		for _, p := range g {
			tp.polygon(worldPolygon(p))
		}
		return tp.partsFrom(mark), typePolygon
	}
	return nil, 0
}
