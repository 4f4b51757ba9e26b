package city

import (
	"context"
	"errors"
	"fmt"

	"citygeo/dispatch"
	"citygeo/gazetteer"

	"github.com/paulmach/orb"
)

// MinDispatchScore is the least geocoding score a report's address must reach to be
// dispatched by it: below it the dispatcher should place the report by hand.
const MinDispatchScore = 0.5

// AddressGeocoder returns the snapshot's gazetteer, as served now (Addresses), as the
// dispatch.Geocoder that places a report given by address: the best candidate, refused below
// MinDispatchScore.
func (s *Snapshot) AddressGeocoder() dispatch.Geocoder { return gazetteerGeocoder{s} }

// gazetteerGeocoder is a snapshot's gazetteer as a dispatch.Geocoder.
type gazetteerGeocoder struct{ s *Snapshot }

func (g gazetteerGeocoder) Geocode(_ context.Context, address string) (orb.Point, error) {
	cs := g.s.Addresses().Geocode(address, gazetteer.Query{Limit: 1})
	if len(cs) == 0 {
		return orb.Point{}, errors.New("no candidate")
	}
	if cs[0].Score < MinDispatchScore {
		return orb.Point{}, fmt.Errorf("best candidate %q scores %.2f, below %.2f", cs[0].Address, cs[0].Score, MinDispatchScore)
	}
	return cs[0].Point, nil
}

var _ dispatch.Geocoder = gazetteerGeocoder{}
