package gazetteer

import (
	"math"
	"slices"

	"github.com/paulmach/orb"
)

// cellDeg is the side of an address or road hash cell in degrees (~55 m north–south): a
// nearest search reads a handful of cells, and a 1M-address city fills ~100k of them. Sparse
// layers (POIs, crossings) get cells sized to hold a few items each, so that a 1 km search
// reads tens of cells rather than thousands.
const cellDeg = 0.0005

// sparseDeg returns a cell size holding about 4 of n items spread over bound b.
func sparseDeg(b orb.Bound, n int) float64 {
	if n == 0 || b.IsEmpty() {
		return cellDeg
	}
	d := math.Sqrt((b.Max[0] - b.Min[0]) * (b.Max[1] - b.Min[1]) * 4 / float64(n))
	return math.Max(cellDeg, math.Min(d, 0.02))
}

// cellIndex is a uniform hash of points and road segments for reverse geocoding. Items of a
// cell are stored contiguously (one slice per layer, cells as ranges) to keep 1M points cheap.
type cellIndex struct {
	addrs layer // values: address index
	segs  layer // values: segment index into refs (build time only)
	pois  layer // values: POI index
	refs  []segRef
	// segAt holds the segments in the order of segs.vals, so that a cell's segments are read
	// in one run of memory rather than one cache miss each (the reverse path is memory-bound),
	// in float32 metres from origin to keep the copies small.
	segAt  []cellSeg
	origin orb.Point
	cross  []crossing
	xs     layer // values: crossing index
}

// crossing is where two named roads meet.
type crossing struct {
	a, b  int32 // roads
	point orb.Point
	name  string // A与B交叉口
}

// cellSeg is a segment as the reverse path reads it: its line and its ends in metres.
type cellSeg struct {
	line           int32
	ax, ay, bx, by float32
}

// segRef is one road segment, its ends stored inline so that a search reads one record.
type segRef struct {
	line int32 // into Index.lines
	a, b orb.Point
}

type layer struct {
	deg    float64 // cell side in degrees
	x0, y0 int32   // first cell of the dense table
	w, h   int32
	starts []int32            // dense: cell (x, y) holds vals[starts[i]:starts[i+1]], i = (y-y0)*w + x-x0
	at     map[int64][2]int32 // sparse fallback when the dense table would be too large
	vals   []int32
	pts    []orb.Point // the address layer keeps each value's point beside it: one cache line
}

// maxDense is the most cells a dense table may have (4 bytes each).
const maxDense = 8 << 20

func cellOf(p orb.Point) (int32, int32) { return cellAt(p, cellDeg) }

func cellAt(p orb.Point, deg float64) (int32, int32) {
	return int32(math.Floor(p[0] / deg)), int32(math.Floor(p[1] / deg))
}

func cellKey(x, y int32) int64 { return int64(x)<<32 | int64(uint32(y)) }

func keyXY(k int64) (int32, int32) { return int32(k >> 32), int32(uint32(k)) }

// buildLayer fills a layer from (cell key, value) pairs, values of a cell kept contiguous.
func buildLayer(deg float64, keys []int64, vals []int32) layer {
	l := layer{deg: deg}
	if len(keys) == 0 {
		return l
	}
	x0, y0 := keyXY(keys[0])
	x1, y1 := x0, y0
	for _, k := range keys {
		x, y := keyXY(k)
		x0, y0, x1, y1 = min(x0, x), min(y0, y), max(x1, x), max(y1, y)
	}
	w, h := int64(x1-x0)+1, int64(y1-y0)+1
	if w*h <= maxDense {
		l.x0, l.y0, l.w, l.h = x0, y0, int32(w), int32(h)
		l.starts = make([]int32, w*h+1)
		for _, k := range keys {
			x, y := keyXY(k)
			l.starts[int64(y-y0)*w+int64(x-x0)+1]++
		}
		for i := 1; i < len(l.starts); i++ {
			l.starts[i] += l.starts[i-1]
		}
		next := slices.Clone(l.starts[:len(l.starts)-1])
		l.vals = make([]int32, len(keys))
		for i, k := range keys {
			x, y := keyXY(k)
			c := int64(y-y0)*w + int64(x-x0)
			l.vals[next[c]] = vals[i]
			next[c]++
		}
		return l
	}
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
	l.at = make(map[int64][2]int32, len(keys)/4+1)
	l.vals = make([]int32, len(keys))
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

// each calls f with the values of every non-empty cell.
func (l *layer) each(f func([]int32)) {
	for i := 0; i+1 < len(l.starts); i++ {
		if l.starts[i] < l.starts[i+1] {
			f(l.vals[l.starts[i]:l.starts[i+1]])
		}
	}
	for _, r := range l.at {
		f(l.vals[r[0]:r[1]])
	}
}

// span returns the range of vals holding cell (x, y).
func (l *layer) span(x, y int32) (int32, int32) {
	if l.starts != nil {
		if x < l.x0 || y < l.y0 || x-l.x0 >= l.w || y-l.y0 >= l.h {
			return 0, 0
		}
		i := int64(y-l.y0)*int64(l.w) + int64(x-l.x0)
		return l.starts[i], l.starts[i+1]
	}
	r := l.at[cellKey(x, y)]
	return r[0], r[1]
}

func newCellIndex(ix *Index) cellIndex {
	var c cellIndex
	keys := make([]int64, ix.real)
	vals := make([]int32, ix.real)
	for i, a := range ix.addrs[:ix.real] {
		keys[i] = cellKey(cellOf(a.point))
		vals[i] = int32(i)
	}
	c.addrs = buildLayer(cellDeg, keys, vals)
	c.addrs.pts = make([]orb.Point, len(c.addrs.vals))
	for i, v := range c.addrs.vals {
		c.addrs.pts[i] = ix.addrs[v].point
	}

	var b orb.Bound
	n := 0
	for _, p := range ix.pois {
		if p.building == 0 && !p.compound {
			b = extend(b, n, p.point)
			n++
		}
	}
	deg := sparseDeg(b, n)
	keys, vals = keys[:0], vals[:0]
	for i, p := range ix.pois {
		if p.building != 0 || p.compound {
			continue
		}
		keys = append(keys, cellKey(cellAt(p.point, deg)))
		vals = append(vals, int32(i))
	}
	c.pois = buildLayer(deg, keys, vals)

	keys, vals = keys[:0], vals[:0]
	for li, nl := range ix.lines {
		{
			l := nl.line
			for i := 1; i < len(l); i++ {
				ref := int32(len(c.refs))
				c.refs = append(c.refs, segRef{int32(li), l[i-1], l[i]})
				// Walk the segment in steps of one cell so that a long segment is filed in the
				// cells along it, not in every cell of its bounding box.
				a, b := l[i-1], l[i]
				n := int(math.Ceil(math.Max(math.Abs(b[0]-a[0]), math.Abs(b[1]-a[1])) / cellDeg))
				n = max(1, min(n, 1<<16))
				var last [4]int64 // the cells just filed: consecutive steps share cells
				w := 0
				for k := range n {
					p, q := lerp(a, b, float64(k)/float64(n)), lerp(a, b, float64(k+1)/float64(n))
					x0, y0 := cellOf(p)
					x1, y1 := cellOf(q)
					for x := min(x0, x1); x <= max(x0, x1); x++ {
						for y := min(y0, y1); y <= max(y0, y1); y++ {
							key := cellKey(x, y)
							dup := false
							for _, k := range last[:min(w, 4)] {
								dup = dup || k == key
							}
							if dup {
								continue
							}
							last[w%4] = key
							w++
							keys = append(keys, key)
							vals = append(vals, ref)
						}
					}
				}
			}
		}
	}
	c.segs = buildLayer(cellDeg, keys, vals)
	c.crossings(ix)
	c.origin = ix.pl.Origin
	if len(c.refs) > 0 {
		c.origin = c.refs[0].a // the roads themselves, whatever else the dataset holds
	}
	c.segAt = make([]cellSeg, len(c.segs.vals))
	for i, v := range c.segs.vals {
		r := &c.refs[v]
		ax, ay := ix.pl.metres(c.origin, r.a)
		bx, by := ix.pl.metres(c.origin, r.b)
		c.segAt[i] = cellSeg{line: r.line, ax: ax, ay: ay, bx: bx, by: by}
	}
	c.refs = nil // crossings were their last reader
	// The sparse layers keep their points beside their values too.
	c.pois.pts = make([]orb.Point, len(c.pois.vals))
	for i, v := range c.pois.vals {
		c.pois.pts[i] = ix.pois[v].point
	}
	c.xs.pts = make([]orb.Point, len(c.xs.vals))
	for i, v := range c.xs.vals {
		c.xs.pts[i] = c.cross[v].point
	}
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
	c.segs.each(func(segs []int32) {
		for i, si := range segs {
			s := c.refs[si]
			for _, ti := range segs[i+1:] {
				t := c.refs[ti]
				ls, lt := &ix.lines[s.line], &ix.lines[t.line]
				if ls.road == lt.road {
					continue
				}
				p, ok := segmentCross(s.a, s.b, t.a, t.b)
				if !ok {
					continue
				}
				if ls.road > lt.road {
					ls, lt = lt, ls
				}
				// One crossing per road pair and ~200 m block: dual carriageways cross twice.
				x, y := cellOf(p)
				if k := (pairKey{ls.road, lt.road, x / 4, y / 4}); !seen[k] {
					seen[k] = true
					c.cross = append(c.cross, crossing{ls.road, lt.road, p, ls.label + "与" + lt.label + "交叉口"})
				}
			}
		}
	})
	var bd orb.Bound
	for i, x := range c.cross {
		bd = extend(bd, i, x.point)
	}
	deg := sparseDeg(bd, len(c.cross))
	for i, x := range c.cross {
		keys = append(keys, cellKey(cellAt(x.point, deg)))
		vals = append(vals, int32(i))
	}
	c.xs = buildLayer(deg, keys, vals)
}

// ringSearch visits the cells around p ring by ring out to radius metres; visit returns the
// best distance so far, and the search stops once a ring lies beyond it.
func (ix *Index) ringSearch(l *layer, p orb.Point, radius float64, visit func(x, y int32) float64) {
	if len(l.vals) == 0 {
		return
	}
	cx, cy := cellAt(p, l.deg)
	cellM := math.Min(l.deg*ix.pl.KX, l.deg*ix.pl.KY)
	// Ring r ≥ 1 lies at least (r-1+edge) cells away, edge being p's distance to the nearest
	// side of its own cell.
	fx, fy := p[0]/l.deg-float64(cx), p[1]/l.deg-float64(cy)
	edge := math.Min(math.Min(fx, 1-fx), math.Min(fy, 1-fy))
	maxRing := int32(radius/cellM) + 1
	best := math.Inf(1)
	mx, my := l.deg*ix.pl.KX, l.deg*ix.pl.KY // a cell's sides in metres
	for ring := int32(0); ring <= maxRing; ring++ {
		if ring > 0 && (float64(ring-1)+edge)*cellM > best {
			return
		}
		for x := cx - ring; x <= cx+ring; x++ {
			gx := cellGap(x-cx, fx) * mx
			for y := cy - ring; y <= cy+ring; y++ {
				if ring > 0 && x != cx-ring && x != cx+ring && y != cy-ring && y != cy+ring {
					continue
				}
				// Skip a cell lying wholly farther than the best so far: of a ring's cells only
				// those by p's nearest sides usually remain, and each skipped cell is a cache
				// miss saved.
				if gy := cellGap(y-cy, fy) * my; ring > 0 && gx*gx+gy*gy > best*best {
					continue
				}
				best = math.Min(best, visit(x, y))
			}
		}
	}
}

// cellGap is the distance, in cells, from a point at fraction f of its own cell to the cell
// d cells away along one axis.
func cellGap(d int32, f float64) float64 {
	switch {
	case d > 0:
		return float64(d) - f
	case d < 0:
		return f + float64(-d) - 1
	}
	return 0
}

// nearestAddr returns the nearest 门牌 within radius metres.
func (ix *Index) nearestAddr(p orb.Point, radius float64) (*addr, bool) {
	l := &ix.cells.addrs
	best := int32(-1)
	bd2, r2 := math.Inf(1), radius*radius
	ix.ringSearch(l, p, radius, func(x, y int32) float64 {
		a, b := l.span(x, y)
		for i, q := range l.pts[a:b] {
			if d2 := ix.pl.dist2(p, q); d2 < bd2 && d2 <= r2 && !ix.hidden.addr(ix, &ix.addrs[l.vals[a+int32(i)]]) {
				best, bd2 = a+int32(i), d2
			}
		}
		return math.Sqrt(bd2)
	})
	if best < 0 {
		return nil, false
	}
	return &ix.addrs[l.vals[best]], true
}

// nearestRoad returns the nearest road segment within radius metres: the name of its line,
// the closest point and the distance.
func (ix *Index) nearestRoad(p orb.Point, radius float64) (string, orb.Point, float64, bool) {
	best, bd2 := int32(-1), math.Inf(1)
	r2 := radius * radius
	l := &ix.cells.segs
	o := ix.cells.origin
	px, py := (p[0]-o[0])*ix.pl.KX, (p[1]-o[1])*ix.pl.KY
	ix.ringSearch(l, p, radius, func(x, y int32) float64 {
		a, b := l.span(x, y)
		for i := a; i < b; i++ {
			if d2 := segDist2(px, py, &ix.cells.segAt[i]); d2 < bd2 && d2 <= r2 {
				best, bd2 = i, d2
			}
		}
		return math.Sqrt(bd2)
	})
	if best < 0 {
		return "", orb.Point{}, 0, false
	}
	s := &ix.cells.segAt[best]
	a := ix.pl.point(ix.cells.origin, s.ax, s.ay)
	b := ix.pl.point(ix.cells.origin, s.bx, s.by)
	q, d := ix.pl.ClosestOnSegment(p, a, b)
	return ix.lines[s.line].label, q, d, true
}

// nearestPOI returns the nearest POI within radius metres.
func (ix *Index) nearestPOI(p orb.Point, radius float64) (int32, float64, bool) {
	best, bd := int32(-1), math.Inf(1)
	l := &ix.cells.pois
	ix.ringSearch(l, p, radius, func(x, y int32) float64 {
		a, b := l.span(x, y)
		for i := a; i < b; i++ {
			if d := ix.pl.Distance(p, l.pts[i]); d < bd && d <= radius && !ix.hidden.poi(ix, &ix.pois[l.vals[i]]) {
				best, bd = i, d
			}
		}
		return bd
	})
	if best < 0 {
		return -1, bd, false
	}
	return l.vals[best], bd, true
}

// nearestCrossing returns the nearest road crossing within radius metres.
func (ix *Index) nearestCrossing(p orb.Point, radius float64) (crossing, float64, bool) {
	best, bd := int32(-1), math.Inf(1)
	l := &ix.cells.xs
	ix.ringSearch(l, p, radius, func(x, y int32) float64 {
		a, b := l.span(x, y)
		for i := a; i < b; i++ {
			if d := ix.pl.Distance(p, l.pts[i]); d < bd && d <= radius {
				best, bd = i, d
			}
		}
		return bd
	})
	if best < 0 {
		return crossing{}, 0, false
	}
	return ix.cells.cross[l.vals[best]], bd, true
}

// extend grows bound b (holding n points so far) by p.
func extend(b orb.Bound, n int, p orb.Point) orb.Bound {
	if n == 0 {
		return p.Bound()
	}
	return b.Extend(p)
}
