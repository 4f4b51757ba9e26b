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

// TestGeocodeOutOfReach checks that a house lying farther from every other of its street than
// any spacing can explain, while the others agree, anchors no other number, on a street
// without a line and in a lane (whose mouth its parent places), yet answers for its own number;
// and that a far house its number can explain keeps anchoring.
func TestGeocodeOutOfReach(t *testing.T) {
	north := func(p orb.Point, m float64) orb.Point { return orb.Point{p[0], p[1] + m/111000} }
	mouth := housePoint(31)
	lanePoint := func(n int) orb.Point { return north(mouth, 3*float64(n)) }
	for _, c := range []struct {
		name     string
		addrs    []*data.Address
		far      *data.Address // the misplaced house (nil: none)
		ask      string
		want     orb.Point
		within   float64
		wantFrom orb.Point // with within, where the answer must lie near
	}{
		{
			name:   "street without a line",
			addrs:  append(houses("弯街", 2, 8, 2), houses("弯街", 14, 20, 2)...),
			far:    &data.Address{Road: "弯街", Number: 10, Point: north(housePoint(10), 1500)},
			ask:    "弯街12号",
			want:   housePoint(12),
			within: 15,
		},
		{
			name: "lane: two of its houses and its mouth agree",
			addrs: append(houses("直街", 1, 61, 2),
				&data.Address{Road: "直街", Lane: "31巷", Number: 1, Point: lanePoint(1)},
				&data.Address{Road: "直街", Lane: "31巷", Number: 5, Point: lanePoint(5)}),
			far:    &data.Address{Road: "直街", Lane: "31巷", Number: 9, Point: north(housePoint(120), 100)},
			ask:    "直街31巷11号",
			want:   lanePoint(11),
			within: 60,
		},
		{
			name:   "lane: a lone house against the mouth its street places",
			addrs:  houses("直街", 1, 61, 2),
			far:    &data.Address{Road: "直街", Lane: "31巷", Number: 18, Point: north(housePoint(120), 100)},
			ask:    "直街31巷41号",
			want:   mouth,
			within: 41*12 + 20,
		},
		{
			name:   "far, but its number explains it",
			addrs:  append(houses("弯街", 2, 20, 2), &data.Address{Road: "弯街", Number: 60, Point: north(housePoint(60), 550)}),
			ask:    "弯街58号",
			want:   north(housePoint(60), 550),
			within: 60,
		},
	} {
		ds := &data.Dataset{Roads: []*data.Road{{ID: 1, Name: "直街", Line: orb.LineString{{lon0 - 0.01, lat0}, {lon0 + 0.02, lat0}}}}}
		ds.Addresses = append(ds.Addresses, c.addrs...)
		if c.far != nil {
			ds.Addresses = append(ds.Addresses, c.far)
		}
		for i, a := range ds.Addresses {
			a.ID = uint64(i + 1)
		}
		ix := mustNew(t, ds, gazetteer.Options{})
		got := ix.Geocode(c.ask, gazetteer.Query{})
		if len(got) == 0 {
			t.Fatalf("%s: Geocode(%s) found nothing", c.name, c.ask)
		}
		if d := orbgeo.Distance(got[0].Point, c.want); d > c.within {
			t.Errorf("%s: Geocode(%s) = %s/%s %.0f m from %v, want ≤ %.0f m", c.name, c.ask, got[0].Level, got[0].Reason, d, c.want, c.within)
		}
		if c.far == nil {
			continue
		}
		q := ix.Geocode(fmt.Sprintf("%s%s%d号", c.far.Road, c.far.Lane, c.far.Number), gazetteer.Query{})
		if len(q) == 0 || q[0].Reason != gazetteer.ReasonExact || orbgeo.Distance(q[0].Point, c.far.Point) > 1 {
			t.Errorf("%s: the far house itself = %+v, want its own point, exact", c.name, q)
		}
	}
}
