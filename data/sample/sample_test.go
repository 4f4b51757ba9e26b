package sample_test

import (
	"bytes"
	"encoding/gob"
	"errors"
	"math"
	"testing"

	"citygeo/data"
	"citygeo/data/sample"
	"github.com/paulmach/orb"
)

func generate(t testing.TB, o sample.Options) *data.Dataset {
	t.Helper()
	ds, err := sample.Generate(o)
	if err != nil {
		t.Fatalf("Generate(%+v): %v", o, err)
	}
	return ds
}

func encode(t testing.TB, ds *data.Dataset) []byte {
	t.Helper()
	gob.Register(orb.Point{})
	gob.Register(orb.LineString{})
	gob.Register(orb.Polygon{})
	var b bytes.Buffer
	if err := gob.NewEncoder(&b).Encode(ds); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestDeterministic(t *testing.T) {
	o := sample.Options{Grids: 800, Seed: 7}
	a, b := encode(t, generate(t, o)), encode(t, generate(t, o))
	if !bytes.Equal(a, b) {
		t.Fatal("two runs with the same options differ")
	}
	c := encode(t, generate(t, sample.Options{Grids: 800, Seed: 8}))
	if bytes.Equal(a, c) {
		t.Fatal("a different seed gave the same city")
	}
}

func TestDefaultCity(t *testing.T) {
	ds := generate(t, sample.Options{})
	if ds.Name != "深圳市罗湖区（示例）" || ds.Source != "sample" || ds.Version != 1 {
		t.Errorf("header = %q %q %d", ds.Name, ds.Source, ds.Version)
	}
	levels := map[data.AreaLevel]int{}
	for _, a := range ds.Areas {
		levels[a.Level]++
	}
	if levels[data.District] != 1 || levels[data.Street] != 10 || levels[data.Community] != 109 {
		t.Errorf("areas per level = %v, want 1 district, 10 streets, 109 communities", levels)
	}
	if n := len(ds.Grids); math.Abs(float64(n)-sample.DefaultGrids) > 0.05*sample.DefaultGrids {
		t.Errorf("%d grids, want about %d", n, sample.DefaultGrids)
	}
	want := float64(sample.DefaultComponentsPerGrid * len(ds.Grids))
	if n := float64(len(ds.Components)); math.Abs(n-want) > 0.15*want {
		t.Errorf("%v components, want about %v", n, want)
	}
	classes := map[string]int{}
	for _, c := range ds.Components {
		classes[c.Class()]++
	}
	for _, cl := range []string{"0101", "0102", "0103", "0104", "0105", "0107", "0113", "0115", "0118", "0121",
		"0203", "0209", "0210", "0211", "0301", "0305", "0402", "0405"} {
		if classes[cl] == 0 {
			t.Errorf("no component of class %s", cl)
		}
	}
	t.Logf("%d grids, %d components, %d roads, %d addresses, %d buildings, %d POIs, %d departments; classes %v",
		len(ds.Grids), len(ds.Components), len(ds.Roads), len(ds.Addresses), len(ds.Buildings), len(ds.POIs), len(ds.Departments), classes)
}

// TestRelocate moves the sample to another district: every code and geometry moves with it,
// and the original's district is left nowhere.
func TestRelocate(t *testing.T) {
	orig, err := sample.Generate(sample.Options{Grids: 500, Components: 2000})
	if err != nil {
		t.Fatal(err)
	}
	ds, err := sample.Generate(sample.Options{Grids: 500, Components: 2000})
	if err != nil {
		t.Fatal(err)
	}
	if err := sample.Relocate(ds, "440304", -0.1, 0.05); err != nil {
		t.Fatal(err)
	}
	if err := ds.CheckCity("440304"); err != nil {
		t.Fatal(err)
	}
	if err := ds.CheckCity("440303"); !errors.Is(err, data.ErrOutsideCity) {
		t.Fatalf("the moved city checked against the old district: %v", err)
	}
	for i, g := range ds.Grids {
		o := orig.Grids[i]
		if g.Code != "440304"+o.Code[6:] || g.Community != "440304"+o.Community[6:] {
			t.Fatalf("grid %s moved to %s (community %s)", o.Code, g.Code, g.Community)
		}
		if d := g.Polygon.Bound().Min.Point(); math.Abs(d[0]-o.Polygon.Bound().Min[0]+0.1) > 1e-9 || math.Abs(d[1]-o.Polygon.Bound().Min[1]-0.05) > 1e-9 {
			t.Fatalf("grid %s: corner %v from %v", g.Code, d, o.Polygon.Bound().Min)
		}
	}
	for i, c := range ds.Components {
		if o := orig.Components[i]; c.ID != "440304"+o.ID[6:] || c.Grid != "440304"+o.Grid[6:] {
			t.Fatalf("component %s moved to %s in grid %s", o.ID, c.ID, c.Grid)
		}
	}
	if err := sample.Relocate(ds, "4403", 0, 0); err == nil {
		t.Fatal("a 4-digit key accepted")
	}
}
