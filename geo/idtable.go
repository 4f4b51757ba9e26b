package geo

import (
	"hash/maphash"

	"citygeo/data"
)

// idTable finds a component's position by its ID: open addressing over positions, the IDs
// themselves read from the components. A map[string]int32 of 2M components took ~100 MB
// (a copy of each key's header plus buckets); this takes 4 bytes per slot at a load of at most
// one half, 16 MB, and a lookup still probes one or two slots.
type idTable struct {
	seed  maphash.Seed
	mask  uint64
	slots []int32 // position + 1; 0 is empty
}

func newIDTable(n int) idTable {
	size := 16
	for size < 2*n {
		size *= 2
	}
	return idTable{seed: maphash.MakeSeed(), mask: uint64(size - 1), slots: make([]int32, size)}
}

// insert adds position i of comps; false when its ID is already there.
func (t *idTable) insert(comps []*data.Component, i int32) bool {
	id := comps[i].ID
	for h := maphash.String(t.seed, id) & t.mask; ; h = (h + 1) & t.mask {
		switch s := t.slots[h]; {
		case s == 0:
			t.slots[h] = i + 1
			return true
		case comps[s-1].ID == id:
			return false
		}
	}
}

// find returns the position of the component with this ID.
func (t *idTable) find(comps []*data.Component, id string) (int32, bool) {
	if len(t.slots) == 0 {
		return 0, false
	}
	for h := maphash.String(t.seed, id) & t.mask; ; h = (h + 1) & t.mask {
		s := t.slots[h]
		if s == 0 {
			return 0, false
		}
		if comps[s-1].ID == id {
			return s - 1, true
		}
	}
}
