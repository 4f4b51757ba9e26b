package tiles

import (
	"fmt"
	"slices"
	"strings"

	"citygeo/data"

	"github.com/paulmach/orb"
	"github.com/tidwall/rtree"
)

// Index holds a dataset's geometry in Web Mercator world coordinates with an R-tree per layer.
// It is built once per dataset version and only read afterwards, so one Index serves any number
// of concurrent tile builds. The dataset itself is referenced, never modified.
type Index struct {
	version int64
	bound   orb.Bound // lon/lat

	grids  gridTable
	gridT  rtree.RTreeG[int32]
	memo   gridMemo // the grids' geometry encoded for each memoZoom tile
	areas  []areaF
	areaT  rtree.RTreeG[int32]
	dsComp []*data.Component   // the dataset's Components: a component is named by its position
	idFix  map[int32]uint64    // feature ids other than FeatureID(ID), by position (collisions)
	shapes []compShape         // world lines and polygons of the components that have one
	isLine []uint64            // bit set by position: the component is in shapes, not a point
	compT  rtree.RTreeG[int32] // components that are lines or polygons, by index into shapes
	cells  []cellRef           // every drawn component by its point's cell, sorted (see compcells.go)
	roads  []roadF
	roadT  rtree.RTreeG[int32]

	clusters [clusterMaxZoom + 1]clusterLevel
	majors   []string // the components' major classes, sorted: clusterItem.major names one
}

type areaF struct {
	id    uint64
	a     *data.Area
	poly  orb.MultiPolygon // world
	label orb.Point        // world
}

// compShape is a line or polygon component's world geometry and its position. A point component
// (most of them) has no entry of its own: the sorted cells name it by position, it is projected
// when a tile shows it, from the dataset's own geometry, and its feature id is computed from its
// ID then (Index.idFix keeps the few a collision moved). A 2M-component index spent 24 bytes a
// component on an entry with the id and a pointer, and 16 more on a Web Mercator copy of the point.
type compShape struct {
	geom orb.Geometry
	pos  int32
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
	if n, ok := smallDecimal(code); ok {
		return n
	}
	// FNV-1a written out (hash/fnv's, checked by TestFeatureIDHash): a tile computes the id of
	// every component it shows, and hash/fnv's Hash64 and the []byte copy cost two allocations.
	h := uint64(14695981039346656037)
	for i := 0; i < len(code); i++ {
		h ^= uint64(code[i])
		h *= 1099511628211
	}
	return h&(1<<52-1) | 1<<52
}

// smallDecimal reads code as a decimal number below 2^52, as strconv.ParseUint(code, 10, 64)
// and a comparison would (TestSmallDecimal), in a third of its time: a 2M-component index reads
// every ID once, 0.1 s through ParseUint, and a tile reads the ID of every component it shows.
func smallDecimal(code string) (uint64, bool) {
	if code == "" {
		return 0, false
	}
	var n uint64
	for i := 0; i < len(code); i++ {
		d := code[i] - '0'
		if d > 9 || n >= 1<<52 { // not a digit, or no more digits can bring it back below 2^52
			return 0, false
		}
		n = n*10 + uint64(d)
	}
	return n, n < 1<<52
}

// labelIDBase offsets an area's label point id from its boundary id (area codes are < 10^12).
const labelIDBase = 2_000_000_000_000_000

// gridLabelOffset moves a grid's label point id away from the grid ids (15-digit codes < 10^15).
const gridLabelOffset = 5_000_000_000_000_000

// uniqueIDs makes ids unique in place and returns the positions whose id moved: the first
// holder of an id keeps it, later ones (in slice order, i.e. dataset order) move up to the next
// free id. Duplicates are rare (a hash collision, or a code listed twice), so the common case
// is one sort of a copy of the ids and no map: sorting positions through a comparison function
// took 0.5 s of a 2M-component build.
func uniqueIDs(ids []uint64) (moved []int32) {
	sorted := slices.Clone(ids)
	radixSort(sorted, 0)
	if len(slices.Compact(sorted)) == len(ids) {
		return nil
	}
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
	return dups
}

// NewIndex builds the tile index of ds. Features without geometry are skipped. A dataset no index
// can hold (data.Dataset.CheckIndexable) is an error naming the feature, never a panic.
func NewIndex(ds *data.Dataset) (*Index, error) {
	if err := ds.CheckIndexable(); err != nil {
		return nil, fmt.Errorf("tile index: %w", err)
	}
	return NewCheckedIndex(ds)
}

// NewCheckedIndex is NewIndex for a dataset whose CheckIndexable the caller has run and seen
// pass: it does not walk every coordinate again (city.Build checks once for all its indexes,
// where each checking alone cost ~0.1 s of a 2M-component city's build). Given a dataset that
// fails the check, it may panic.
func NewCheckedIndex(ds *data.Dataset) (*Index, error) {
	if len(ds.Components) >= maxComps {
		return nil, fmt.Errorf("tile index: %d components, at most %d", len(ds.Components), maxComps-1)
	}
	ix := &Index{version: ds.Version, bound: ds.Bound(), dsComp: ds.Components,
		grids: newGridTable(ds.Grids), isLine: make([]uint64, (len(ds.Components)+63)/64)}
	var poly orb.Polygon
	for i := range ix.grids.rows {
		poly = ix.grids.polygon(&ix.grids.rows[i], poly)
		b := poly.Bound()
		ix.gridT.Insert(b.Min, b.Max, int32(i))
	}
	ix.memo = buildGridMemo(&ix.grids)
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
	// drawn lists the positions of the components a tile can show, and pts their world points by
	// position (a line's middle vertex, a polygon's box centre), while ids, cells and clusters
	// are built.
	drawn := make([]int32, 0, len(ds.Components))
	pts := make([]orb.Point, len(ds.Components))
	majors := majorTable{of: make([]int32, len(ds.Components)), byName: map[string]int32{}}
	for i, c := range ds.Components {
		pt, geom, ok := worldComponent(c)
		if !ok {
			continue
		}
		if geom != nil {
			b := geom.Bound()
			ix.compT.Insert(b.Min, b.Max, int32(len(ix.shapes)))
			ix.shapes = append(ix.shapes, compShape{geom: geom, pos: int32(i)})
			ix.isLine[i/64] |= 1 << (i % 64)
		}
		drawn = append(drawn, int32(i))
		pts[i] = pt
		majors.add(int32(i), c.Major)
	}
	ix.majors = majors.sort(drawn)
	for _, r := range ds.Roads {
		f, ok := worldRoad(r)
		if !ok {
			continue
		}
		b := f.line.Bound()
		ix.roadT.Insert(b.Min, b.Max, int32(len(ix.roads)))
		ix.roads = append(ix.roads, f)
	}
	ix.assignIDs(drawn)
	ix.sortCells(drawn, pts)
	ix.buildClusters(pts, majors.of)
	return ix, nil
}

// majorTable numbers the major classes of the drawn components while an Index is built, so
// that the clusters count numbers, read from a slice by position, rather than follow each
// component's pointer in the order of its cell.
type majorTable struct {
	of     []int32 // by position: the number of the component's major
	byName map[string]int32
	names  []string // by number
	last   int32    // the number of the previous component's major (components come in runs)
}

func (t *majorTable) add(pos int32, major string) {
	if len(t.names) == 0 || t.names[t.last] != major {
		n, ok := t.byName[major]
		if !ok {
			n = int32(len(t.names))
			t.byName[major] = n
			t.names = append(t.names, major)
		}
		t.last = n
	}
	t.of[pos] = t.last
}

// sort renumbers the majors in the order of their codes, so that a smaller number is a smaller
// code (the clusters' tie break), and returns them.
func (t *majorTable) sort(drawn []int32) []string {
	order := make([]int32, len(t.names))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(a, b int32) int { return strings.Compare(t.names[a], t.names[b]) })
	renum := make([]int32, len(order))
	sorted := make([]string, len(order))
	for n, old := range order {
		renum[old] = int32(n)
		sorted[n] = t.names[old]
	}
	for _, pos := range drawn {
		t.of[pos] = renum[t.of[pos]]
	}
	return sorted
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
// polygon's or a multi-part shape's box centre) and, for a line or a polygon (in one part or
// several), its shape; false for a component without a geometry a tile can draw.
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
	case orb.MultiLineString: // a surveyed line in several parts (a broken guard rail)
		var w orb.MultiLineString
		for _, l := range g {
			if len(l) > 0 {
				w = append(w, worldLine(l))
			}
		}
		if len(w) == 0 {
			return pt, nil, false
		}
		return w.Bound().Center(), w, true
	case orb.MultiPolygon:
		var w orb.MultiPolygon
		for _, p := range g {
			if len(p) > 0 && len(p[0]) > 0 {
				w = append(w, worldPolygon(p))
			}
		}
		if len(w) == 0 {
			return pt, nil, false
		}
		return w.Bound().Center(), w, true
	}
	return pt, nil, false
}

// compID returns the feature id of the component at pos.
func (ix *Index) compID(pos int32) uint64 {
	if id, ok := ix.idFix[pos]; ok {
		return id
	}
	return FeatureID(ix.dsComp[pos].ID)
}

// isShape reports whether the component at pos is drawn as a line or polygon.
func (ix *Index) isShape(pos int32) bool { return ix.isLine[pos/64]&(1<<(pos%64)) != 0 }

// GridMemoBytes returns the memory the index spends on grid geometry encoded ahead for the
// tiles of one zoom (see gridMemo).
func (ix *Index) GridMemoBytes() int { return ix.memo.bytes() }

// Version returns the dataset version the index was built from.
func (ix *Index) Version() int64 { return ix.version }

// Bound returns the lon/lat bound of the dataset.
func (ix *Index) Bound() orb.Bound { return ix.bound }

// assignIDs makes the ids of each layer unique (of the components, those drawn). Grid label ids come after every grid id, so a
// label never displaces a grid's id.
func (ix *Index) assignIDs(drawn []int32) {
	grids := ix.grids.rows
	ids := make([]uint64, 0, max(2*len(grids), len(drawn)))
	for _, g := range grids {
		ids = append(ids, g.id)
	}
	for _, g := range grids {
		ids = append(ids, (g.id+gridLabelOffset)%MaxID)
	}
	uniqueIDs(ids)
	for i := range grids {
		grids[i].id, grids[i].labelID = ids[i], ids[len(grids)+i]
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
	for _, pos := range drawn {
		ids = append(ids, FeatureID(ix.dsComp[pos].ID))
	}
	for _, k := range uniqueIDs(ids) { // a moved id is never the one FeatureID gives
		if ix.idFix == nil {
			ix.idFix = map[int32]uint64{}
		}
		ix.idFix[drawn[k]] = ids[k]
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
