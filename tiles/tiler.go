package tiles

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/cespare/xxhash/v2"
	"github.com/klauspost/compress/gzip"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
)

// ErrOutside means a well-formed tile lies outside the set's zoom range or the city's bounds.
var ErrOutside = errors.New("tiles: tile outside the set's range")

// Tiler serves the tiles of one dataset version: it builds on demand and caches. The api layer
// keeps one per snapshot; all of them may share a Cache. It serves the city set, and the live
// sets of a Live given to WithLive.
type Tiler struct {
	ix    *Index
	cache *Cache  // city tiles; nil: none cached
	live  *Live   // nil: the city set only
	edits Overlay // component edits over ix; nil: none
	opts  Options
	wb    orb.Bound // dataset bound in world coordinates
}

// NewTiler returns a Tiler of the city set over ix. cache may be shared between Tilers (nil: no
// caching).
func NewTiler(ix *Index, cache *Cache, opts Options) *Tiler {
	b := ix.Bound()
	nw, se := toWorld(orb.Point{b.Min[0], b.Max[1]}), toWorld(orb.Point{b.Max[0], b.Min[1]})
	cache.claim(ix.Version(), ix)
	return &Tiler{ix: ix, cache: cache, opts: opts, wb: orb.Bound{Min: nw, Max: se}}
}

// WithLive returns a Tiler like t that also serves the sets of live, each from its own cache.
// It costs one small allocation, so a server whose live sets outlive its snapshots can attach
// them per request.
func (t *Tiler) WithLive(live *Live) *Tiler {
	c := *t
	c.live = live
	return &c
}

// Index returns the index the Tiler builds from.
func (t *Tiler) Index() *Index { return t.ix }

// Sets lists the tile sets t serves: SetCity, then the live sets in registration order.
func (t *Tiler) Sets() []string {
	out := []string{SetCity}
	for _, s := range t.live.all() {
		out = append(out, s.Name())
	}
	return out
}

func (t *Tiler) knownSet(set string) bool { return set == SetCity || t.live.set(set) != nil }

// Check reports whether tile z/x/y of set can be served: ErrUnknownSet, ErrBadTile for
// coordinates that do not exist, ErrOutside for a tile beyond the set's zooms or the city.
func (t *Tiler) Check(set string, z, x, y int) error {
	if !t.knownSet(set) {
		return fmt.Errorf("tile set %q: %w", set, ErrUnknownSet)
	}
	if z < 0 || z > 30 || x < 0 || y < 0 || x >= 1<<z || y >= 1<<z {
		return fmt.Errorf("tile %d/%d/%d: %w", z, x, y, ErrBadTile)
	}
	if z < MinZoom || z > MaxZoom {
		return fmt.Errorf("tile %d/%d/%d: zoom not in %d–%d: %w", z, x, y, MinZoom, MaxZoom, ErrOutside)
	}
	if !worldBound(maptile.New(uint32(x), uint32(y), maptile.Zoom(z)), Buffer).Intersects(t.wb) {
		return fmt.Errorf("tile %d/%d/%d: outside the city: %w", z, x, y, ErrOutside)
	}
	return nil
}

// ErrUnknownLayer means a request named a layer its set does not have.
var ErrUnknownLayer = errors.New("tiles: unknown layer")

// cityLayers are the city set's layers, in the order a tile holds them.
var cityLayers = []string{LayerAreas, LayerGrids, LayerRoads, LayerComponents}

// Tile returns tile z/x/y of a set, from the cache or freshly built.
func (t *Tiler) Tile(set string, z, x, y int) (*Tile, error) {
	return t.TileLayers(set, z, x, y, nil)
}

// TileLayers is Tile with only the named layers of the city set (none named: all of them): a
// light client that draws only grids, or a comparison with a database's ST_AsMVT of one
// table, asks for "grids" and gets the grid layer exactly as the full tile has it. Such tiles
// are cached apart from the full ones. A live set has one layer; naming layers there, or a
// layer the city set does not have, is ErrUnknownLayer.
func (t *Tiler) TileLayers(set string, z, x, y int, layers []string) (*Tile, error) {
	if err := t.Check(set, z, x, y); err != nil {
		return nil, err
	}
	mt := maptile.New(uint32(x), uint32(y), maptile.Zoom(z))
	if ls := t.live.set(set); ls != nil {
		if len(layers) > 0 {
			return nil, fmt.Errorf("tile set %q has one layer, %q: %w", set, ls.rule.Layer, ErrUnknownLayer)
		}
		return ls.tile(mt, t.opts)
	}
	opts, which, err := t.withLayers(layers)
	if err != nil {
		return nil, err
	}
	k := cacheKey{set: set, layers: which, version: t.ix.Version(), z: uint8(z), x: uint32(x), y: uint32(y)}
	var view OverlayView
	cacheable := true
	if t.edits != nil {
		if view = t.edits.View(); view != nil {
			k.rev, cacheable = view.Rev(mt)
		}
	}
	if cacheable {
		if tl, ok := t.cache.get(k); ok {
			return tl, nil
		}
	}
	sc := getScratch(mt, tolerance(z))
	raw := sc.buildCity(t.ix, mt, opts, view)
	thinned := sc.thinned()
	if !cacheable || !t.cache.keeps() {
		// No one else will see this tile: it keeps sc's buffers until Release, and is gzipped
		// only if a client asks (Gzipped).
		return newPooledTile(sc, raw, thinned, k), nil
	}
	tl, err := newTile(raw, thinned, k)
	sc.put()
	if err != nil {
		return nil, err
	}
	t.cache.putCity(k, tl, t.ix)
	return tl, nil
}

// withLayers returns t's options restricted to layers and the canonical name of that choice
// ("" for every layer), which keys the cache.
func (t *Tiler) withLayers(layers []string) (Options, string, error) {
	if len(layers) == 0 {
		return t.opts, "", nil
	}
	var picked []string
	for _, l := range cityLayers {
		if slices.Contains(layers, l) {
			picked = append(picked, l)
		}
	}
	for _, l := range layers {
		if !slices.Contains(cityLayers, l) {
			return t.opts, "", fmt.Errorf("layer %q: want one of %s: %w", l, strings.Join(cityLayers, ", "), ErrUnknownLayer)
		}
	}
	if len(picked) == len(cityLayers) {
		return t.opts, "", nil
	}
	opts := t.opts
	if len(opts.Layers) > 0 { // the Tiler's own restriction still holds
		opts.Layers = slices.DeleteFunc(slices.Clone(picked), func(l string) bool { return !slices.Contains(t.opts.Layers, l) })
		if len(opts.Layers) == 0 {
			opts.Layers = []string{"-"} // none of them: an empty tile
		}
	} else {
		opts.Layers = picked
	}
	return opts, strings.Join(picked, ","), nil
}

// Two gzip levels: a tile a cache keeps is compressed once and sent many times, so it gets the
// default level; one built for a single request is compressed for that request alone, where
// the fastest level (4× the speed for a tenth more bytes on a full z15 tile; see
// BenchmarkGzipTile) keeps gzip from costing more than building the tile.
var gzPools = [2]sync.Pool{
	{New: func() any { w, _ := gzip.NewWriterLevel(nil, gzip.DefaultCompression); return w }},
	{New: func() any { w, _ := gzip.NewWriterLevel(nil, gzip.BestSpeed); return w }},
}

// gzip levels, indexes into gzPools.
const (
	gzipKept = iota // for a tile a cache keeps
	gzipOnce        // for a tile sent once
)

// gzipTo appends raw gzipped to buf, at the level of gzPools[level].
func gzipTo(buf *bytes.Buffer, raw []byte, level int) error {
	zw := gzPools[level].Get().(*gzip.Writer)
	defer gzPools[level].Put(zw)
	zw.Reset(buf)
	if _, err := zw.Write(raw); err != nil {
		return fmt.Errorf("gzip tile: %w", err)
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("gzip tile: %w", err)
	}
	return nil
}

// newTile copies a built tile (raw, the layers thinned as thinnedString spells them) into a
// Tile of its own for a cache to share, tagged and gzipped (a shared tile must be: Gzipped then
// never writes to it).
func newTile(raw []byte, thinned string, k cacheKey) (*Tile, error) {
	tl := taggedTile(raw, thinned, k)
	if tl.Empty {
		return tl, nil
	}
	tl.Raw = bytes.Clone(raw)
	var buf bytes.Buffer
	if err := gzipTo(&buf, raw, gzipKept); err != nil {
		return nil, err
	}
	tl.Gzip = buf.Bytes()
	return tl, nil
}

// newPooledTile is a tile whose bytes stay in sc, the scratch they were built in, until
// Release gives sc back.
func newPooledTile(sc *scratch, raw []byte, thinned string, k cacheKey) *Tile {
	tl := taggedTile(raw, thinned, k)
	tl.sc = sc
	if !tl.Empty {
		tl.Raw = raw
	}
	return tl
}

// taggedTile returns the tile's entity tags, its thinning and whether it is empty. The tag
// carries k's set and version, so no two sets or versions share one, and a 64-bit xxHash of the
// bytes (it reads a tile 8 bytes a step where FNV-1a read one, and is as stable across replicas).
func taggedTile(raw []byte, thinned string, k cacheKey) *Tile {
	b := make([]byte, 0, 64)
	b = append(b, '"')
	b = append(b, k.set...)
	b = append(b, '-')
	b = strconv.AppendInt(b, k.version, 10)
	b = append(b, '-')
	b = strconv.AppendUint(b, xxhash.Sum64(raw), 16)
	n := len(b)
	etag := string(append(b, '"'))
	return &Tile{ETag: etag, ETagGzip: string(append(b[:n], `-gz"`...)), Thinned: thinned, Empty: len(raw) == 0}
}

// thinned spells the layers s.encodeTile thinned as "layer=dropped,…" in name order ("" when none).
func (s *scratch) thinned() string {
	var m map[string]int
	for _, l := range s.layers {
		if d := len(l.feats) - l.limit; d > 0 {
			if m == nil {
				m = map[string]int{}
			}
			m[l.name] = d
		}
	}
	return thinnedString(m)
}

func thinnedString(m map[string]int) string {
	if len(m) == 0 {
		return ""
	}
	names := make([]string, 0, len(m))
	for l := range m {
		names = append(names, l)
	}
	slices.Sort(names)
	var b strings.Builder
	for i, l := range names {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "%s=%d", l, m[l])
	}
	return b.String()
}
