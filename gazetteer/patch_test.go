package gazetteer_test

import (
	"fmt"
	"testing"

	"citygeo/data"
	"citygeo/gazetteer"

	"github.com/paulmach/orb"
)

// TestPatch lays single edits over the test city and checks what geocode, reverse geocode and
// suggest answer against what the base answers: a created or moved 门牌 is found exactly at its
// point, a deleted one only by an estimate (flagged), a renamed POI by its new name only, a
// deleted POI nowhere.
func TestPatch(t *testing.T) {
	ds := testCity()
	ix := mustNew(t, ds, gazetteer.Options{})
	addrByNum := map[int]*data.Address{}
	for _, a := range ds.Addresses {
		if a.Road == "建设路" && a.Suffix == "" {
			addrByNum[a.Number] = a
		}
	}
	created := &data.Address{ID: 9001, Road: "建设路", Number: 41, Point: orb.Point{lon0 + 41*step, lat0 + 0.0005}}
	moved := *addrByNum[10]
	moved.Point = orb.Point{lon0 + 10*step, lat0 + 0.0006}
	renamed := *ds.POIs[0]
	renamed.Name, renamed.Aliases = "罗湖口岸服务中心", nil
	ids := func(ns ...uint64) map[uint64]bool {
		m := map[uint64]bool{}
		for _, n := range ns {
			m[n] = true
		}
		return m
	}
	tests := []struct {
		name   string
		edited data.Dataset
		hidden gazetteer.Hidden
		check  func(t *testing.T, p *gazetteer.Patched)
	}{{
		name:   "no edit answers as the base",
		hidden: gazetteer.Hidden{},
		check: func(t *testing.T, p *gazetteer.Patched) {
			for _, q := range []string{"建设路10号", "建设路41号", "东门医院"} {
				got, want := p.Geocode(q, gazetteer.Query{Limit: 3}), ix.Geocode(q, gazetteer.Query{Limit: 3})
				if fmt.Sprint(got) != fmt.Sprint(want) {
					t.Errorf("Geocode(%s) = %v, the base %v", q, got, want)
				}
			}
		},
	}, {
		name:   "created 门牌",
		edited: data.Dataset{Addresses: []*data.Address{created}},
		hidden: gazetteer.Hidden{Addresses: ids(created.ID)},
		check: func(t *testing.T, p *gazetteer.Patched) {
			if base := ix.Geocode("建设路41号", gazetteer.Query{}); len(base) == 0 || !base[0].Interpolated {
				t.Fatalf("the base places 建设路41号 as %+v, want an estimate", base)
			}
			cs := p.Geocode("罗湖区建设路41号", gazetteer.Query{Limit: 3})
			if len(cs) == 0 || cs[0].Point != created.Point || cs[0].Level != gazetteer.LevelHouse || cs[0].Reason != gazetteer.ReasonExact || cs[0].Interpolated {
				t.Errorf("Geocode(罗湖区建设路41号) = %+v, want 门牌号 exactly at %v", cs, created.Point)
			}
			r := p.Reverse(orb.Point{created.Point[0], created.Point[1] + 0.00002}, 0)
			if r.House == nil || r.House.Name != "建设路41号" || r.Formatted == "" || r.Phrase == "" {
				t.Errorf("Reverse beside 建设路41号 = %+v", r)
			}
		},
	}, {
		name:   "moved 门牌",
		edited: data.Dataset{Addresses: []*data.Address{&moved}},
		hidden: gazetteer.Hidden{Addresses: ids(moved.ID)},
		check: func(t *testing.T, p *gazetteer.Patched) {
			cs := p.Geocode("建设路10号", gazetteer.Query{Limit: 3})
			if len(cs) == 0 || cs[0].Point != moved.Point || cs[0].Reason != gazetteer.ReasonExact {
				t.Errorf("Geocode(建设路10号) = %+v, want exactly at %v", cs, moved.Point)
			}
			for _, c := range cs {
				if c.Point == addrByNum[10].Point {
					t.Errorf("Geocode(建设路10号) still answers the old point: %+v", c)
				}
			}
			if r := p.Reverse(addrByNum[10].Point, 0); r.House != nil && r.House.Point == addrByNum[10].Point {
				t.Errorf("Reverse at the old point names %+v", r.House)
			}
		},
	}, {
		name:   "deleted 门牌",
		hidden: gazetteer.Hidden{Addresses: ids(addrByNum[12].ID)},
		check: func(t *testing.T, p *gazetteer.Patched) {
			cs := p.Geocode("建设路12号", gazetteer.Query{Limit: 3})
			if len(cs) == 0 || cs[0].Point == addrByNum[12].Point || cs[0].Reason == gazetteer.ReasonExact || !cs[0].Interpolated {
				t.Errorf("Geocode(建设路12号) = %+v, want a flagged estimate, not the deleted point", cs)
			}
			if r := p.Reverse(addrByNum[12].Point, 0); r.House == nil || r.House.Name == "建设路12号" {
				t.Errorf("Reverse at the deleted 门牌 = %+v, want a neighbour", r.House)
			}
		},
	}, {
		name:   "renamed POI",
		edited: data.Dataset{POIs: []*data.POI{&renamed}},
		hidden: gazetteer.Hidden{POIs: ids(renamed.ID)},
		check: func(t *testing.T, p *gazetteer.Patched) {
			cs := p.Geocode(renamed.Name, gazetteer.Query{})
			if len(cs) == 0 || cs[0].Level != gazetteer.LevelPOI || cs[0].Point != renamed.Point || cs[0].Matched != renamed.Name {
				t.Errorf("Geocode(%s) = %+v, want the POI", renamed.Name, cs)
			}
			for _, q := range []string{"东门医院", "东门人民医院"} {
				for _, c := range p.Geocode(q, gazetteer.Query{Limit: 5}) {
					if c.Level == gazetteer.LevelPOI {
						t.Errorf("Geocode(%s) still answers the old name: %+v", q, c)
					}
				}
			}
			if ss := p.Suggest("罗湖口岸", 5); len(ss) == 0 || ss[0].ID != "poi:1" || ss[0].Name != renamed.Name {
				t.Errorf("Suggest(罗湖口岸) = %+v, want poi:1 %s", ss, renamed.Name)
			}
			for _, s := range p.Suggest("dmyy", 5) {
				if s.ID == "poi:1" {
					t.Errorf("Suggest(dmyy) still offers %+v", s)
				}
			}
			r := p.ReverseWith(renamed.Point, gazetteer.ReverseQuery{POIs: 3})
			if r.POI == nil || r.POI.Name != renamed.Name || len(r.POIs) == 0 || r.POIs[0].Name != renamed.Name {
				t.Errorf("ReverseWith at the POI = %+v / %+v, want the new name", r.POI, r.POIs)
			}
		},
	}, {
		name:   "deleted POI",
		hidden: gazetteer.Hidden{POIs: ids(5)},
		check: func(t *testing.T, p *gazetteer.Patched) {
			at := ds.POIs[1].Point
			r := p.ReverseWith(at, gazetteer.ReverseQuery{POIs: 5})
			if r.POI != nil && r.POI.Name == "罗湖小区" {
				t.Errorf("Reverse at the deleted POI names it: %+v", r.POI)
			}
			for _, n := range r.POIs {
				if n.ID == "poi:5" {
					t.Errorf("ReverseWith lists the deleted POI: %+v", n)
				}
			}
			for _, c := range p.Geocode("罗湖小区", gazetteer.Query{Limit: 5}) {
				if c.Level == gazetteer.LevelPOI && c.Point == at {
					t.Errorf("Geocode(罗湖小区) answers the deleted POI: %+v", c)
				}
			}
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := ix.Patch(&tt.edited, tt.hidden)
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, p)
		})
	}
}

// An edit laid over a gazetteer is answered at once, without rebuilding the index.
func ExampleIndex_Patch() {
	ix, err := gazetteer.New(testCity(), gazetteer.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	added := &data.Address{ID: 9001, Road: "建设路", Number: 41, Point: orb.Point{114.1041, 22.5505}}
	p, err := ix.Patch(&data.Dataset{Addresses: []*data.Address{added}}, gazetteer.Hidden{Addresses: map[uint64]bool{9001: true}})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, g := range []interface {
		Geocode(string, gazetteer.Query) []gazetteer.Candidate
	}{ix, p} {
		c := g.Geocode("建设路41号", gazetteer.Query{})[0]
		fmt.Println(c.Level, c.Reason == gazetteer.ReasonExact, c.Point == added.Point)
	}
	// Output:
	// 门牌号 false false
	// 门牌号 true true
}
