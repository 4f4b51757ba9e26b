package postgis_test

import (
	"context"
	"errors"
	"testing"

	"citygeo/data"
	"citygeo/data/postgis"
	"citygeo/data/sample"
)

// TestCities keeps two cities in one database: each a store of its own that refuses another
// city's districts, listed with its active version, and a city never created is ErrNoCity.
func TestCities(t *testing.T) {
	ctx := context.Background()
	db := testDB(t)
	ds, err := sample.Generate(sample.Options{Grids: 500, Components: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := postgis.CityURL(ctx, db, "440304", false); !errors.Is(err, postgis.ErrNoCity) {
		t.Fatalf("CityURL of a city never created = %v, want ErrNoCity", err)
	}
	if _, err := postgis.CityURL(ctx, db, "44030", true); err == nil {
		t.Fatal("CityURL accepted a 5-digit key")
	}
	luohu, err := postgis.CityURL(ctx, db, "440303", true)
	if err != nil {
		t.Fatal(err)
	}
	futian, err := postgis.CityURL(ctx, db, "440304", true)
	if err != nil {
		t.Fatal(err)
	}
	again, err := postgis.CityURL(ctx, db, "440303", false)
	if err != nil || again != luohu {
		t.Fatalf("CityURL of a created city = %q, %v; want %q", again, err, luohu)
	}
	l, f := open(t, luohu), open(t, futian)
	if l.City() != "440303" || f.City() != "440304" || l.Schema() == f.Schema() {
		t.Fatalf("stores: %s in %s, %s in %s", l.City(), l.Schema(), f.City(), f.Schema())
	}
	if base := open(t, db); base.City() != "" {
		t.Fatalf("the base schema's store is city %q", base.City())
	}
	v, err := l.Save(ctx, ds, "test")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Save(ctx, ds, "test"); !errors.Is(err, data.ErrOutsideCity) {
		t.Fatalf("saving Luohu into city 440304 = %v, want ErrOutsideCity", err)
	}
	if _, err := f.ActiveVersion(ctx); !errors.Is(err, data.ErrNoActive) {
		t.Fatalf("city 440304 after a refused save: active = %v, want ErrNoActive", err)
	}
	// A city's data is only in its schema: the base schema's store (one city, as before
	// several) has no version.
	if _, err := open(t, db).ActiveVersion(ctx); !errors.Is(err, data.ErrNoActive) {
		t.Fatalf("base schema: active = %v, want ErrNoActive", err)
	}
	cities, err := postgis.Cities(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if len(cities) != 2 || cities[0].Key != "440303" || cities[0].Active != v || cities[0].Name != ds.Name ||
		cities[1].Key != "440304" || cities[1].Active != 0 || cities[1].Schema != f.Schema() {
		t.Fatalf("cities = %+v", cities)
	}
}
