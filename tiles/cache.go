package tiles

import (
	"bytes"
	"container/list"
	"sync"
	"weak"
)

// DefaultCacheBytes is the default byte budget of a Cache.
const DefaultCacheBytes = 256 << 20

// Tile is a built tile ready to serve.
type Tile struct {
	Raw []byte // MVT; nil when Empty
	// Gzip is Raw gzipped: set on every tile a cache holds, nil on one built for a single
	// request until Gzipped is called; nil when Empty.
	Gzip []byte
	ETag string // quoted entity tag of Raw, unique per version and content
	// ETagGzip tags the gzip representation (a strong ETag names one representation).
	ETagGzip string
	Empty    bool // no feature in any layer: HTTP 204
	// Thinned lists the layers the feature cap or byte limit thinned, as "layer=dropped,…"
	// ("" when none), so a client can tell a thinned tile from a sparse one.
	Thinned string

	// sc holds Raw (and Gzip) of a tile no cache holds, until Release; nil otherwise.
	sc *scratch
}

// Gzipped returns the tile gzipped (nil when Empty). A cached tile has it already; a tile built
// for one request is compressed on the first call, at gzip's fastest level, so a client that
// does not ask for gzip (a benchmark, a server-side renderer) never pays for it and one that
// does pays little. It must not be called after Release.
func (t *Tile) Gzipped() ([]byte, error) { return t.gzipped(gzipOnce) }

// gzipped is Gzipped at level (gzipKept, gzipOnce) for a tile not yet compressed.
func (t *Tile) gzipped(level int) ([]byte, error) {
	if t.Gzip != nil || t.Empty {
		return t.Gzip, nil
	}
	if t.sc == nil {
		var buf bytes.Buffer
		if err := gzipTo(&buf, t.Raw, level); err != nil {
			return nil, err
		}
		t.Gzip = buf.Bytes()
		return t.Gzip, nil
	}
	t.sc.gz.Reset()
	if err := gzipTo(&t.sc.gz, t.Raw, level); err != nil {
		return nil, err
	}
	t.Gzip = t.sc.gz.Bytes()
	return t.Gzip, nil
}

// Release lets the next tile build reuse the buffers of a tile built for one request (the
// cache off, or an edit the tile may not be cached under). The caller must not read Raw or
// Gzip afterwards, nor call Release twice. On a tile a cache holds it does nothing; a caller
// that never calls it only leaves the buffers to the collector.
func (t *Tile) Release() {
	if sc := t.sc; sc != nil {
		t.sc, t.Raw, t.Gzip = nil, nil, nil
		sc.put()
	}
}

func (t *Tile) size() int64 { return int64(len(t.Raw) + len(t.Gzip) + 2*len(t.ETag) + 64) }

type cacheKey struct {
	set     string
	layers  string // the city layers of a TileLayers request, comma-joined; "" all of them
	live    bool   // a live set's tile: dropped by Changed, not by version
	version int64  // the dataset version of a city tile; 0 for live tiles
	rev     int64  // the last edit (Overlay) that touched a city tile; 0: none
	z       uint8
	x, y    uint32
}

type cacheEntry struct {
	key  cacheKey
	tile *Tile
}

// Cache is an LRU of built tiles with a byte budget, shared by the Tilers of every dataset
// version. Keys carry the dataset version, so a Tiler of a new version (or of a rolled-back
// one) never sees another version's tiles; live sets' tiles are dropped one by one as their
// features change (LiveSet.Changed). It is safe for concurrent use; the unexported methods
// also accept a nil Cache, which holds nothing.
type Cache struct {
	mu     sync.Mutex
	budget int64
	used   int64
	lru    *list.List // front = most recent
	m      map[cacheKey]*list.Element
	// owner is the index whose tiles are cached under a version. Weak, so the cache of a
	// long-running server does not keep every replaced version's index (and through it the
	// whole dataset) alive; weak pointers made from the same index compare equal.
	owner map[int64]weak.Pointer[Index]
	gen   uint64 // bumped by every live invalidation

	hits, misses, evictions uint64 // since NewCache, for Stats
}

// CacheStats is what a Cache has done since it was made and what it holds now, for metrics.
type CacheStats struct {
	Hits      uint64 // lookups answered from the cache
	Misses    uint64 // lookups that had to build the tile
	Evictions uint64 // tiles dropped to stay within the budget
	Tiles     int    // tiles held
	Bytes     int64  // bytes held
	Budget    int64  // the byte budget
}

// Stats returns the cache's counters and its current size.
func (c *Cache) Stats() CacheStats {
	c.mu.Lock()
	defer c.mu.Unlock()
	return CacheStats{Hits: c.hits, Misses: c.misses, Evictions: c.evictions, Tiles: len(c.m), Bytes: c.used, Budget: c.budget}
}

// NewCache returns a cache holding at most budget bytes (DefaultCacheBytes if budget ≤ 0).
func NewCache(budget int64) *Cache {
	if budget <= 0 {
		budget = DefaultCacheBytes
	}
	return &Cache{budget: budget, lru: list.New(), m: map[cacheKey]*list.Element{}, owner: map[int64]weak.Pointer[Index]{}}
}

// NewCacheOff returns a cache that holds nothing: every tile is built on request (`serve
// --tile-cache-mb 0`, for measuring the uncached cost). It still counts the misses.
func NewCacheOff() *Cache {
	c := NewCache(1)
	c.budget = 0 // insert keeps no tile larger than a quarter of the budget
	return c
}

// keeps reports whether c holds tiles at all (false for nil and NewCacheOff).
func (c *Cache) keeps() bool { return c != nil && c.budget > 0 }

// get returns a cached tile.
func (c *Cache) get(k cacheKey) (*Tile, bool) {
	if c == nil {
		return nil, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[k]
	if !ok {
		c.misses++
		return nil, false
	}
	c.hits++
	c.lru.MoveToFront(e)
	return e.Value.(*cacheEntry).tile, true
}

// claim records that ix owns version v and drops tiles another index left under the same
// version number (a store that reuses numbers must not serve old tiles).
func (c *Cache) claim(v int64, ix *Index) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	w := weak.Make(ix)
	if old, ok := c.owner[v]; ok && old == w {
		return
	} else if ok {
		for k, e := range c.m {
			if k.version == v && !k.live {
				c.remove(e)
			}
		}
	}
	c.owner[v] = w
}

// liveGen returns the live generation, read before building a live tile.
func (c *Cache) liveGen() uint64 {
	if c == nil {
		return 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gen
}

// putCity stores a city tile built from ix, unless ix no longer owns the tile's version (a
// request still finishing on a replaced snapshot).
func (c *Cache) putCity(k cacheKey, t *Tile, ix *Index) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.owner[k.version] == weak.Make(ix) {
		c.insert(k, t)
	}
}

// putLive stores a live tile unless an invalidation came after gen was read: the tile may show a
// feature where it was before that change, and would outlive it.
func (c *Cache) putLive(k cacheKey, t *Tile, gen uint64) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen == c.gen {
		c.insert(k, t)
	}
}

// insert stores a tile and evicts the least recent ones over budget. c.mu is held. A tile over
// a quarter of the budget is not kept: it would evict too many others.
func (c *Cache) insert(k cacheKey, t *Tile) {
	sz := t.size()
	if sz > c.budget/4 {
		return
	}
	if e, ok := c.m[k]; ok {
		c.remove(e)
	}
	c.m[k] = c.lru.PushFront(&cacheEntry{key: k, tile: t})
	c.used += sz
	for c.used > c.budget {
		c.remove(c.lru.Back())
		c.evictions++
	}
}

func (c *Cache) remove(e *list.Element) {
	ce := e.Value.(*cacheEntry)
	c.lru.Remove(e)
	delete(c.m, ce.key)
	c.used -= ce.tile.size()
}

// drop removes the live tiles at the given keys and moves the generation on.
func (c *Cache) drop(keys []cacheKey) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	n := 0
	for _, k := range keys {
		if e, ok := c.m[k]; ok {
			c.remove(e)
			n++
		}
	}
	return n
}

// Len returns the number of cached tiles.
func (c *Cache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.m)
}

// Bytes returns the bytes held.
func (c *Cache) Bytes() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.used
}
