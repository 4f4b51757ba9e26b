package geo

import (
	"math"
	"strings"

	"citygeo/data"

	"github.com/paulmach/orb"
)

// Location is where a point falls in the city: its unit grid and the community → street →
// district chain above it.
type Location struct {
	Point     orb.Point
	Grid      *data.Grid // nil when no grid contains the point or lies within the snap tolerance
	Community *data.Area // nil when the dataset has no such area
	Street    *data.Area
	District  *data.Area
	// Outside is true when neither a grid nor an area contains the point and no grid lies
	// within the snap tolerance.
	Outside bool
	// Snapped is true when Grid does not contain the point but is the nearest grid within the
	// snap tolerance; SnapDistance is then the distance to it in metres.
	Snapped      bool
	SnapDistance float64
}

// Locate finds the grid that contains p (CGCS2000 lon/lat) and the areas above it:
//
//  1. the grid containing p — on a shared edge or vertex, the one with the lowest code — and its
//     community, street and district by code (data.Parent), whether or not they have polygons;
//  2. else the community containing p (lowest code), else a street, else a district: datasets
//     such as Taipei's have areas but sparse grids. A grid within the snap tolerance that lies
//     under that area (its code starts with the area's) is attached with Snapped set;
//  3. else the nearest grid within the snap tolerance, Snapped, with its chain;
//  4. else Outside.
func (ix *Index) Locate(p orb.Point) Location {
	loc := Location{Point: p}
	if !finite(p) {
		loc.Outside = true
		return loc
	}
	bucket := ix.cells.bucket(p)
	for k := range bucket {
		e := &bucket[k]
		if !e.box.Contains(p) {
			continue
		}
		var in bool
		if e.n >= 0 {
			in = ringContains(ix.cells.pts[e.off:e.off+e.n], p)
		} else {
			in = ix.gridPoly.contains(int(e.grid), p)
		}
		if in {
			loc.Grid = ix.grids[e.grid]
			ix.setChain(&loc, ix.gridChain[e.grid])
			return loc
		}
	}
	si, sd := ix.snapGrid(p)
	if ai := ix.areaAt(p); ai >= 0 {
		code := ix.areas[ai].Code
		if si >= 0 && strings.HasPrefix(ix.grids[si].Community, code) {
			// the snapped grid lies under the area that contains p: a digitising sliver
			loc.Grid, loc.Snapped, loc.SnapDistance = ix.grids[si], true, sd
			code = loc.Grid.Community
		}
		ix.fillChain(&loc, code)
		return loc
	}
	if si >= 0 {
		loc.Grid, loc.Snapped, loc.SnapDistance = ix.grids[si], true, sd
		ix.fillChain(&loc, loc.Grid.Community)
		return loc
	}
	loc.Outside = true
	return loc
}

// fillChain sets the areas of code and of every level above it.
func (ix *Index) fillChain(loc *Location, code string) {
	ix.setChain(loc, ix.chainOf(code))
}

// setChain sets the areas of a chain of positions (Index.chainOf).
func (ix *Index) setChain(loc *Location, ch [3]int32) {
	loc.Community, loc.Street, loc.District = ix.area(ch[0]), ix.area(ch[1]), ix.area(ch[2])
}

// areaAt returns the index of the lowest-level, then lowest-code, area containing p, or -1.
func (ix *Index) areaAt(p orb.Point) int {
	for lvl := data.Community; lvl >= data.District; lvl-- {
		best := -1
		ix.areaTree[lvl].Search(p, p, func(_, _ [2]float64, i int32) bool {
			if (best < 0 || int(i) < best) && ix.areaPoly.contains(int(i), p) {
				best = int(i)
			}
			return true
		})
		if best >= 0 {
			return best
		}
	}
	return -1
}

// snapGrid returns the grid nearest to p within the snap tolerance (ties: lowest code) and its
// distance, or -1.
func (ix *Index) snapGrid(p orb.Point) (int, float64) {
	if ix.snap < 0 || len(ix.grids) == 0 {
		return -1, 0
	}
	dy := ix.snap / ix.ky
	dx := ix.snap / (ix.ky * math.Max(math.Cos(p[1]*rad), 1e-6))
	best, bestD := -1, math.Inf(1)
	ix.gridTree.Search([2]float64{p[0] - dx, p[1] - dy}, [2]float64{p[0] + dx, p[1] + dy},
		func(_, _ [2]float64, i int32) bool {
			d, _ := DistanceTo(ix.grids[i].Polygon, p)
			if d < bestD || (d == bestD && int(i) < best) {
				best, bestD = int(i), d
			}
			return true
		})
	if best < 0 || bestD > ix.snap {
		return -1, 0
	}
	return best, bestD
}

func finite(p orb.Point) bool {
	return !math.IsNaN(p[0]) && !math.IsNaN(p[1]) && !math.IsInf(p[0], 0) && !math.IsInf(p[1], 0)
}
