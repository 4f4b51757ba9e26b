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
	for ; ; h = (h + 1) & t.mask {
		s := t.slots[h]
		if s == 0 {
			t.slots[h] = tag | uint32(i+1)
			return true
		}
		if j, ok := t.match(s, tag); ok && keyAt(j) == key {
			return false
		}
	}
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
