package tiles

import (
	"context"
	"errors"

	"github.com/paulmach/orb/maptile"
)

// Prewarm builds the city set's tiles from MinZoom to maxZoom into the cache, zoom by zoom, so
// that the first viewers of a new version are not the ones who wait for them. It stops when
// ctx is done (a newer version was swapped in, the server is stopping) or once it has put three
// quarters of the cache's budget in it (tiles past that would only evict the ones just built;
// the last version's tiles, which the cache evicts first, do not count), and returns how many
// tiles it built. A Tiler without a cache, or with the cache off, builds none.
func (t *Tiler) Prewarm(ctx context.Context, maxZoom int) (int, error) {
	c := t.cache
	if c == nil || c.budget == 0 {
		return 0, nil
	}
	maxZoom = min(maxZoom, MaxZoom)
	n := 0
	var built int64 // what this run put in the cache: the last version's tiles do not count
	var err error
	Pyramid(t.ix.Bound(), MinZoom, maxZoom, func(tl maptile.Tile) bool {
		if err = ctx.Err(); err != nil {
			return false
		}
		if built > c.budget/4*3 {
			return false
		}
		tile, e := t.Tile(SetCity, int(tl.Z), int(tl.X), int(tl.Y))
		if e != nil && !errors.Is(e, ErrOutside) {
			err = e
			return false
		}
		if tile != nil {
			built += tile.size()
		}
		n++
		return true
	})
	return n, err
}
