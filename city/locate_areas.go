package city

import (
	"sync"

	"citygeo/data"
)

// areaChains holds, for each community of a snapshot, the JSON of its area chain as a locate
// answer writes it (`,"community":{…},"street":{…},"district":{…}`), made once. Every point →
// grid answer carries such a chain, and writing it is most of the answer's text: six strings,
// mostly Chinese names, each checked for escapes, read from area structs scattered over the
// heap; copied from here it is one run of bytes. A few hundred bytes per community (thousands
// in a big city, not a byte per grid or component).
type areaChains struct {
	once sync.Once
	by   map[*data.Area]areaChain
}

// areaChain is a community's chain: the street and district it was written with, and the text.
type areaChain struct {
	street, district *data.Area
	json             []byte
}

// chainJSON returns the written chain of loc's community, street and district, or nil when
// they are not a chain it holds (no community; a street or district other than the
// community's own codes name), which the answer then writes field by field.
func (s *Snapshot) chainJSON(community, street, district *data.Area) []byte {
	if community == nil {
		return nil
	}
	s.chains.once.Do(s.buildChains)
	if ch, ok := s.chains.by[community]; ok && ch.street == street && ch.district == district {
		return ch.json
	}
	return nil
}

// buildChains writes every community's chain as place and geo.Index.Locate find it: the street
// and district whose codes begin the community's.
func (s *Snapshot) buildChains() {
	by := map[*data.Area]areaChain{}
	for _, a := range s.Dataset.Areas {
		if a.Level != data.Community || len(a.Code) < 9 {
			continue
		}
		c := s.Geo.Area(a.Code)
		if c == nil {
			continue
		}
		ch := areaChain{street: s.Geo.Area(a.Code[:9]), district: s.Geo.Area(a.Code[:6])}
		ch.json = appendAreaRef(ch.json, `,"community":`, c.Ref())
		ch.json = appendAreaRef(ch.json, `,"street":`, ch.street.Ref())
		ch.json = appendAreaRef(ch.json, `,"district":`, ch.district.Ref())
		by[c] = ch
	}
	s.chains.by = by
}
