package tiles

import (
	"cmp"
	"math"
	"slices"

	"github.com/paulmach/orb"
)

// clusterMaxZoom is the last zoom at which components are shown as clusters; from the next
// zoom on every component is its own feature.
const clusterMaxZoom = 15

// clusterCell is the side of a cluster cell in tile units (16 cells across a tile). Cells are
// aligned to the global pixel grid, so a cluster belongs to exactly one cell at each zoom and
// keeps its id in every tile that shows it.
const clusterCell = 256

const cellsPerTileBits = 4 // log2(Extent / clusterCell)

// The two constants above must agree: this fails to compile when Extent/clusterCell is not
// 1<<cellsPerTileBits.
var _ [0]struct{} = [Extent/clusterCell - 1<<cellsPerTileBits]struct{}{}

// majorCount counts the members of a cluster of one major class: its code, or its number in
// Index.majors (numbered in the order of the codes) while the pyramid is built.
type majorCount[M cmp.Ordered] struct {
	major M
	n     int32
}

// cluster is what a tile shows of a cluster.
type cluster struct {
	id    uint64
	key   uint64    // cellKey(cx, cy) at zoom z + cellsPerTileBits
	pt    orb.Point // mean of the members, world
	n     int32
	major string // the most frequent major class (ties: the smaller code)
}

// clusterItem is a cluster as the pyramid keeps it: 40 bytes, its sums and per-major counts left
// behind once the pyramid is built, and no pointer: its major is its number in Index.majors, so
// the collector has nothing to follow in the city's hundreds of thousands of clusters.
type clusterItem struct {
	id    uint64
	key   uint64
	pt    orb.Point
	n     int32
	major int32
}

// clusterAcc is a cluster while the pyramid is built (or an edit's cluster is counted again).
type clusterAcc[M cmp.Ordered] struct {
	key    uint64
	sx, sy float64 // sums of member world coordinates
	n      int32
	majors []majorCount[M]
}

// dominant returns the most frequent major class (ties: the smaller code).
func (c *clusterAcc[M]) dominant() M {
	var best majorCount[M]
	for _, m := range c.majors {
		if m.n > best.n || (m.n == best.n && m.major < best.major) {
			best = m
		}
	}
	return best.major
}

func (c *clusterAcc[M]) addMajor(major M, n int32) {
	for i := range c.majors {
		if c.majors[i].major == major {
			c.majors[i].n += n
			return
		}
	}
	c.majors = append(c.majors, majorCount[M]{major, n})
}

// clusterLevel holds one zoom's clusters sorted by cell key (row by row).
type clusterLevel struct {
	items []clusterItem
}

// clusterID packs zoom and cell into an id below 2^53. Clusters only appear up to
// clusterMaxZoom and single components only after it, so the two never share a tile.
func clusterID(z int, key uint64) uint64 {
	cx, cy := uint32(key), uint32(key>>32)
	return uint64(z)<<48 | uint64(cx)<<24 | uint64(cy)
}

// buildClusters aggregates the sorted component cells (pts: their world points, majorOf: the
// numbers of their majors, by position) into the clusters of clusterMaxZoom, then merges 2×2
// cells level by level up to zoom 0. Every level is a sorted slice: one sort per level, no
// maps, about one pass over the components in all.
func (ix *Index) buildClusters(pts []orb.Point, majorOf []int32) {
	var cur []clusterAcc[int32]
	for _, cr := range ix.cells {
		i, k := cr.comp(), cr.key()
		if len(cur) == 0 || k != cur[len(cur)-1].key {
			cur = append(cur, clusterAcc[int32]{key: k})
		}
		c := &cur[len(cur)-1]
		c.sx += pts[i][0]
		c.sy += pts[i][1]
		c.n++
		c.addMajor(majorOf[i], 1)
	}
	for z := clusterMaxZoom; z >= 0; z-- {
		items := make([]clusterItem, len(cur))
		for i := range cur {
			c := &cur[i]
			items[i] = clusterItem{id: clusterID(z, c.key), key: c.key, n: c.n, major: c.dominant(),
				pt: orb.Point{c.sx / float64(c.n), c.sy / float64(c.n)}}
		}
		ix.clusters[z].items = items
		if z == 0 {
			break
		}
		// The children in the order of their parents' cells, then their own positions: packed
		// as cellRefs, one sort of integers (a zoom's cells fit cellZ bits, its clusters
		// compBits).
		order := make([]cellRef, len(cur))
		for i := range cur {
			k := cur[i].key
			order[i] = packCell(uint32(k)>>1, uint32(k>>32)>>1, int32(i))
		}
		radixSort(order, compBits) // by parent cell; i comes ascending
		var next []clusterAcc[int32]
		for j, o := range order {
			ch := &cur[o.comp()]
			pk := o.key()
			if j == 0 || pk != next[len(next)-1].key {
				next = append(next, clusterAcc[int32]{key: pk})
			}
			p := &next[len(next)-1]
			p.sx += ch.sx
			p.sy += ch.sy
			p.n += ch.n
			for _, m := range ch.majors {
				p.addMajor(m.major, m.n)
			}
		}
		cur = next
	}
}

// clustersIn calls fn for every cluster of zoom z whose cell the world box touches. The cluster
// is fn's only until it returns.
func (ix *Index) clustersIn(z int, b orb.Bound, fn func(c *cluster)) {
	items := ix.clusters[z].items
	x0, y0, x1, y1 := clusterCells(z, b)
	var c cluster
	for y := y0; y <= y1; y++ {
		lo, hi := cellKey(x0, y), cellKey(x1, y)
		j, _ := slices.BinarySearchFunc(items, lo, func(c clusterItem, k uint64) int { return cmpU64(c.key, k) })
		for ; j < len(items) && items[j].key <= hi; j++ {
			it := &items[j]
			c = cluster{id: it.id, key: it.key, pt: it.pt, n: it.n, major: ix.majors[it.major]}
			fn(&c)
		}
		if y == math.MaxUint32 {
			break
		}
	}
}

// clusterCells returns the range of zoom z's cluster cells the world box b touches (first and
// last column, first and last row): the cells clustersIn visits.
func clusterCells(z int, b orb.Bound) (x0, y0, x1, y1 uint32) {
	x0, y0 = cellAt(z, b.Min)
	x1, y1 = cellAt(z, b.Max)
	return x0, y0, x1, y1
}

// cellAt returns the column and row of zoom z's cluster cell that holds world point p.
func cellAt(z int, p orb.Point) (cx, cy uint32) {
	n := float64(uint64(1) << (z + cellsPerTileBits))
	cell := func(v float64) uint32 { return uint32(math.Max(0, math.Min(v*n, n-1))) }
	return cell(p[0]), cell(p[1])
}
