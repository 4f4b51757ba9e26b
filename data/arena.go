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

// ComponentArena allocates the components of one load in memory the collector does not scan.
// The immutable components of a large city were most of every collection's work: 2M structs of
// ten pointer words each, traced on every cycle though they never change (~320 of ~540 ms of CPU
// a cycle on the 2M-component city, bench/heap -gc). Go has no way to say "this memory holds
// pointers, but do not scan it", so the arena makes one by hand, which is why it is written here
// rather than taken from a library: each chunk of components is allocated as a struct whose only
// pointer word comes first, so the collector scans that one word of it and none of the rest, and
// that word points to the load's keep, which holds every heap object the components point to
// (the chunks of text of its Strings, the chunks its points are boxed in, and the other
// geometries and the attribute maps it was given). A chunk stays alive while any of its components does, the keep
// while any chunk does, and the text, points and values while the keep does.
//
// The rule that makes this safe: a pointer stored in an arena component must point to something
// its keep holds, or to static data. Fill a component from New only with text from the arena's
// Strings and values returned by its Geometry and Extra. Components of a loaded dataset
// are read-only; code that changes one copies it first. VerifyArenas checks the rule, and the
// stores' conformance suite runs it on every load.
//
// The zero ComponentArena is ready to use; it is not safe for concurrent use.
type ComponentArena struct {
	text   Strings
	points Points
	keep   *arenaKeep
	free   []Component // the rest of the current chunk
}

// arenaKeep is what one arena's components point to.
type arenaKeep struct {
	chunks []*componentChunk
	text   [][]byte      // the Strings' chunks
	points [][]orb.Point // the Points' chunks
	values []any         // geometries, attribute maps and long strings registered one by one
}

// componentChunkBytes is the size of a chunk: 32 pages, so that a large allocation wastes at most
// a component's size, and a chunk holds 1,638 components of 160 bytes.
const componentChunkBytes = 256 << 10

// componentChunk is the memory of a chunk of components. keep must stay its first and only
// pointer field: the collector scans an object up to its type's last pointer word.
type componentChunk struct {
	keep  *arenaKeep
	words [(componentChunkBytes - 8) / 8]uint64
}

// componentsPerChunk is how many components a chunk holds.
const componentsPerChunk = int(unsafe.Sizeof(componentChunk{}.words) / unsafe.Sizeof(Component{}))

// Component's alignment is a word's, and its size a whole number of words, so that the
// components of a chunk, laid over its words, are aligned.
var _ [0]struct{} = [unsafe.Alignof(Component{}) - 8]struct{}{}
var _ [0]struct{} = [unsafe.Sizeof(Component{}) % 8]struct{}{}

// New returns a pointer to a fresh zero component in the arena.
func (a *ComponentArena) New() *Component {
	if len(a.free) == 0 {
		k := a.init()
		ch := &componentChunk{keep: k}
		k.chunks = append(k.chunks, ch)
		// SAFETY: the words are as long as componentsPerChunk components and aligned for them
		// (the assertions above); they are zero, which is the zero Component.
		a.free = unsafe.Slice((*Component)(unsafe.Pointer(&ch.words[0])), componentsPerChunk)
	}
	c := &a.free[0]
	a.free = a.free[1:]
	return c
}

// init makes the keep, registers it and ties the arena's Strings and Points to it.
func (a *ComponentArena) init() *arenaKeep {
	if a.keep == nil {
		a.keep = &arenaKeep{}
		a.text.keep, a.points.keep = a.keep, a.keep
		register(a.keep)
	}
	return a.keep
}

// Strings returns the arena's text: what it makes and interns, the arena keeps.
func (a *ComponentArena) Strings() *Strings {
	a.init()
	return &a.text
}

// Point returns p as a component's geometry, boxed in the arena's chunks of points.
func (a *ComponentArena) Point(p orb.Point) orb.Geometry {
	a.init()
	return a.points.Geometry(p)
}

// Geometry returns g as a component's geometry, kept by the arena; a point is boxed as Point
// boxes it.
func (a *ComponentArena) Geometry(g orb.Geometry) orb.Geometry {
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
func (a *ComponentArena) Extra(m map[string]string) map[string]string {
	if m != nil {
		a.init().add(m)
	}
	return m
}

// add appends v to what k keeps; a nil k (a Strings or Points outside an arena) keeps nothing.
func (k *arenaKeep) add(v any) {
	if k != nil {
		k.values = append(k.values, v)
	}
}

// arenas lists the keep of every arena for VerifyArenas: one weak pointer a load.
var arenas struct {
	mu    sync.Mutex
	keeps []weak.Pointer[arenaKeep]
}

// register records k for VerifyArenas, forgetting the arenas that are gone.
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

// VerifyArenas checks that every pointer held by those of cs that live in an arena points to
// what the arena keeps or to static data: that the collector, which does not look inside an
// arena, cannot free what a component uses. It returns how many of cs live in an arena, or the
// first component that breaks the rule and its field. It is for tests: it takes time in
// proportion to cs and the arenas.
func VerifyArenas(cs []*Component) (int, error) {
	chunks := liveChunks()
	held := map[*arenaKeep]*keptSet{}
	n := 0
	for _, c := range cs {
		k := find(chunks, uintptr(unsafe.Pointer(c)))
		if k == nil {
			continue // on the heap, where the collector sees it
		}
		n++
		if held[k] == nil {
			held[k] = k.kept()
		}
		if err := held[k].verify(c); err != nil {
			return n, fmt.Errorf("component %q in an arena: %w", c.ID, err)
		}
	}
	return n, nil
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
	add(unsafe.Pointer(unsafe.StringData(twoDigits)), uintptr(len(twoDigits)))
	sortSpans(s.spans)
	for _, v := range k.values {
		if t, ok := v.(string); ok {
			s.values[unsafe.Pointer(unsafe.StringData(t))] = true
		} else {
			s.values[(*eface)(unsafe.Pointer(&v)).data] = true
		}
	}
	return s
}

// holds reports whether p points to something s keeps.
func (s *keptSet) holds(p unsafe.Pointer) bool {
	return find(s.spans, uintptr(p)) != nil || s.values[p]
}

// eface is the layout of an empty interface value: its type and a pointer to its value (or the
// value itself, for a pointer-shaped one such as a map).
type eface struct {
	typ  unsafe.Pointer
	data unsafe.Pointer
}

// verify checks c's pointers against s.
func (s *keptSet) verify(c *Component) error {
	for _, f := range []struct{ name, s string }{
		{"ID", c.ID}, {"Major", c.Major}, {"Minor", c.Minor}, {"Name", c.Name}, {"Grid", c.Grid},
		{"Source", c.Source}, {"Note", c.Note},
	} {
		if f.s != "" && !s.holds(unsafe.Pointer(unsafe.StringData(f.s))) {
			return fmt.Errorf("%s %q is not held by the arena", f.name, f.s)
		}
	}
	if g := c.Geometry; g != nil && !s.holds((*iface)(unsafe.Pointer(&g)).data) {
		return fmt.Errorf("geometry (%T) is not held by the arena", g)
	}
	if c.Extra != nil && !s.values[*(*unsafe.Pointer)(unsafe.Pointer(&c.Extra))] {
		return fmt.Errorf("Extra is not held by the arena")
	}
	return nil
}

// pinnedKeep is what a pinned array of component pointers holds alive: the arenas its
// components live in, and those of its components that live on the heap.
type pinnedKeep struct {
	arenas []*arenaKeep
	heap   []*Component
}

// PinComponents returns cs copied into an array the collector scans one word of: 2M pointers
// into arenas were still 2M words to check on every cycle (~40 ms of CPU on the 2M-component
// city), though all they keep alive is a few thousand chunks. That word points to the arenas of
// cs's components and to a list of those of them that live on the heap, so the array keeps alive
// everything it points to, as a scanned one would.
//
// The array is read-only: storing a pointer to a heap component in it after it is pinned hides
// that component from the collector. Code that changes a loaded dataset's components makes a
// new slice (Apply does, and slices.Clone). It costs a lookup per component, in time
// proportional to len(cs) times the log of the number of arena chunks; a slice of fewer than
// 4,096 components is returned as it is.
func PinComponents(cs []*Component) []*Component {
	if len(cs) < 4096 {
		return cs
	}
	chunks := liveChunks()
	keep := &pinnedKeep{}
	seen := map[*arenaKeep]bool{}
	for _, c := range cs {
		k := find(chunks, uintptr(unsafe.Pointer(c)))
		switch {
		case k == nil:
			keep.heap = append(keep.heap, c)
		case !seen[k]:
			seen[k] = true
			keep.arenas = append(keep.arenas, k)
		}
	}
	// A struct type of this array's length, whose only pointer is its first word. reflect makes
	// the type, with the collector's bitmap to match, once per length.
	typ := reflect.StructOf([]reflect.StructField{
		{Name: "Keep", Type: reflect.TypeFor[*pinnedKeep]()},
		{Name: "Ptrs", Type: reflect.ArrayOf(len(cs), reflect.TypeFor[uintptr]())},
	})
	v := reflect.New(typ)
	v.Elem().Field(0).Set(reflect.ValueOf(keep))
	// SAFETY: Ptrs is len(cs) words, aligned for pointers; each is one of cs, which keep holds
	// alive (an arena's component through its keep, a heap one in keep.heap).
	out := unsafe.Slice((**Component)(v.Elem().Field(1).Addr().UnsafePointer()), len(cs))
	copy(out, cs)
	return out[:len(cs):len(cs)]
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
