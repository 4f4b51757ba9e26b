package tiles

import (
	"math"
	"slices"

	"github.com/paulmach/orb"
)

// Components are many (millions in a large city) and mostly points, so instead of an R-tree
// they are kept in one slice sorted by the cell of their point on a 2^cellZ grid, row by row.
// A box query reads each row's run with two binary searches; the same order groups components
// into the cluster cells of clusterMaxZoom with one linear pass. Building it is one sort.
const cellZ = clusterMaxZoom + cellsPerTileBits // a cell is one cluster cell of clusterMaxZoom

type cellRef struct {
	key uint64 // row<<32 | column
	i   int32  // index into Index.comps
}

func cellOf(p float64) uint32 {
	n := float64(uint64(1) << cellZ)
	return uint32(math.Max(0, math.Min(p*n, n-1)))
}

func cellKey(cx, cy uint32) uint64 { return uint64(cy)<<32 | uint64(cx) }

// sortCells sorts the components by the cell of pts[i], the world point of ix.comps[i].
func (ix *Index) sortCells(pts []orb.Point) {
	ix.cells = make([]cellRef, len(ix.comps))
	for i := range ix.comps {
		p := pts[i]
		ix.cells[i] = cellRef{key: cellKey(cellOf(p[0]), cellOf(p[1])), i: int32(i)}
	}
	slices.SortFunc(ix.cells, func(a, b cellRef) int {
		if c := cmpU64(a.key, b.key); c != 0 {
			return c
		}
		return int(a.i - b.i)
	})
}

// pointComponentsIn calls fn for every point component whose cell the world box touches, in
// cell order; callers test the exact position.
func (ix *Index) pointComponentsIn(minX, minY, maxX, maxY float64, fn func(i int32)) {
	x0, x1 := cellOf(minX), cellOf(maxX)
	for y := cellOf(minY); y <= cellOf(maxY); y++ {
		lo, hi := cellKey(x0, y), cellKey(x1, y)
		j, _ := slices.BinarySearchFunc(ix.cells, lo, func(c cellRef, k uint64) int { return cmpU64(c.key, k) })
		for ; j < len(ix.cells) && ix.cells[j].key <= hi; j++ {
			fn(ix.cells[j].i)
		}
		if y == math.MaxUint32 {
			break
		}
	}
}
