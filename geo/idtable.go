package geo

import "hash/maphash"

// keyTable finds an item's position by its string key (a component's ID, a grid's or an
// area's code): open addressing over positions, the keys themselves read from the items
// through keyAt. A map[string]int32 of 2M components took ~100 MB (a copy of each key's header
// plus buckets) and gave the collector a pointer per key to follow on every cycle; this takes
// 8 pointer-free bytes per slot at a load of at most one half, 32 MB. Each slot keeps the upper
// half of its key's hash beside the position, so a probe reads an item (two cache misses among
// millions) only when the hashes agree.
type keyTable struct {
	seed  maphash.Seed
	mask  uint64
	slots []uint64 // hash>>32<<32 | position+1; 0 is empty
}

func newKeyTable(n int) keyTable {
	size := 16
	for size < 2*n {
		size *= 2
	}
	return keyTable{seed: maphash.MakeSeed(), mask: uint64(size - 1), slots: make([]uint64, size)}
}

// insert adds position i, whose key is key; false when the key is already there.
func (t *keyTable) insert(key string, i int32, keyAt func(int32) string) bool {
	hash := maphash.String(t.seed, key)
	tag := hash >> 32 << 32
	for h := hash & t.mask; ; h = (h + 1) & t.mask {
		switch s := t.slots[h]; {
		case s == 0:
			t.slots[h] = tag | uint64(i+1)
			return true
		case s&^0xffffffff == tag && keyAt(int32(uint32(s)-1)) == key:
			return false
		}
	}
}

// find returns the position of the item with this key.
func (t *keyTable) find(key string, keyAt func(int32) string) (int32, bool) {
	if len(t.slots) == 0 {
		return 0, false
	}
	hash := maphash.String(t.seed, key)
	tag := hash >> 32 << 32
	for h := hash & t.mask; ; h = (h + 1) & t.mask {
		s := t.slots[h]
		if s == 0 {
			return 0, false
		}
		if s&^0xffffffff == tag && keyAt(int32(uint32(s)-1)) == key {
			return int32(uint32(s) - 1), true
		}
	}
}
