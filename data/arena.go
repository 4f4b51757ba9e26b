package data

import (
	"fmt"
	"reflect"
	"slices"
	"sync"
	"unsafe"
	"weak"

	"github.com/paulmach/orb"
)

// Arena allocates the features of one load (components, addresses, grids, buildings) in memory
// the collector does not scan. The immutable features of a large city were most of every
// collection's work: 2M components of ten pointer words each, traced on every cycle though they
// never change (~320 of ~540 ms of CPU a cycle on the 2M-component city, bench/heap -gc). Go has
// no way to say "this memory holds pointers, but do not scan it", so the arena makes one by hand,
// which is why it is written here rather than taken from a library: each chunk of features is
// allocated as a struct whose only pointer word comes first, so the collector scans that one word
// of it and none of the rest, and that word points to the load's keep, which holds every heap
// object the features point to: the chunks of text of its Strings, the chunks its points are
// boxed in, the chunks of rings and points its polygons are copied into, and the geometries,
// slices and maps it was given to keep. A chunk stays alive while
// any of its features does, the keep while any chunk does, and all it holds while the keep does.
//
// The rule that makes this safe: a pointer stored in an arena feature must point to something
// its keep holds, or to static data. Fill a feature from New only with text from the arena's
// Strings and values returned by its Point, Geometry, Polygon and Extra (or given to Keep).
// Features of a loaded dataset are read-only; code that changes one copies it first. VerifyArena
// checks the rule, and the stores' conformance suite runs it on every load.
//
// The zero Arena is ready to use; it is not safe for concurrent use.
type Arena[T any] struct {
	text   Strings
	points Points
	rings  Rings
	keep   *arenaKeep
	free   []T // the rest of the current chunk
}

// ComponentArena is the arena of a load's components.
type ComponentArena = Arena[Component]

// arenaKeep is what one arena's features point to.
type arenaKeep struct {
	chunks []*arenaChunk // appended to under arenas.mu
	text   [][]byte      // the Strings' chunks
	points [][]orb.Point // the Points' and the Rings' chunks of points
	rings  [][]orb.Ring  // the Rings' chunks of ring headers
	values []any         // other geometries, slices, maps and long strings kept one by one
}

// arenaChunkBytes is the size of a chunk: 32 pages, so that a large allocation wastes at most a
// feature's size; a chunk holds 1,638 components of 160 bytes.
const arenaChunkBytes = 256 << 10

// arenaChunk is the memory of a chunk of features. keep must stay its first and only pointer
// field: the collector scans an object up to its type's last pointer word.
type arenaChunk struct {
	keep  *arenaKeep
	words [(arenaChunkBytes - 8) / 8]uint64
}

// perChunk returns how many Ts a chunk holds.
func perChunk[T any]() int {
	return int(unsafe.Sizeof(arenaChunk{}.words) / unsafe.Sizeof(*new(T)))
}

// New returns a pointer to a fresh zero T in the arena.
func (a *Arena[T]) New() *T {
	if len(a.free) == 0 {
		k := a.init()
		ch := &arenaChunk{keep: k}
		// Under the registry's lock: Pin and VerifyArena read every arena's chunks, one of
		// them maybe while another goroutine loads another version.
		arenas.mu.Lock()
		k.chunks = append(k.chunks, ch)
		arenas.mu.Unlock()
		// SAFETY: the words are as long as perChunk Ts; they are aligned for any T, as a T's
		// alignment is at most a word's and its size a multiple of it; they are zero, which is
		// the zero T.
		a.free = unsafe.Slice((*T)(unsafe.Pointer(&ch.words[0])), perChunk[T]())
	}
	c := &a.free[0]
	a.free = a.free[1:]
	return c
}

// init makes the keep, registers it and ties the arena's Strings and Points to it.
func (a *Arena[T]) init() *arenaKeep {
	if a.keep == nil {
		a.keep = &arenaKeep{}
		a.text.keep, a.points.keep, a.rings.keep = a.keep, a.keep, a.keep
		register(a.keep)
	}
	return a.keep
}

// Strings returns the arena's text: what it makes and interns, the arena keeps.
func (a *Arena[T]) Strings() *Strings {
	a.init()
	return &a.text
}

// Point returns p as a component's geometry, boxed in the arena's chunks of points.
func (a *Arena[T]) Point(p orb.Point) orb.Geometry {
	a.init()
	return a.points.Geometry(p)
}

// Geometry returns g as a component's geometry, kept by the arena; a point is boxed as Point
// boxes it.
func (a *Arena[T]) Geometry(g orb.Geometry) orb.Geometry {
	switch g := g.(type) {
	case nil:
		return nil
	case orb.Point:
		return a.Point(g)
	}
	a.init().add(g)
	return g
}

// Extra returns m as a component's attributes, kept by the arena.
func (a *Arena[T]) Extra(m map[string]string) map[string]string {
	if m != nil {
		a.Keep(m)
	}
	return m
}

// Polygon returns a copy of p as a feature's polygon, in the arena's chunks of rings (Rings).
func (a *Arena[T]) Polygon(p orb.Polygon) orb.Polygon {
	a.init()
	return a.rings.Polygon(p)
}

// Keep keeps v, a slice, map, string or interface value a feature of the arena is about to point
// to, for as long as the arena's features live.
func (a *Arena[T]) Keep(v any) { a.init().add(v) }

// add appends v to what k keeps; a nil k (a Strings or Points outside an arena) keeps nothing.
func (k *arenaKeep) add(v any) {
	if k != nil {
		k.values = append(k.values, v)
	}
}

// arenas lists the keep of every arena for VerifyArena and Pin: one weak pointer a load and layer.
var arenas struct {
	mu    sync.Mutex
	keeps []weak.Pointer[arenaKeep]
}

// register records k, forgetting the arenas that are gone.
func register(k *arenaKeep) {
	arenas.mu.Lock()
	defer arenas.mu.Unlock()
	arenas.keeps = slices.DeleteFunc(arenas.keeps, func(w weak.Pointer[arenaKeep]) bool { return w.Value() == nil })
	arenas.keeps = append(arenas.keeps, weak.Make(k))
}

// span is a range of addresses [lo, hi) and the keep it belongs to.
type span struct {
	lo, hi uintptr
	keep   *arenaKeep
}

// liveChunks returns the spans of every arena's chunks, sorted.
func liveChunks() []span {
	var chunks []span
	arenas.mu.Lock()
	for _, w := range arenas.keeps {
		if k := w.Value(); k != nil {
			for _, ch := range k.chunks {
				lo := uintptr(unsafe.Pointer(&ch.words[0]))
				chunks = append(chunks, span{lo, lo + unsafe.Sizeof(ch.words), k})
			}
		}
	}
	arenas.mu.Unlock()
	sortSpans(chunks)
	return chunks
}

func sortSpans(s []span) {
	slices.SortFunc(s, func(a, b span) int {
		if a.lo < b.lo {
			return -1
		}
		if a.lo > b.lo {
			return 1
		}
		return 0
	})
}

// find returns the keep of the span holding p, or nil.
func find(spans []span, p uintptr) *arenaKeep {
	i, _ := slices.BinarySearchFunc(spans, p, func(s span, p uintptr) int {
		if s.lo <= p {
			return -1
		}
		return 1
	})
	if i > 0 && p < spans[i-1].hi {
		return spans[i-1].keep
	}
	return nil
}

// VerifyArena checks that every pointer held by those of xs that live in an arena points to
// what the arena keeps or to static data: that the collector, which does not look inside an
// arena, cannot free what a feature uses. It returns how many of xs live in an arena, or the
// first feature that breaks the rule (named by name) and its field. It is for tests: it takes
// time in proportion to xs and the arenas.
func VerifyArena[T any](xs []*T, name func(*T) string) (int, error) {
	chunks := liveChunks()
	held := map[*arenaKeep]*keptSet{}
	typ := reflect.TypeFor[T]()
	n := 0
	for _, x := range xs {
		k := find(chunks, uintptr(unsafe.Pointer(x)))
		if k == nil {
			continue // on the heap, where the collector sees it
		}
		n++
		if held[k] == nil {
			held[k] = k.kept()
		}
		if field := held[k].stray(typ, unsafe.Pointer(x), typ.Name()); field != "" {
			return n, fmt.Errorf("%s %q in an arena: %s is not held by the arena", typ.Name(), name(x), field)
		}
	}
	return n, nil
}

// keptSet is what an arena keeps, arranged for lookups: the spans of its chunks of text and
// points, and the addresses of its values.
type keptSet struct {
	spans  []span
	values map[unsafe.Pointer]bool
}

// kept arranges what k keeps for lookups; static data counts as kept.
func (k *arenaKeep) kept() *keptSet {
	s := &keptSet{values: map[unsafe.Pointer]bool{}}
	add := func(p unsafe.Pointer, n uintptr) {
		s.spans = append(s.spans, span{uintptr(p), uintptr(p) + n, k})
	}
	for _, t := range k.text {
		add(unsafe.Pointer(unsafe.SliceData(t)), uintptr(cap(t)))
	}
	for _, p := range k.points {
		add(unsafe.Pointer(unsafe.SliceData(p)), uintptr(cap(p))*unsafe.Sizeof(orb.Point{}))
	}
	for _, r := range k.rings {
		add(unsafe.Pointer(unsafe.SliceData(r)), uintptr(cap(r))*unsafe.Sizeof(orb.Ring{}))
	}
	add(unsafe.Pointer(unsafe.StringData(twoDigits)), uintptr(len(twoDigits)))
	sortSpans(s.spans)
	for _, v := range k.values {
		switch rv := reflect.ValueOf(v); rv.Kind() {
		case reflect.String:
			s.values[unsafe.Pointer(unsafe.StringData(rv.String()))] = true
		case reflect.Slice, reflect.Map, reflect.Pointer:
			s.values[rv.UnsafePointer()] = true
		}
		// A value held in an interface field is its box, the same as v's.
		s.values[(*eface)(unsafe.Pointer(&v)).data] = true
	}
	return s
}

// holds reports whether p points to something s keeps.
func (s *keptSet) holds(p unsafe.Pointer) bool {
	return p == nil || find(s.spans, uintptr(p)) != nil || s.values[p]
}

// eface is the layout of an interface value: its type (or itab) and a pointer to its value, or
// the value itself for a pointer-shaped one such as a map.
type eface struct {
	typ  unsafe.Pointer
	data unsafe.Pointer
}

// stray returns the path of the first pointer in the value of type t at p that s does not hold,
// or "".
func (s *keptSet) stray(t reflect.Type, p unsafe.Pointer, path string) string {
	if t.Size() == 0 || !hasPointers(t) {
		return ""
	}
	var word unsafe.Pointer
	switch t.Kind() {
	case reflect.String:
		word = unsafe.Pointer(unsafe.StringData(*(*string)(p)))
	case reflect.Interface:
		word = (*eface)(p).data
	case reflect.Slice, reflect.Map, reflect.Pointer, reflect.UnsafePointer, reflect.Chan, reflect.Func:
		word = *(*unsafe.Pointer)(p)
	case reflect.Struct:
		for i := range t.NumField() {
			f := t.Field(i)
			if bad := s.stray(f.Type, unsafe.Add(p, f.Offset), path+"."+f.Name); bad != "" {
				return bad
			}
		}
		return ""
	case reflect.Array:
		for i := range t.Len() {
			if bad := s.stray(t.Elem(), unsafe.Add(p, uintptr(i)*t.Elem().Size()), fmt.Sprintf("%s[%d]", path, i)); bad != "" {
				return bad
			}
		}
		return ""
	}
	if !s.holds(word) {
		return path
	}
	return ""
}

// hasPointers reports whether a value of type t holds pointers.
func hasPointers(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.String, reflect.Interface, reflect.Slice, reflect.Map, reflect.Pointer, reflect.UnsafePointer, reflect.Chan, reflect.Func:
		return true
	case reflect.Struct:
		for i := range t.NumField() {
			if hasPointers(t.Field(i).Type) {
				return true
			}
		}
	case reflect.Array:
		return t.Len() > 0 && hasPointers(t.Elem())
	}
	return false
}

// pinnedKeep is what a pinned array of feature pointers holds alive: the arenas its features
// live in, and those of its features that live on the heap.
type pinnedKeep struct {
	arenas []*arenaKeep
	heap   []unsafe.Pointer
}

// Pin returns xs copied into an array the collector scans one word of: 2M pointers into arenas
// were still 2M words to check on every cycle (~40 ms of CPU on the 2M-component city), though
// all they keep alive is a few thousand chunks. That word points to the arenas of xs's features
// and to a list of those of them that live on the heap, so the array keeps alive everything it
// points to, as a scanned one would.
//
// The array is read-only: storing a pointer to a heap feature in it after it is pinned hides
// that feature from the collector. Code that changes a loaded dataset's layer makes a new slice
// (Apply does, and slices.Clone). It costs a lookup per feature, in time proportional to len(xs)
// times the log of the number of arena chunks; a slice of fewer than 4,096 features, or of
// none in an arena, is returned as it is.
func Pin[T any](xs []*T) []*T {
	if len(xs) < 4096 {
		return xs
	}
	chunks := liveChunks()
	keep := &pinnedKeep{}
	seen := map[*arenaKeep]bool{}
	for _, x := range xs {
		k := find(chunks, uintptr(unsafe.Pointer(x)))
		switch {
		case k == nil:
			keep.heap = append(keep.heap, unsafe.Pointer(x))
		case !seen[k]:
			seen[k] = true
			keep.arenas = append(keep.arenas, k)
		}
	}
	if len(keep.arenas) == 0 {
		return xs // all on the heap: a pinned copy would save the collector nothing
	}
	// A struct type of this array's length, whose only pointer is its first word. reflect makes
	// the type, with the collector's bitmap to match, once per length.
	typ := reflect.StructOf([]reflect.StructField{
		{Name: "Keep", Type: reflect.TypeFor[*pinnedKeep]()},
		{Name: "Ptrs", Type: reflect.ArrayOf(len(xs), reflect.TypeFor[uintptr]())},
	})
	v := reflect.New(typ)
	v.Elem().Field(0).Set(reflect.ValueOf(keep))
	// SAFETY: Ptrs is len(xs) words, aligned for pointers; each is one of xs, which keep holds
	// alive (an arena's feature through its keep, a heap one in keep.heap).
	out := unsafe.Slice((**T)(v.Elem().Field(1).Addr().UnsafePointer()), len(xs))
	copy(out, xs)
	return out[:len(xs):len(xs)]
}
