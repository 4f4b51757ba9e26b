package city

import (
	"cmp"
	"slices"
	"strconv"

	"citygeo/data"
	"citygeo/gazetteer"

	"github.com/paulmach/orb"
)

// AddressIndex is the gazetteer as served now: geocode, reverse geocode and suggest over the
// snapshot's addresses, POIs and roads with its address and POI edits applied.
// *gazetteer.Index (no such edits) and *gazetteer.Patched (some) are the two.
type AddressIndex interface {
	Geocode(q string, opt gazetteer.Query) []gazetteer.Candidate
	Reverse(p orb.Point, radius float64) gazetteer.Reverse
	ReverseWith(p orb.Point, q gazetteer.ReverseQuery) gazetteer.Reverse
	Suggest(prefix string, limit int) []gazetteer.Suggestion
}

var (
	_ AddressIndex = (*gazetteer.Index)(nil)
	_ AddressIndex = (*gazetteer.Patched)(nil)
)

// addressDelta is the gazetteer patch of one overlay: the overlay's address and POI edits
// laid over the base gazetteer (gazetteer.Index.Patch). upTo is how many of the overlay's
// changes it has read, so that a later overlay adding only other layers' changes reuses it.
type addressDelta struct {
	o     *overlay
	upTo  int
	patch *gazetteer.Patched
}

// Addresses returns the gazetteer as served now. With no address or POI edit over the base it
// is the base gazetteer itself (geocoding pays nothing for the overlay); else a patch of it,
// built on the first read after an edit (milliseconds: a small index of the edited features
// only) and kept until the next address or POI edit. Read paths that answer from addresses and
// POIs (geocode, reverse, suggest, dispatch by address) ask this, never Gazetteer alone.
func (s *Snapshot) Addresses() AddressIndex {
	o := s.edits.Load()
	if o == nil || o.others == 0 {
		return s.Gazetteer
	}
	d := s.gaz.Load()
	if d != nil && d.o == o {
		return patchOrBase(s, d)
	}
	if d != nil && extends(o, d) && !touchesAddresses(o.changes[d.upTo:]) {
		d = &addressDelta{o: o, upTo: len(o.changes), patch: d.patch}
		s.gaz.Store(d)
		return patchOrBase(s, d)
	}
	d = &addressDelta{o: o, upTo: len(o.changes), patch: s.patchFor(o.changes)}
	s.gaz.Store(d)
	return patchOrBase(s, d)
}

func patchOrBase(s *Snapshot, d *addressDelta) AddressIndex {
	if d.patch == nil {
		return s.Gazetteer
	}
	return d.patch
}

// extends reports whether o holds every change d read, in the same order (a snapshot's
// overlays only grow; a fold starts a new snapshot).
func extends(o *overlay, d *addressDelta) bool {
	return d.upTo <= len(o.changes) && (d.upTo == 0 || o.changes[d.upTo-1].Seq == d.o.changes[d.upTo-1].Seq)
}

func touchesAddresses(cs []data.Change) bool {
	return slices.ContainsFunc(cs, func(c data.Change) bool { return c.Layer == data.LayerAddress || c.Layer == data.LayerPOI })
}

// patchFor builds the gazetteer patch of a list of changes: nil when none is an address or POI
// edit. Every id an edit touched is hidden in the base; the last form of each one not deleted
// is indexed. An edited feature the gazetteer cannot hold cannot happen (edits are validated
// as imports are); should one, the base answers alone rather than failing every query.
func (s *Snapshot) patchFor(cs []data.Change) *gazetteer.Patched {
	h := gazetteer.Hidden{Addresses: map[uint64]bool{}, POIs: map[uint64]bool{}}
	addrs := map[uint64]*data.Address{}
	pois := map[uint64]*data.POI{}
	for _, c := range cs {
		id, err := strconv.ParseUint(c.ID, 10, 64)
		if err != nil {
			continue
		}
		switch c.Layer {
		case data.LayerAddress:
			h.Addresses[id] = true
			addrs[id] = nil
			if c.Op != data.OpDelete && c.After != nil && len(c.After.Addresses) == 1 {
				addrs[id] = c.After.Addresses[0]
			}
		case data.LayerPOI:
			h.POIs[id] = true
			pois[id] = nil
			if c.Op != data.OpDelete && c.After != nil && len(c.After.POIs) == 1 {
				pois[id] = c.After.POIs[0]
			}
		}
	}
	if len(h.Addresses)+len(h.POIs) == 0 {
		return nil
	}
	ds := &data.Dataset{Version: s.Version(), Addresses: live(addrs), POIs: live(pois)}
	p, err := s.Gazetteer.Patch(ds, h)
	if err != nil {
		return nil
	}
	return p
}

// live returns the features not deleted, by id, for an index built the same every time.
func live[T any](m map[uint64]*T) []*T {
	ids := make([]uint64, 0, len(m))
	for id, x := range m {
		if x != nil {
			ids = append(ids, id)
		}
	}
	slices.SortFunc(ids, cmp.Compare[uint64])
	out := make([]*T, len(ids))
	for i, id := range ids {
		out[i] = m[id]
	}
	return out
}
