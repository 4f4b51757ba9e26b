package data_test

import (
	"testing"

	"citygeo/data"

	"github.com/google/go-cmp/cmp"
	"github.com/paulmach/orb"
)

// TestFeatureRoundTrip: the stored form of a change's feature reads back equal for every layer,
// and geometry of every component kind survives.
func TestFeatureRoundTrip(t *testing.T) {
	sq := orb.Polygon{{{114.1, 22.5}, {114.2, 22.5}, {114.2, 22.6}, {114.1, 22.5}}}
	for name, ds := range map[string]*data.Dataset{
		"point":    {Components: []*data.Component{{ID: "4403030118000001", Name: "灯", Geometry: orb.Point{114.1, 22.5}, Extra: map[string]string{"K": "v"}}}},
		"line":     {Components: []*data.Component{{ID: "4403030118000002", Geometry: orb.LineString{{114.1, 22.5}, {114.2, 22.6}}}}},
		"polygon":  {Components: []*data.Component{{ID: "4403030118000003", Geometry: sq}}},
		"grid":     {Grids: []*data.Grid{{Code: "440303001001001", Community: "440303001001", Polygon: sq, AreaM2: 10}}},
		"address":  {Addresses: []*data.Address{{ID: 7, Full: "人民路1号", Point: orb.Point{114.1, 22.5}}}},
		"poi":      {POIs: []*data.POI{{ID: 8, Name: "医院", Aliases: []string{"人医"}, Point: orb.Point{114.1, 22.5}}}},
		"road":     {Roads: []*data.Road{{ID: 9, Name: "人民路", Class: data.RoadArterial, Line: orb.LineString{{114.1, 22.5}, {114.2, 22.6}}}}},
		"area":     {Areas: []*data.Area{{Code: "440303", Name: "罗湖区", Level: data.District, Polygon: orb.MultiPolygon{sq}}}},
		"building": {Buildings: []*data.Building{{ID: 3, Name: "3栋", Point: orb.Point{114.1, 22.5}, Footprint: sq}}},
	} {
		t.Run(name, func(t *testing.T) {
			b, err := data.MarshalFeature(ds)
			if err != nil {
				t.Fatal(err)
			}
			got, err := data.UnmarshalFeature(b)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(ds, got); d != "" {
				t.Errorf("round trip (-want +got):\n%s", d)
			}
		})
	}
	if _, err := data.MarshalFeature(&data.Dataset{}); err == nil {
		t.Error("a change of no feature was encoded")
	}
	if ds, err := data.UnmarshalFeature([]byte("null")); ds != nil || err != nil {
		t.Errorf("null = %v, %v", ds, err)
	}
}

// FuzzUnmarshalFeature: no input panics, and what decodes encodes and decodes to itself.
func FuzzUnmarshalFeature(f *testing.F) {
	f.Add([]byte(`{"Component":{"ID":"4403030118000001","Geometry":{"type":"Point","coordinates":[114.1,22.5]}}}`))
	f.Add([]byte(`{"Grid":{"Code":"440303001001001","Polygon":[[[114.1,22.5],[114.2,22.5],[114.1,22.5]]]}}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, b []byte) {
		ds, err := data.UnmarshalFeature(b)
		if err != nil || ds == nil {
			return
		}
		again, err := data.MarshalFeature(ds)
		if err != nil {
			return // e.g. a geometry GeoJSON cannot carry
		}
		back, err := data.UnmarshalFeature(again)
		if err != nil {
			t.Fatalf("re-decode of %s: %v", again, err)
		}
		if d := cmp.Diff(ds, back, cmp.Comparer(func(a, b float64) bool { return a == b || a != a && b != b })); d != "" {
			t.Errorf("unstable (-first +second):\n%s", d)
		}
	})
}
