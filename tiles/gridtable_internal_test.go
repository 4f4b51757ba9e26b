package tiles

import (
	"reflect"
	"testing"

	"github.com/paulmach/orb"

	"citygeo/data"
)

// TestGridTableReadsBackEachGrid: a row of the table reads back as the grid projected on its
// own (worldGrid, what an edited grid is drawn from), and a grid without a polygon has no row.
func TestGridTableReadsBackEachGrid(t *testing.T) {
	square := func(x float64) orb.Polygon {
		return orb.Polygon{{{x, 22.5}, {x + 0.001, 22.5}, {x + 0.001, 22.501}, {x, 22.501}, {x, 22.5}}}
	}
	holed := square(114.01)
	holed = append(holed, orb.Ring{{114.0102, 22.5002}, {114.0104, 22.5002}, {114.0104, 22.5004}, {114.0102, 22.5002}})
	grids := []*data.Grid{
		{Code: "44030300100101", Community: "东门社区", AreaM2: 10203.4, Polygon: square(114.0)},
		{Code: "44030300100102", Community: "", Polygon: nil},
		{Code: "44030300100103", Community: "南湖社区", AreaM2: 9999.6, Polygon: holed},
		{Code: "44030300100104", Community: "东门社区", AreaM2: 1, Polygon: square(114.02)},
	}
	tab := newGridTable(grids)
	if len(tab.rows) != 3 {
		t.Fatalf("%d rows, want 3: the grid without a polygon is not drawn", len(tab.rows))
	}
	if len(tab.communities) != 2 {
		t.Errorf("communities %q, want each name once", tab.communities)
	}
	var buf orb.Polygon
	for i, g := range []*data.Grid{grids[0], grids[2], grids[3]} {
		want, _ := worldGrid(g)
		got := tab.grid(int32(i), buf)
		buf = got.poly
		if got.code != want.code || got.community != want.community || got.area != want.area ||
			got.id != want.id || got.labelID != want.labelID || got.label != want.label {
			t.Errorf("row %d reads back as %+v, want %+v", i, got, want)
		}
		if !orb.Equal(got.poly, want.poly) {
			t.Errorf("row %d polygon %v, want %v", i, got.poly, want.poly)
		}
	}
}

// TestGridRowHoldsNoPointers: the point of the table is that the collector has nothing to
// follow in its rows.
func TestGridRowHoldsNoPointers(t *testing.T) {
	var walk func(reflect.Type) bool
	walk = func(t reflect.Type) bool {
		switch t.Kind() {
		case reflect.Struct:
			for i := range t.NumField() {
				if walk(t.Field(i).Type) {
					return true
				}
			}
			return false
		case reflect.Array:
			return walk(t.Elem())
		case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
			reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
			reflect.Float32, reflect.Float64, reflect.Complex64, reflect.Complex128:
			return false
		}
		return true
	}
	if walk(reflect.TypeFor[gridRow]()) {
		t.Error("gridRow holds a pointer")
	}
	if walk(reflect.TypeFor[orb.Point]()) {
		t.Error("orb.Point holds a pointer") // the table's points
	}
}
