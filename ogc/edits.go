package ogc

import (
	"slices"
	"sort"
	"strings"

	"github.com/paulmach/orb/geojson"

	"citygeo/data"
)

// Component, grid and road edits. A Catalog is built once per dataset version, but the served
// city edits its features between versions (package city keeps them in an overlay until they
// are folded into a new one). WithEdits gives a request the catalog as of its moment: the edited
// collections leave out the base rows the edits replace or delete, and list the edited rows
// after the base ones, in id order, so paging stays stable while the edits do not change.

// Edits is the features edited over a catalog's version at one moment, each layer by id (a
// grid by code, a road by its decimal id): the feature as edited, nil when deleted. Components,
// grids and roads are the layers edits reach at once; the others change with a version.
type Edits struct {
	Components map[string]*data.Component // reach "components" and the collection of their class
	Grids      map[string]*data.Grid
	Roads      map[string]*data.Road
}

func (e Edits) empty() bool { return len(e.Components) == 0 && len(e.Grids) == 0 && len(e.Roads) == 0 }

// WithEdits returns c answering with e applied to its component, grid and road collections
// (counts, extents, items, items by id). c itself is not changed, and neither the maps nor
// their features may change afterwards.
func (c *Catalog) WithEdits(e Edits) *Catalog {
	if e.empty() {
		return c
	}
	n := *c
	n.edits = e
	return &n
}

// WithComponentEdits is WithEdits with component edits alone.
func (c *Catalog) WithComponentEdits(edited map[string]*data.Component) *Catalog {
	return c.WithEdits(Edits{Components: edited})
}

// editsOf returns an entry's edited function: the collection as mk makes it over the catalog's
// edits of its layer (which picks out), nil when there are none.
func editsOf[T any](pick func(Edits) map[string]*T, mk func(map[string]*T) editedLayer) func(*Catalog) editedLayer {
	return func(c *Catalog) editedLayer {
		if m := pick(c.edits); len(m) > 0 {
			return mk(m)
		}
		return nil
	}
}

// editedTable is a collection with edits applied: the base table's rows less those edited,
// then the edited rows of the collection. Positions below len(base.rows) are base rows;
// position len(base.rows)+i is added[i].
type editedTable[T any] struct {
	base  *table[T]
	edits map[string]T
	holds func(T) bool // whether an edited row (nil: deleted) belongs to the collection
	gone  map[int]bool // positions of base rows of the collection that edits replace or delete
	added []T
	key   func(T) string // the row's id, which edits are keyed by
}

var _ layer = (*editedTable[*data.Grid])(nil)

// editedComponents is the component collection of major class major ("" all) under edits.
func editedComponents(base *table[*data.Component], major string, edits map[string]*data.Component) *editedTable[*data.Component] {
	return newEditedTable(base, edits, func(c *data.Component) string { return c.ID },
		func(c *data.Component) bool { return c != nil && (major == "" || c.Major == major) })
}

// editedGrids is the grids collection under edits.
func editedGrids(base *table[*data.Grid], edits map[string]*data.Grid) *editedTable[*data.Grid] {
	return newEditedTable(base, edits, func(g *data.Grid) string { return g.Code },
		func(g *data.Grid) bool { return g != nil })
}

// editedRoads is the roads collection under edits.
func editedRoads(base *table[*data.Road], edits map[string]*data.Road) *editedTable[*data.Road] {
	return newEditedTable(base, edits, func(r *data.Road) string { return idString(r.ID) },
		func(r *data.Road) bool { return r != nil })
}

func newEditedTable[T any](base *table[T], edits map[string]T, key func(T) string, holds func(T) bool) *editedTable[T] {
	l := &editedTable[T]{base: base, edits: edits, holds: holds, key: key, gone: map[int]bool{}}
	for id, r := range edits {
		if pos, ok := base.lookup(id); ok {
			l.gone[pos] = true
		}
		if l.holds(r) {
			l.added = append(l.added, r)
		}
	}
	slices.SortFunc(l.added, func(a, b T) int { return strings.Compare(key(a), key(b)) })
	return l
}

func (l *editedTable[T]) size() int { return l.base.size() - len(l.gone) + len(l.added) }

func (l *editedTable[T]) fields() []Field { return l.base.fields() }

func (l *editedTable[T]) feature(pos int, crs CRS) *geojson.Feature {
	if n := len(l.base.rows); pos >= n {
		return l.base.featureOf(l.added[pos-n], crs)
	}
	return l.base.feature(pos, crs)
}

func (l *editedTable[T]) find(id string) (int, bool) {
	r, edited := l.edits[id]
	if !edited {
		return l.base.lookup(id)
	}
	if !l.holds(r) {
		return 0, false
	}
	i, ok := slices.BinarySearchFunc(l.added, id, func(r T, id string) int { return strings.Compare(l.key(r), id) })
	return len(l.base.rows) + i, ok
}

// extent is the base's box grown by the edited rows' (a deleted row does not shrink it: an
// extent may be larger than its rows, never smaller).
func (l *editedTable[T]) extent() Extent {
	return l.grow(l.base.extent())
}

func (l *editedTable[T]) grow(e Extent) Extent {
	for _, r := range l.added {
		g := l.base.geom(r)
		if g == nil {
			continue
		}
		if b := g.Bound(); e.HasBound {
			e.Bound = e.Bound.Union(b)
		} else {
			e.Bound, e.HasBound = b, true
		}
	}
	return e
}

// page pages through the base rows the edits leave, then the edited rows that match.
func (l *editedTable[T]) page(f *filter, offset, limit int) ([]int, int) {
	var rows []int
	var baseMatched int
	if f.empty() {
		baseMatched = l.base.size() - len(l.gone)
		rows = l.basePage(offset, limit)
	} else {
		skipping := *f
		skipping.skip = l.gone
		rows, baseMatched = l.base.page(&skipping, offset, limit)
	}
	var added []int
	for i, r := range l.added {
		if f.empty() || l.base.matchRow(r, f) {
			added = append(added, len(l.base.rows)+i)
		}
	}
	for _, pos := range added[min(max(offset-baseMatched, 0), len(added)):] {
		if len(rows) >= limit {
			break
		}
		rows = append(rows, pos)
	}
	return rows, baseMatched + len(added)
}

// basePage is the unfiltered page of base rows from offset, the gone ones left out: the
// offset-th row kept is found by stepping over the gone rows before it (as many as there are
// edits, not rows).
func (l *editedTable[T]) basePage(offset, limit int) []int {
	gone := make([]int, 0, len(l.gone)) // as indexes k into the collection's order
	for pos := range l.gone {
		k := pos
		if l.base.sub != nil {
			k = sort.Search(len(l.base.sub), func(i int) bool { return int(l.base.sub[i]) >= pos })
		}
		gone = append(gone, k)
	}
	slices.Sort(gone)
	k := offset
	for _, g := range gone {
		if g > k {
			break
		}
		k++
	}
	var out []int
	for n := l.base.size(); k < n && len(out) < limit; k++ {
		if pos := l.base.nth(k); !l.gone[pos] {
			out = append(out, pos)
		}
	}
	return out
}
