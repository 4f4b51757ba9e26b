package city

import (
	"context"
	"log/slog"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"citygeo/data"
	"citygeo/data/sample"
	"citygeo/data/sqlite"
	"citygeo/gazetteer"

	"github.com/paulmach/orb"
)

// addressCity serves a generated city with addresses and POIs from a new store, with the
// background fold held back so that every answer below comes from the overlay, not a rebuild.
func addressCity(t testing.TB, opts sample.Options) (*City, *data.Dataset) {
	t.Helper()
	ctx := context.Background()
	ds, err := sample.Generate(opts)
	if err != nil {
		t.Fatal(err)
	}
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "city.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := st.Save(ctx, ds, "seed"); err != nil {
		t.Fatal(err)
	}
	c := New(st, Options{}, slog.New(slog.DiscardHandler))
	if err := c.Load(ctx); err != nil {
		t.Fatal(err)
	}
	c.lastFold.end, c.lastFold.took = time.Now(), 24*time.Hour // no fold for the test's length
	return c, ds
}

// etagOf is the If-Match an editor sends for a feature as read from the base.
func etagOf(l data.Layer, f any) string {
	switch f := f.(type) {
	case *data.Address:
		return FeatureETag(&data.Dataset{Addresses: []*data.Address{f}})
	case *data.POI:
		return FeatureETag(&data.Dataset{POIs: []*data.POI{f}})
	}
	return ""
}

// offset returns p moved about dx, dy metres.
func offset(p orb.Point, dx, dy float64) orb.Point {
	return orb.Point{p[0] + dx/101000, p[1] + dy/111000}
}

// TestAddressEditsReachGeocode edits addresses and POIs through City.Edit, as the HTTP layer
// does, and asks geocode, reverse geocode, suggest and dispatch's address geocoder at once, on
// the snapshot still serving the base version (no rebuild): a created 门牌 is found at its
// point at level 门牌号; a moved one at its new point; a deleted one no longer exactly (the
// answer falls back, flagged); a renamed POI by its new name and not its old one.
func TestAddressEditsReachGeocode(t *testing.T) {
	ctx := context.Background()
	c, ds := addressCity(t, sample.Options{Grids: 500, Components: 500, Addresses: 3000, Seed: 5})
	base := c.Current()
	if len(ds.Addresses) < 10 || len(ds.POIs) < 1 {
		t.Fatalf("sample city has %d addresses, %d POIs", len(ds.Addresses), len(ds.POIs))
	}
	// Three plain 门牌 of one road, far enough apart, each answered exactly by the base.
	var plain []*data.Address
	for _, a := range ds.Addresses {
		if a.Suffix == "" && a.Number > 10 {
			if cs := base.Geocode(a.Full, gazetteer.Query{}); len(cs) == 1 && cs[0].Point == a.Point && cs[0].Reason == gazetteer.ReasonExact {
				plain = append(plain, a)
			}
		}
		if len(plain) == 3 {
			break
		}
	}
	if len(plain) < 3 {
		t.Fatal("no three exactly geocoded 门牌 in the sample")
	}
	maxID := uint64(0)
	for _, a := range ds.Addresses {
		maxID = max(maxID, a.ID)
	}
	created := *plain[0]
	created.ID, created.Number, created.Point = maxID+1, 9001, offset(plain[0].Point, 30, 20)
	created.Full = created.Road + "9001号"
	movedAddr := *plain[1]
	movedAddr.Point = offset(plain[1].Point, -40, 25)
	deleted := plain[2]
	poi := ds.POIs[0]
	renamed := *poi
	renamed.Name, renamed.Aliases = "青松社区党群服务中心", nil

	tests := []struct {
		name string
		edit Edit
		// check asks the snapshot as served right after the edit.
		check func(t *testing.T, s *Snapshot)
	}{{
		name: "created address",
		edit: Edit{Layer: data.LayerAddress, ID: strconv.FormatUint(created.ID, 10), Op: data.OpCreate,
			After: &data.Dataset{Addresses: []*data.Address{&created}}},
		check: func(t *testing.T, s *Snapshot) {
			cs := s.Geocode(created.Full, gazetteer.Query{Limit: 3})
			if len(cs) == 0 || cs[0].Point != created.Point || cs[0].Level != gazetteer.LevelHouse || cs[0].Reason != gazetteer.ReasonExact || cs[0].Interpolated {
				t.Errorf("geocode %s = %+v, want 门牌号 exactly at %v", created.Full, cs, created.Point)
			}
			if cs := s.Gazetteer.Geocode(created.Full, gazetteer.Query{}); len(cs) > 0 && cs[0].Point == created.Point {
				t.Fatal("the base gazetteer already holds the created address: the test does not reach the overlay")
			}
			r := s.Addresses().Reverse(offset(created.Point, 1, 1), 100)
			if r.House == nil || r.House.Number != "9001号" || r.Formatted == "" || r.Phrase == "" {
				t.Errorf("reverse beside %s = %+v, want it named", created.Full, r.House)
			}
			if p, err := s.AddressGeocoder().Geocode(ctx, created.Full); err != nil || p != created.Point {
				t.Errorf("dispatch geocode of %s = %v, %v", created.Full, p, err)
			}
		},
	}, {
		name: "moved address",
		edit: Edit{Layer: data.LayerAddress, ID: strconv.FormatUint(movedAddr.ID, 10), Op: data.OpUpdate,
			After: &data.Dataset{Addresses: []*data.Address{&movedAddr}}, IfMatch: etagOf(data.LayerAddress, plain[1])},
		check: func(t *testing.T, s *Snapshot) {
			cs := s.Geocode(movedAddr.Full, gazetteer.Query{Limit: 3})
			if len(cs) == 0 || cs[0].Point != movedAddr.Point || cs[0].Level != gazetteer.LevelHouse || cs[0].Reason != gazetteer.ReasonExact {
				t.Errorf("geocode %s = %+v, want 门牌号 exactly at the new point %v", movedAddr.Full, cs, movedAddr.Point)
			}
			for _, c := range cs {
				if c.Point == plain[1].Point {
					t.Errorf("geocode %s still answers the old point: %+v", movedAddr.Full, c)
				}
			}
			if r := s.Addresses().Reverse(plain[1].Point, 100); r.House != nil && r.House.Point == plain[1].Point {
				t.Errorf("reverse at the old point still names %+v", r.House)
			}
		},
	}, {
		name: "deleted address",
		edit: Edit{Layer: data.LayerAddress, ID: strconv.FormatUint(deleted.ID, 10), Op: data.OpDelete,
			IfMatch: etagOf(data.LayerAddress, deleted)},
		check: func(t *testing.T, s *Snapshot) {
			cs := s.Geocode(deleted.Full, gazetteer.Query{Limit: 3})
			for _, c := range cs {
				if c.Point == deleted.Point || c.Reason == gazetteer.ReasonExact && c.Level == gazetteer.LevelHouse {
					t.Errorf("geocode of deleted %s still answers it exactly: %+v", deleted.Full, c)
				}
			}
			if len(cs) > 0 && cs[0].Reason == "" {
				t.Errorf("geocode of deleted %s = %+v, want a flagged fallback", deleted.Full, cs[0])
			}
		},
	}, {
		name: "renamed POI",
		edit: Edit{Layer: data.LayerPOI, ID: strconv.FormatUint(poi.ID, 10), Op: data.OpUpdate,
			After: &data.Dataset{POIs: []*data.POI{&renamed}}, IfMatch: etagOf(data.LayerPOI, poi)},
		check: func(t *testing.T, s *Snapshot) {
			cs := s.Geocode(renamed.Name, gazetteer.Query{Limit: 3})
			if len(cs) == 0 || cs[0].Level != gazetteer.LevelPOI || cs[0].Point != renamed.Point || cs[0].Matched != renamed.Name {
				t.Errorf("geocode of the new name %s = %+v, want the POI", renamed.Name, cs)
			}
			for _, c := range s.Geocode(poi.Name, gazetteer.Query{Limit: 5}) {
				if c.Level == gazetteer.LevelPOI && c.Matched == poi.Name && c.Point == poi.Point {
					t.Errorf("geocode of the old name %s still answers it: %+v", poi.Name, c)
				}
			}
			id := "poi:" + strconv.FormatUint(poi.ID, 10)
			if !hasSuggestion(s.Addresses().Suggest(renamed.Name[:6], 10), id, renamed.Name) {
				t.Errorf("suggest %q lacks %s %s", renamed.Name[:6], id, renamed.Name)
			}
			if hasSuggestion(s.Addresses().Suggest(poi.Name, 10), id, poi.Name) {
				t.Errorf("suggest %q still offers the old name", poi.Name)
			}
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.edit.Who = "gis1"
			if _, err := c.Edit(ctx, tt.edit); err != nil {
				t.Fatal(err)
			}
			s := c.Current()
			if s.Version() != base.Version() {
				t.Fatalf("served version %d, want the base %d with the edit over it", s.Version(), base.Version())
			}
			tt.check(t, s)
		})
	}
}

func hasSuggestion(ss []gazetteer.Suggestion, id, name string) bool {
	for _, s := range ss {
		if s.ID == id && s.Name == name {
			return true
		}
	}
	return false
}
