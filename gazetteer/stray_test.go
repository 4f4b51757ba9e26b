package gazetteer_test

import (
	"fmt"
	"testing"

	"citygeo/data"
	"citygeo/gazetteer"

	"github.com/paulmach/orb"
	orbgeo "github.com/paulmach/orb/geo"
)

// TestGeocodeOutOfSequence checks that a 门牌 recorded far out of sequence along its side still
// answers for its own number, exactly, but anchors no other: the number beside it is placed
// between the good neighbours, and a good neighbour of the misplaced house keeps anchoring.
func TestGeocodeOutOfSequence(t *testing.T) {
	for _, c := range []struct {
		name  string
		stray int       // the number recorded out of sequence (0: none)
		at    orb.Point // where the register puts it
		ask   int       // a number not indexed, beside it
	}{
		{"far ahead", 10, housePoint(80), 12},
		{"far behind", 30, housePoint(-40), 28},
		{"near the side's start", 4, housePoint(90), 6},
		{"none: a side in sequence", 0, orb.Point{}, 12},
	} {
		ds := &data.Dataset{Roads: []*data.Road{{ID: 1, Name: "直街", Line: orb.LineString{{lon0 - 0.01, lat0}, {lon0 + 0.02, lat0}}}}}
		for n := 2; n <= 40; n += 2 {
			p := housePoint(n)
			switch n {
			case c.ask:
				continue
			case c.stray:
				p = c.at
			}
			ds.Addresses = append(ds.Addresses, &data.Address{ID: uint64(n), Road: "直街", Number: n, Point: p})
		}
		ix := mustNew(t, ds, gazetteer.Options{})
		q := fmt.Sprintf("直街%d号", c.ask)
		got := ix.Geocode(q, gazetteer.Query{})
		if len(got) == 0 || got[0].Level != gazetteer.LevelHouse || got[0].Reason != gazetteer.ReasonInterpolated {
			t.Fatalf("%s: Geocode(%s) = %+v, want an interpolated 门牌", c.name, q, got)
		}
		if d := orbgeo.Distance(got[0].Point, housePoint(c.ask)); d > 5 {
			t.Errorf("%s: Geocode(%s) is %.0f m from where its number lies, want ≤ 5 m", c.name, q, d)
		}
		if c.stray == 0 {
			continue
		}
		q = fmt.Sprintf("直街%d号", c.stray)
		got = ix.Geocode(q, gazetteer.Query{})
		if len(got) == 0 || got[0].Reason != gazetteer.ReasonExact || orbgeo.Distance(got[0].Point, c.at) > 1 {
			t.Errorf("%s: Geocode(%s) = %+v, want the register's own point %v, exact", c.name, q, got, c.at)
		}
	}
}
