package main

import (
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"citygeo/city"
	"citygeo/data"
	"citygeo/gazetteer"

	"github.com/paulmach/orb"
	orbgeo "github.com/paulmach/orb/geo"
)

// unitRe finds a unit of a 门牌 (N號之K) in a register's full address.
var unitRe = regexp.MustCompile(`\d+號之\d+`)

// TestPenghuGeocodesHouseNumbers follows the Penghu mapping as a user would: it imports the
// county's house-number register with `citygeo import --map`, builds the served snapshot and
// geocodes every address as the register writes it, floors and flats included. Each must come
// back as its own 门牌 (exact, at 门牌号) within a metre of its point. The units the number
// column leaves out (7號 for 中央街7號之1) must be told apart from their base, or the base
// would answer at a unit's door; an address on a street the register does not hold answers
// at its 鄰.
func TestPenghuGeocodesHouseNumbers(t *testing.T) {
	csv := filepath.Join("..", "..", "..", "shared", "data", "penghu_magong", "addresses.csv")
	if _, err := os.Stat(csv); err != nil {
		t.Skip("../shared/data/penghu_magong not present")
	}
	ds := importMapped(t, filepath.Join(t.TempDir(), "penghu.db"), "../../import/testdata/penghu/mapping.json", csv)
	if len(ds.Addresses) != 9956 {
		t.Fatalf("imported %d addresses, want the register's 9956", len(ds.Addresses))
	}
	snap, err := city.Build(ds, city.Options{})
	if err != nil {
		t.Fatal(err)
	}
	// Floors and flats of one 门牌 are rows of their own, a few metres apart in the register;
	// the answer is the 门牌's, so it must lie on one of them.
	doors := map[string][]orb.Point{}
	door := func(a *data.Address) string {
		return a.Road + "|" + strconv.Itoa(a.Number) + a.Suffix + "|" + unitRe.FindString(a.Full)
	}
	for _, a := range ds.Addresses {
		doors[door(a)] = append(doors[door(a)], a.Point)
	}
	exact, far, units := 0, 0, 0
	for _, a := range ds.Addresses {
		if unitRe.MatchString(a.Full) {
			units++
		}
		cs := snap.Gazetteer.Geocode(a.Full, gazetteer.Query{})
		if len(cs) == 0 {
			t.Errorf("%s: no answer", a.Full)
			continue
		}
		c := cs[0]
		if c.Level == gazetteer.LevelHouse && c.Reason == gazetteer.ReasonExact {
			exact++
		}
		d := math.Inf(1)
		for _, p := range doors[door(a)] {
			d = min(d, orbgeo.Distance(c.Point, p))
		}
		if d > 1 {
			far++
			if far <= 5 {
				t.Errorf("%s: %s %s %q at %.0f m", a.Full, c.Level, c.Reason, c.Matched, d)
			}
		}
	}
	if exact != len(ds.Addresses) || far > 0 || units == 0 {
		t.Errorf("%d of %d answers exact at 门牌号, %d more than 1 m from their point (%d units 號之K)", exact, len(ds.Addresses), far, units)
	}
	// 中央街7號之1 is in the register, 中央街7號 too, 30 m apart: each answers at its own door.
	for q, number := range map[string]string{"澎湖縣馬公市中央里9鄰中央街7號之1": "7号之1", "澎湖縣馬公市中央街7號": "7号"} {
		cs := snap.Gazetteer.Geocode(q, gazetteer.Query{})
		if len(cs) == 0 || cs[0].Reason != gazetteer.ReasonExact || cs[0].Number != number {
			t.Errorf("Geocode(%s) = %+v, want 门牌 %s", q, cs, number)
		}
	}
	cs := snap.Gazetteer.Geocode("澎湖縣馬公市中央里9鄰無此路3號", gazetteer.Query{})
	if len(cs) == 0 || cs[0].Level != gazetteer.LevelCommunity || cs[0].Reason != gazetteer.ReasonNeighbourhood {
		t.Errorf("Geocode(a street the register does not hold) = %+v, want 社区 flagged neighbourhood", cs)
	}
}
