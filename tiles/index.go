package tiles

import (
	"fmt"
	"hash/fnv"
	"slices"
	"strconv"

	"citygeo/data"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
	"github.com/tidwall/rtree"
)

// Index holds a dataset's geometry in Web Mercator world coordinates with an R-tree per layer.
// It is built once per dataset version and only read afterwards, so one Index serves any number
// of concurrent tile builds. The dataset itself is referenced, never modified.
type Index struct {
	version int64
	bound   orb.Bound // lon/lat

	grids  []gridF
	gridT  rtree.RTreeG[int32]
	areas  []areaF
	areaT  rtree.RTreeG[int32]
	comps  []compF
	shapes []orb.Geometry      // world lines and polygons of the components that have one
	compT  rtree.RTreeG[int32] // components that are lines or polygons
	cells  []cellRef           // every component by its point's cell, sorted (see compcells.go)
	roads  []roadF
	roadT  rtree.RTreeG[int32]

	clusters [clusterMaxZoom + 1]clusterLevel
}

type gridF struct {
	id      uint64
	labelID uint64
	g       *data.Grid
	poly    orb.Polygon // world
	label   orb.Point   // world: the centroid, where the grid's code is written
}

type areaF struct {
	id    uint64
	a     *data.Area
	poly  orb.MultiPolygon // world
	label orb.Point        // world
}

// compF is one component, 24 bytes of a 2M-component index: a point component (most of them)
// is projected when a tile shows it, from the dataset's own geometry, instead of keeping a Web
// Mercator copy (16 bytes each); lines and polygons keep theirs in Index.shapes.
type compF struct {
	id    uint64
	c     *data.Component
	shape int32 // index into Index.shapes; -1 for a point
}

type roadF struct {
	id   uint64
	r    *data.Road
	line orb.LineString // world
}

// MaxID bounds feature ids: MapLibre holds ids as JavaScript numbers, exact only below 2^53.
const MaxID = 1 << 53

// FeatureID maps a code (grid, area, component) to its stable MVT feature id: the code itself
// read as a decimal number when that is below 2^52 (every grid and area code, and CJ/T 214
// component ids of provinces 11–45), else a 52-bit FNV-1a hash of the code placed in
// [2^52, 2^53). NewIndex resolves the rare hash collision by probing, in dataset order.
func FeatureID(code string) uint64 {
	if n, err := strconv.ParseUint(code, 10, 64); err == nil && n < 1<<52 {
		return n
	}
	h := fnv.New64a()
	h.Write([]byte(code))
	return h.Sum64()&(1<<52-1) | 1<<52
}

// labelIDBase offsets an area's label point id from its boundary id (area codes are < 10^12).
const labelIDBase = 2_000_000_000_000_000

// gridLabelOffset moves a grid's label point id away from the grid ids (15-digit codes < 10^15).
const gridLabelOffset = 5_000_000_000_000_000

// uniqueIDs makes ids unique in place: the first holder of an id keeps it, later ones (in
// slice order, i.e. dataset order) move up to the next free id. Duplicates are rare (a hash
// collision, or a code listed twice), so the common case is one sort and no map.
func uniqueIDs(ids []uint64) {
	order := make([]int32, len(ids))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(a, b int32) int {
		if c := cmpU64(ids[a], ids[b]); c != 0 {
			return c
		}
		return int(a - b)
	})
	var dups []int32
	for j := 1; j < len(order); j++ {
		if ids[order[j]] == ids[order[j-1]] {
			dups = append(dups, order[j])
		}
	}
	if len(dups) == 0 {
		return
	}
	used := make(map[uint64]bool, len(ids))
	for _, id := range ids {
		used[id] = true
	}
	slices.Sort(dups)
	for _, i := range dups {
		id := ids[i]
		for used[id] {
			id++
			if id >= MaxID {
				id = 1 << 52
			}
		}
		used[id] = true
		ids[i] = id
	}
}

// NewIndex builds the tile index of ds. Features without geometry are skipped. A dataset no index
// can hold (data.Dataset.CheckIndexable) is an error naming the feature, never a panic.
func NewIndex(ds *data.Dataset) (*Index, error) {
	if err := ds.CheckIndexable(); err != nil {
		return nil, fmt.Errorf("tile index: %w", err)
	}
	ix := &Index{version: ds.Version, bound: ds.Bound(),
		grids: make([]gridF, 0, len(ds.Grids)), comps: make([]compF, 0, len(ds.Components))}
	for _, g := range ds.Grids {
		f, ok := worldGrid(g)
		if !ok {
			continue
		}
		b := f.poly.Bound()
		ix.gridT.Insert(b.Min, b.Max, int32(len(ix.grids)))
		ix.grids = append(ix.grids, f)
	}
	for _, a := range ds.Areas {
		if len(a.Polygon) == 0 {
			continue
		}
		w := make(orb.MultiPolygon, len(a.Polygon))
		for i, p := range a.Polygon {
			w[i] = worldPolygon(p)
		}
		label := a.Label
		if label.Equal(orb.Point{}) {
			label = a.Polygon.Bound().Center()
		}
		b := w.Bound()
		ix.areaT.Insert(b.Min, b.Max, int32(len(ix.areas)))
		ix.areas = append(ix.areas, areaF{id: FeatureID(a.Code), a: a, poly: w, label: toWorld(label)})
	}
	// pts holds each component's world point (a line's middle vertex, a polygon's box centre)
	// while cells and clusters are built, and no longer.
	pts := make([]orb.Point, 0, len(ds.Components))
	for _, c := range ds.Components {
		pt, geom, ok := worldComponent(c)
		if !ok {
			continue
		}
		f := compF{id: FeatureID(c.ID), c: c, shape: -1}
		if geom != nil {
			b := geom.Bound()
			ix.compT.Insert(b.Min, b.Max, int32(len(ix.comps)))
			f.shape = int32(len(ix.shapes))
			ix.shapes = append(ix.shapes, geom)
		}
		ix.comps = append(ix.comps, f)
		pts = append(pts, pt)
	}
	for _, r := range ds.Roads {
		f, ok := worldRoad(r)
		if !ok {
			continue
		}
		b := f.line.Bound()
		ix.roadT.Insert(b.Min, b.Max, int32(len(ix.roads)))
		ix.roads = append(ix.roads, f)
	}
	ix.assignIDs()
	ix.sortCells(pts)
	ix.buildClusters(pts)
	return ix, nil
}

// worldGrid projects g to world coordinates with its label at the centroid and its feature
// ids as its code maps to them; false for a grid without a polygon.
func worldGrid(g *data.Grid) (gridF, bool) {
	if len(g.Polygon) == 0 || len(g.Polygon[0]) == 0 {
		return gridF{}, false
	}
	w := worldPolygon(g.Polygon)
	c, _ := planar.CentroidArea(w)
	id := FeatureID(g.Code)
	return gridF{id: id, labelID: (id + gridLabelOffset) % MaxID, g: g, poly: w, label: c}, true
}

// worldRoad projects r to world coordinates with its feature id (its own id when MVT can hold
// it, else a hash of it and its name); false for a road of fewer than two points.
func worldRoad(r *data.Road) (roadF, bool) {
	if len(r.Line) < 2 {
		return roadF{}, false
	}
	id := r.ID
	if id == 0 || id >= MaxID {
		id = FeatureID(fmt.Sprintf("road:%d:%s", r.ID, r.Name))
	}
	return roadF{id: id, r: r, line: worldLine(r.Line)}, true
}

// worldComponent projects c to world coordinates: its point (a line's middle vertex, a
// polygon's box centre) and, for a line or a polygon, its shape; false for a component without
// a geometry a tile can draw.
func worldComponent(c *data.Component) (pt orb.Point, shape orb.Geometry, ok bool) {
	switch g := c.Geometry.(type) {
	case orb.Point:
		return toWorld(g), nil, true
	case orb.LineString:
		if len(g) == 0 {
			return pt, nil, false
		}
		w := worldLine(g)
		return w[len(w)/2], w, true
	case orb.Polygon:
		if len(g) == 0 || len(g[0]) == 0 {
			return pt, nil, false
		}
		w := worldPolygon(g)
		return w.Bound().Center(), w, true
	}
	return pt, nil, false
}

// shape returns f's world line or polygon, nil for a point.
func (ix *Index) shape(f *compF) orb.Geometry {
	if f.shape < 0 {
		return nil
	}
	return ix.shapes[f.shape]
}

// Version returns the dataset version the index was built from.
func (ix *Index) Version() int64 { return ix.version }

// Bound returns the lon/lat bound of the dataset.
func (ix *Index) Bound() orb.Bound { return ix.bound }

// assignIDs makes the ids of each layer unique. Grid label ids come after every grid id, so a
// label never displaces a grid's id.
func (ix *Index) assignIDs() {
	ids := make([]uint64, 0, 2*len(ix.grids))
	for _, g := range ix.grids {
		ids = append(ids, g.id)
	}
	for _, g := range ix.grids {
		ids = append(ids, (g.id+gridLabelOffset)%MaxID)
	}
	uniqueIDs(ids)
	for i := range ix.grids {
		ix.grids[i].id, ix.grids[i].labelID = ids[i], ids[len(ix.grids)+i]
	}
	ids = ids[:0]
	for _, a := range ix.areas {
		ids = append(ids, a.id)
	}
	uniqueIDs(ids)
	for i := range ix.areas {
		ix.areas[i].id = ids[i]
	}
	ids = ids[:0]
	for _, c := range ix.comps {
		ids = append(ids, c.id)
	}
	uniqueIDs(ids)
	for i := range ix.comps {
		ix.comps[i].id = ids[i]
	}
	ids = ids[:0]
	for _, r := range ix.roads {
		ids = append(ids, r.id)
	}
	uniqueIDs(ids)
	for i := range ix.roads {
		ix.roads[i].id = ids[i]
	}
}
