package tiles

import (
	"math"
	"sort"

	"github.com/paulmach/orb"
	"github.com/tidwall/rtree"
)

// clusterMaxZoom is the last zoom at which components are shown as clusters; from the next
// zoom on every component is its own feature.
const clusterMaxZoom = 15

// clusterCell is the side of a cluster cell in tile units (16 cells across a tile). Cells are
// aligned to the global pixel grid, so a cluster belongs to exactly one cell at each zoom and
// keeps its id in every tile that shows it.
const clusterCell = 256

const cellsPerTileBits = 4 // log2(Extent / clusterCell)

type majorCount struct {
	major string
	n     int32
}

type cluster struct {
	id     uint64
	cx, cy uint32
	sx, sy float64 // sums of member world coordinates
	n      int32
	majors []majorCount
	pt     orb.Point // mean of the members, world
}

// dominant returns the most frequent major class (ties: the smaller code).
func (c *cluster) dominant() string {
	best := majorCount{}
	for _, m := range c.majors {
		if m.n > best.n || (m.n == best.n && m.major < best.major) {
			best = m
		}
	}
	return best.major
}

func (c *cluster) addMajor(major string, n int32) {
	for i := range c.majors {
		if c.majors[i].major == major {
			c.majors[i].n += n
			return
		}
	}
	c.majors = append(c.majors, majorCount{major, n})
}

type clusterLevel struct {
	items []cluster
	tree  rtree.RTreeG[int32]
}

// clusterID packs zoom and cell into an id below 2^53. Clusters only appear up to
// clusterMaxZoom and single components only after it, so the two never share a tile.
func clusterID(z int, cx, cy uint32) uint64 {
	return uint64(z)<<48 | uint64(cx)<<24 | uint64(cy)
}

// buildClusters aggregates components into cells at clusterMaxZoom and then merges 2×2 cells
// level by level up to zoom 0, so the pyramid costs about one pass over the components.
func (ix *Index) buildClusters() {
	type key struct{ x, y uint32 }
	cells := map[key]*cluster{}
	n := float64(uint64(1) << (clusterMaxZoom + cellsPerTileBits))
	for i := range ix.comps {
		f := &ix.comps[i]
		k := key{uint32(math.Min(f.pt[0]*n, n-1)), uint32(math.Min(f.pt[1]*n, n-1))}
		c := cells[k]
		if c == nil {
			c = &cluster{cx: k.x, cy: k.y}
			cells[k] = c
		}
		c.sx += f.pt[0]
		c.sy += f.pt[1]
		c.n++
		c.addMajor(f.c.Major, 1)
	}
	for z := clusterMaxZoom; z >= 0; z-- {
		lvl := &ix.clusters[z]
		lvl.items = make([]cluster, 0, len(cells))
		for _, c := range cells {
			lvl.items = append(lvl.items, *c)
		}
		// A stable order keeps tiles byte-identical across builds.
		sort.Slice(lvl.items, func(i, j int) bool {
			a, b := &lvl.items[i], &lvl.items[j]
			if a.cy != b.cy {
				return a.cy < b.cy
			}
			return a.cx < b.cx
		})
		for i := range lvl.items {
			c := &lvl.items[i]
			c.id = clusterID(z, c.cx, c.cy)
			c.pt = orb.Point{c.sx / float64(c.n), c.sy / float64(c.n)}
			lvl.tree.Insert(c.pt, c.pt, int32(i))
		}
		if z == 0 {
			break
		}
		parents := make(map[key]*cluster, len(cells)/2+1)
		for _, c := range cells {
			k := key{c.cx >> 1, c.cy >> 1}
			p := parents[k]
			if p == nil {
				p = &cluster{cx: k.x, cy: k.y}
				parents[k] = p
			}
			p.sx += c.sx
			p.sy += c.sy
			p.n += c.n
			for _, m := range c.majors {
				p.addMajor(m.major, m.n)
			}
		}
		cells = parents
	}
}
