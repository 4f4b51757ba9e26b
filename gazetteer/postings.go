package gazetteer

import (
	"hash/maphash"
	"strings"
)

// postings maps names to lists of positions (POIs, roads, suggestions), built once from a
// map[string][]int32 and then only read. A Go map of that kind holds two objects per name, the
// name and its list, and the collector follows both on every cycle: the fuzzy keys and POI
// names of a large city were some 350,000 of them. Here the names sit end to end in one text,
// the lists end to end in one slice, and the lookup table maps a name's 64-bit hash to its
// entry, so that nothing the collector would follow is left but four slices.
type postings struct {
	seed  maphash.Seed
	at    map[uint64]uint32 // a name's hash → its entry
	clash map[string]uint32 // the names whose hash an earlier name has (none, in practice)
	text  string            // the names, end to end
	ends  []uint32          // entry e's name is text[ends[e-1]:ends[e]] (0 for e = 0)
	lists []uint32          // entry e's list is vals[lists[e-1]:lists[e]] (0 for e = 0)
	vals  []int32
}

// newPostings copies m into postings. The lists keep their order.
func newPostings(m map[string][]int32) postings {
	p := postings{seed: maphash.MakeSeed(), at: make(map[uint64]uint32, len(m)),
		ends: make([]uint32, 0, len(m)), lists: make([]uint32, 0, len(m))}
	size, n := 0, 0
	for k, v := range m {
		size += len(k)
		n += len(v)
	}
	var text strings.Builder
	text.Grow(size)
	p.vals = make([]int32, 0, n)
	for k, v := range m {
		e := uint32(len(p.ends))
		if h := maphash.String(p.seed, k); !p.has(h) {
			p.at[h] = e
		} else {
			if p.clash == nil {
				p.clash = map[string]uint32{}
			}
			p.clash[k] = e
		}
		text.WriteString(k)
		p.ends = append(p.ends, uint32(text.Len()))
		p.vals = append(p.vals, v...)
		p.lists = append(p.lists, uint32(len(p.vals)))
	}
	p.text = text.String()
	return p
}

func (p *postings) has(h uint64) bool {
	_, ok := p.at[h]
	return ok
}

// get returns the list of name (nil: none). The caller must not append to it.
func (p *postings) get(name string) []int32 {
	e, ok := p.at[maphash.String(p.seed, name)]
	if !ok || p.name(e) != name {
		if e, ok = p.clash[name]; !ok {
			return nil
		}
	}
	var from uint32
	if e > 0 {
		from = p.lists[e-1]
	}
	return p.vals[from:p.lists[e]:p.lists[e]]
}

// name returns entry e's name.
func (p *postings) name(e uint32) string {
	var from uint32
	if e > 0 {
		from = p.ends[e-1]
	}
	return p.text[from:p.ends[e]]
}
