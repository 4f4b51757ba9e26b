package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"citygeo/city"
	"citygeo/gazetteer"

	orbgeo "github.com/paulmach/orb/geo"
)

// TestTaipeiGeocodesHouseNumbers follows the Taipei mapping as a user would: it imports the
// admin layers, the components, the city's geocoded addresses (numbers such as 1之6 among
// them) and the OSM roads with `citygeo import --map`, builds the served snapshot, and
// geocodes every address as the city wrote it. Each must come back at 门牌号 on its own point,
// and no formatted address may carry a police precinct (the 街道 stand-in).
func TestTaipeiGeocodesHouseNumbers(t *testing.T) {
	files := skipWithoutTaipei(t)
	ds := importMapped(t, filepath.Join(t.TempDir(), "city.db"), taipeiMapping, files...)
	qualified := 0
	for _, a := range ds.Addresses {
		if strings.HasPrefix(a.Suffix, "之") {
			qualified++
		}
	}
	if len(ds.Addresses) != 1201 || len(ds.Roads) != 762 || qualified != 114 {
		t.Fatalf("imported %d addresses (%d with 之), %d roads; want 1201 (114), 762", len(ds.Addresses), qualified, len(ds.Roads))
	}
	snap, err := city.Build(ds, city.Options{})
	if err != nil {
		t.Fatal(err)
	}
	houses, far, precincts := 0, 0, 0
	for _, a := range ds.Addresses {
		if a.Number == 0 {
			continue // a lane entrance: no 门牌
		}
		cs := snap.Gazetteer.Geocode(a.Full, gazetteer.Query{})
		if len(cs) == 0 {
			t.Errorf("%s: no answer", a.Full)
			continue
		}
		c := cs[0]
		if c.Level == gazetteer.LevelHouse {
			houses++
		}
		if d := orbgeo.Distance(c.Point, a.Point); d > 1 {
			far++
			if far <= 5 {
				t.Errorf("%s: %s %s %q at %.0f m", a.Full, c.Level, c.Reason, c.Matched, d)
			}
		}
		r := snap.Gazetteer.Reverse(a.Point, 50)
		if strings.HasSuffix(r.Place.Street.Name, "派出所") {
			precincts++
		}
		if strings.Contains(r.Formatted, "派出所") {
			t.Fatalf("reverse of %s formats %q: a police precinct stands in for 街道 and is no part of an address", a.Full, r.Formatted)
		}
	}
	// The 11 rows without a number are lane entrances.
	if n := len(ds.Addresses) - 11; houses != n || far > 0 || precincts < n {
		t.Errorf("%d of %d answers at 门牌号, %d more than 1 m from their point; %d places name their precinct", houses, n, far, precincts)
	}
}

// skipWithoutTaipei skips without the shared sample and returns its files the mapping imports.
func skipWithoutTaipei(t *testing.T) []string {
	t.Helper()
	var files []string
	for _, l := range append(taipeiLayers, "roads_osm") {
		files = append(files, filepath.Join(taipeiDir, l+".geojson"))
	}
	files = append(files, filepath.Join(taipeiDir, "addresses.csv"))
	if _, err := os.Stat(taipeiDir); err != nil {
		t.Skip("../shared/data/taipei_daan not present")
	}
	return files
}
