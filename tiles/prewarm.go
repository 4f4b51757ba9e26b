package tiles

import (
	"context"
	"errors"

	"github.com/paulmach/orb/maptile"
)

// Prewarm builds the city set's tiles from MinZoom to maxZoom into the cache, zoom by zoom, so
// that the first viewers of a new version are not the ones who wait for them. It stops when
// ctx is done (a newer version was swapped in, the server is stopping) or once the cache holds
// three quarters of its budget (tiles past that would only evict the ones just built), and
// returns how many tiles it built. A Tiler without a cache, or with the cache off, builds none.
func (t *Tiler) Prewarm(ctx context.Context, maxZoom int) (int, error) {
	c := t.cache
	if c == nil || c.budget == 0 {
		return 0, nil
	}
	maxZoom = min(maxZoom, MaxZoom)
	n := 0
	var err error
	Pyramid(t.ix.Bound(), MinZoom, maxZoom, func(tl maptile.Tile) bool {
		if err = ctx.Err(); err != nil {
			return false
		}
		if c.Bytes() > c.budget/4*3 {
			return false
		}
		if _, e := t.Tile(SetCity, int(tl.Z), int(tl.X), int(tl.Y)); e != nil && !errors.Is(e, ErrOutside) {
			err = e
			return false
		}
		n++
		return true
	})
	return n, err
}
