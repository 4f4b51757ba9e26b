package gazetteer

import (
	"math"
	"slices"

	"github.com/paulmach/orb"
)

// ranked is an item of a k-nearest search: its key (POI, road label, crossing) and distance.
type ranked struct {
	id int32
	d  float64
}

// kNearest keeps the n nearest distinct items seen so far, nearest first. n is small (AMap
// lists up to a few dozen), so an insertion into a sorted slice beats a heap.
type kNearest struct {
	n     int
	items []ranked
}

// add offers an item; an item already kept keeps its smaller distance.
func (k *kNearest) add(id int32, d float64) {
	for i, it := range k.items {
		if it.id == id {
			if d >= it.d {
				return
			}
			k.items = slices.Delete(k.items, i, i+1)
			break
		}
	}
	i, _ := slices.BinarySearchFunc(k.items, d, func(r ranked, d float64) int {
		switch {
		case r.d < d:
			return -1
		case r.d > d:
			return 1
		}
		return 0
	})
	if i >= k.n {
		return
	}
	k.items = slices.Insert(k.items, i, ranked{id, d})
	if len(k.items) > k.n {
		k.items = k.items[:k.n]
	}
}

// bound is the distance an item must beat to be kept: the n-th nearest, +Inf until n are kept.
func (k *kNearest) bound() float64 {
	if len(k.items) < k.n {
		return math.Inf(1)
	}
	return k.items[len(k.items)-1].d
}

// nearestPOIs returns up to n POIs within radius metres, nearest first.
func (ix *Index) nearestPOIs(p orb.Point, radius float64, n int, keep func(id int32) bool) []ranked {
	return ix.nearestIn(&ix.cells.pois, p, radius, n, keep)
}

// nearestCrossings returns up to n road crossings within radius metres, nearest first.
func (ix *Index) nearestCrossings(p orb.Point, radius float64, n int) []ranked {
	return ix.nearestIn(&ix.cells.xs, p, radius, n, nil)
}

// nearestIn returns up to n values of a point layer within radius metres, nearest first, of
// those keep holds (all when keep is nil).
func (ix *Index) nearestIn(l *layer, p orb.Point, radius float64, n int, keep func(val int32) bool) []ranked {
	k := kNearest{n: n}
	ix.ringSearch(l, p, radius, func(x, y int32) float64 {
		a, b := l.span(x, y)
		for i := a; i < b; i++ {
			if keep != nil && !keep(l.vals[i]) {
				continue
			}
			if d := ix.pl.Distance(p, l.pts[i]); d <= radius {
				k.add(l.vals[i], d)
			}
		}
		return k.bound()
	})
	return k.items
}

// nearestRoads returns up to n named road lines within radius metres, one per name (a road
// drawn as many ways is one road), nearest first, each with the closest point on it.
func (ix *Index) nearestRoads(p orb.Point, radius float64, n int, mainOnly bool) ([]ranked, []orb.Point) {
	type near struct {
		seg int32
		d2  float64
	}
	k := kNearest{n: n}
	byLabel := map[string]int32{} // a name's first line stands for every line of that name
	best := map[int32]near{}      // a name's nearest segment
	l := &ix.cells.segs
	o := ix.cells.origin
	px, py := (p[0]-o[0])*ix.pl.KX, (p[1]-o[1])*ix.pl.KY
	r2 := radius * radius
	ix.ringSearch(l, p, radius, func(x, y int32) float64 {
		a, b := l.span(x, y)
		for i := a; i < b; i++ {
			s := &ix.cells.segAt[i]
			if mainOnly && !ix.lines[s.line].main {
				continue
			}
			d2 := segDist2(px, py, s)
			if d2 > r2 {
				continue
			}
			label := ix.lines[s.line].label
			id, ok := byLabel[label]
			if !ok {
				id = s.line
				byLabel[label] = id
			}
			if b, ok := best[id]; !ok || d2 < b.d2 {
				best[id] = near{i, d2}
			}
			k.add(id, math.Sqrt(d2))
		}
		return k.bound()
	})
	pts := make([]orb.Point, len(k.items))
	for j, it := range k.items {
		s := &ix.cells.segAt[best[it.id].seg]
		a := ix.pl.point(o, s.ax, s.ay)
		b := ix.pl.point(o, s.bx, s.by)
		pts[j], k.items[j].d = ix.pl.ClosestOnSegment(p, a, b)
	}
	return k.items, pts
}
