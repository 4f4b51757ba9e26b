package tiles

import (
	"bytes"
	"sync"

	"github.com/paulmach/orb/maptile"
)

// scratch is what one tile build works in: the projection and its arenas, each layer's
// features, the layer encoder and the encoded tile. A build takes one from scratchPool and
// gives it back once the tile's bytes are copied or sent (Tile.Release), so a steady stream of
// uncached tiles allocates almost nothing. That is the point: on a server whose heap holds a
// whole city, every byte allocated costs collector time in proportion to that heap, and the
// 300 KB each z15 tile used to allocate made the collector most of a tile's cost (issue 18).
type scratch struct {
	tp     tileProj
	layers []builtLayer
	feats  [4][]feature // per city layer slot (areas, grids, roads, components); a live set uses the first
	enc    layerEnc
	sizes  []int
	out    []byte       // the encoded tile
	gz     bytes.Buffer // the tile gzipped, when a client asks for it uncached
}

var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

// maxKeptScratch bounds the encoded bytes a pooled scratch may keep: one huge tile must not pin
// its buffers in every pooled scratch for good.
const maxKeptScratch = 4 << 20

// getScratch returns a scratch set up for tile t with Douglas–Peucker tolerance tol.
func getScratch(t maptile.Tile, tol float64) *scratch {
	s := scratchPool.Get().(*scratch)
	s.tp.reset(t, tol)
	s.layers = s.layers[:0]
	return s
}

// put gives s back to the pool. Nothing built in it may be used afterwards. It drops what the
// tile referenced outside s (tag strings, memo bytes of its index) so that a pooled scratch
// keeps no replaced version's dataset alive; that costs a clear of what the tile used.
func (s *scratch) put() {
	if cap(s.out) > maxKeptScratch || s.gz.Cap() > maxKeptScratch || cap(s.tp.pts) > maxKeptScratch/8 {
		return
	}
	for i := range s.layers {
		clear(s.layers[i].feats)
		s.layers[i].feats = nil
	}
	clear(s.tp.tags)
	s.enc.forget()
	scratchPool.Put(s)
}

// layerFeats returns the empty feature slice of layer slot i, reusing its array.
func (s *scratch) layerFeats(i int) []feature {
	return s.feats[i][:0]
}

// addLayer records layer name's features, built into slot i.
func (s *scratch) addLayer(i int, name string, feats []feature) {
	s.feats[i] = feats
	s.layers = append(s.layers, builtLayer{name: name, feats: feats})
}

// result copies what s built into a Result the caller owns.
func (s *scratch) result(data []byte) *Result {
	res := &Result{Features: map[string]int{}, Thinned: map[string]int{}}
	if len(data) > 0 {
		res.Data = bytes.Clone(data)
	}
	for _, l := range s.layers {
		if l.limit > 0 {
			res.Features[l.name] = l.limit
		}
		if d := len(l.feats) - l.limit; d > 0 {
			res.Thinned[l.name] = d
		}
	}
	return res
}
