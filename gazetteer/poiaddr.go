package gazetteer

import (
	"strconv"

	"citygeo/data"
)

// houseKey identifies a 门牌 on its street.
type houseKey struct {
	street int32 // street.id
	num    int32
	suffix string
}

// addPOIAddresses indexes the published street address of each POI (人民医院: 人民路5号) as a
// 门牌 at the POI's point when the 门牌 layer lacks that number: the address is a fact the
// data states, and a caller who reads it off the POI's sign should land on the POI rather than
// on an interpolation. Addresses on roads the dataset does not know are left out: a POI's
// address text never invents a road.
func (ix *Index) addPOIAddresses(pois []*data.POI) {
	// The POIs' 门牌 first (few), then one pass over the 门牌 layer drops those it holds.
	want := map[houseKey]*data.Address{}
	var order []houseKey
	for _, p := range pois {
		if p.Address == "" {
			continue
		}
		a, k, ok := ix.poiAddress(p)
		if !ok {
			continue
		}
		h := houseKey{ix.streetFor(k).id, int32(a.Number), suffixOf(a)}
		if _, dup := want[h]; !dup {
			want[h] = a
			order = append(order, h)
		}
	}
	if len(want) == 0 {
		return
	}
	for _, a := range ix.addrs {
		delete(want, houseKey{a.st, a.num, ix.suffix(&a)})
	}
	for _, h := range order {
		if a := want[h]; a != nil {
			ix.poiAddrs = append(ix.poiAddrs, a)
			ix.addrs = append(ix.addrs, addr{num: h.num, sfx: ix.suffixID(h.suffix), point: a.Point, st: h.street, src: -int32(len(ix.poiAddrs))})
		}
	}
}

// poiAddress parses a POI's address into a 门牌 on a known road.
func (ix *Index) poiAddress(p *data.POI) (*data.Address, streetKey, bool) {
	parsed := ix.Parse(p.Address)
	var k streetKey
	road, num := -1, -1
	for i, e := range parsed.Elements {
		switch e.Kind {
		case KindRoad:
			if road >= 0 {
				return nil, k, false // an intersection or two roads: no single 门牌
			}
			road = i
		case KindSection:
			k.section = int32(e.Num)
		case KindLane:
			k.lane = int32(e.Num)
		case KindAlley:
			k.alley = int32(e.Num)
		case KindNumber:
			num = i
		}
	}
	if road < 0 || num < road || parsed.Elements[num].Num <= 0 {
		return nil, k, false
	}
	ri, ok := ix.byName[parsed.Elements[road].Text]
	if !ok {
		return nil, k, false
	}
	k.road = ri
	e := parsed.Elements[num]
	a := &data.Address{Road: ix.roads[ri].display, Number: e.Num, Suffix: e.Suffix, Full: p.Address,
		Point: p.Point, Source: "POI " + strconv.FormatUint(p.ID, 10)}
	return a, k, true
}
