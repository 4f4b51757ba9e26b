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

// edgeComponents are components whose values a binary image could get wrong: text JSON escapes,
// attribute maps, every geometry type and none, departments with a code or a name only, dates
// before 1970 and none.
func edgeComponents() *data.Dataset {
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
	return ds
}

// TestImageLoadsAsRows saves versions and loads their components from the image and from the
// rows, and wants the same components: the image is a shortcut, never a second truth.
func TestImageLoadsAsRows(t *testing.T) {
	city, err := sample.Generate(sample.Options{Grids: 500, Components: 2000, Addresses: 300})
	if err != nil {
		t.Fatal(err)
	}
	notUTF8 := edgeComponents()
	notUTF8.Components[3].Name = "bad \xff text"
	tests := []struct {
		name       string
		ds         *data.Dataset
		wantChunks int // image chunks stored; 0: none, the rows are read
		corrupt    string
		wantUsed   bool // the load takes the chunks (a corrupt one then reads its rows)
	}{
		{"sample city", city, 1, "", true},
		{"edge values", edgeComponents(), 1, "", true},
		{"more than a chunk", pointCity(imageChunk + 10), 2, "", true},
		{"text not UTF-8 is not imaged", notUTF8, 0, "", false},
		{"a corrupt chunk falls back to the rows", city, 1, `UPDATE layer_image SET data = x'0501'`, true},
		{"a missing chunk falls back to the rows", pointCity(imageChunk + 10), 2, `DELETE FROM layer_image WHERE lo = 0`, false},
		{"a chunk of another format falls back to the rows", city, 1, `UPDATE layer_image SET format = 99`, false},
		{"a short image falls back to the rows", pointCity(imageChunk + 10), 2, `DELETE FROM layer_image WHERE lo > 0`, false},
	}
	ctx := context.Background()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Open(ctx, filepath.Join(t.TempDir(), "city.db"))
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			v, err := s.Save(ctx, tt.ds, "test")
			if err != nil {
				t.Fatal(err)
			}
			var chunks, imaged int
			if err := s.db.QueryRowContext(ctx, `SELECT count(*), coalesce(sum(n), 0) FROM layer_image WHERE version = ?`, v).Scan(&chunks, &imaged); err != nil {
				t.Fatal(err)
			}
			if chunks != tt.wantChunks {
				t.Errorf("%d image chunks, want %d", chunks, tt.wantChunks)
			}
			if chunks > 0 && imaged != len(tt.ds.Components) {
				t.Errorf("image holds %d components, the version %d", imaged, len(tt.ds.Components))
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
			if len(got.Components) != len(tt.ds.Components) {
				t.Fatalf("loaded %d components, saved %d", len(got.Components), len(tt.ds.Components))
			}
			if d := cmp.Diff(rows.Components, got.Components); d != "" {
				t.Errorf("components from the image differ from the rows' (-rows +image):\n%s", d)
			}
			if _, err := data.VerifyArena(got.Components, func(c *data.Component) string { return c.ID }); err != nil {
				t.Error(err)
			}
		})
	}
}

// FuzzDecodeImage feeds the chunk decoder arbitrary bytes: it must return an error or exactly
// the components asked for, and never panic.
func FuzzDecodeImage(f *testing.F) {
	e := newImageEncoder()
	for i, c := range edgeComponents().Components {
		geom, err := encodeGeom(c.Geometry)
		if err != nil {
			f.Fatal(err)
		}
		if _, err := e.add(i, c, geom); err != nil {
			f.Fatal(err)
		}
	}
	chunk := e.flush()
	f.Add(chunk.data, uint16(chunk.n))
	f.Add(chunk.data[:len(chunk.data)/2], uint16(chunk.n))
	f.Add([]byte{1, 0, 1, 0}, uint16(0))
	f.Fuzz(func(t *testing.T, b []byte, want uint16) {
		d := &decoder{ds: &data.Dataset{}}
		err := d.decodeImage(b, int(want))
		if err == nil && len(d.ds.Components) != int(want) {
			t.Fatalf("decoded %d components without error, want %d", len(d.ds.Components), want)
		}
	})
}
