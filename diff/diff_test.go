package diff_test

import (
	"reflect"
	"testing"

	"github.com/paulmach/orb"

	"citygeo/data"
	"citygeo/diff"
)

func TestDatasets(t *testing.T) {
	poi := func(id uint64, name string, lon, lat float64) *data.POI {
		return &data.POI{ID: id, Name: name, Point: orb.Point{lon, lat}}
	}
	comp := func(id, name string) *data.Component {
		return &data.Component{ID: id, Name: name, Geometry: orb.Point{114.1, 22.5}}
	}
	tests := []struct {
		name string
		a, b *data.Dataset
		want diff.Result
	}{
		{
			name: "unchanged",
			a:    &data.Dataset{Version: 1, POIs: []*data.POI{poi(1, "图书馆", 114.1, 22.5)}},
			b:    &data.Dataset{Version: 2, POIs: []*data.POI{poi(1, "图书馆", 114.1, 22.5)}},
			want: diff.Result{From: 1, To: 2},
		},
		{
			name: "added, removed, renamed and moved POIs",
			a: &data.Dataset{Version: 1, POIs: []*data.POI{
				poi(1, "图书馆", 114.1, 22.5), poi(2, "旧市场", 114.2, 22.5), poi(3, "公园", 114.3, 22.5), poi(10, "医院", 114.4, 22.5),
			}},
			b: &data.Dataset{Version: 2, POIs: []*data.POI{
				poi(10, "医院", 114.4, 22.6), poi(3, "中心公园", 114.3, 22.5), poi(1, "图书馆", 114.1, 22.5), poi(9, "新市场", 114.2, 22.5),
			}},
			want: diff.Result{From: 1, To: 2, POIs: diff.Layer{
				Added:   []string{"9"},
				Removed: []string{"2"},
				Changed: []diff.Changed{
					{ID: "3", Fields: []diff.Change{{Key: "name", Old: "公园", New: "中心公园"}}},
					{ID: "10", Fields: []diff.Change{{Key: diff.GeometryKey, Old: "POINT(114.4 22.5)", New: "POINT(114.4 22.6)"}}},
				},
			}},
		},
		{
			name: "component renamed, one added, one removed",
			a:    &data.Dataset{Version: 3, Components: []*data.Component{comp("4403030101000001", "井盖"), comp("4403030101000002", "路灯")}},
			b:    &data.Dataset{Version: 5, Components: []*data.Component{comp("4403030101000001", "雨水井盖"), comp("4403030101000003", "果皮箱")}},
			want: diff.Result{From: 3, To: 5, Components: diff.Layer{
				Added:   []string{"4403030101000003"},
				Removed: []string{"4403030101000002"},
				Changed: []diff.Changed{{ID: "4403030101000001", Fields: []diff.Change{{Key: "name", Old: "井盖", New: "雨水井盖"}}}},
			}},
		},
		{
			name: "component's extra attributes changed, added and dropped",
			a: &data.Dataset{Version: 1, Components: []*data.Component{{ID: "4403030101000001", Name: "井盖", Geometry: orb.Point{114.1, 22.5},
				Extra: map[string]string{"MATERIAL": "铸铁", "NOTE2": "旧"}}}},
			b: &data.Dataset{Version: 2, Components: []*data.Component{{ID: "4403030101000001", Name: "井盖", Geometry: orb.Point{114.1, 22.5},
				Extra: map[string]string{"MATERIAL": "复合材料", "SIZE": "700"}}}},
			want: diff.Result{From: 1, To: 2, Components: diff.Layer{
				Changed: []diff.Changed{{ID: "4403030101000001", Fields: []diff.Change{
					{Key: "extra.MATERIAL", Old: "铸铁", New: "复合材料"}, {Key: "extra.NOTE2", Old: "旧"}, {Key: "extra.SIZE", New: "700"}}}},
			}},
		},
		{
			name: "road line moved and grid unchanged",
			a: &data.Dataset{Version: 1,
				Roads: []*data.Road{{ID: 7, Name: "深南大道", Line: orb.LineString{{114, 22}, {114.1, 22}}}},
				Grids: []*data.Grid{{Code: "440303001001001", Community: "440303001001", Polygon: orb.Polygon{{{0, 0}, {1, 0}, {1, 1}, {0, 0}}}}}},
			b: &data.Dataset{Version: 2,
				Roads: []*data.Road{{ID: 7, Name: "深南大道", Line: orb.LineString{{114, 22}, {114.2, 22}}}},
				Grids: []*data.Grid{{Code: "440303001001001", Community: "440303001001", Polygon: orb.Polygon{{{0, 0}, {1, 0}, {1, 1}, {0, 0}}}}}},
			want: diff.Result{From: 1, To: 2, Roads: diff.Layer{
				Changed: []diff.Changed{{ID: "7", Fields: []diff.Change{{Key: diff.GeometryKey, Old: "LINESTRING(114 22,114.1 22)", New: "LINESTRING(114 22,114.2 22)"}}}},
			}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := diff.Datasets(tt.a, tt.b)
			if !reflect.DeepEqual(normal(got), normal(tt.want)) {
				t.Errorf("Datasets:\n got %+v\nwant %+v", got, tt.want)
			}
			if got.Empty() != (tt.name == "unchanged") {
				t.Errorf("Empty() = %v", got.Empty())
			}
		})
	}
}

// normal makes nil and empty lists the same, so the wanted results name only what they expect.
func normal(r diff.Result) diff.Result {
	for _, l := range []*diff.Layer{&r.Components, &r.Grids, &r.Addresses, &r.POIs, &r.Roads} {
		if l.Added == nil {
			l.Added = []string{}
		}
		if l.Removed == nil {
			l.Removed = []string{}
		}
		if l.Changed == nil {
			l.Changed = []diff.Changed{}
		}
	}
	return r
}
