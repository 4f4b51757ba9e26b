package tiles_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"

	"citygeo/tiles"
	"citygeo/tiles/mvtcheck"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
)

// gridCodes returns the grid codes in a city tile.
func gridCodes(t *testing.T, tl *tiles.Tile) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	if tl.Empty {
		return out
	}
	dec, probs := mvtcheck.Check(tl.Raw, mvtcheck.Strict)
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	for _, l := range dec.Layers {
		if l.Name == "grids" {
			for _, f := range l.Features {
				out[f.Tags["code"].(string)] = true
			}
		}
	}
	return out
}

func TestNewVersionAndRollbackVisible(t *testing.T) {
	cache := tiles.NewCache(0)
	v7 := testCity(10, 10)
	v8 := testCity(10, 10)
	v8.Version = 8
	gone := v8.Grids[0].Code
	v8.Grids = v8.Grids[1:]
	tile := maptile.At(v7.Grids[0].Polygon[0][0], 16)
	x, y, z := int(tile.X), int(tile.Y), int(tile.Z)

	t7 := tiles.NewTiler(mustIndex(t, v7), cache, tiles.Options{})
	a, err := t7.Tile(tiles.SetCity, z, x, y)
	if err != nil {
		t.Fatal(err)
	}
	if !gridCodes(t, a)[gone] {
		t.Fatalf("grid %s missing from v7", gone)
	}
	t8 := tiles.NewTiler(mustIndex(t, v8), cache, tiles.Options{})
	b, _ := t8.Tile(tiles.SetCity, z, x, y)
	if gridCodes(t, b)[gone] {
		t.Errorf("v8 tile still shows deleted grid %s (stale cache)", gone)
	}
	if a.ETag == b.ETag {
		t.Errorf("v7 and v8 share ETag %s", a.ETag)
	}
	// Rollback: v7 again, rebuilt from a fresh index of the same dataset.
	r7 := tiles.NewTiler(mustIndex(t, v7), cache, tiles.Options{})
	c, _ := r7.Tile(tiles.SetCity, z, x, y)
	if !gridCodes(t, c)[gone] {
		t.Errorf("rollback to v7 does not show grid %s", gone)
	}
	// The replaced v8 index, still finishing requests, must not refill the cache for version 8
	// once another index owns that number.
	old8 := t8
	// A different dataset reusing version number 8 must not get v8's cached tile.
	other := testCity(10, 10)
	other.Version = 8
	tiles.NewTiler(mustIndex(t, other), cache, tiles.Options{})
	n8 := tiles.NewTiler(mustIndex(t, other), cache, tiles.Options{})
	if _, err := old8.Tile(tiles.SetCity, z, x, y); err != nil { // a late request on the old index
		t.Fatal(err)
	}
	d, _ := n8.Tile(tiles.SetCity, z, x, y)
	if !gridCodes(t, d)[gone] {
		t.Errorf("reused version 8 served the old index's tile")
	}
}

func TestCacheBudget(t *testing.T) {
	ds := testCity(16, 16)
	cache := tiles.NewCache(64 << 10)
	tr := tiles.NewTiler(mustIndex(t, ds), cache, tiles.Options{})
	n := 0
	tiles.Pyramid(ds.Bound(), 12, 18, func(tl maptile.Tile) bool {
		if _, err := tr.Tile(tiles.SetCity, int(tl.Z), int(tl.X), int(tl.Y)); err != nil {
			t.Fatal(err)
		}
		n++
		if cache.Bytes() > 64<<10 {
			t.Fatalf("cache holds %d bytes > budget", cache.Bytes())
		}
		return true
	})
	if cache.Len() == 0 || cache.Len() >= n {
		t.Errorf("cache holds %d of %d tiles; want some but not all", cache.Len(), n)
	}
	st := cache.Stats()
	if st.Misses != uint64(n) || st.Hits != 0 || st.Evictions == 0 || st.Tiles != cache.Len() || st.Bytes != cache.Bytes() || st.Budget != 64<<10 {
		t.Errorf("after %d distinct tiles: stats %+v; want %d misses, no hit, some evictions", n, st, n)
	}
	tl := cache.Stats()
	var last maptile.Tile
	tiles.Pyramid(ds.Bound(), 18, 18, func(t maptile.Tile) bool { last = t; return false })
	_, _ = tr.Tile(tiles.SetCity, int(last.Z), int(last.X), int(last.Y))
	_, _ = tr.Tile(tiles.SetCity, int(last.Z), int(last.X), int(last.Y))
	if st := cache.Stats(); st.Hits != tl.Hits+1 && st.Hits != tl.Hits+2 {
		t.Errorf("asking twice for a tile: hits %d → %d; want at least one more", tl.Hits, st.Hits)
	}
}

// TestCacheOff checks that an off cache (serve --tile-cache-mb 0) builds every request anew and
// still answers the same tile.
func TestCacheOff(t *testing.T) {
	ds := testCity(16, 16)
	cache := tiles.NewCacheOff()
	tr := tiles.NewTiler(mustIndex(t, ds), cache, tiles.Options{})
	cached := tiles.NewTiler(mustIndex(t, ds), tiles.NewCache(0), tiles.Options{})
	var last maptile.Tile
	tiles.Pyramid(ds.Bound(), 16, 16, func(t maptile.Tile) bool { last = t; return false })
	for range 3 {
		got, err := tr.Tile(tiles.SetCity, int(last.Z), int(last.X), int(last.Y))
		if err != nil {
			t.Fatal(err)
		}
		want, _ := cached.Tile(tiles.SetCity, int(last.Z), int(last.X), int(last.Y))
		if got.Empty || !bytes.Equal(got.Raw, want.Raw) {
			t.Fatalf("tile %v without a cache: %d bytes, with one %d", last, len(got.Raw), len(want.Raw))
		}
	}
	if st := cache.Stats(); st.Hits != 0 || st.Misses != 3 || st.Tiles != 0 || st.Bytes != 0 {
		t.Errorf("off cache after 3 requests of one tile: %+v; want 3 misses and nothing held", st)
	}
}

func TestTilerCheck(t *testing.T) {
	ds := testCity(4, 4)
	tr := tiles.NewTiler(mustIndex(t, ds), nil, tiles.Options{}).WithLive(liveOf(newEvents()))
	in := maptile.At(ds.Bound().Center(), 15)
	for name, tc := range map[string]struct {
		set     string
		z, x, y int
		want    error
	}{
		"ok":           {tiles.SetCity, 15, int(in.X), int(in.Y), nil},
		"unknown set":  {"roads", 15, int(in.X), int(in.Y), tiles.ErrUnknownSet},
		"x too big":    {tiles.SetCity, 2, 4, 0, tiles.ErrBadTile},
		"negative":     {tiles.SetCity, 2, -1, 0, tiles.ErrBadTile},
		"too deep":     {tiles.SetCity, 19, 0, 0, tiles.ErrOutside},
		"far away":     {tiles.SetCity, 15, 0, 0, tiles.ErrOutside},
		"events empty": {tiles.SetEvents, 15, int(in.X), int(in.Y), nil},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := tr.Tile(tc.set, tc.z, tc.x, tc.y)
			if !errors.Is(err, tc.want) {
				t.Errorf("err %v, want %v", err, tc.want)
			}
		})
	}
	ev, _ := tr.Tile(tiles.SetEvents, 15, int(in.X), int(in.Y))
	if !ev.Empty {
		t.Error("events tile of a source without events is not empty")
	}
}

// points is a live layer for tests: one point per id, moved under a lock.
type points struct {
	rule tiles.Rule
	mu   sync.Mutex
	m    map[uint64]orb.Point
}

// newEvents returns an empty events layer as the dispatch feed registers it.
func newEvents() *points {
	return &points{m: map[uint64]orb.Point{}, rule: tiles.Rule{Set: tiles.SetEvents, Layer: tiles.LayerEvents, Kind: "event",
		MinZoom: tiles.MinZoom, MaxZoom: tiles.MaxZoom, Attrs: []string{"id", "class", "status"}}}
}

func (l *points) Rule() tiles.Rule { return l.rule }

func (l *points) In(b orb.Bound, fn func(tiles.LiveFeature) bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for id, p := range l.m {
		f := tiles.LiveFeature{ID: id, Point: p, Tags: []tiles.Tag{tiles.Str("id", fmt.Sprint(id)), tiles.Str("status", "open")}}
		if b.Contains(p) && !fn(f) {
			return
		}
	}
}

// move puts feature id at p and returns where it was.
func (l *points) move(id uint64, p orb.Point) orb.Point {
	l.mu.Lock()
	defer l.mu.Unlock()
	old := l.m[id]
	l.m[id] = p
	return old
}

// liveOf registers layers, uncached.
func liveOf(layers ...tiles.LiveLayer) *tiles.Live {
	live := &tiles.Live{}
	for _, l := range layers {
		live.Register(l, nil)
	}
	return live
}

// layerIDs returns the feature ids in one layer of a tile.
func layerIDs(t *testing.T, tl *tiles.Tile, layer string) map[uint64]bool {
	t.Helper()
	out := map[uint64]bool{}
	if tl.Empty {
		return out
	}
	dec, probs := mvtcheck.Check(tl.Raw, mvtcheck.Strict)
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	for _, l := range dec.Layers {
		if l.Name != layer {
			continue
		}
		for _, f := range l.Features {
			out[f.ID] = true
		}
	}
	return out
}

// TestEventTilesExact compares TilesAt with brute force: build the events tile of every
// tile around the point and see which show the event.
func TestEventTilesExact(t *testing.T) {
	ds := testCity(4, 4)
	ix := mustIndex(t, ds)
	b := ds.Bound()
	for _, p := range []orb.Point{
		b.Center(),
		tiles.TileCorner(maptile.At(b.Center(), 14)),              // on a tile corner
		nudge(tiles.TileCorner(maptile.At(b.Center(), 16)), 1e-6), // just off a corner
	} {
		src := newEvents()
		src.move(1, p)
		live := &tiles.Live{}
		set := live.Register(src, nil)
		want := map[maptile.Tile]bool{}
		for _, tl := range set.TilesAt(p) {
			want[tl] = true
		}
		for z := 10; z <= tiles.MaxZoom; z++ {
			c := maptile.At(p, maptile.Zoom(z))
			for dy := -1; dy <= 1; dy++ {
				for dx := -1; dx <= 1; dx++ {
					tl := maptile.New(uint32(int(c.X)+dx), uint32(int(c.Y)+dy), c.Z)
					res, err := tiles.Build(ix, live, tiles.SetEvents, tl, tiles.Options{})
					if err != nil {
						t.Fatal(err)
					}
					shows := res.Features["events"] == 1
					if shows != want[tl] {
						t.Errorf("point %v tile %v: shows %v, TilesAt says %v", p, tl, shows, want[tl])
					}
				}
			}
		}
	}
}

func TestEventChangedDropsOnlyCoveredTiles(t *testing.T) {
	ds := testCity(20, 20)
	src := newEvents()
	cache := tiles.NewCache(0)
	live := &tiles.Live{}
	set := live.Register(src, cache)
	tr := tiles.NewTiler(mustIndex(t, ds), nil, tiles.Options{}).WithLive(live)
	b := ds.Bound()
	p := b.Center()
	src.move(42, p)
	var all []maptile.Tile
	tiles.Pyramid(b, 14, 16, func(tl maptile.Tile) bool {
		all = append(all, tl)
		_, err := tr.Tile(tiles.SetEvents, int(tl.Z), int(tl.X), int(tl.Y))
		if err != nil {
			t.Fatal(err)
		}
		return true
	})
	before := cache.Len()
	// Move the event to a corner of the city.
	q := orb.Point{b.Min[0] + 0.0001, b.Min[1] + 0.0001}
	src.move(42, q)
	affected := map[maptile.Tile]bool{}
	for _, tl := range append(set.TilesAt(p), set.TilesAt(q)...) {
		affected[tl] = true
	}
	wantDropped := 0
	for _, tl := range all {
		if affected[tl] {
			wantDropped++
		}
	}
	if got := set.Changed(p, q); got != wantDropped {
		t.Errorf("dropped %d tiles, want %d", got, wantDropped)
	}
	if cache.Len() != before-wantDropped {
		t.Errorf("cache has %d tiles, want %d", cache.Len(), before-wantDropped)
	}
	for _, tl := range all {
		got, _ := tr.Tile(tiles.SetEvents, int(tl.Z), int(tl.X), int(tl.Y))
		res, _ := tiles.Build(tr.Index(), live, tiles.SetEvents, tl, tiles.Options{})
		if layerIDs(t, got, tiles.LayerEvents)[42] != (res.Features["events"] == 1) {
			t.Errorf("tile %v: served events tile is stale", tl)
		}
	}
}

func nudge(p orb.Point, d float64) orb.Point { return orb.Point{p[0] + d, p[1] - d} }

func TestTileReportsThinning(t *testing.T) {
	ds := testCity(20, 20)
	tile := maptile.At(ds.Bound().Center(), 16)
	ix := mustIndex(t, ds)
	full, _ := tiles.NewTiler(ix, nil, tiles.Options{}).Tile(tiles.SetCity, int(tile.Z), int(tile.X), int(tile.Y))
	if full.Thinned != "" {
		t.Errorf("untouched tile reports thinning %q", full.Thinned)
	}
	capped, _ := tiles.NewTiler(ix, nil, tiles.Options{MaxFeatures: 3}).Tile(tiles.SetCity, int(tile.Z), int(tile.X), int(tile.Y))
	if !strings.Contains(capped.Thinned, "grids=") || !strings.Contains(capped.Thinned, "components=") {
		t.Errorf("capped tile reports %q, want grids and components thinned", capped.Thinned)
	}
}

// TestConcurrentTiles hammers one Tiler from several goroutines while events change; run with
// -race. Every served tile must be valid and equal to a fresh build of the same tile.
func TestConcurrentTiles(t *testing.T) {
	ds := testCity(12, 12)
	src := newEvents()
	src.move(1, ds.Bound().Center())
	cache := tiles.NewCache(256 << 10) // shared by the city and the events set
	live := &tiles.Live{}
	set := live.Register(src, cache)
	tr := tiles.NewTiler(mustIndex(t, ds), cache, tiles.Options{}).WithLive(live)
	var list []maptile.Tile
	tiles.Pyramid(ds.Bound(), 14, 17, func(tl maptile.Tile) bool { list = append(list, tl); return true })
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := range 200 {
				tl := list[(i*7+g*13)%len(list)]
				set := tiles.SetCity
				if i%3 == 0 {
					set = tiles.SetEvents
				}
				got, err := tr.Tile(set, int(tl.Z), int(tl.X), int(tl.Y))
				if err != nil {
					t.Error(err)
					return
				}
				if !got.Empty {
					if _, probs := mvtcheck.Check(got.Raw, mvtcheck.Strict); len(probs) > 0 {
						t.Error(probs)
						return
					}
				}
			}
		}(g)
	}
	for i := range 50 {
		src.mu.Lock()
		old := src.m[1]
		p := orb.Point{old[0] + 0.00001*float64(i%3-1), old[1]}
		src.m[1] = p
		src.mu.Unlock()
		set.Changed(old, p)
	}
	wg.Wait()
	// After the dust settles, every cached city tile equals a fresh build.
	for _, tl := range list {
		got, _ := tr.Tile(tiles.SetCity, int(tl.Z), int(tl.X), int(tl.Y))
		res, _ := tiles.Build(tr.Index(), nil, tiles.SetCity, tl, tiles.Options{})
		if !bytes.Equal(got.Raw, res.Data) {
			t.Fatalf("tile %v differs from a fresh build", tl)
		}
	}
}

func TestWithLiveUsesItsCache(t *testing.T) {
	ds := testCity(6, 6)
	city, evc := tiles.NewCache(0), tiles.NewCache(0)
	tr := tiles.NewTiler(mustIndex(t, ds), city, tiles.Options{})
	src := newEvents()
	src.move(5, ds.Bound().Center())
	reg := &tiles.Live{}
	reg.Register(src, evc)
	live := tr.WithLive(reg)
	tl := maptile.At(ds.Bound().Center(), 16)
	got, err := live.Tile(tiles.SetEvents, int(tl.Z), int(tl.X), int(tl.Y))
	if err != nil {
		t.Fatal(err)
	}
	if !layerIDs(t, got, tiles.LayerEvents)[5] {
		t.Error("WithLive tile lacks the event")
	}
	if _, err := live.Tile(tiles.SetCity, int(tl.Z), int(tl.X), int(tl.Y)); err != nil {
		t.Fatal(err)
	}
	if evc.Len() != 1 || city.Len() != 1 {
		t.Errorf("events cache %d tiles, city cache %d; want 1 and 1", evc.Len(), city.Len())
	}
	if _, err := tr.Tile(tiles.SetEvents, int(tl.Z), int(tl.X), int(tl.Y)); !errors.Is(err, tiles.ErrUnknownSet) {
		t.Errorf("the original tiler gained the events set: err %v", err)
	}
}

// TestPrewarm checks that prewarming fills the cache with the pyramid's tiles, which are then
// served as hits, and that it stops at three quarters of the budget and on a cancelled context.
func TestPrewarm(t *testing.T) {
	ds := testCity(16, 16)
	cache := tiles.NewCache(32 << 20)
	tr := tiles.NewTiler(mustIndex(t, ds), cache, tiles.Options{})
	n, err := tr.Prewarm(context.Background(), 15)
	if err != nil || n == 0 || cache.Len() != n {
		t.Fatalf("Prewarm to z15: %d tiles, %v; cache holds %d", n, err, cache.Len())
	}
	before := cache.Stats()
	var last maptile.Tile
	tiles.Pyramid(ds.Bound(), 15, 15, func(t maptile.Tile) bool { last = t; return false })
	if _, err := tr.Tile(tiles.SetCity, int(last.Z), int(last.X), int(last.Y)); err != nil {
		t.Fatal(err)
	}
	if st := cache.Stats(); st.Hits != before.Hits+1 {
		t.Errorf("a prewarmed tile was built again: hits %d → %d", before.Hits, st.Hits)
	}

	small := tiles.NewCache(16 << 10)
	n, _ = tiles.NewTiler(mustIndex(t, ds), small, tiles.Options{}).Prewarm(context.Background(), 18)
	if small.Bytes() > 16<<10 || small.Stats().Evictions > 1 {
		t.Errorf("prewarm into a 16 KiB cache: %d tiles built, %d bytes held, %d evicted", n, small.Bytes(), small.Stats().Evictions)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if n, err := tiles.NewTiler(mustIndex(t, ds), tiles.NewCache(0), tiles.Options{}).Prewarm(ctx, 18); n != 0 || err == nil {
		t.Errorf("cancelled prewarm: %d tiles, %v", n, err)
	}
	if n, _ := tiles.NewTiler(mustIndex(t, ds), tiles.NewCacheOff(), tiles.Options{}).Prewarm(context.Background(), 18); n != 0 {
		t.Errorf("prewarm with the cache off built %d tiles", n)
	}
	// The next version's prewarm, into the cache the last one filled: the old tiles, which the
	// cache evicts first, do not stop it.
	shared := tiles.NewCache(64 << 10)
	first, _ := tiles.NewTiler(mustIndex(t, ds), shared, tiles.Options{}).Prewarm(context.Background(), 18)
	next := testCity(16, 16)
	next.Version = ds.Version + 1
	if n, _ := tiles.NewTiler(mustIndex(t, next), shared, tiles.Options{}).Prewarm(context.Background(), 18); first == 0 || n < first/2 {
		t.Errorf("the next version prewarmed %d tiles after the first's %d", n, first)
	}
}

// TestUncachedTilesReuseBuffers: without a cache each tile is built into pooled buffers that
// Release hands to the next build. Goroutines building, gzipping and releasing tiles at once
// (run with -race) must each get exactly the tile a fresh Build gives, and its gzip must hold
// the same bytes.
func TestUncachedTilesReuseBuffers(t *testing.T) {
	ds := testCity(16, 16)
	ix := mustIndex(t, ds)
	tr := tiles.NewTiler(ix, tiles.NewCacheOff(), tiles.Options{})
	type want struct {
		tile   maptile.Tile
		layers []string
		data   []byte
	}
	var list []want
	tiles.Pyramid(ds.Bound(), 13, 18, func(tl maptile.Tile) bool {
		for _, layers := range [][]string{nil, {tiles.LayerGrids}} {
			res, err := tiles.Build(ix, nil, tiles.SetCity, tl, tiles.Options{Layers: layers})
			if err != nil {
				t.Fatal(err)
			}
			list = append(list, want{tl, layers, res.Data})
		}
		return true
	})
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 3 * len(list) {
				w := list[(i*7+g*13)%len(list)]
				got, err := tr.TileLayers(tiles.SetCity, int(w.tile.Z), int(w.tile.X), int(w.tile.Y), w.layers)
				if err != nil {
					t.Error(err)
					return
				}
				if !bytes.Equal(got.Raw, w.data) {
					t.Errorf("tile %v layers %v: %d bytes, a fresh build %d", w.tile, w.layers, len(got.Raw), len(w.data))
					return
				}
				if i%2 == 0 && !got.Empty {
					gz, err := got.Gzipped()
					if err != nil {
						t.Error(err)
						return
					}
					zr, err := gzip.NewReader(bytes.NewReader(gz))
					if err != nil {
						t.Error(err)
						return
					}
					if raw, err := io.ReadAll(zr); err != nil || !bytes.Equal(raw, w.data) {
						t.Errorf("tile %v gzipped: %d bytes after gunzip (%v), want %d", w.tile, len(raw), err, len(w.data))
						return
					}
				}
				got.Release()
			}
		})
	}
	wg.Wait()
}
