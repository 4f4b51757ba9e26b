package ogc

import (
	"slices"
	"sort"
	"strings"

	"github.com/paulmach/orb/geojson"

	"citygeo/data"
)

// Component edits. A Catalog is built once per dataset version, but the served city edits its
// components between versions (package city keeps them in an overlay until they are folded into
// a new one). WithComponentEdits gives a request the catalog as of its moment: the component
// collections leave out the base rows the edits replace or delete, and list the edited rows
// after the base ones, in id order, so paging stays stable while the edits do not change.

// WithComponentEdits returns c answering with edits applied to its component collections
// (counts, extents, items, items by id): edited maps a component id to the component as edited,
// nil when deleted. c itself is not changed, and neither map nor components may change
// afterwards. Components are the one layer edits reach at once; the others change with a version.
func (c *Catalog) WithComponentEdits(edited map[string]*data.Component) *Catalog {
	if len(edited) == 0 {
		return c
	}
	n := *c
	n.edits = edited
	return &n
}

// editedComponents is a component collection with edits applied: the base table's rows less
// those edited, then the edited rows of the collection. Positions below len(base.rows) are
// base rows; position len(base.rows)+i is added[i].
type editedComponents struct {
	base  *table[*data.Component]
	edits map[string]*data.Component
	major string
	gone  map[int]bool // positions of base rows of the collection that edits replace or delete
	added []*data.Component
}

var _ layer = (*editedComponents)(nil)

func newEditedComponents(base *table[*data.Component], major string, edits map[string]*data.Component) *editedComponents {
	l := &editedComponents{base: base, edits: edits, major: major, gone: map[int]bool{}}
	for id, c := range edits {
		if pos, ok := base.lookup(id); ok {
			l.gone[pos] = true
		}
		if l.holds(c) {
			l.added = append(l.added, c)
		}
	}
	slices.SortFunc(l.added, func(a, b *data.Component) int { return strings.Compare(a.ID, b.ID) })
	return l
}

// holds reports whether edited component c (nil: deleted) belongs to the collection.
func (l *editedComponents) holds(c *data.Component) bool {
	return c != nil && (l.major == "" || c.Major == l.major)
}

func (l *editedComponents) size() int { return l.base.size() - len(l.gone) + len(l.added) }

func (l *editedComponents) fields() []Field { return l.base.fields() }

func (l *editedComponents) feature(pos int, crs CRS) *geojson.Feature {
	if n := len(l.base.rows); pos >= n {
		return l.base.featureOf(l.added[pos-n], crs)
	}
	return l.base.feature(pos, crs)
}

func (l *editedComponents) find(id string) (int, bool) {
	c, edited := l.edits[id]
	if !edited {
		return l.base.lookup(id)
	}
	if !l.holds(c) {
		return 0, false
	}
	i, ok := slices.BinarySearchFunc(l.added, id, func(c *data.Component, id string) int { return strings.Compare(c.ID, id) })
	return len(l.base.rows) + i, ok
}

// extent is the base's box grown by the edited rows' (a deleted row does not shrink it: an
// extent may be larger than its rows, never smaller).
func (l *editedComponents) extent() Extent {
	return l.grow(l.base.extent())
}

func (l *editedComponents) grow(e Extent) Extent {
	for _, c := range l.added {
		if c.Geometry == nil {
			continue
		}
		if b := c.Geometry.Bound(); e.HasBound {
			e.Bound = e.Bound.Union(b)
		} else {
			e.Bound, e.HasBound = b, true
		}
	}
	return e
}

// page pages through the base rows the edits leave, then the edited rows that match.
func (l *editedComponents) page(f *filter, offset, limit int) ([]int, int) {
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
	for i, c := range l.added {
		if f.empty() || l.base.matchRow(c, f) {
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
func (l *editedComponents) basePage(offset, limit int) []int {
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
