package geo

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"citygeo/data"

	"github.com/paulmach/orb"
	"github.com/tidwall/rtree"
)

// DefaultSnapTolerance is the snapping distance in metres used when IndexOptions leaves it 0:
// a GPS fix a few metres outside the city edge, or in a digitising sliver between two grids,
// still gets a grid.
const DefaultSnapTolerance = 10

// IndexOptions tunes NewIndex. The zero value is the default.
type IndexOptions struct {
	// SnapTolerance is how far in metres Locate looks for a grid when no grid contains the
	// point. 0 means DefaultSnapTolerance; a negative value turns snapping off.
	SnapTolerance float64
	// Checked says the caller has run ds.CheckIndexable and it passed, so NewIndex does not
	// walk every coordinate again: city.Build checks once for all its indexes, where each
	// checking alone cost ~0.1 s of a 2M-component city's build.
	Checked bool
}

// Index is the immutable spatial index of one dataset version. It is built once by NewIndex,
// never changes, and is safe for any number of concurrent readers.
type Index struct {
	ds    *data.Dataset
	snap  float64
	bound orb.Bound

	grids      []*data.Grid        // sorted by code: a lower index is a lower code
	gridPoly   polySet             // grid i's polygon is member i
	gridTree   rtree.RTreeG[int32] // GridsIn and snapping: for boxes it touches less memory than cells
	gridByCode keyTable
	cells      cellIndex  // uniform bucket grid over grid boxes, the Locate fast path
	gridChain  [][3]int32 // community, street, district of each grid, positions in areas (-1: none)

	areas      []*data.Area                            // sorted by code
	areaPoly   polySet                                 // area i's polygon is member i
	areaTree   [data.Community + 1]rtree.RTreeG[int32] // one tree per level
	areaByCode keyTable

	comps      []*data.Component
	compPts    []orb.Point // a point component's point, by position; zero for the others
	compShapes []compShape // the components that are lines or polygons (compGrid refers to them)
	compByID   keyTable
	classGrid  map[string]*compGrid // class, major and "" (all): Nearest and box queries

	// Metres per degree, for lower bounds in the nearest search: ky along a meridian, kxLo
	// along a parallel at the highest |latitude| of the dataset (the smallest such value),
	// so box distances computed with them never exceed the true distance.
	ky, kxLo float64
}

// NewIndex builds the index of ds. The dataset must not be changed afterwards. It fails on a
// nil dataset, a grid or area without a usable polygon, non-finite coordinates, and duplicate
// grid codes, area codes or component IDs; components without geometry are kept for lookup by
// ID but are not in the spatial trees.
func NewIndex(ds *data.Dataset, opts IndexOptions) (*Index, error) {
	if !opts.Checked {
		if err := ds.CheckIndexable(); err != nil {
			return nil, fmt.Errorf("new index: %w", err)
		}
	}
	ix := &Index{ds: ds, snap: opts.SnapTolerance, ky: EarthRadius * rad,
		gridByCode: newKeyTable(len(ds.Grids)),
		areaByCode: newKeyTable(len(ds.Areas)),
	}
	if ix.snap == 0 {
		ix.snap = DefaultSnapTolerance
	}
	first := true
	grow := func(b orb.Bound) {
		if first {
			ix.bound, first = b, false
		} else {
			ix.bound = union(ix.bound, b)
		}
	}

	// Nil entries are refused before sorting, which would dereference them.
	if slices.Contains(ds.Grids, nil) {
		return nil, errors.New("new index: nil grid")
	}
	if slices.Contains(ds.Areas, nil) {
		return nil, errors.New("new index: nil area")
	}
	ix.grids = make([]*data.Grid, len(ds.Grids))
	copy(ix.grids, ds.Grids)
	slices.SortStableFunc(ix.grids, func(a, b *data.Grid) int { return strings.Compare(a.Code, b.Code) })
	pts := 0
	for _, g := range ix.grids {
		for _, r := range g.Polygon {
			pts += len(r)
		}
	}
	ix.gridPoly.reserve(len(ix.grids), pts)
	for i, g := range ix.grids {
		if !ix.gridByCode.insert(g.Code, int32(i), ix.gridCode) {
			return nil, fmt.Errorf("new index: grid %s: code: duplicate", g.Code)
		}
		ix.gridPoly.add(g.Polygon)
		if ix.gridPoly.empty(i) {
			return nil, fmt.Errorf("new index: grid %s: polygon: empty or fewer than 3 points", g.Code)
		}
		b := ix.gridPoly.bound(i)
		if !finiteBound(b) {
			return nil, fmt.Errorf("new index: grid %s: polygon: coordinate is not finite", g.Code)
		}
		ix.gridTree.Insert(b.Min, b.Max, int32(i))
		grow(b)
	}

	ix.areas = make([]*data.Area, len(ds.Areas))
	copy(ix.areas, ds.Areas)
	slices.SortStableFunc(ix.areas, func(a, b *data.Area) int { return strings.Compare(a.Code, b.Code) })
	for i, a := range ix.areas {
		if !ix.areaByCode.insert(a.Code, int32(i), ix.areaCode) {
			return nil, fmt.Errorf("new index: area %s: code: duplicate", a.Code)
		}
		ix.areaPoly.add(a.Polygon)
		if ix.areaPoly.empty(i) { // an area may be known by code only (its polygon derived elsewhere)
			continue
		}
		b := ix.areaPoly.bound(i)
		if !finiteBound(b) {
			return nil, fmt.Errorf("new index: area %s: polygon: coordinate is not finite", a.Code)
		}
		if lvl := a.Level; lvl >= data.District && lvl <= data.Community {
			ix.areaTree[lvl].Insert(b.Min, b.Max, int32(i))
		}
		grow(b)
	}

	ix.comps = ds.Components
	all, err := ix.indexComponents()
	if err != nil {
		return nil, err
	}
	if all.state > 0 {
		grow(all.box)
	}
	maxLat := math.Max(math.Abs(ix.bound.Min[1]), math.Abs(ix.bound.Max[1]))
	ix.kxLo = ix.ky * math.Cos(math.Min(maxLat, 89.9)*rad)
	ix.cells = buildCellIndex(&ix.gridPoly)
	ix.gridChain = make([][3]int32, len(ix.grids))
	for i, g := range ix.grids {
		ix.gridChain[i] = ix.chainOf(g.Community)
	}
	return ix, nil
}

// indexComponents fills the component tables: the points and shapes, the ID table and the
// grids of every class, major and of all. It returns the box around the components.
func (ix *Index) indexComponents() (boxAcc, error) {
	ix.compPts = make([]orb.Point, len(ix.comps))
	// A component is a member of three grids, keyed "", its major and its class. The keys are
	// spelt once per class, not per component: a map of 2M-long lists keyed by a concatenation
	// made per component cost 0.6 s of a large city's build.
	type class struct{ major, minor string }
	type classAcc struct {
		slots [3]int32 // the slots of its three keys
		n     int32    // components
		box   boxAcc
	}
	var (
		slotOf  = map[string]int32{} // grid key → slot
		classes = map[class]int32{}  // a class → its number
		byNo    []classAcc           // by class number
		last    class
		lastNo  int32
		refs    = make([]int32, 0, len(ix.comps)) // every component with a geometry: a point's position, ^i for compShapes[i]
		classNo = make([]int32, 0, len(ix.comps)) // and its class number
	)
	for i, c := range ix.comps {
		if c == nil {
			return boxAcc{}, errors.New("new index: nil component")
		}
		var b orb.Bound
		switch g := c.Geometry.(type) {
		case nil:
			continue
		case orb.Point: // most components: no call through the interface
			b = orb.Bound{Min: g, Max: g}
		default:
			b = g.Bound()
		}
		if !finiteBound(b) {
			return boxAcc{}, fmt.Errorf("new index: component %s: geometry: coordinate is not finite", c.ID)
		}
		if k := (class{c.Major, c.Minor}); len(refs) == 0 || k != last {
			no, ok := classes[k]
			if !ok {
				var in [3]int32
				for j, key := range [3]string{"", c.Major, c.Major + c.Minor} {
					s, ok := slotOf[key]
					if !ok {
						s = int32(len(slotOf))
						slotOf[key] = s
					}
					in[j] = s
				}
				no = int32(len(byNo))
				classes[k] = no
				byNo = append(byNo, classAcc{slots: in})
			}
			last, lastNo = k, no
		}
		cl := &byNo[lastNo]
		cl.n++
		ref := int32(i)
		if b.Min == b.Max {
			ix.compPts[i] = b.Min
			cl.box.addPoint(b.Min)
		} else {
			ref = ^int32(len(ix.compShapes))
			ix.compShapes = append(ix.compShapes, compShape{box: b, comp: int32(i)})
			cl.box.addBox(b)
		}
		refs = append(refs, ref)
		classNo = append(classNo, lastNo)
	}
	ix.compByID = newKeyTable(len(ix.comps))
	if i := ix.compByID.insertAll(len(ix.comps), ix.compID); i >= 0 {
		return boxAcc{}, fmt.Errorf("new index: component %s: id: duplicate", ix.comps[i].ID)
	}

	// Each grid's size and box from its classes', in the order of their first components; its
	// members, grid by grid in one array, in dataset order. The grids are filled one at a time:
	// filling the three of each component together wrote to all of them at random at once,
	// 50 % slower.
	start := make([]int, len(slotOf)+1)
	boxes := make([]boxAcc, len(slotOf))
	for _, cl := range byNo {
		for _, s := range cl.slots {
			start[s+1] += int(cl.n)
			boxes[s].add(cl.box)
		}
	}
	for s := 1; s < len(start); s++ {
		start[s] += start[s-1]
	}
	members := make([]int32, start[len(start)-1])
	next := slices.Clone(start)
	for k, ref := range refs {
		for _, s := range byNo[classNo[k]].slots {
			members[next[s]] = ref
			next[s]++
		}
	}
	grids := make([]*compGrid, len(slotOf))
	for s := range grids {
		in := members[start[s]:start[s+1]]
		g := newCompGrid(boxes[s].box, len(in), ix.compPts, ix.compShapes)
		for _, ref := range in {
			g.count(ref)
		}
		free := g.alloc()
		for _, ref := range in {
			g.put(ref, free)
		}
		grids[s] = g
	}
	ix.classGrid = make(map[string]*compGrid, len(slotOf))
	for key, s := range slotOf {
		ix.classGrid[key] = grids[s]
	}
	if len(boxes) == 0 {
		return boxAcc{}, nil
	}
	return boxes[slotOf[""]], nil
}

// The keys of the keyTables.
func (ix *Index) gridCode(i int32) string { return ix.grids[i].Code }
func (ix *Index) areaCode(i int32) string { return ix.areas[i].Code }
func (ix *Index) compID(i int32) string   { return ix.comps[i].ID }

// chainOf returns the positions of the community, street and district of code (-1: none):
// code's own area and every level above it.
func (ix *Index) chainOf(code string) [3]int32 {
	ch := [3]int32{-1, -1, -1}
	for c := code; c != ""; c = data.Parent(c) {
		i, ok := ix.areaByCode.find(c, ix.areaCode)
		if !ok {
			i = -1
		}
		switch len(c) {
		case 12:
			ch[0] = i
		case 9:
			ch[1] = i
		case 6:
			ch[2] = i
		}
	}
	return ch
}

// area returns the area at position i, nil for -1.
func (ix *Index) area(i int32) *data.Area {
	if i < 0 {
		return nil
	}
	return ix.areas[i]
}

// union is orb.Bound.Union without its four Extend calls, which took half of the time
// a pass over 2M component boxes spent: the bound of both, or the one that is not empty.
func union(a, b orb.Bound) orb.Bound {
	switch {
	case b.IsEmpty():
		return a
	case a.IsEmpty():
		return b
	}
	return orb.Bound{Min: orb.Point{min(a.Min[0], b.Min[0]), min(a.Min[1], b.Min[1])},
		Max: orb.Point{max(a.Max[0], b.Max[0]), max(a.Max[1], b.Max[1])}}
}

func finiteBound(b orb.Bound) bool {
	for _, v := range [4]float64{b.Min[0], b.Min[1], b.Max[0], b.Max[1]} {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return false
		}
	}
	return true
}

// Dataset returns the dataset the index was built from.
func (ix *Index) Dataset() *data.Dataset { return ix.ds }

// Bound returns the box around every grid, area and component.
func (ix *Index) Bound() orb.Bound { return ix.bound }

// Grid returns the grid with this code, or nil.
func (ix *Index) Grid(code string) *data.Grid {
	if i, ok := ix.gridByCode.find(code, ix.gridCode); ok {
		return ix.grids[i]
	}
	return nil
}

// Area returns the area (district, street or community) with this code, or nil.
func (ix *Index) Area(code string) *data.Area {
	if i, ok := ix.areaByCode.find(code, ix.areaCode); ok {
		return ix.areas[i]
	}
	return nil
}

// Component returns the component with this ID, or nil.
func (ix *Index) Component(id string) *data.Component {
	if i, ok := ix.compByID.find(id, ix.compID); ok {
		return ix.comps[i]
	}
	return nil
}

// ComponentPosition returns the position in Dataset().Components of the component with this
// ID.
func (ix *Index) ComponentPosition(id string) (int, bool) {
	i, ok := ix.compByID.find(id, ix.compID)
	return int(i), ok
}

// ComponentsIn calls iter for every component of the class ("" any, "01" a major, "0118" or
// "01037" a full class) whose bounding box intersects b, until iter returns false. The order
// is unspecified.
func (ix *Index) ComponentsIn(b orb.Bound, class string, iter func(*data.Component) bool) {
	ix.ComponentPositionsIn(b, class, func(i int) bool { return iter(ix.comps[i]) })
}

// ComponentPositionsIn is ComponentsIn naming each component by its position in
// Dataset().Components, so a caller can page through the answer in the dataset's order.
func (ix *Index) ComponentPositionsIn(b orb.Bound, class string, iter func(pos int) bool) {
	if g := ix.classGrid[class]; g != nil {
		g.searchBox(b, func(i int32) bool { return iter(int(i)) })
	}
}

// GridsIn calls iter for every grid whose bounding box intersects b, until iter returns false.
// The order is unspecified.
func (ix *Index) GridsIn(b orb.Bound, iter func(*data.Grid) bool) {
	ix.GridPositionsIn(b, func(i int) bool { return iter(ix.grids[i]) })
}

// Grids returns every grid in code order, the order GridPositionsIn counts in. The slice is the
// index's own: read it, never change it.
func (ix *Index) Grids() []*data.Grid { return ix.grids }

// GridPositionsIn is GridsIn naming each grid by its position in Grids().
func (ix *Index) GridPositionsIn(b orb.Bound, iter func(pos int) bool) {
	ix.gridTree.Search(b.Min, b.Max, func(_, _ [2]float64, i int32) bool { return iter(int(i)) })
}

// Areas returns every area (all levels) in code order. The slice is the index's own: read it,
// never change it.
func (ix *Index) Areas() []*data.Area { return ix.areas }
