package tiles

import (
	"math"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
)

// memoZoom is the zoom at which the index keeps every grid's tile geometry encoded (gridMemo):
// the first zoom with the grids layer's detail attributes, where a wall screen shows a district's
// grids and the zoom issue 18 measures uncached tiles at.
const memoZoom = 15

// gridMemo keeps, for every grid and every memoZoom tile whose buffered bound meets it, the
// grid's geometry as that tile draws it: projected, clipped, simplified, snapped, wound and
// encoded as the packed command integers of an MVT feature. A memoZoom tile copies these bytes
// instead of doing that work per grid per request. They are the general path's own output for
// that tile, computed once by the same code from the same numbers, so a tile is the same byte
// for byte with or without them (TestGridMemoMatchesGeneralPath).
//
// Cost: on the 100k-grid city about 1.6 entries and some 40 bytes of geometry a grid (Index
// reports the total as MemoBytes).
type gridMemo struct {
	first []uint32 // per grid: its first entry; first[i+1] is one past its last
	tiles []uint32 // per entry: the tile, x<<16 | y (x, y < 2^memoZoom ≤ 2^16)
	ends  []uint32 // per entry: the end of its bytes in geom; they start at the previous end
	geom  []byte
}

// memoKey packs a memoZoom tile's coordinates.
func memoKey(x, y uint32) uint32 { return x<<16 | y }

// buildGridMemo encodes the geometry of grids for the memoZoom tiles each one meets.
func buildGridMemo(grids *gridTable) gridMemo {
	m := gridMemo{first: make([]uint32, len(grids.rows)+1)}
	var tp tileProj
	var cmds []uint32
	n := float64(uint64(1) << memoZoom)
	pad := float64(Buffer) / Extent
	last := uint32(1)<<memoZoom - 1
	tileAt := func(v float64) uint32 { return uint32(max(0, min(math.Floor(v), float64(last)))) }
	var poly orb.Polygon
	for i := range grids.rows {
		m.first[i] = uint32(len(m.tiles))
		poly = grids.polygon(&grids.rows[i], poly)
		b := poly.Bound()
		for x := tileAt(b.Min[0]*n - pad); x <= tileAt(b.Max[0]*n+pad); x++ {
			for y := tileAt(b.Min[1]*n - pad); y <= tileAt(b.Max[1]*n+pad); y++ {
				t := maptile.New(x, y, memoZoom)
				if !worldBound(t, Buffer).Intersects(b) {
					continue
				}
				tp.reset(t, tolerance(memoZoom))
				tp.polygon(poly)
				if len(tp.parts) > 0 { // an empty entry: the tile draws nothing of the grid
					cmds = encodeGeometry(cmds[:0], typePolygon, tp.parts)
					m.geom = appendVarints(m.geom, cmds)
				}
				if len(m.geom) > math.MaxUint32 { // offsets no longer fit: no memo, the general path
					return gridMemo{}
				}
				m.tiles = append(m.tiles, memoKey(x, y))
				m.ends = append(m.ends, uint32(len(m.geom)))
			}
		}
	}
	m.first[len(grids.rows)] = uint32(len(m.tiles))
	return m
}

// lookup returns grid i's encoded geometry in tile (x, y) of memoZoom, and whether the memo
// has it; empty with ok means the tile draws nothing of the grid.
func (m *gridMemo) lookup(i int32, x, y uint32) (geom []byte, ok bool) {
	if m.first == nil {
		return nil, false
	}
	k := memoKey(x, y)
	for j := m.first[i]; j < m.first[i+1]; j++ {
		if m.tiles[j] == k {
			start := uint32(0)
			if j > 0 {
				start = m.ends[j-1]
			}
			return m.geom[start:m.ends[j]:m.ends[j]], true
		}
	}
	return nil, false
}

// bytes is the memory the memo holds.
func (m *gridMemo) bytes() int {
	return 4*(len(m.first)+len(m.tiles)+len(m.ends)) + len(m.geom)
}

// appendVarints appends vs as varints, the payload of a packed field.
func appendVarints(b []byte, vs []uint32) []byte {
	for _, v := range vs {
		for v >= 0x80 {
			b = append(b, byte(v)|0x80)
			v >>= 7
		}
		b = append(b, byte(v))
	}
	return b
}
