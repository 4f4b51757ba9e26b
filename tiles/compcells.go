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

// cellRef is one component in the sorted slice, 8 bytes: its cell, row<<cellZ | column, above
// its position in the dataset. Sorting the packed values orders by cell, then by position.
type cellRef uint64

// compBits is how many low bits of a cellRef hold the index: 2·cellZ bits of cell leave 26,
// 67 million components.
const compBits = 64 - 2*cellZ

// maxComps bounds the components one Index holds.
const maxComps = 1 << compBits

func packCell(cx, cy uint32, i int32) cellRef {
	return cellRef((uint64(cy)<<cellZ|uint64(cx))<<compBits | uint64(i))
}

// key returns the cell as cellKey writes it.
func (r cellRef) key() uint64 {
	k := uint64(r) >> compBits
	return cellKey(uint32(k&(1<<cellZ-1)), uint32(k>>cellZ))
}

func (r cellRef) comp() int32 { return int32(uint64(r) & (maxComps - 1)) }

func cellOf(p float64) uint32 {
	n := float64(uint64(1) << cellZ)
	return uint32(math.Max(0, math.Min(p*n, n-1)))
}

func cellKey(cx, cy uint32) uint64 { return uint64(cy)<<32 | uint64(cx) }

// sortCells sorts the drawn components (positions) by the cell of their world point, pts[pos].
func (ix *Index) sortCells(drawn []int32, pts []orb.Point) {
	ix.cells = make([]cellRef, len(drawn))
	for k, pos := range drawn {
		ix.cells[k] = packCell(cellOf(pts[pos][0]), cellOf(pts[pos][1]), pos)
	}
	radixSort(ix.cells, compBits) // by cell; positions come ascending
}

// pointComponentsIn calls fn with the position of every drawn component whose point's cell the
// world box touches, in cell order; callers test the exact position.
func (ix *Index) pointComponentsIn(minX, minY, maxX, maxY float64, fn func(i int32)) {
	ix.cellsIn(cellOf(minX), cellOf(minY), cellOf(maxX), cellOf(maxY), fn)
}

// cellsIn calls fn with the position of every drawn component whose cell lies in columns x0..x1
// and rows y0..y1 (inclusive), in cell order: each row's run found with one binary search.
func (ix *Index) cellsIn(x0, y0, x1, y1 uint32, fn func(i int32)) {
	for y := y0; y <= y1; y++ {
		lo, hi := packCell(x0, y, 0), packCell(x1, y, maxComps-1)
		j, _ := slices.BinarySearch(ix.cells, lo)
		for ; j < len(ix.cells) && ix.cells[j] <= hi; j++ {
			fn(ix.cells[j].comp())
		}
	}
}
