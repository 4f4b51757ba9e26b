package data

import "unsafe"

// Strings holds the text of one load: a decoder that copied every value into a string of its
// own made millions of small objects for the collector to trace and sweep, and one copy per
// value of text that repeats on every feature. Make copies a value into a chunk shared with its
// neighbours; Intern returns the one copy of a repeated value. The zero Strings is ready to use;
// it is not safe for concurrent use.
type Strings struct {
	chunk []byte
	seen  map[string]string
	codes map[uint64]string // digit codes (grid, community, area codes) by digitKey
	depts map[DeptRef]Dept
	keep  *arenaKeep // of the Arena this belongs to, if any
}

// stringsChunk is the size of a chunk: large enough that chunks are few, small enough that
// the tail left unused when one fills is negligible.
const stringsChunk = 64 << 10

// Make returns b as a string of its own (b may be reused afterwards).
func (s *Strings) Make(b []byte) string {
	n := len(b)
	switch {
	case n == 0:
		return ""
	case n > stringsChunk/16:
		v := string(b)
		s.keep.add(v)
		return v
	case cap(s.chunk)-len(s.chunk) < n:
		s.chunk = make([]byte, 0, stringsChunk)
		if s.keep != nil {
			s.keep.text = append(s.keep.text, s.chunk)
		}
	}
	s.chunk = append(s.chunk, b...)
	// SAFETY: the n bytes just appended are never written again: later values are appended past
	// them, and a full chunk is replaced by a new one, never grown in place. The string keeps
	// the chunk alive.
	return unsafe.String(&s.chunk[len(s.chunk)-n], n)
}

// MakeString returns v as a string of this Strings' own.
func (s *Strings) MakeString(v string) string { return s.Make(bytesOf(v)) }

// InternString returns the one copy of v's text made by this Strings.
func (s *Strings) InternString(v string) string { return s.Intern(bytesOf(v)) }

// bytesOf returns v's bytes, for the methods above, which only read them.
func bytesOf(v string) []byte { return unsafe.Slice(unsafe.StringData(v), len(v)) }

// Intern returns the one copy of b's text made by this Strings.
func (s *Strings) Intern(b []byte) string {
	if v, ok := twoDigitCode(b); ok {
		return v
	}
	if k, ok := digitKey(b); ok {
		// A grid code repeats on twenty components that do not come one after another: as a
		// number its lookup hashes one word and compares no text (2M lookups took 1.1 s of a
		// 15 s load as strings).
		return internIn(s, &s.codes, b, k, func(string) uint64 { return k })
	}
	// SAFETY: the string over b is only looked up, never kept: the map keeps the copy.
	return internIn(s, &s.seen, b, unsafe.String(unsafe.SliceData(b), len(b)), func(v string) string { return v })
}

// internIn returns the copy of b's text that m holds under look, or makes one with s and keeps it
// under key(copy).
func internIn[K comparable](s *Strings, m *map[K]string, b []byte, look K, key func(string) K) string {
	if v, ok := (*m)[look]; ok {
		return v
	}
	if *m == nil {
		*m = make(map[K]string)
	}
	v := s.Make(b)
	(*m)[key(v)] = v
	return v
}

// digitKey returns a code of 1 to 15 decimal digits as a number that tells every such code
// apart, leading zeros included: its value times 16 plus its length.
func digitKey(b []byte) (uint64, bool) {
	if len(b) == 0 || len(b) > 15 {
		return 0, false
	}
	var v uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + uint64(c-'0')
	}
	return v<<4 | uint64(len(b)), true
}

// Dept returns the department ref, remembered for this load: an unshared map lookup is cheaper
// than taking the process-wide registry's lock (MakeDept), which parallel loads contend for,
// again for every component.
func (s *Strings) Dept(ref DeptRef) Dept {
	h, ok := s.depts[ref]
	if !ok {
		if s.depts == nil {
			s.depts = make(map[DeptRef]Dept)
		}
		h = ref.Dept()
		s.depts[ref] = h
	}
	return h
}

// twoDigits holds every two-digit code, "00" to "99", in the binary's read-only data.
const twoDigits = "00010203040506070809101112131415161718192021222324252627282930313233343536373839404142434445464748495051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899"

// twoDigitCode returns b as a slice of twoDigits when it is a two-digit code: a component's major
// and minor class codes (GB/T 30428.2, CJ/T 214). A string held there is no heap object, so the
// collector, which visits both codes of each of millions of components on every cycle, finds
// nothing to mark behind them: 20–50 ms less of a ~690 ms cycle on the 2M-component city
// (bench/heap -gc, interleaved runs).
func twoDigitCode[T ~string | ~[]byte](b T) (string, bool) {
	if len(b) != 2 || b[0] < '0' || b[0] > '9' || b[1] < '0' || b[1] > '9' {
		return "", false
	}
	i := int(b[0]-'0')*10 + int(b[1]-'0')
	return twoDigits[2*i : 2*i+2], true
}
