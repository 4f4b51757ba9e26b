package city

import (
	"math"
	"slices"
	"strconv"
	"sync"

	"citygeo/data"
	"citygeo/dispatch"
	"citygeo/geo"
	"citygeo/tiles"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
)

// overlay is the edits served over a snapshot's immutable base: the changes recorded against
// its version and not yet folded into a new one. An overlay never changes; an edit stores a new
// one (copy on write) in Snapshot.edits. Components are served from it directly (by id, by
// place, in tiles, in the OGC API), grids likewise (by code and by place, in locate and
// dispatch's place, in tiles, in the OGC API), so neither needs a fold before FoldAfter; roads in
// tiles and the OGC API; every change, and those of the other layers (addresses, POIs) only so,
// is served everywhere (duty lists, geocode included) once the fold has rebuilt the indexes in
// the background.
type overlay struct {
	seq     int64                      // the last change held
	changes []data.Change              // every change held, in order: the fold applies them
	comps   map[string]*data.Component // by id: the component as edited, nil when deleted
	grids   map[string]*data.Grid      // by code: the grid as edited, nil when deleted
	roads   map[string]*data.Road      // by id: the road as edited, nil when deleted
	others  int                        // changes of the layers only a fold serves (addresses, POIs, roads)
}

// with returns the overlay with cs added, in order. The changes slice is appended to in place:
// only the newest overlay ever appends, and older ones never read past their own length. The
// map of components is copied once per call, so a group commit pays one copy for its group;
// those of grids and roads only when cs changes them.
func (o *overlay) with(cs ...data.Change) *overlay {
	n := &overlay{seq: o.seq, comps: make(map[string]*data.Component, len(o.comps)+len(cs)), grids: o.grids, roads: o.roads, others: o.others}
	n.changes = append(o.changes, cs...)
	for k, v := range o.comps {
		n.comps[k] = v
	}
	var gridsCopied, roadsCopied bool // n's map is o's until the first change of its layer
	for _, c := range cs {
		n.seq = c.Seq
		after := c.After
		if after == nil { // a delete
			after = &data.Dataset{}
		}
		switch c.Layer {
		case data.LayerComponent:
			n.comps[c.ID] = edited(c, after.Components)
		case data.LayerGrid:
			n.grids = withEdit(n.grids, &gridsCopied, c.ID, edited(c, after.Grids))
		case data.LayerRoad:
			n.roads = withEdit(n.roads, &roadsCopied, c.ID, edited(c, after.Roads))
			n.others++ // served from the overlay in tiles and the OGC API only: geocode and duty need the fold
		default:
			n.others++
		}
	}
	return n
}

// edited is the feature change c leaves, of the layer of after (c.After's slice of it): nil
// when c deletes it.
func edited[T any](c data.Change, after []*T) *T {
	if c.Op == data.OpDelete || len(after) != 1 {
		return nil
	}
	return after[0]
}

// withEdit sets m[id] to v, copying m first unless *copied says this overlay owns it already.
func withEdit[T any](m map[string]*T, copied *bool, id string, v *T) map[string]*T {
	if !*copied {
		c := make(map[string]*T, len(m)+1)
		for k, x := range m {
			c[k] = x
		}
		m, *copied = c, true
	}
	m[id] = v
	return m
}

// tileRevs records, per city tile, the last edit that touched it. It is shared by every overlay
// of one snapshot and only grows: a tile build whose overlay is older than the tile's last
// edit must not cache what it built (see tiles.OverlayView.Rev).
type tileRevs struct {
	mu sync.RWMutex
	m  map[maptile.Tile]int64
}

// touch records seq as the last edit of the tiles that edited(g) lists for each of gs.
func (r *tileRevs) touch(seq int64, edited func(orb.Geometry) []maptile.Tile, gs ...orb.Geometry) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.m == nil {
		r.m = map[maptile.Tile]int64{}
	}
	for _, g := range gs {
		for _, t := range edited(g) {
			r.m[t] = seq
		}
	}
}

func (r *tileRevs) rev(t maptile.Tile) int64 {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.m[t]
}

// tileOverlay is a snapshot's edits as the tiles package sees them.
type tileOverlay struct{ s *Snapshot }

func (t tileOverlay) View() tiles.OverlayView {
	o := t.s.edits.Load()
	if o == nil || len(o.comps) == 0 && len(o.grids) == 0 && len(o.roads) == 0 {
		return nil
	}
	return tileView{o: o, revs: &t.s.revs, base: t.s.Geo}
}

type tileView struct {
	o    *overlay
	revs *tileRevs
	base *geo.Index
}

func (v tileView) Rev(t maptile.Tile) (int64, bool) {
	r := v.revs.rev(t)
	return r, r <= v.o.seq
}

func (v tileView) Replaced(id string) bool {
	_, ok := v.o.comps[id]
	return ok
}

func (v tileView) Components(fn func(*data.Component)) {
	for _, c := range v.o.comps {
		if c != nil {
			fn(c)
		}
	}
}

func (v tileView) Originals(fn func(*data.Component)) {
	for id := range v.o.comps {
		if c := v.base.Component(id); c != nil {
			fn(c)
		}
	}
}

func (v tileView) GridReplaced(code string) bool {
	_, ok := v.o.grids[code]
	return ok
}

func (v tileView) Grids(fn func(*data.Grid)) {
	for _, g := range v.o.grids {
		if g != nil {
			fn(g)
		}
	}
}

func (v tileView) RoadReplaced(id uint64) bool {
	if len(v.o.roads) == 0 { // the common case: no string made per road drawn
		return false
	}
	_, ok := v.o.roads[strconv.FormatUint(id, 10)]
	return ok
}

func (v tileView) Roads(fn func(*data.Road)) {
	for _, r := range v.o.roads {
		if r != nil {
			fn(r)
		}
	}
}

var _ tiles.Overlay = tileOverlay{}

// Edits returns how many changes the snapshot serves over its base version and the last one's
// sequence number (0, 0 when none).
func (s *Snapshot) Edits() (n int, seq int64) {
	if o := s.edits.Load(); o != nil {
		return len(o.changes), o.seq
	}
	return 0, 0
}

// EditedComponents returns the components the snapshot serves edited over its base, by id: the
// component as edited, nil when deleted; nil when there is none. The map belongs to the
// snapshot's current overlay, which never changes (an edit makes a new one): read it, never
// change it.
func (s *Snapshot) EditedComponents() map[string]*data.Component {
	if o := s.edits.Load(); o != nil && len(o.comps) > 0 {
		return o.comps
	}
	return nil
}

// EditedGrids is EditedComponents for grids, by code: the grid as edited, nil when deleted.
func (s *Snapshot) EditedGrids() map[string]*data.Grid {
	if o := s.edits.Load(); o != nil && len(o.grids) > 0 {
		return o.grids
	}
	return nil
}

// EditedRoads is EditedComponents for roads, by id: the road as edited, nil when deleted.
func (s *Snapshot) EditedRoads() map[string]*data.Road {
	if o := s.edits.Load(); o != nil && len(o.roads) > 0 {
		return o.roads
	}
	return nil
}

// Grid returns the grid with code as served now (its edits applied), or nil.
func (s *Snapshot) Grid(code string) *data.Grid {
	if o := s.edits.Load(); o != nil {
		if g, ok := o.grids[code]; ok {
			return g
		}
	}
	return s.Geo.Grid(code)
}

// GridsIn is geo.Index.GridsIn over the grids as served now: the base's whose box meets b, less
// those edited, then the edited ones whose box meets b, by code.
func (s *Snapshot) GridsIn(b orb.Bound, iter func(*data.Grid) bool) {
	o := s.edits.Load()
	if o == nil || len(o.grids) == 0 {
		s.Geo.GridsIn(b, iter)
		return
	}
	more := true
	s.Geo.GridsIn(b, func(g *data.Grid) bool {
		if _, edited := o.grids[g.Code]; edited {
			return true
		}
		more = iter(g)
		return more
	})
	if !more {
		return
	}
	codes := make([]string, 0, len(o.grids))
	for code, g := range o.grids {
		if g != nil && len(g.Polygon) > 0 && g.Polygon.Bound().Intersects(b) {
			codes = append(codes, code)
		}
	}
	slices.Sort(codes)
	for _, code := range codes {
		if !iter(o.grids[code]) {
			return
		}
	}
}

// Component returns the component with id as served now (its edits applied), or nil.
func (s *Snapshot) Component(id string) *data.Component {
	if o := s.edits.Load(); o != nil {
		if c, ok := o.comps[id]; ok {
			return c
		}
	}
	return s.Geo.Component(id)
}

// ComponentsIn calls iter with every component of class ("" any) whose bounding box meets b, as
// served now, until iter returns false: the base's, less those edited, then the edited ones.
func (s *Snapshot) ComponentsIn(b orb.Bound, class string, iter func(*data.Component) bool) {
	o := s.edits.Load()
	if o == nil || len(o.comps) == 0 {
		s.Geo.ComponentsIn(b, class, iter)
		return
	}
	more := true
	s.Geo.ComponentsIn(b, class, func(c *data.Component) bool {
		if _, edited := o.comps[c.ID]; edited {
			return true
		}
		more = iter(c)
		return more
	})
	if !more {
		return
	}
	for _, c := range sortedComps(o) {
		if c.Geometry != nil && ofClass(c, class) && c.Geometry.Bound().Intersects(b) && !iter(c) {
			return
		}
	}
}

// sortedComps returns the overlay's live components by id, for answers in a stable order.
func sortedComps(o *overlay) []*data.Component {
	out := make([]*data.Component, 0, len(o.comps))
	for _, c := range o.comps {
		if c != nil {
			out = append(out, c)
		}
	}
	slices.SortFunc(out, func(a, b *data.Component) int {
		switch {
		case a.ID < b.ID:
			return -1
		case a.ID > b.ID:
			return 1
		}
		return 0
	})
	return out
}

// ofClass is geo's class filter: "" any, a 2-digit major with all its minors, or one class.
func ofClass(c *data.Component, class string) bool {
	switch {
	case class == "":
		return true
	case len(class) == 2:
		return c.Major == class
	}
	return c.Class() == class
}

// Nearest is geo.Index.Nearest over the components as served now. The base is asked for more
// neighbours while edited ones crowd its answer, then the edited components are measured one
// by one (an overlay holds at most FoldAfter of them) and merged in distance order.
func (s *Snapshot) Nearest(p orb.Point, q geo.NearestQuery, buf []geo.Neighbor) []geo.Neighbor {
	o := s.edits.Load()
	if o == nil || len(o.comps) == 0 {
		return s.Geo.Nearest(p, q, buf)
	}
	k := max(q.K, 1)
	res := buf[:0]
	for ask := k; ; ask *= 2 {
		bq := q
		bq.K = ask
		res = s.Geo.Nearest(p, bq, res[:0])
		n := len(res)
		res = slices.DeleteFunc(res, func(nb geo.Neighbor) bool {
			_, edited := o.comps[nb.Component.ID]
			return edited
		})
		if len(res) >= k || n < ask {
			break
		}
	}
	for _, c := range o.comps {
		if c == nil || c.Geometry == nil || !ofClass(c, q.Class) {
			continue
		}
		d, at := geo.DistanceTo(c.Geometry, p)
		if q.Radius > 0 && d > q.Radius || math.IsNaN(d) {
			continue
		}
		res = append(res, geo.Neighbor{Component: c, Distance: d, Bearing: geo.Bearing(p, at)})
	}
	slices.SortStableFunc(res, func(a, b geo.Neighbor) int {
		switch {
		case a.Distance < b.Distance:
			return -1
		case a.Distance > b.Distance:
			return 1
		case a.Component.ID < b.Component.ID:
			return -1
		case a.Component.ID > b.Component.ID:
			return 1
		}
		return 0
	})
	if len(res) > k {
		res = res[:k]
	}
	return res
}

// Locator returns the snapshot as dispatch's Locator: places and components as served now
// (edits included), so a report binds to a grid or component added a moment ago and not to
// one deleted.
func (s *Snapshot) Locator() dispatch.Locator {
	return snapshotLocator{dispatch.GeoLocator{Index: s.Geo}, s}
}

type snapshotLocator struct {
	dispatch.GeoLocator
	s *Snapshot
}

func (l snapshotLocator) Locate(p orb.Point) dispatch.Place {
	loc := l.s.place(p)
	return dispatch.Place{Grid: loc.Grid, Community: loc.Community, Street: loc.Street, District: loc.District, Outside: loc.Outside}
}

// place is geo.Index.Locate over the grids as served now: a grid edited to hold p answers
// first (a city's grids do not overlap); a base grid that an edit changed or deleted answers
// only in its edited form, so a point it no longer holds has no grid (its areas stay) until
// the fold rebuilds the index.
func (s *Snapshot) place(p orb.Point) geo.Location {
	return s.overEdits(s.edits.Load(), p, s.Geo.Locate(p))
}

// overEdits is place's answer for p from the base index's answer loc and the overlay o.
func (s *Snapshot) overEdits(o *overlay, p orb.Point, loc geo.Location) geo.Location {
	if o == nil || len(o.grids) == 0 {
		return loc
	}
	at := orb.Bound{Min: p, Max: p}
	var found *data.Grid
	for _, g := range o.grids {
		if g != nil && len(g.Polygon) > 0 && g.Polygon.Bound().Contains(p) && geo.Intersects(g.Polygon, at) &&
			(found == nil || g.Code < found.Code) {
			found = g
		}
	}
	if found != nil {
		loc.Grid, loc.Snapped, loc.SnapDistance, loc.Outside = found, false, 0, false
		loc.Community, loc.Street, loc.District = s.Geo.Area(found.Community), nil, nil
		if c := found.Community; len(c) >= 9 {
			loc.Street, loc.District = s.Geo.Area(c[:9]), s.Geo.Area(c[:6])
		}
		return loc
	}
	if loc.Grid != nil {
		if _, edited := o.grids[loc.Grid.Code]; edited {
			loc.Grid, loc.Snapped, loc.SnapDistance = nil, false, 0
		}
	}
	return loc
}

func (l snapshotLocator) NearestOfClass(p orb.Point, class string, radius float64) (*data.Component, float64) {
	var buf [1]geo.Neighbor
	ns := l.s.Nearest(p, geo.NearestQuery{K: 1, Radius: radius, Class: class}, buf[:0])
	if len(ns) == 0 {
		return nil, 0
	}
	return ns[0].Component, ns[0].Distance
}

func (l snapshotLocator) Component(id string) *data.Component { return l.s.Component(id) }
