package ogc

import (
	"slices"
	"sort"
	"strings"

	"github.com/paulmach/orb/geojson"

	"citygeo/data"
)

// Component and grid edits. A Catalog is built once per dataset version, but the served city
// edits its components and grids between versions (package city keeps them in an overlay until
// they are folded into a new one). WithComponentEdits and WithGridEdits give a request the
// catalog as of its moment: the edited collections leave out the base rows the edits replace
// or delete, and list the edited rows after the base ones, in id order, so paging stays stable
// while the edits do not change.

// WithComponentEdits returns c answering with edits applied to its component collections
// (counts, extents, items, items by id): edited maps a component id to the component as edited,
// nil when deleted. c itself is not changed, and neither map nor components may change
// afterwards. Components and grids are the layers edits reach at once; the others change with
// a version.
func (c *Catalog) WithComponentEdits(edited map[string]*data.Component) *Catalog {
	if len(edited) == 0 {
		return c
	}
	n := *c
	n.edits = edited
	return &n
}

// WithGridEdits is WithComponentEdits for the grids collection: edited maps a grid code to the
// grid as edited, nil when deleted.
func (c *Catalog) WithGridEdits(edited map[string]*data.Grid) *Catalog {
	if len(edited) == 0 {
		return c
	}
	n := *c
	n.gridEdits = edited
	return &n
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
