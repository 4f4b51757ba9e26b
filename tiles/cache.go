package tiles

import (
	"container/list"
	"sync"
	"weak"
)

// DefaultCacheBytes is the default byte budget of a Cache.
const DefaultCacheBytes = 256 << 20

// Tile is a built tile ready to serve.
type Tile struct {
	Raw  []byte // MVT; nil when Empty
	Gzip []byte // Raw gzipped; nil when Empty
	ETag string // quoted entity tag of Raw, unique per version and content
	// ETagGzip tags the gzip representation (a strong ETag names one representation).
	ETagGzip string
	Empty    bool // no feature in any layer: HTTP 204
	// Thinned lists the layers the feature cap or byte limit thinned, as "layer=dropped,…"
	// ("" when none), so a client can tell a thinned tile from a sparse one.
	Thinned string
}

func (t *Tile) size() int64 { return int64(len(t.Raw) + len(t.Gzip) + 2*len(t.ETag) + 64) }

type cacheKey struct {
	set     string
	version int64
	z       uint8
	x, y    uint32
}

type cacheEntry struct {
	key  cacheKey
	tile *Tile
}

// Cache is an LRU of built tiles with a byte budget, shared by the Tilers of every dataset
// version. Keys carry the dataset version, so a Tiler of a new version (or of a rolled-back
// one) never sees another version's tiles; events tiles are dropped one by one as events change.
// It is safe for concurrent use.
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
	gen   uint64 // bumped by every events invalidation
}

// NewCache returns a cache holding at most budget bytes (DefaultCacheBytes if budget ≤ 0).
func NewCache(budget int64) *Cache {
	if budget <= 0 {
		budget = DefaultCacheBytes
	}
	return &Cache{budget: budget, lru: list.New(), m: map[cacheKey]*list.Element{}, owner: map[int64]weak.Pointer[Index]{}}
}

// get returns a cached tile.
func (c *Cache) get(k cacheKey) (*Tile, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[k]
	if !ok {
		return nil, false
	}
	c.lru.MoveToFront(e)
	return e.Value.(*cacheEntry).tile, true
}

// claim records that ix owns version v and drops tiles another index left under the same
// version number (a store that reuses numbers must not serve old tiles).
func (c *Cache) claim(v int64, ix *Index) {
	c.mu.Lock()
	defer c.mu.Unlock()
	w := weak.Make(ix)
	if old, ok := c.owner[v]; ok && old == w {
		return
	} else if ok {
		for k, e := range c.m {
			if k.version == v && k.set == SetCity {
				c.remove(e)
			}
		}
	}
	c.owner[v] = w
}

// eventsGen returns the events generation, read before building an events tile.
func (c *Cache) eventsGen() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gen
}

// put stores a tile. An events tile built before an invalidation (gen moved on) is not stored,
// so an event change racing a build never leaves a stale tile behind; nor is a city tile from an
// index that no longer owns its version (a request still finishing on a replaced snapshot).
func (c *Cache) put(k cacheKey, t *Tile, gen uint64, ix *Index) {
	sz := t.size()
	if sz > c.budget/4 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if k.set == SetEvents && gen != c.gen {
		return
	}
	if k.set == SetCity && c.owner[k.version] != weak.Make(ix) {
		return
	}
	if e, ok := c.m[k]; ok {
		c.remove(e)
	}
	c.m[k] = c.lru.PushFront(&cacheEntry{key: k, tile: t})
	c.used += sz
	for c.used > c.budget {
		c.remove(c.lru.Back())
	}
}

func (c *Cache) remove(e *list.Element) {
	ce := e.Value.(*cacheEntry)
	c.lru.Remove(e)
	delete(c.m, ce.key)
	c.used -= ce.tile.size()
}

// dropEvents removes the events tiles at the given keys and moves the generation on.
func (c *Cache) dropEvents(keys []cacheKey) int {
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
