package importer

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"citygeo/data"
	"citygeo/geo"
	"citygeo/schema"

	"github.com/paulmach/orb"
	orbgeo "github.com/paulmach/orb/geo"
	"github.com/paulmach/orb/planar"
	"github.com/tidwall/rtree"
)

// ValidateOptions tune Validate. The zero value uses the defaults.
type ValidateOptions struct {
	ToleranceM   float64 // how far a vertex may stray across a boundary; 0 means 0.5 m
	GapM2        float64 // uncovered community area reported as a gap; 0 means 1 m²
	GridLegacy14 bool    // accept 14-digit grid codes
	// Kinds limits the per-feature checks to the layers being imported; nil checks all. Cross-
	// layer checks (a component in its grid) always run.
	Kinds map[schema.Kind]bool
	// counted, when set (Report.counted), says which findings are only counted, so that the
	// validator does not build them.
	counted func(check string, sev Severity) bool
}

func (o ValidateOptions) tol() float64 {
	if o.ToleranceM > 0 {
		return o.ToleranceM
	}
	return 0.5
}

func (o ValidateOptions) gap() float64 {
	if o.GapM2 > 0 {
		return o.GapM2
	}
	return 1
}

type validator struct {
	ds    *data.Dataset
	opts  ValidateOptions
	add   func(Finding)
	areas map[string]*data.Area
	grids map[string]*data.Grid
	level map[data.AreaLevel]bool
	// hasGrids: the version has a grid layer, so a component must name one of its grids.
	// Validate sets it from the dataset; ValidateChanges, which sees only some grids, from the
	// version.
	hasGrids bool
}

// Validate checks a whole dataset (the imported layers merged with the kept ones) and calls add
// for each finding: codes and their admin prefixes, classes against the catalog, geometry
// validity and type, components inside the grid they name, grids inside their community, gaps
// and overlaps between grids, duplicate ids and department references.
func Validate(ds *data.Dataset, opts ValidateOptions, add func(Finding)) {
	validate(ds, opts, add, len(ds.Grids) > 0)
}

func validate(ds *data.Dataset, opts ValidateOptions, add func(Finding), hasGrids bool) {
	v := &validator{ds: ds, opts: opts, add: add, areas: map[string]*data.Area{}, grids: map[string]*data.Grid{}, level: map[data.AreaLevel]bool{}, hasGrids: hasGrids}
	v.checkAreas()
	v.checkGrids()
	v.checkComponents()
	v.checkOthers()
}

func (v *validator) on(k schema.Kind) bool { return v.opts.Kinds == nil || v.opts.Kinds[k] }

// f reports a finding on feature i of kind k, located at that feature's geometry.
func (v *validator) f(check string, sev Severity, k schema.Kind, i int, id, field, value, reason string) {
	v.fAt(v.geometry(k, i), check, sev, k, i, id, field, value, reason)
}

// fAt reports a finding located at g (an offending coordinate).
func (v *validator) fAt(g orb.Geometry, check string, sev Severity, k schema.Kind, i int, id, field, value, reason string) {
	if v.opts.counted != nil && v.opts.counted(check, sev) {
		return
	}
	v.add(Finding{Check: check, Severity: sev, Layer: k, Index: i, SourceID: id, Field: field, Value: value, Reason: reason, Location: at(g)})
}

// geometry returns the geometry of feature i of kind k in the dataset (areas are counted per
// level, as the checks count them); nil when it has none.
func (v *validator) geometry(k schema.Kind, i int) orb.Geometry {
	nth := func(n int, get func(int) orb.Geometry) orb.Geometry {
		if i < 0 || i >= n {
			return nil
		}
		return get(i)
	}
	switch k {
	case schema.District, schema.Street, schema.Community:
		n := 0
		for _, a := range v.ds.Areas {
			if schema.AreaKind(a.Level) != k {
				continue
			}
			if n == i {
				if len(a.Polygon) == 0 {
					return nil
				}
				return a.Polygon
			}
			n++
		}
	case schema.Grid:
		return nth(len(v.ds.Grids), func(i int) orb.Geometry { return polygonOrNil(v.ds.Grids[i].Polygon) })
	case schema.Component:
		return nth(len(v.ds.Components), func(i int) orb.Geometry { return v.ds.Components[i].Geometry })
	case schema.Road:
		return nth(len(v.ds.Roads), func(i int) orb.Geometry { return lineOrNil(v.ds.Roads[i].Line) })
	case schema.Address:
		return nth(len(v.ds.Addresses), func(i int) orb.Geometry { return v.ds.Addresses[i].Point })
	case schema.POI:
		return nth(len(v.ds.POIs), func(i int) orb.Geometry { return v.ds.POIs[i].Point })
	}
	return nil
}

func polygonOrNil(p orb.Polygon) orb.Geometry {
	if len(p) == 0 {
		return nil
	}
	return p
}

func lineOrNil(l orb.LineString) orb.Geometry {
	if len(l) == 0 {
		return nil
	}
	return l
}

func (v *validator) ringChecks(k schema.Kind, i int, id string, mp orb.MultiPolygon) bool {
	ok := true
	for pi, p := range mp {
		for ri, r := range p {
			if msg := ringProblem(r); msg != "" {
				v.f("geometry.invalid", SeverityError, k, i, id, "geometry", fmt.Sprintf("polygon %d ring %d", pi, ri), msg)
				ok = false
			}
		}
	}
	return ok
}

func (v *validator) checkAreas() {
	idx := map[data.AreaLevel]int{}
	for _, a := range v.ds.Areas {
		v.level[a.Level] = true
		if _, dup := v.areas[a.Code]; !dup {
			v.areas[a.Code] = a
		}
	}
	seen := map[string]bool{}
	for _, a := range v.ds.Areas {
		k := schema.AreaKind(a.Level)
		i := idx[a.Level]
		idx[a.Level]++
		if !v.on(k) {
			continue
		}
		lvl, err := data.ParseAreaCode(a.Code)
		switch {
		case err != nil:
			v.f("area.code", SeverityError, k, i, a.Code, "code", a.Code, err.Error())
		case lvl != a.Level:
			v.f("area.level", SeverityError, k, i, a.Code, "code", a.Code, fmt.Sprintf("a %d-digit code is a %s, but the layer holds %ss", len(a.Code), lvl, a.Level))
		}
		if seen[a.Code] {
			v.f("area.duplicate", SeverityError, k, i, a.Code, "code", a.Code, "code appears more than once")
		}
		seen[a.Code] = true
		if a.Level > data.District {
			want := data.Parent(a.Code)
			switch {
			case a.Parent != want && err == nil:
				v.f("area.parent", SeverityError, k, i, a.Code, "parent", a.Parent, fmt.Sprintf("parent must be the code's first %d digits, %s", len(want), want))
			case v.level[a.Level-1] && v.areas[a.Parent] == nil:
				v.f("area.parent_missing", SeverityWarning, k, i, a.Code, "parent", a.Parent, "no such "+(a.Level-1).String()+" in the dataset")
			}
		}
		if strings.TrimSpace(a.Name) == "" {
			v.f("area.name", SeverityWarning, k, i, a.Code, "name", "", "name is empty")
		}
		v.ringChecks(k, i, a.Code, a.Polygon)
	}
}

func (v *validator) checkGrids() {
	tol := v.opts.tol()
	var tr rtree.RTreeG[int]
	byComm := map[string][]int{}
	for i, g := range v.ds.Grids {
		if _, dup := v.grids[g.Code]; !dup {
			v.grids[g.Code] = g
		}
		if len(g.Polygon) > 0 {
			b := g.Polygon.Bound()
			tr.Insert(b.Min, b.Max, i)
		}
		byComm[g.Community] = append(byComm[g.Community], i)
	}
	if !v.on(schema.Grid) && !v.on(schema.Community) {
		return
	}
	seen := map[string]bool{}
	valid := make([]bool, len(v.ds.Grids))
	prepared := map[*data.Area]*geo.Prepared{}
	for i, g := range v.ds.Grids {
		comm, err := data.ParseGridCode(g.Code, data.GridCodeOptions{AllowLegacy14: v.opts.GridLegacy14})
		if err != nil {
			v.f("grid.code", SeverityError, schema.Grid, i, g.Code, "code", g.Code, err.Error())
		} else if g.Community != comm {
			v.f("grid.community_prefix", SeverityError, schema.Grid, i, g.Code, "community", g.Community, fmt.Sprintf("a grid's first 12 digits (%s) must equal its community", comm))
		}
		if seen[g.Code] {
			v.f("grid.duplicate", SeverityError, schema.Grid, i, g.Code, "code", g.Code, "code appears more than once")
		}
		seen[g.Code] = true
		if len(g.Polygon) == 0 {
			continue
		}
		valid[i] = v.ringChecks(schema.Grid, i, g.Code, orb.MultiPolygon{g.Polygon})
		if !valid[i] {
			continue
		}
		if real := math.Abs(orbgeo.Area(g.Polygon)); g.AreaM2 > 0 && math.Abs(real-g.AreaM2) > math.Max(1, 0.05*real) {
			v.f("grid.area", SeverityWarning, schema.Grid, i, g.Code, "area_m2", fmt.Sprint(g.AreaM2), fmt.Sprintf("the polygon measures %.0f m²", real))
		}
		c := v.areas[g.Community]
		switch {
		case c == nil && v.level[data.Community]:
			v.f("grid.community_missing", SeverityError, schema.Grid, i, g.Code, "community", g.Community, "no such community in the dataset")
		case c != nil && len(c.Polygon) > 0:
			// A community's boundary has hundreds of vertices and each of its grids' vertices is
			// tested against it: prepared once, a test reads a few edges instead of all.
			pc := prepared[c]
			if pc == nil {
				pc = geo.Prepare(c.Polygon)
				prepared[c] = pc
			}
			for _, p := range g.Polygon[0] {
				if !pc.Contains(p) && geo.DistanceToBoundary(c.Polygon, p) > tol {
					v.fAt(p, "grid.outside_community", SeverityError, schema.Grid, i, g.Code, "geometry", fmt.Sprint(p),
						fmt.Sprintf("vertex lies %.1f m outside community %s", geo.DistanceToBoundary(c.Polygon, p), c.Code))
					break
				}
			}
		}
	}
	// Overlaps: a vertex or the label point of one grid well inside another. Such a point lies in
	// its grid's box and in the other's box shrunk by tol (the box is outside the polygon), so two
	// boxes that only touch, as a lattice's neighbours do, are not tested.
	in := tol / (geo.EarthRadius * math.Pi / 180) / 2 // degrees; half: a metre is more degrees of longitude
	ov := newOverlaps(v.ds.Grids, tol)
	for i, g := range v.ds.Grids {
		if !valid[i] {
			continue
		}
		b := g.Polygon.Bound()
		tr.Search(b.Min, b.Max, func(_, _ [2]float64, j int) bool {
			if j <= i || !valid[j] {
				return true
			}
			h := v.ds.Grids[j]
			hb := h.Polygon.Bound()
			if b.Intersects(hb.Pad(-in)) && ov.insideBy(i, j) || hb.Intersects(b.Pad(-in)) && ov.insideBy(j, i) {
				v.f("grid.overlap", SeverityError, schema.Grid, i, g.Code, "geometry", h.Code, "overlaps grid "+h.Code)
			}
			return true
		})
	}
	// Gaps: community area not covered by its grids.
	for ci, a := range v.ds.Areas {
		idx := byComm[a.Code]
		if a.Level != data.Community || len(idx) == 0 || len(a.Polygon) == 0 {
			continue
		}
		sum := 0.0
		for _, i := range idx {
			sum += math.Abs(orbgeo.Area(v.ds.Grids[i].Polygon))
		}
		total := math.Abs(orbgeo.Area(a.Polygon))
		if gap := total - sum; gap > math.Max(v.opts.gap(), total*1e-6) {
			v.f("grid.gap", SeverityWarning, schema.Community, ci, a.Code, "geometry", fmt.Sprintf("%.0f m²", gap),
				fmt.Sprintf("grids cover %.0f of %.0f m²: a gap of %.0f m²", sum, total, gap))
		}
	}
}

// overlaps tests grids against each other for the overlap check, each grid's box and label
// point worked out once, on first use: a grid meets its ~8 neighbours, and each test measured
// the label point again and, in planar.PolygonContains, the ring's box. A vertex outside the
// other grid's box needs no ring test at all.
type overlaps struct {
	grids  []*data.Grid
	tol    float64
	boxes  []orb.Bound
	labels []orb.Point
	known  []bool // boxes[i] and labels[i] are worked out
}

func newOverlaps(grids []*data.Grid, tol float64) *overlaps {
	return &overlaps{grids: grids, tol: tol, boxes: make([]orb.Bound, len(grids)),
		labels: make([]orb.Point, len(grids)), known: make([]bool, len(grids))}
}

// insideBy reports whether some vertex (or the label point) of grid i lies inside grid j farther
// than tol metres from j's boundary.
func (o *overlaps) insideBy(i, j int) bool {
	o.learn(i)
	o.learn(j)
	a, b, box := o.grids[i].Polygon, o.grids[j].Polygon, o.boxes[j]
	test := func(p orb.Point) bool {
		return box.Contains(p) && planar.PolygonContains(b, p) && geo.DistanceToBoundary(b, p) > o.tol
	}
	for _, p := range a[0] {
		if test(p) {
			return true
		}
	}
	return test(o.labels[i])
}

// learn works out grid i's box and label point once.
func (o *overlaps) learn(i int) {
	if !o.known[i] {
		g := o.grids[i].Polygon
		o.boxes[i], o.labels[i], o.known[i] = g.Bound(), labelPoint(orb.MultiPolygon{g}), true
	}
}

// pointClass reports whether a class must be mapped as a point: covers, gratings, lamps,
// poles, kiosks, boxes and boards.
func pointClass(name string) bool {
	for _, w := range []string{"井盖", "箅子", "灯", "立杆", "亭", "邮筒", "箱", "售货机", "电子眼", "消火栓", "路名牌"} {
		if strings.Contains(name, w) && !strings.Contains(name, "线") {
			return true
		}
	}
	return false
}

func (v *validator) checkComponents() {
	tol := v.opts.tol()
	depts := map[string]bool{}
	for _, d := range v.ds.Departments {
		depts[d.Code] = true
	}
	check := v.on(schema.Component)
	var ids idSet
	if check {
		ids = newIDSet(len(v.ds.Components))
	}
	var web webShift
	placed := 0 // components checked against the grid they name
	// Each grid prepared once for the test of its ~20 components: planar.PolygonContains
	// worked out the ring's box again on every call. Keyed by the code the components name, so
	// that one lookup finds both the grid and its shape.
	type named struct {
		g     *data.Grid // nil: no grid has the code
		shape *geo.Prepared
	}
	grids := make(map[string]named, len(v.grids))
	for i, c := range v.ds.Components {
		if !check && !v.hasGrids {
			break
		}
		if check {
			code, err := data.ParseComponentID(c.ID)
			var ce *data.CodeError
			switch {
			case errors.As(err, &ce) && (ce.Group == "major" || ce.Group == "minor"):
				v.f("component.class", SeverityError, schema.Component, i, c.ID, "id", c.ID, err.Error())
			case err != nil:
				v.f("component.id", SeverityError, schema.Component, i, c.ID, "id", c.ID, err.Error())
			case v.level[data.District] && v.areas[code.District] == nil:
				v.f("component.admin", SeverityError, schema.Component, i, c.ID, "id", code.District, "admin code (digits 1-6) is not a district of the dataset")
			default:
				if cl, ok := data.CatalogFor(code.Scheme).Class(code.Class()); ok && pointClass(cl.Name) && c.Geometry != nil {
					if _, pt := c.Geometry.(orb.Point); !pt {
						v.f("component.geometry_type", SeverityError, schema.Component, i, c.ID, "geometry", c.Geometry.GeoJSONType(), cl.Name+" is mapped as a point")
					}
				}
			}
			if ids.add(c.ID) {
				v.f("component.duplicate", SeverityError, schema.Component, i, c.ID, "id", c.ID, "id appears more than once")
			}
			if c.Status == 0 {
				v.f("component.status_empty", SeverityWarning, schema.Component, i, c.ID, "status", "", "status is empty (完好/破损/丢失/…)")
			}
			if !c.ChangeDate.IsZero() && !c.InitDate.IsZero() && c.ChangeDate.Before(c.InitDate) {
				v.f("component.dates", SeverityWarning, schema.Component, i, c.ID, "change_date", c.ChangeDate.Format("2006-01-02"), "changed before its initial date "+c.InitDate.Format("2006-01-02"))
			}
			if code := c.Owner.Code(); len(depts) > 0 && code != "" && !depts[code] {
				v.f("component.dept", SeverityWarning, schema.Component, i, c.ID, "owner_code", code, "no such department")
			}
			if p, ok := c.Geometry.(orb.Polygon); ok {
				v.ringChecks(schema.Component, i, c.ID, orb.MultiPolygon{p})
			}
		}
		if !v.hasGrids || c.Geometry == nil {
			continue
		}
		if c.Grid == "" {
			if check {
				v.f("component.grid_empty", SeverityWarning, schema.Component, i, c.ID, "grid", "", "no unit grid named")
			}
			continue
		}
		gs, ok := grids[c.Grid]
		if !ok {
			gs.g = v.grids[c.Grid]
			if gs.g != nil {
				gs.shape = geo.Prepare(gs.g.Polygon)
			}
			grids[c.Grid] = gs
		}
		g := gs.g
		if g == nil {
			v.f("component.grid_missing", SeverityError, schema.Component, i, c.ID, "grid", c.Grid, "no such grid in the dataset")
			continue
		}
		p := c.Geometry.Bound().Center()
		if pt, ok := c.Geometry.(orb.Point); ok {
			p = pt
		}
		placed++
		if len(g.Polygon) > 0 && !gs.shape.Contains(p) {
			if d := geo.DistanceToBoundary(g.Polygon, p); d > tol {
				v.fAt(p, "component.outside_grid", SeverityError, schema.Component, i, c.ID, "grid", c.Grid, fmt.Sprintf("lies %.1f m outside the grid it names", d))
				web.outside(g.Polygon, p)
			}
		}
	}
	if check {
		for _, i := range ids.repeats() {
			c := v.ds.Components[i]
			v.f("component.duplicate", SeverityError, schema.Component, i, c.ID, "id", c.ID, "id appears more than once")
		}
		web.report(v, placed)
	}
}

func (v *validator) checkOthers() {
	if v.on(schema.Department) {
		seen := map[string]bool{}
		for i, d := range v.ds.Departments {
			if d.Code == "" {
				v.f("department.code", SeverityError, schema.Department, i, d.Name, "code", "", "department code is empty")
			}
			if seen[d.Code] {
				v.f("department.duplicate", SeverityError, schema.Department, i, d.Code, "code", d.Code, "code appears more than once")
			}
			seen[d.Code] = true
		}
	}
	if v.on(schema.Address) && v.level[data.Community] {
		for i, a := range v.ds.Addresses {
			if a.Community != "" && v.areas[a.Community] == nil {
				v.f("address.community", SeverityWarning, schema.Address, i, a.Full, "community", a.Community, "no such community in the dataset")
			}
		}
	}
	if v.on(schema.Road) {
		for i, r := range v.ds.Roads {
			if len(r.Line) < 2 {
				v.f("road.geometry", SeverityError, schema.Road, i, r.Name, "geometry", "", "a road needs at least 2 points")
			}
		}
	}
	// An upsert, a diff and an edit find a record by its id: two with one id would be one.
	checkIDs(v, schema.Address, v.ds.Addresses, func(a *data.Address) (uint64, string) { return a.ID, a.Full })
	checkIDs(v, schema.Road, v.ds.Roads, func(r *data.Road) (uint64, string) { return r.ID, r.Name })
	checkIDs(v, schema.POI, v.ds.POIs, func(p *data.POI) (uint64, string) { return p.ID, p.Name })
	checkIDs(v, schema.Building, v.ds.Buildings, func(b *data.Building) (uint64, string) { return b.ID, b.Name })
}

// checkIDs reports every record of layer k whose id repeats an earlier one's ("<k>.duplicate").
func checkIDs[T any](v *validator, k schema.Kind, recs []T, idOf func(T) (uint64, string)) {
	if !v.on(k) {
		return
	}
	seen := make(map[uint64]struct{}, len(recs))
	for i, r := range recs {
		id, name := idOf(r)
		n := len(seen)
		if seen[id] = struct{}{}; len(seen) == n {
			ids := strconv.FormatUint(id, 10)
			v.f(string(k)+".duplicate", SeverityError, k, i, name, "id", ids, "id appears more than once")
		}
	}
}

// idSet finds the repeated ids of a layer of millions. A map of 2M strings cost a second of a
// 2M-component import, each insert missing the caches; the ids of the standard's form (16 or 17
// digits) are numbers, so they are kept in order as numbers and sorted once (a tenth of that),
// and only other ids go into a map.
type idSet struct {
	keys  []uint64 // each added id's number, noID for one kept in other
	other map[string]struct{}
}

// noID marks an id that is not a number of 16 or 17 digits; no such number (idKey) is it.
const noID = ^uint64(0)

func newIDSet(n int) idSet {
	return idSet{keys: make([]uint64, 0, n), other: map[string]struct{}{}}
}

// add adds id, the next of the layer, and reports whether it repeats an id that is not of the
// standard's form at once; repeats of the others are found by repeats.
func (s *idSet) add(id string) bool {
	if k, ok := idKey(id); ok {
		s.keys = append(s.keys, k)
		return false
	}
	s.keys = append(s.keys, noID)
	n := len(s.other)
	s.other[id] = struct{}{} // one map operation, not a lookup and then an insert
	return len(s.other) == n
}

// repeats returns, in order, the positions of the ids of the standard's form that repeat an
// earlier one.
func (s *idSet) repeats() []int {
	sorted := slices.Clone(s.keys)
	slices.Sort(sorted)
	var twice map[uint64]bool // the ids met more than once: false until the first is passed
	for j := 1; j < len(sorted); j++ {
		if k := sorted[j]; k == sorted[j-1] && k != noID {
			if twice == nil {
				twice = map[uint64]bool{}
			}
			twice[k] = false
		}
	}
	var at []int
	for i, k := range s.keys {
		if passed, ok := twice[k]; ok {
			if passed {
				at = append(at, i)
			}
			twice[k] = true
		}
	}
	return at
}

// idKey returns an id of 16 or 17 digits as one number, its digits with its length in the top
// bit (0123… and 123… differ); false for any other id.
func idKey(id string) (uint64, bool) {
	if len(id) != 16 && len(id) != 17 {
		return 0, false
	}
	var k uint64
	for i := 0; i < len(id); i++ {
		d := id[i] - '0'
		if d > 9 {
			return 0, false
		}
		k = k*10 + uint64(d)
	}
	if len(id) == 17 {
		k |= 1 << 63
	}
	return k, true
}
