package tiles

import (
	"bytes"
	"errors"
	"fmt"
	"hash/fnv"
	"math"
	"slices"
	"strings"
	"sync"

	"github.com/klauspost/compress/gzip"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
)

// ErrOutside means a well-formed tile lies outside the set's zoom range or the city's bounds.
var ErrOutside = errors.New("tiles: tile outside the set's range")

// Tiler serves the tiles of one dataset version: it builds on demand and caches. The api layer
// keeps one per snapshot; all of them may share a Cache.
type Tiler struct {
	ix      *Index
	cache   *Cache
	events  EventSource
	evCache *Cache // cache for the events set when WithEvents gave one; else cache
	opts    Options
	wb      orb.Bound // dataset bound in world coordinates
}

// NewTiler returns a Tiler over ix. cache may be shared between Tilers (nil: no caching);
// events may be nil.
func NewTiler(ix *Index, cache *Cache, events EventSource, opts Options) *Tiler {
	b := ix.Bound()
	nw, se := toWorld(orb.Point{b.Min[0], b.Max[1]}), toWorld(orb.Point{b.Max[0], b.Min[1]})
	t := &Tiler{ix: ix, cache: cache, events: events, opts: opts, wb: orb.Bound{Min: nw, Max: se}}
	if cache != nil {
		cache.claim(ix.Version(), ix)
	}
	return t
}

// WithEvents returns a Tiler like t whose events set reads ev and is cached in cache (nil: t's
// cache). It costs one small allocation, so a server whose events source outlives its snapshots
// can attach it per request.
func (t *Tiler) WithEvents(ev EventSource, cache *Cache) *Tiler {
	c := *t
	c.events, c.evCache = ev, cache
	return &c
}

// Index returns the index the Tiler builds from.
func (t *Tiler) Index() *Index { return t.ix }

// Sets lists the tile sets.
func Sets() []string { return []string{SetCity, SetEvents} }

func knownSet(set string) bool { return set == SetCity || set == SetEvents }

// Check reports whether tile z/x/y of set can be served: ErrUnknownSet, ErrBadTile for
// coordinates that do not exist, ErrOutside for a tile beyond the set's zooms or the city.
func (t *Tiler) Check(set string, z, x, y int) error {
	if !knownSet(set) {
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

// Tile returns tile z/x/y of a set, from the cache or freshly built.
func (t *Tiler) Tile(set string, z, x, y int) (*Tile, error) {
	if err := t.Check(set, z, x, y); err != nil {
		return nil, err
	}
	k := cacheKey{set: set, z: uint8(z), x: uint32(x), y: uint32(y)}
	if set == SetCity {
		k.version = t.ix.Version()
	}
	cache := t.cache
	if set == SetEvents && t.evCache != nil {
		cache = t.evCache
	}
	var gen uint64
	if cache != nil {
		if tl, ok := cache.get(k); ok {
			return tl, nil
		}
		gen = cache.eventsGen()
	}
	res, err := Build(t.ix, t.events, set, maptile.New(uint32(x), uint32(y), maptile.Zoom(z)), t.opts)
	if err != nil {
		return nil, err
	}
	tl, err := newTile(res.Data, k)
	if err != nil {
		return nil, err
	}
	tl.Thinned = thinnedString(res.Thinned)
	if cache != nil {
		cache.put(k, tl, gen, t.ix)
	}
	return tl, nil
}

var gzPool = sync.Pool{New: func() any {
	w, _ := gzip.NewWriterLevel(nil, gzip.DefaultCompression)
	return w
}}

func newTile(raw []byte, k cacheKey) (*Tile, error) {
	h := fnv.New64a()
	h.Write(raw)
	tag := fmt.Sprintf("%s-%d-%x", k.set, k.version, h.Sum64())
	tl := &Tile{ETag: `"` + tag + `"`, ETagGzip: `"` + tag + `-gz"`}
	if len(raw) == 0 {
		tl.Empty = true
		return tl, nil
	}
	var buf bytes.Buffer
	zw := gzPool.Get().(*gzip.Writer)
	defer gzPool.Put(zw)
	zw.Reset(&buf)
	if _, err := zw.Write(raw); err != nil {
		return nil, fmt.Errorf("gzip tile: %w", err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("gzip tile: %w", err)
	}
	tl.Raw, tl.Gzip = raw, buf.Bytes()
	return tl, nil
}

// EventTiles returns every events tile, at every served zoom, that shows an event at p (lon/lat):
// the tile containing it and any neighbour whose buffer reaches it.
func EventTiles(p orb.Point) []maptile.Tile {
	w := toWorld(p)
	var out []maptile.Tile
	for z := MinZoom; z <= MaxZoom; z++ {
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

// EventChanged drops exactly the cached events tiles that show an event at any of the given
// positions — pass the old and the new position of a moved event — and returns how many were
// cached. The dispatch work calls it after changing its EventSource.
func (c *Cache) EventChanged(points ...orb.Point) int {
	var keys []cacheKey
	for _, p := range points {
		for _, tl := range EventTiles(p) {
			keys = append(keys, cacheKey{set: SetEvents, z: uint8(tl.Z), x: tl.X, y: tl.Y})
		}
	}
	return c.dropEvents(keys)
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
