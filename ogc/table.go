package ogc

import (
	"math/bits"
	"strconv"
	"sync"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/project"
	"github.com/tidwall/rtree"

	"citygeo/geo"
)

// Field is one property of a collection's features: its JSON Schema type, and whether it is
// queryable (an items parameter of its name filters on equality).
type Field struct {
	Name      string
	Type      string // JSON Schema type: string, integer, number, boolean
	Format    string // "date" or "date-time" on the collection's temporal property only
	Title     string
	Queryable bool
}

// column is a field and how to read it from a row; a nil value is JSON null, so every feature
// of a collection carries the same keys (a GIS layer has one schema).
type column[T any] struct {
	Field
	value func(T) any
}

// layer is a collection's rows as the query code sees them, whatever their type.
type layer interface {
	size() int
	fields() []Field
	// page returns the positions of the features of one page and how many match in all.
	page(f *filter, offset, limit int) (rows []int, matched int)
	feature(pos int, crs CRS) *geojson.Feature
	find(id string) (pos int, ok bool)
	extent() Extent
}

// table is a layer over a slice of rows in a stable order: sub, when set, picks the rows of
// this collection (ascending positions, e.g. the components of one major class), and paging
// walks rows in that order whether or not a filter applies, so a next link always continues
// where its page ended.
type table[T any] struct {
	rows []T
	sub  []int32 // nil: every row
	cols []column[T]
	id   func(T) any // string or integer feature id
	geom func(T) orb.Geometry
	// when is a row's temporal extent [from, to) (an instant when equal); nil: the collection
	// has no temporal property, so a datetime filter matches none of it.
	when func(T) (from, to time.Time, ok bool)
	// search finds the positions of rows whose box meets b with an index; nil: buildIndex
	// makes an R-tree on first use (roads, addresses, POIs have none in the snapshot).
	search func(b orb.Bound, yield func(pos int) bool)
	lookup func(id string) (int, bool)

	once sync.Once
	tree rtree.RTreeG[int32]
}

var _ layer = (*table[int])(nil)

func (t *table[T]) size() int {
	if t.sub != nil {
		return len(t.sub)
	}
	return len(t.rows)
}

func (t *table[T]) nth(k int) int {
	if t.sub != nil {
		return int(t.sub[k])
	}
	return k
}

func (t *table[T]) fields() []Field {
	out := make([]Field, len(t.cols))
	for i, c := range t.cols {
		out[i] = c.Field
	}
	return out
}

func (t *table[T]) find(id string) (int, bool) { return t.lookup(id) }

func (t *table[T]) feature(pos int, crs CRS) *geojson.Feature { return t.featureOf(t.rows[pos], crs) }

// featureOf is row r as a feature in crs.
func (t *table[T]) featureOf(r T, crs CRS) *geojson.Feature {
	f := geojson.NewFeature(crs.Geometry(t.geom(r)))
	f.ID = t.id(r)
	f.Properties = make(geojson.Properties, len(t.cols))
	for _, c := range t.cols {
		f.Properties[c.Name] = c.value(r)
	}
	return f
}

// page runs a query. Without a filter it slices the rows; with one it marks the matches in a
// bitset over the rows (the index's candidates when there is a box, every row otherwise),
// counts them, and walks the set bits in row order from offset: no sort, and a page costs
// one pass over the matches.
func (t *table[T]) page(f *filter, offset, limit int) ([]int, int) {
	n := t.size()
	if f.empty() {
		var out []int
		for k := offset; k < min(n, offset+limit); k++ {
			out = append(out, t.nth(k))
		}
		return out, n
	}
	set := make([]uint64, (len(t.rows)+63)/64)
	matched := 0
	mark := func(pos int) bool {
		if set[pos/64]&(1<<(pos%64)) == 0 && t.match(pos, f) {
			set[pos/64] |= 1 << (pos % 64)
			matched++
		}
		return true
	}
	if len(f.search) > 0 {
		for _, b := range f.search {
			t.candidates(b, mark)
		}
	} else {
		for k := 0; k < n; k++ {
			mark(t.nth(k))
		}
	}
	var out []int
	skip := offset
	for w, word := range set {
		if len(out) == limit {
			break
		}
		if c := bits.OnesCount64(word); skip >= c {
			skip -= c
			continue
		}
		for word != 0 && len(out) < limit {
			bit := bits.TrailingZeros64(word)
			word &^= 1 << bit
			if skip > 0 {
				skip--
				continue
			}
			out = append(out, w*64+bit)
		}
	}
	return out, matched
}

// candidates yields the rows of this collection whose box meets b: through the index when
// there is one, else an R-tree built once. Rows outside sub are dropped by match.
func (t *table[T]) candidates(b orb.Bound, yield func(pos int) bool) {
	if t.search != nil {
		t.search(b, yield)
		return
	}
	t.once.Do(func() {
		for k := 0; k < t.size(); k++ {
			pos := t.nth(k)
			if g := t.geom(t.rows[pos]); g != nil {
				gb := g.Bound()
				t.tree.Insert(gb.Min, gb.Max, int32(pos))
			}
		}
	})
	t.tree.Search(b.Min, b.Max, func(_, _ [2]float64, pos int32) bool { return yield(int(pos)) })
}

// match applies every part of a filter to one row: the exact geometry test in the bbox CRS's
// plane, the time interval, then property equality.
func (t *table[T]) match(pos int, f *filter) bool {
	return !f.skip[pos] && t.matchRow(t.rows[pos], f)
}

// matchRow is match for a row that need not be one of t's (an edited one).
func (t *table[T]) matchRow(r T, f *filter) bool {
	if len(f.boxes) > 0 && !f.meets(t.geom(r)) {
		return false
	}
	if f.when != nil {
		if t.when == nil {
			return false
		}
		from, to, ok := t.when(r)
		if !ok || !f.when.Meets(from, to) {
			return false
		}
	}
	for _, p := range f.props {
		if format(t.cols[p.col].value(r)) != p.value {
			return false
		}
	}
	return true
}

// filter is a parsed query's selection, resolved against one layer.
type filter struct {
	boxes  []orb.Bound // in the bbox CRS's x/y plane (easting or longitude first)
	crs    CRS         // the bbox CRS
	search []orb.Bound // CGCS2000 boxes covering boxes, for the index
	when   *Interval
	props  []propFilter
	// skip holds the positions of rows the answer leaves out whatever they hold (base rows an
	// edit replaced or deleted); nil: none.
	skip map[int]bool
}

type propFilter struct {
	col   int
	value string
}

func (f *filter) empty() bool { return len(f.boxes) == 0 && f.when == nil && len(f.props) == 0 }

// meets tests a stored geometry against the boxes in their own CRS: a Gauss–Krüger box is a
// rectangle in metres, not in degrees, so the geometry goes to the box's plane, not the box to
// lon/lat.
func (f *filter) meets(g orb.Geometry) bool {
	if g == nil {
		return false
	}
	if f.crs.Projected() {
		if p, ok := g.(orb.Point); ok {
			g = f.crs.plane(p)
		} else {
			g = project.Geometry(orb.Clone(g), f.crs.plane)
		}
	}
	for _, b := range f.boxes {
		if geo.Intersects(g, b) {
			return true
		}
	}
	return false
}

// format is a property value as an equality filter compares it: the value as it is written
// in the JSON answer, without quotes.
func format(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case int:
		return strconv.Itoa(v)
	case int64:
		return strconv.FormatInt(v, 10)
	case uint64:
		return strconv.FormatUint(v, 10)
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(v)
	case time.Time:
		return v.Format(time.RFC3339)
	}
	return ""
}

// extent is the box around every row's geometry (CGCS2000) and the span of their times.
func (t *table[T]) extent() (e Extent) {
	for k := 0; k < t.size(); k++ {
		r := t.rows[t.nth(k)]
		if g := t.geom(r); g != nil {
			if b := g.Bound(); e.HasBound {
				e.Bound = e.Bound.Union(b)
			} else {
				e.Bound, e.HasBound = b, true
			}
		}
		if t.when == nil {
			continue
		}
		if from, to, ok := t.when(r); ok {
			if to.Equal(from) {
				to = to.Add(time.Nanosecond)
			}
			if !e.HasTime || from.Before(e.Start) {
				e.Start = from
			}
			if !e.HasTime || to.After(e.End) {
				e.End = to
			}
			e.HasTime = true
		}
	}
	return e
}
