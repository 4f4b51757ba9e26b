package tiles

import (
	"bytes"
	"testing"

	"citygeo/data/sample"

	"github.com/paulmach/orb/maptile"
)

// TestGridMemoMatchesGeneralPath: every memoZoom tile of a generated city (warped grids, some
// crossing tile edges, some clipped to slivers) is the same byte for byte whether its grids come
// from the memo or from the general path, for the grids layer alone and for the whole tile.
func TestGridMemoMatchesGeneralPath(t *testing.T) {
	ds, err := sample.Generate(sample.Options{Grids: 3000, Components: 6000, Addresses: 100})
	if err != nil {
		t.Fatal(err)
	}
	ix, err := NewIndex(ds)
	if err != nil {
		t.Fatal(err)
	}
	general := *ix
	general.memo = gridMemo{}
	if len(ix.memo.tiles) < len(ix.grids.rows) {
		t.Fatalf("the memo holds %d entries for %d grids: every grid meets a tile", len(ix.memo.tiles), len(ix.grids.rows))
	}
	hits, tilesSeen := 0, 0
	Pyramid(ds.Bound(), memoZoom, memoZoom, func(tl maptile.Tile) bool {
		// The pyramid covers the city; one ring of tiles around it holds buffered slivers.
		for dx := -1; dx <= 1; dx++ {
			for dy := -1; dy <= 1; dy++ {
				nt := maptile.New(uint32(int(tl.X)+dx), uint32(int(tl.Y)+dy), memoZoom)
				for _, layers := range [][]string{{LayerGrids}, nil} {
					opts := Options{Layers: layers}
					got := buildWith(ix, nt, opts)
					want := buildWith(&general, nt, opts)
					if !bytes.Equal(got, want) {
						t.Fatalf("tile %v layers %v: %d bytes from the memo, %d from the general path", nt, layers, len(got), len(want))
					}
				}
				tilesSeen++
			}
		}
		return true
	})
	// Count how many grid features the memo served, so the comparison is not vacuous.
	Pyramid(ds.Bound(), memoZoom, memoZoom, func(tl maptile.Tile) bool {
		ix.gridT.Search(worldBound(tl, Buffer).Min, worldBound(tl, Buffer).Max, func(_, _ [2]float64, i int32) bool {
			if g, ok := ix.memo.lookup(i, tl.X, tl.Y); ok && len(g) > 0 {
				hits++
			}
			return true
		})
		return true
	})
	if hits < len(ix.grids.rows) {
		t.Fatalf("the memo served %d grid features over %d tiles; want at least one per grid (%d)", hits, tilesSeen, len(ix.grids.rows))
	}
	t.Logf("%d tiles compared, %d grid features from the memo, memo %d bytes for %d grids", tilesSeen, hits, ix.GridMemoBytes(), len(ix.grids.rows))
}

// buildWith builds tile t from ix and returns a copy of its bytes.
func buildWith(ix *Index, t maptile.Tile, opts Options) []byte {
	s := getScratch(t, tolerance(int(t.Z)))
	defer s.put()
	return bytes.Clone(s.buildCity(ix, t, opts, nil))
}
