package city

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"strconv"

	"citygeo/data"
	"citygeo/diff"
	importer "citygeo/import"
	"citygeo/tiles"

	"github.com/paulmach/orb"
)

// Errors of City.Edit, each a distinct answer to the client.
var (
	ErrNoChanges        = errors.New("the dataset store keeps no changes")
	ErrNotFound         = errors.New("no such feature")
	ErrExists           = errors.New("a feature with that id exists")
	ErrPreconditionMiss = errors.New("an update or delete needs the ETag read last (If-Match)")
	ErrStale            = errors.New("the feature changed since it was read (ETag does not match)")
	ErrNotEditable      = errors.New("layer cannot be edited one feature at a time")
	ErrWrongID          = errors.New("the feature's id differs from the one edited")
)

// FoldAfter is how many edits a snapshot serves over its base before the City folds them into
// a new version in the background (City.Fold). It bounds the per-query cost of the overlay,
// which measures edited components one by one.
const FoldAfter = 1000

// Editable lists the layers City.Edit changes one feature at a time.
var Editable = []data.Layer{data.LayerComponent, data.LayerGrid, data.LayerAddress, data.LayerPOI, data.LayerRoad}

// Edit is one change asked for by a user: create, update or delete one feature.
type Edit struct {
	Layer data.Layer
	ID    string // the feature's id (a grid's code)
	Op    data.Op
	// After is the feature after a create or update, alone in its layer; nil for a delete.
	After *data.Dataset
	// IfMatch is the ETag of the feature as the editor read it (FeatureETag); required for an
	// update or delete, so that two editors never overwrite each other unseen.
	IfMatch string
	Who     string
	Why     string // free text
	Case    string // the event (case) id behind the edit
}

// Edited is what an accepted edit became: the recorded change and the feature's new ETag
// ("" after a delete).
type Edited struct {
	Change data.Change
	ETag   string
}

// FeatureETag is the entity tag of one feature's content (the feature alone in its layer of
// ds): a hash of its stored form, so equal content has an equal tag in every process.
func FeatureETag(ds *data.Dataset) string {
	if ds == nil {
		return ""
	}
	b, err := data.MarshalFeature(ds)
	if err != nil {
		return ""
	}
	h := fnv.New64a()
	h.Write(b)
	return `"` + strconv.FormatUint(h.Sum64(), 16) + `"`
}

// Feature returns the feature of layer l with id as served now (edits applied), alone in its
// layer of a Dataset, or nil.
func (s *Snapshot) Feature(l data.Layer, id string) *data.Dataset {
	o := s.edits.Load()
	if o != nil {
		for i := len(o.changes) - 1; i >= 0; i-- {
			if c := o.changes[i]; c.Layer == l && c.ID == id {
				return c.After
			}
		}
	}
	switch l {
	case data.LayerComponent:
		if c := s.Geo.Component(id); c != nil {
			return &data.Dataset{Components: []*data.Component{c}}
		}
	case data.LayerGrid:
		if g := s.Geo.Grid(id); g != nil {
			return &data.Dataset{Grids: []*data.Grid{g}}
		}
	case data.LayerAddress:
		return findByID(s.Dataset.Addresses, id, func(a *data.Address) uint64 { return a.ID }, func(a *data.Address) *data.Dataset { return &data.Dataset{Addresses: []*data.Address{a}} })
	case data.LayerPOI:
		return findByID(s.Dataset.POIs, id, func(p *data.POI) uint64 { return p.ID }, func(p *data.POI) *data.Dataset { return &data.Dataset{POIs: []*data.POI{p}} })
	case data.LayerRoad:
		return findByID(s.Dataset.Roads, id, func(r *data.Road) uint64 { return r.ID }, func(r *data.Road) *data.Dataset { return &data.Dataset{Roads: []*data.Road{r}} })
	}
	return nil
}

// findByID scans a layer keyed by a number: addresses, POIs and roads are looked up by id only
// when edited, so a scan (milliseconds on millions) costs less than an index kept for it. An id
// is its number as written (5, not 05 or +5): the change log, the overlay and exchange partners
// match ids as text, so another spelling would record a change to nothing.
func findByID[T any](xs []*T, id string, key func(*T) uint64, wrap func(*T) *data.Dataset) *data.Dataset {
	n, err := strconv.ParseUint(id, 10, 64)
	if err != nil || strconv.FormatUint(n, 10) != id {
		return nil
	}
	for _, x := range xs {
		if key(x) == n {
			return wrap(x)
		}
	}
	return nil
}

// Edit validates and records one edit and serves it at once: the change is durable in the store
// (data.ChangeStore.Record) before Edit returns, and the snapshot's overlay shows it to every
// read path from then on. A component edit is served from the overlay, a grid edit from it in
// locate and dispatch; an edit of another layer, and a grid's elsewhere, once the background
// fold has rebuilt the indexes (seconds on a large city). Errors:
// ErrNoStore, ErrNoChanges, ErrImportBusy, ErrNotEditable, ErrNotFound, ErrExists,
// ErrPreconditionMiss, ErrStale, ErrWrongID, *importer.ValidationError (the report names the
// field), data.ErrStaleBase (the store's active version is not the one served).
func (c *City) Edit(ctx context.Context, e Edit) (Edited, error) {
	if c.store == nil {
		return Edited{}, ErrNoStore
	}
	cs, ok := c.store.(data.ChangeStore)
	if !ok {
		return Edited{}, ErrNoChanges
	}
	if c.importing.Load() {
		return Edited{}, ErrImportBusy
	}
	return c.edit(cs, e, nil)
}

// edit prepares an edit under mu and waits for the group commit that records it (commit.go).
// derive, when set, makes the edit's feature from the feature as it is now (a case outcome:
// the component with its new status), or refuses.
func (c *City) edit(cs data.ChangeStore, e Edit, derive func(old *data.Dataset) (*data.Dataset, error)) (Edited, error) {
	c.mu.Lock()
	for c.quiescing {
		c.idle.Wait()
	}
	st, err := c.prepare(e, derive)
	if err != nil {
		c.mu.Unlock()
		return Edited{}, err
	}
	c.stageEdit(cs, st)
	c.mu.Unlock()
	if err := <-st.done; err != nil {
		return Edited{}, err
	}
	return Edited{Change: st.ch, ETag: FeatureETag(st.ch.After)}, nil
}

// prepare checks an edit against the feature as served with the edits staged before it, and
// returns it staged. Callers hold mu.
func (c *City) prepare(e Edit, derive func(old *data.Dataset) (*data.Dataset, error)) (*staged, error) {
	snap := c.Current()
	if snap == nil {
		return nil, data.ErrNoActive
	}
	if !editable(e.Layer) {
		return nil, fmt.Errorf("%s: %w", e.Layer, ErrNotEditable)
	}
	old := c.stagedFeature(snap, e.Layer, e.ID)
	if derive != nil {
		after, err := derive(old)
		if err != nil {
			return nil, err
		}
		e.After = after
	}
	switch e.Op {
	case data.OpCreate:
		if old != nil {
			return nil, fmt.Errorf("%s %s: %w", e.Layer, e.ID, ErrExists)
		}
	case data.OpUpdate, data.OpDelete:
		if old == nil {
			return nil, fmt.Errorf("%s %s: %w", e.Layer, e.ID, ErrNotFound)
		}
		if e.IfMatch == "" {
			return nil, ErrPreconditionMiss
		}
		if e.IfMatch != "*" && e.IfMatch != FeatureETag(old) {
			return nil, ErrStale
		}
	default:
		return nil, fmt.Errorf("edit: unknown op %q", e.Op)
	}
	// A grid's components: a grid deleted or reshaped under them would leave them naming no
	// grid, or lying outside the one they name, which an import of the version refuses.
	var users []*data.Component
	if e.Layer == data.LayerGrid && e.Op != data.OpCreate && len(old.Grids) == 1 {
		users = snap.gridUsers(old.Grids[0])
	}
	if e.Op == data.OpDelete {
		e.After = nil
		if len(users) > 0 {
			ids := make([]string, len(users))
			for i, u := range users {
				ids[i] = u.ID
			}
			return nil, &importer.ValidationError{Report: importer.ValidateGridDelete(e.ID, ids)}
		}
	} else {
		if id, ok := data.FeatureID(e.Layer, e.After); !ok || id != e.ID {
			return nil, fmt.Errorf("%s %s: %w (%q)", e.Layer, e.ID, ErrWrongID, id)
		}
		check := e.After
		if len(users) > 0 {
			check = &data.Dataset{Grids: e.After.Grids, Components: users}
		}
		if rep := importer.ValidateChanges(check, snap.Against(), importer.ValidateOptions{}); !rep.OK() {
			return nil, &importer.ValidationError{Report: rep}
		}
	}
	ch := data.Change{Layer: e.Layer, ID: e.ID, Op: e.Op, Who: e.Who, Why: e.Why, Case: e.Case,
		Fields: diff.Feature(e.Layer, old, e.After), After: e.After}
	return &staged{ch: ch, old: old, snap: snap, done: make(chan error, 1)}, nil
}

func editable(l data.Layer) bool {
	for _, x := range Editable {
		if x == l {
			return true
		}
	}
	return false
}

// Against is the snapshot's version as an edit is validated against it: grids by code and
// around a place, as served now (an edited grid as edited, a deleted one absent).
func (s *Snapshot) Against() importer.Against {
	a := importer.Against{Areas: s.Dataset.Areas, Departments: s.Dataset.Departments,
		GridsIn: func(b orb.Bound) []*data.Grid {
			var out []*data.Grid
			s.GridsIn(b, func(g *data.Grid) bool {
				out = append(out, g)
				return true
			})
			return out
		}}
	if len(s.Dataset.Grids) > 0 {
		a.Grid = func(code string) *data.Grid {
			if f := s.Feature(data.LayerGrid, code); f != nil && len(f.Grids) == 1 {
				return f.Grids[0]
			}
			return nil
		}
	}
	return a
}

// serve adds recorded changes to the snapshot's overlay; olds are the features before them.
// The tiles they touch get their sequence numbers before the overlay that holds them is
// published, so no tile build of an older overlay caches its tile under a new revision.
// Callers hold mu.
func (s *Snapshot) serve(chs []data.Change, olds []*data.Dataset) {
	for i, ch := range chs {
		var gs []orb.Geometry
		for _, d := range []*data.Dataset{olds[i], ch.After} {
			switch {
			case d == nil:
			case ch.Layer == data.LayerComponent && len(d.Components) == 1 && d.Components[0].Geometry != nil:
				gs = append(gs, d.Components[0].Geometry)
			case ch.Layer == data.LayerGrid && len(d.Grids) == 1 && len(d.Grids[0].Polygon) > 0:
				gs = append(gs, d.Grids[0].Polygon)
			case ch.Layer == data.LayerRoad && len(d.Roads) == 1 && len(d.Roads[0].Line) > 0:
				gs = append(gs, d.Roads[0].Line)
			}
		}
		switch ch.Layer {
		case data.LayerComponent:
			s.revs.touch(ch.Seq, tiles.EditedTiles, gs...)
		case data.LayerGrid:
			s.revs.touch(ch.Seq, tiles.EditedGridTiles, gs...)
		case data.LayerRoad:
			s.revs.touch(ch.Seq, tiles.EditedRoadTiles, gs...)
		}
	}
	o := s.edits.Load()
	if o == nil {
		o = &overlay{}
	}
	s.edits.Store(o.with(chs...))
}

// gridUsers returns the components served that name grid g, found around its polygon (a
// component an import accepted lies within the grid it names, give or take the tolerance).
func (s *Snapshot) gridUsers(g *data.Grid) []*data.Component {
	if len(g.Polygon) == 0 {
		return nil
	}
	var out []*data.Component
	s.ComponentsIn(g.Polygon.Bound().Pad(0.001), "", func(c *data.Component) bool {
		if c.Grid == g.Code {
			out = append(out, c)
		}
		return true
	})
	return out
}
