package sqlite

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/paulmach/orb"

	"citygeo/data"
	"citygeo/data/sample"
)

// edgeCity holds features whose values a binary image could get wrong: text JSON escapes,
// attribute maps, every geometry type and none, departments with a code or a name only, dates
// before 1970 and none, addresses with every part or none, a building with no footprint, a
// derived grid.
func edgeCity() *data.Dataset {
	ds := &data.Dataset{Name: "edges"}
	add := func(c *data.Component) {
		c.ID = fmt.Sprintf("4403030101%06d", len(ds.Components))
		c.Scheme, c.Major, c.Minor = data.CJT214, "01", "01"
		ds.Components = append(ds.Components, c)
	}
	add(&data.Component{Name: `"引号" <b>&amp;` + "\u2028\t", Note: `\u4e2d`, Geometry: orb.Point{114.1, 22.5}})
	add(&data.Component{Extra: map[string]string{"MATERIAL": "铸铁", "SPEC": "Φ700", "": "empty key"}, Geometry: orb.Point{math.Copysign(0, -1), 1e-300}})
	add(&data.Component{Geometry: orb.LineString{{114, 22}, {114.001, 22.001}}, Status: data.StatusDamaged, Grid: "440303001001"})
	add(&data.Component{Geometry: orb.Polygon{{{114, 22}, {114.001, 22}, {114.001, 22.001}, {114, 22}}}, Source: "实测"})
	add(&data.Component{Geometry: orb.LineString{}}) // empty: stored as no geometry
	add(&data.Component{})
	add(&data.Component{Owner: data.MakeDept("D1", ""), Property: data.MakeDept("", "权属单位"), Maintainer: data.MakeDept("D3", "养护单位"),
		InitDate: data.Date(1), ChangeDate: data.Date(800000), Geometry: orb.Point{114.2, 22.6}})
	add(&data.Component{Scheme: data.GBT4767, Extra: map[string]string{}, Geometry: orb.Point{114.3, 22.7}})
	ds.Components[len(ds.Components)-1].Scheme, ds.Components[len(ds.Components)-1].Minor = data.GBT4767, "001"
	ds.Addresses = []*data.Address{
		{ID: 1, Road: "和平东路", Section: "三段", Lane: "228巷", Alley: "7弄", Number: 18, Suffix: "之1", Full: "和平东路三段228巷7弄18号之1",
			Point: orb.Point{121.5, 25.03}, Community: "440303001001", Source: "addresses.csv"},
		{ID: 1 << 40, Road: "建设路", Number: -3, Full: `"quoted" \ full`},
		{ID: 3, Road: "建设路", Number: 0, Full: ""},
	}
	ds.Buildings = []*data.Building{
		{ID: 7, Compound: "翠竹苑", Name: "3栋", Address: "翠竹路18号", Point: orb.Point{114.12, 22.55},
			Footprint: orb.Polygon{{{114.12, 22.55}, {114.121, 22.55}, {114.121, 22.551}, {114.12, 22.55}}}},
		{ID: 8, Compound: "翠竹苑", Name: "A座"},
	}
	ds.Grids = []*data.Grid{
		{Code: "440303001001001", Community: "440303001001", AreaM2: 10000.5,
			Polygon: orb.Polygon{{{114, 22}, {114.001, 22}, {114.001, 22.001}, {114, 22}}}},
		{Code: "440303001001002", Community: "440303001001", AreaM2: math.Copysign(0, -1), Derived: true,
			Polygon: orb.Polygon{{{114, 22}, {114.001, 22}, {114.001, 22.001}, {114, 22}}, {{114.0002, 22.0002}, {114.0004, 22.0002}, {114.0004, 22.0004}, {114.0002, 22.0002}}}},
	}
	return ds
}

// imageCities returns a generated city and edgeCity with a component name that is not UTF-8
// (the fourth: the image ends before it).
func imageCities(t *testing.T) (city, notUTF8 *data.Dataset) {
	t.Helper()
	city, err := sample.Generate(sample.Options{Grids: 500, Components: 2000, Addresses: 300})
	if err != nil {
		t.Fatal(err)
	}
	notUTF8 = edgeCity()
	notUTF8.Components[3].Name = "bad \xff text"
	return city, notUTF8
}

// TestImageLoadsAsRows saves versions and loads their imaged layers from the image and from the
// rows, and wants the same features: the image is a shortcut, never a second truth.
func TestImageLoadsAsRows(t *testing.T) {
	city, notUTF8 := imageCities(t)
	tests := []struct {
		name       string
		ds         *data.Dataset
		wantChunks map[data.Layer]int // image chunks stored per layer; none: the rows are read
		corrupt    string
		wantUsed   bool // a load takes the components' chunks (a corrupt one then reads its rows)
	}{
		{"sample city", city, map[data.Layer]int{data.LayerComponent: 1, data.LayerAddress: 1, data.LayerBuilding: 1, data.LayerGrid: 1}, "", true},
		{"edge values", edgeCity(), map[data.Layer]int{data.LayerComponent: 1, data.LayerAddress: 1, data.LayerBuilding: 1, data.LayerGrid: 1}, "", true},
		{"more than a chunk", pointCity(imageChunk + 10), map[data.Layer]int{data.LayerComponent: 2}, "", true},
		{"text not UTF-8 leaves its layer unimaged", notUTF8, map[data.Layer]int{data.LayerAddress: 1, data.LayerBuilding: 1, data.LayerGrid: 1}, "", false},
		{"a corrupt chunk falls back to the rows", city, map[data.Layer]int{data.LayerComponent: 1, data.LayerAddress: 1, data.LayerBuilding: 1, data.LayerGrid: 1},
			`UPDATE layer_image SET data = x'0501'`, true},
		{"a missing chunk falls back to the rows", pointCity(imageChunk + 10), map[data.Layer]int{data.LayerComponent: 2}, `DELETE FROM layer_image WHERE lo = 0`, false},
		{"a chunk of another format falls back to the rows", city, map[data.Layer]int{data.LayerComponent: 1, data.LayerAddress: 1, data.LayerBuilding: 1, data.LayerGrid: 1},
			`UPDATE layer_image SET format = 99`, false},
		{"a short image falls back to the rows", pointCity(imageChunk + 10), map[data.Layer]int{data.LayerComponent: 2}, `DELETE FROM layer_image WHERE lo > 0`, false},
	}
	ctx := context.Background()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, v := savedStore(t, tt.ds)
			for l := range imaged {
				var chunks, n int
				if err := s.db.QueryRowContext(ctx, `SELECT count(*), coalesce(sum(n), 0) FROM layer_image WHERE version = ? AND layer = ?`,
					v, string(l)).Scan(&chunks, &n); err != nil {
					t.Fatal(err)
				}
				if chunks != tt.wantChunks[l] {
					t.Errorf("%d %s image chunks, want %d", chunks, l, tt.wantChunks[l])
				}
				if chunks > 0 && n != tt.ds.Count(l) {
					t.Errorf("%s image holds %d features, the version %d", l, n, tt.ds.Count(l))
				}
			}
			if tt.corrupt != "" {
				if _, err := s.db.ExecContext(ctx, tt.corrupt); err != nil {
					t.Fatal(err)
				}
			}
			tx, err := s.db.BeginTx(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			parts, err := imageParts(ctx, tx, v, data.LayerComponent, len(tt.ds.Components))
			tx.Rollback()
			if err != nil || (parts != nil) != tt.wantUsed {
				t.Errorf("imageParts = %d parts, %v; want used %v", len(parts), err, tt.wantUsed)
			}
			s.rowsOnly = true
			rows, err := s.Load(ctx, v)
			if err != nil {
				t.Fatal(err)
			}
			s.rowsOnly = false
			got, err := s.Load(ctx, v)
			if err != nil {
				t.Fatal(err)
			}
			for l := range imaged {
				if got.Count(l) != tt.ds.Count(l) {
					t.Fatalf("loaded %d %s, saved %d", got.Count(l), l, tt.ds.Count(l))
				}
			}
			sameImagedLayers(t, rows, got)
			if _, err := data.VerifyArena(got.Components, func(c *data.Component) string { return c.ID }); err != nil {
				t.Error(err)
			}
			if _, err := data.VerifyArena(got.Addresses, func(a *data.Address) string { return a.Full }); err != nil {
				t.Error(err)
			}
			if _, err := data.VerifyArena(got.Buildings, func(b *data.Building) string { return b.Name }); err != nil {
				t.Error(err)
			}
			if _, err := data.VerifyArena(got.Grids, func(g *data.Grid) string { return g.Code }); err != nil {
				t.Error(err)
			}
		})
	}
}

// savedStore opens a new store and saves ds as its first version as stores before the image
// record did (rowsToo: every feature in rows, the image a copy); the store closes with t.
func savedStore(t *testing.T, ds *data.Dataset) (*Store, int64) {
	t.Helper()
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "city.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	s.rowsToo = true
	v, err := s.Save(ctx, ds, "test")
	s.rowsToo = false
	if err != nil {
		t.Fatal(err)
	}
	return s, v
}

// sameImagedLayers reports where the imaged layers of got, read with the image, differ from
// those of rows, read from the rows.
func sameImagedLayers(t *testing.T, rows, got *data.Dataset) {
	t.Helper()
	for _, l := range []struct {
		name        string
		rows, image any
	}{
		{"components", rows.Components, got.Components},
		{"addresses", rows.Addresses, got.Addresses},
		{"buildings", rows.Buildings, got.Buildings},
		{"grids", rows.Grids, got.Grids},
	} {
		if d := cmp.Diff(l.rows, l.image); d != "" {
			t.Errorf("%s read with the image differ from the rows' (-rows +image):\n%s", l.name, d)
		}
	}
}

// imagedLayers are the imaged layers in a fixed order, for the fuzz target's layer byte.
var imagedLayers = []data.Layer{data.LayerComponent, data.LayerAddress, data.LayerBuilding, data.LayerGrid}

// FuzzDecodeImage feeds the chunk decoder arbitrary bytes: it must return an error or exactly
// the features asked for, and never panic.
func FuzzDecodeImage(f *testing.F) {
	city := edgeCity()
	for li, l := range imagedLayers {
		e := newImageEncoder(l)
		for i := range city.Count(l) {
			var g orb.Geometry
			switch x := featureAt(city, l, i).(type) {
			case *data.Component:
				g = x.Geometry
			case *data.Address:
				g = x.Point
			case *data.Building:
				g = x.Footprint
			case *data.Grid:
				g = x.Polygon
			}
			geom, err := encodeGeom(g)
			if err != nil {
				f.Fatal(err)
			}
			if _, err := e.add(i, "", featureAt(city, l, i), geom); err != nil {
				f.Fatal(err)
			}
		}
		chunk := e.flush()
		f.Add(byte(li), chunk.data, uint16(chunk.n))
		f.Add(byte(li), chunk.data[:len(chunk.data)/2], uint16(chunk.n))
	}
	f.Add(byte(0), []byte{1, 0, 1, 0}, uint16(0))
	f.Fuzz(func(t *testing.T, layer byte, b []byte, want uint16) {
		l := imagedLayers[int(layer)%len(imagedLayers)]
		d := &decoder{ds: &data.Dataset{}}
		err := d.decodeImage(l, b, int(want))
		if err == nil && d.ds.Count(l) != int(want) {
			t.Fatalf("decoded %d %s without error, want %d", d.ds.Count(l), l, want)
		}
	})
}
