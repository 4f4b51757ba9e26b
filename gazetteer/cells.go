package gazetteer

import (
	"math"
	"slices"

	"github.com/paulmach/orb"
)

// cellDeg is the side of a hash cell in degrees (~55 m north–south): a nearest search reads
// a handful of cells, and a 1M-address city fills ~100k of them.
const cellDeg = 0.0005

// cellIndex is a uniform hash of points and road segments for reverse geocoding. Items of a
// cell are stored contiguously (one slice per layer, cells as ranges) to keep 1M points cheap.
type cellIndex struct {
	addrs layer // values: address index
	segs  layer // values: segment index into segRefs
	pois  layer // values: POI index
	refs  []segRef
	cross []crossing
	xs    layer // values: crossing index
}

// crossing is where two named roads meet.
type crossing struct {
	a, b  int32
	point orb.Point
}

// segRef is one road segment: road, line and vertex index of its start.
type segRef struct {
	road, line, i int32
}

type layer struct {
	at   map[int64][2]int32
	vals []int32
}

func cellOf(p orb.Point) (int32, int32) {
	return int32(math.Floor(p[0] / cellDeg)), int32(math.Floor(p[1] / cellDeg))
}

func cellKey(x, y int32) int64 { return int64(x)<<32 | int64(uint32(y)) }

// build fills a layer from (cell key, value) pairs.
func buildLayer(keys []int64, vals []int32) layer {
	idx := make([]int32, len(keys))
	for i := range idx {
		idx[i] = int32(i)
	}
	slices.SortFunc(idx, func(a, b int32) int {
		switch {
		case keys[a] < keys[b]:
			return -1
		case keys[a] > keys[b]:
			return 1
		}
		return int(a - b)
	})
	l := layer{at: make(map[int64][2]int32, len(keys)/4+1), vals: make([]int32, len(keys))}
	for i := 0; i < len(idx); {
		j := i
		for j < len(idx) && keys[idx[j]] == keys[idx[i]] {
			l.vals[j] = vals[idx[j]]
			j++
		}
		l.at[keys[idx[i]]] = [2]int32{int32(i), int32(j)}
		i = j
	}
	return l
}

func (l *layer) cell(x, y int32) []int32 {
	r, ok := l.at[cellKey(x, y)]
	if !ok {
		return nil
	}
	return l.vals[r[0]:r[1]]
}

func newCellIndex(ix *Index) cellIndex {
	var c cellIndex
	keys := make([]int64, ix.real)
	vals := make([]int32, ix.real)
	for i, a := range ix.addrs[:ix.real] {
		keys[i] = cellKey(cellOf(a.point))
		vals[i] = int32(i)
	}
	c.addrs = buildLayer(keys, vals)

	keys, vals = keys[:0], vals[:0]
	for i, p := range ix.pois {
		if p.building != "" || p.compound {
			continue
		}
		keys = append(keys, cellKey(cellOf(p.point)))
		vals = append(vals, int32(i))
	}
	c.pois = buildLayer(keys, vals)

	keys, vals = keys[:0], vals[:0]
	for ri, r := range ix.roads {
		for li, l := range r.lines {
			for i := 1; i < len(l); i++ {
				ref := int32(len(c.refs))
				c.refs = append(c.refs, segRef{int32(ri), int32(li), int32(i)})
				x0, y0 := cellOf(l[i-1])
				x1, y1 := cellOf(l[i])
				if x0 > x1 {
					x0, x1 = x1, x0
				}
				if y0 > y1 {
					y0, y1 = y1, y0
				}
				if int64(x1-x0+1)*int64(y1-y0+1) > 4096 {
					continue // a degenerate or huge segment: skip rather than flood the hash
				}
				for x := x0; x <= x1; x++ {
					for y := y0; y <= y1; y++ {
						keys = append(keys, cellKey(x, y))
						vals = append(vals, ref)
					}
				}
			}
		}
	}
	c.segs = buildLayer(keys, vals)
	c.crossings(ix)
	return c
}

// crossings finds where segments of two different roads cross, cell by cell.
func (c *cellIndex) crossings(ix *Index) {
	type pairKey struct {
		a, b int32
		x, y int32
	}
	seen := map[pairKey]bool{}
	var keys []int64
	var vals []int32
	for _, r := range c.segs.at {
		segs := c.segs.vals[r[0]:r[1]]
		for i, si := range segs {
			s := c.refs[si]
			for _, ti := range segs[i+1:] {
				t := c.refs[ti]
				if s.road == t.road {
					continue
				}
				ls, lt := ix.roads[s.road].lines[s.line], ix.roads[t.road].lines[t.line]
				p, ok := segmentCross(ls[s.i-1], ls[s.i], lt[t.i-1], lt[t.i])
				if !ok {
					continue
				}
				a, b := min(s.road, t.road), max(s.road, t.road)
				x, y := cellOf(p)
				if k := (pairKey{a, b, x / 4, y / 4}); !seen[k] {
					seen[k] = true
					keys = append(keys, cellKey(x, y))
					vals = append(vals, int32(len(c.cross)))
					c.cross = append(c.cross, crossing{a, b, p})
				}
			}
		}
	}
	c.xs = buildLayer(keys, vals)
}

// ringSearch visits the cells around p ring by ring out to radius metres; visit returns the
// best distance so far, and the search stops once a ring lies beyond it.
func (ix *Index) ringSearch(p orb.Point, radius float64, visit func(x, y int32) float64) {
	cx, cy := cellOf(p)
	cellM := math.Min(cellDeg*ix.pl.kx, cellDeg*ix.pl.ky)
	maxRing := int32(radius/cellM) + 1
	best := math.Inf(1)
	for ring := int32(0); ring <= maxRing; ring++ {
		if float64(ring-1)*cellM > best {
			return
		}
		for x := cx - ring; x <= cx+ring; x++ {
			for y := cy - ring; y <= cy+ring; y++ {
				if ring > 0 && x != cx-ring && x != cx+ring && y != cy-ring && y != cy+ring {
					continue
				}
				best = math.Min(best, visit(x, y))
			}
		}
	}
}

// nearestAddr returns the nearest 门牌 within radius metres.
func (ix *Index) nearestAddr(p orb.Point, radius float64) (*addr, bool) {
	var best *addr
	bd := math.Inf(1)
	ix.ringSearch(p, radius, func(x, y int32) float64 {
		for _, i := range ix.cells.addrs.cell(x, y) {
			a := &ix.addrs[i]
			if d := ix.pl.dist(p, a.point); d < bd && d <= radius {
				best, bd = a, d
			}
		}
		return bd
	})
	return best, best != nil
}

// nearestRoad returns the nearest road segment within radius metres: road, closest point and
// distance.
func (ix *Index) nearestRoad(p orb.Point, radius float64) (int32, orb.Point, float64, bool) {
	best, bp, bd := int32(-1), orb.Point{}, math.Inf(1)
	ix.ringSearch(p, radius, func(x, y int32) float64 {
		for _, si := range ix.cells.segs.cell(x, y) {
			s := ix.cells.refs[si]
			l := ix.roads[s.road].lines[s.line]
			q, d := ix.pl.closestOnSegment(p, l[s.i-1], l[s.i])
			if d < bd && d <= radius {
				best, bp, bd = s.road, q, d
			}
		}
		return bd
	})
	return best, bp, bd, best >= 0
}

// nearestPOI returns the nearest POI within radius metres.
func (ix *Index) nearestPOI(p orb.Point, radius float64) (int32, float64, bool) {
	best, bd := int32(-1), math.Inf(1)
	ix.ringSearch(p, radius, func(x, y int32) float64 {
		for _, i := range ix.cells.pois.cell(x, y) {
			if d := ix.pl.dist(p, ix.pois[i].point); d < bd && d <= radius {
				best, bd = i, d
			}
		}
		return bd
	})
	return best, bd, best >= 0
}

// nearestCrossing returns the nearest road crossing within radius metres.
func (ix *Index) nearestCrossing(p orb.Point, radius float64) (crossing, float64, bool) {
	best, bd := -1, math.Inf(1)
	ix.ringSearch(p, radius, func(x, y int32) float64 {
		for _, i := range ix.cells.xs.cell(x, y) {
			if d := ix.pl.dist(p, ix.cells.cross[i].point); d < bd && d <= radius {
				best, bd = int(i), d
			}
		}
		return bd
	})
	if best < 0 {
		return crossing{}, 0, false
	}
	return ix.cells.cross[best], bd, true
}
