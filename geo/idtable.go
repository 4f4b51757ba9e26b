package geo

import (
	"hash/maphash"
	"math/bits"
)

// keyTable finds an item's position by its string key (a component's ID, a grid's or an
// area's code): open addressing over positions, the keys themselves read from the items
// through keyAt. A map[string]int32 of 2M components took ~100 MB (a copy of each key's header
// plus buckets) and gave the collector a pointer per key to follow on every cycle; this takes
// 4 pointer-free bytes per slot at a load of at most one half, 16 MB. A slot holds the
// position in its low bits and as many of its key's hash bits as the rest of the 32 hold (11
// with 2M items), so a probe reads an item (two cache misses among millions) only when those
// agree, one time in 2,000 for a stranger.
type keyTable struct {
	seed    maphash.Seed
	mask    uint64 // slots - 1
	posBits uint   // a slot is tag<<posBits | position+1; 0 is empty
	slots   []uint32
}

func newKeyTable(n int) keyTable {
	size := 16
	for size < 2*n {
		size *= 2
	}
	return keyTable{seed: maphash.MakeSeed(), mask: uint64(size - 1), posBits: uint(max(bits.Len(uint(n)), 1)),
		slots: make([]uint32, size)}
}

// probe returns the first slot to look at and the tag of key's hash, shifted into place.
func (t *keyTable) probe(key string) (uint64, uint32) {
	hash := maphash.String(t.seed, key)
	return hash & t.mask, uint32(hash>>(32+t.posBits)) << t.posBits
}

// insert adds position i, whose key is key; false when the key is already there.
func (t *keyTable) insert(key string, i int32, keyAt func(int32) string) bool {
	h, tag := t.probe(key)
	return t.place(h, tag, i, func(j int32) bool { return keyAt(j) == key })
}

// place stores position i from slot h on; false when a position whose key same reports equal
// to i's is already there. same runs only for a position whose tag matches.
func (t *keyTable) place(h uint64, tag uint32, i int32, same func(j int32) bool) bool {
	for ; ; h = (h + 1) & t.mask {
		s := t.slots[h]
		if s == 0 {
			t.slots[h] = tag | uint32(i+1)
			return true
		}
		if j, ok := t.match(s, tag); ok && same(j) {
			return false
		}
	}
}

// insertRunBits sets how many runs of neighbouring slots insertAll sorts the items into:
// 4,096 runs of a 4M-slot table are 4 KB each, and so are their write cursors in all.
const insertRunBits = 12

// insertAll adds positions 0..n-1, whose keys keyAt returns, and returns the first position
// whose key an earlier one holds (-1: none). It places them run of slots by run of slots:
// inserting 2M IDs in dataset order missed the cache on nearly every slot of the 16 MB table,
// 0.9 s of a large city's build. Two equal keys share their first slot, so they land in the
// same run in position order and the later one is the duplicate, as with insert.
func (t *keyTable) insertAll(n int, keyAt func(int32) string) int32 {
	shift := max(bits.Len64(t.mask)-insertRunBits, 0)
	type item struct {
		h, tag uint32 // a table holds at most 2^32 slots: int32 positions at a load of one half
		pos    int32
	}
	items := make([]item, n)
	start := make([]int32, 1<<insertRunBits+1)
	for i := range items {
		h, tag := t.probe(keyAt(int32(i)))
		items[i] = item{uint32(h), tag, int32(i)}
		start[h>>shift+1]++
	}
	for r := 1; r < len(start); r++ {
		start[r] += start[r-1]
	}
	sorted := make([]item, n)
	for _, it := range items {
		r := it.h >> shift
		sorted[start[r]] = it
		start[r]++
	}
	dup := int32(-1)
	for _, it := range sorted {
		// The key is read only when a tag matches: reading each would miss the cache again.
		same := func(j int32) bool { return keyAt(j) == keyAt(it.pos) }
		if !t.place(uint64(it.h), it.tag, it.pos, same) && (dup < 0 || it.pos < dup) {
			dup = it.pos
		}
	}
	return dup
}

// find returns the position of the item with this key.
func (t *keyTable) find(key string, keyAt func(int32) string) (int32, bool) {
	if len(t.slots) == 0 {
		return 0, false
	}
	h, tag := t.probe(key)
	for ; ; h = (h + 1) & t.mask {
		s := t.slots[h]
		if s == 0 {
			return 0, false
		}
		if j, ok := t.match(s, tag); ok && keyAt(j) == key {
			return j, true
		}
	}
}

// match returns slot s's position when its tag is tag.
func (t *keyTable) match(s, tag uint32) (int32, bool) {
	low := uint32(1)<<t.posBits - 1
	return int32(s&low) - 1, s&^low == tag
}
