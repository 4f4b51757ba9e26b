package geo

import (
	"hash/maphash"

	"citygeo/data"
)

// idTable finds a component's position by its ID: open addressing over positions, the IDs
// themselves read from the components. A map[string]int32 of 2M components took ~100 MB
// (a copy of each key's header plus buckets); this takes 8 bytes per slot at a load of at most
// one half, 32 MB. Each slot keeps the upper half of its ID's hash beside the position, so a
// probe reads a component (two cache misses among millions) only when the hashes agree.
type idTable struct {
	seed  maphash.Seed
	mask  uint64
	slots []uint64 // hash>>32<<32 | position+1; 0 is empty
}

func newIDTable(n int) idTable {
	size := 16
	for size < 2*n {
		size *= 2
	}
	return idTable{seed: maphash.MakeSeed(), mask: uint64(size - 1), slots: make([]uint64, size)}
}

// insert adds position i of comps; false when its ID is already there.
func (t *idTable) insert(comps []*data.Component, i int32) bool {
	id := comps[i].ID
	hash := maphash.String(t.seed, id)
	tag := hash >> 32 << 32
	for h := hash & t.mask; ; h = (h + 1) & t.mask {
		switch s := t.slots[h]; {
		case s == 0:
			t.slots[h] = tag | uint64(i+1)
			return true
		case s&^0xffffffff == tag && comps[uint32(s)-1].ID == id:
			return false
		}
	}
}

// find returns the position of the component with this ID.
func (t *idTable) find(comps []*data.Component, id string) (int32, bool) {
	if len(t.slots) == 0 {
		return 0, false
	}
	hash := maphash.String(t.seed, id)
	tag := hash >> 32 << 32
	for h := hash & t.mask; ; h = (h + 1) & t.mask {
		s := t.slots[h]
		if s == 0 {
			return 0, false
		}
		if s&^0xffffffff == tag && comps[uint32(s)-1].ID == id {
			return int32(uint32(s) - 1), true
		}
	}
}
