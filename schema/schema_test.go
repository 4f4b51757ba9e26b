package schema_test

import (
	"strings"
	"testing"
	"time"

	"citygeo/data"
	"citygeo/data/sample"
	"citygeo/schema"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/paulmach/orb"
)

// TestDefs checks the tables' shape: every kind has fields, the first identifies a feature,
// keys are unique, and no column name stands for two fields of one layer (a source column would
// then feed both).
func TestDefs(t *testing.T) {
	for _, k := range schema.Kinds {
		t.Run(string(k), func(t *testing.T) {
			defs := schema.Defs(k)
			if len(defs) == 0 {
				t.Fatal("no fields")
			}
			if key := schema.Key(k); key != "code" && key != "id" {
				t.Errorf("Key = %q, want code or id", key)
			}
			keys, cols := map[string]bool{}, map[string]string{}
			for _, d := range defs {
				if keys[d.Key] {
					t.Errorf("key %q twice", d.Key)
				}
				keys[d.Key] = true
				if len(d.Columns) == 0 || d.Marks > len(d.Columns) {
					t.Errorf("%s: columns %q, marks %d", d.Key, d.Columns, d.Marks)
				}
				for _, c := range d.Columns {
					if c != strings.ToUpper(c) {
						t.Errorf("%s: column %q is not upper case", d.Key, c)
					}
					if other, ok := cols[c]; ok {
						t.Errorf("column %s stands for %s and %s", c, other, d.Key)
					}
					cols[c] = d.Key
				}
			}
		})
	}
	if schema.Defs("river") != nil || schema.Key("river") != "" {
		t.Error("unknown kind has fields")
	}
}

func TestRead(t *testing.T) {
	day := data.MakeDate(2023, time.November, 20)
	local := time.Date(2023, 11, 20, 8, 30, 0, 0, time.FixedZone("CST", 8*3600))
	tests := []struct {
		name      string
		key       string
		v         schema.Value
		want      data.Component
		wantCheck string
	}{
		{"text", "name", schema.Value{Text: "井盖"}, data.Component{Name: "井盖"}, ""},
		{"date", "init_date", schema.Value{Text: "20231120"}, data.Component{InitDate: day}, ""},
		{"date as typed by the file", "init_date", schema.Value{Text: "2023-11-20", Raw: local}, data.Component{InitDate: day}, ""},
		{"bad date", "change_date", schema.Value{Text: "soon"}, data.Component{}, "date.parse"},
		{"empty date", "change_date", schema.Value{}, data.Component{}, ""},
		{"status in English", "status", schema.Value{Text: "damaged"}, data.Component{Status: data.StatusDamaged}, ""},
		{"bad status", "status", schema.Value{Text: "?"}, data.Component{}, "component.status"},
		{"department", "maintainer_name", schema.Value{Text: "环卫所"}, data.Component{Maintainer: data.MakeDept("", "环卫所")}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, ok := schema.Components.Field(tt.key)
			if !ok {
				t.Fatalf("no field %q", tt.key)
			}
			var got data.Component
			err := f.Read(&got, tt.v)
			if check := checkOf(err); check != tt.wantCheck {
				t.Errorf("check = %q, want %q", check, tt.wantCheck)
			}
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}

func checkOf(err *schema.ReadError) string {
	if err == nil {
		return ""
	}
	return err.Check
}

// TestReadDefaults covers the fields whose empty value means something.
// TestReadNumber checks a number field (a grid's area): decimals read, and text that is no
// number, or no finite one (NaN, Infinity, 1e400), refused as number.parse, setting nothing.
func TestReadNumber(t *testing.T) {
	f, ok := schema.Grids.Field("area_m2")
	if !ok {
		t.Fatal("no field area_m2")
	}
	for text, want := range map[string]string{"10235.5": "", "1e3": "", "abc": "number.parse", "NaN": "number.parse",
		"Infinity": "number.parse", "-Inf": "number.parse", "1e400": "number.parse"} {
		var g data.Grid
		err := f.Read(&g, schema.Value{Text: text})
		if check := checkOf(err); check != want || (want != "" && g.AreaM2 != 0) {
			t.Errorf("area_m2 %q: check %q, area %v; want check %q", text, check, g.AreaM2, want)
		}
	}
}

func TestReadDefaults(t *testing.T) {
	t.Run("missing id is the position", func(t *testing.T) {
		f, _ := schema.Roads.Field("id")
		var r data.Road
		if err := f.Read(&r, schema.Value{Seq: 7}); err != nil || r.ID != 7 {
			t.Errorf("id = %d, %v; want 7", r.ID, err)
		}
		if err := f.Read(&r, schema.Value{Text: "x1", Seq: 7}); checkOf(err) != "id.parse" {
			t.Errorf("bad id: %v", err)
		}
	})
	t.Run("latitude without longitude", func(t *testing.T) {
		lat, _ := schema.Areas.Field("label_lat")
		var a data.Area
		if err := lat.Read(&a, schema.Value{Text: "not read"}); err != nil || a.Label != (orb.Point{}) {
			t.Errorf("label = %v, %v; want none", a.Label, err)
		}
	})
	t.Run("flag words", func(t *testing.T) {
		f, _ := schema.Grids.Field("derived")
		for s, want := range map[string]bool{"是": true, "Y": true, "1": true, "0": false, "": false, "false": false} {
			var g data.Grid
			f.Read(&g, schema.Value{Text: s})
			if g.Derived != want {
				t.Errorf("%q: derived = %v", s, g.Derived)
			}
		}
	})
}

func TestWrite(t *testing.T) {
	tests := []struct {
		name   string
		write  func() (string, bool)
		want   string
		wantOK bool
	}{
		{"empty text is left out", func() (string, bool) { return write(schema.Components, "note", &data.Component{}) }, "", false},
		{"empty grid code is kept", func() (string, bool) { return write(schema.Grids, "code", &data.Grid{}) }, "", true},
		{"zero area is written", func() (string, bool) { return write(schema.Grids, "area_m2", &data.Grid{}) }, "0", true},
		{"day", func() (string, bool) {
			return write(schema.Components, "init_date", &data.Component{InitDate: data.MakeDate(2023, time.January, 2)})
		}, "2023-01-02", true},
		{"an instant is kept as its day", func() (string, bool) {
			return write(schema.Components, "init_date", &data.Component{InitDate: data.DateOf(time.Date(2023, 1, 2, 3, 4, 5, 0, time.UTC))})
		}, "2023-01-02", true},
		{"no label", func() (string, bool) { return write(schema.Areas, "label_lon", &data.Area{}) }, "0", false},
		{"label", func() (string, bool) {
			return write(schema.Areas, "label_lat", &data.Area{Label: orb.Point{114.1, 22.55}})
		}, "22.55", true},
		{"aliases", func() (string, bool) { return write(schema.POIs, "aliases", &data.POI{Aliases: []string{"a", "b"}}) }, "a;b", true},
		{"unset flag", func() (string, bool) { return write(schema.Areas, "derived", &data.Area{}) }, "", false},
		{"id", func() (string, bool) { return write(schema.Addresses, "id", &data.Address{ID: 42}) }, "42", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, ok := tt.write(); got != tt.want || ok != tt.wantOK {
				t.Errorf("write = %q, %v; want %q, %v", got, ok, tt.want, tt.wantOK)
			}
		})
	}
	if f, _ := schema.Components.Field("major"); f.Write != nil || f.Read != nil {
		t.Error("major is read and written; the id holds the class")
	}
}

func write[T any](l schema.Layer[T], key string, m *T) (string, bool) {
	f, ok := l.Field(key)
	if !ok {
		panic("no field " + key)
	}
	return f.Write(m)
}

// TestRoundTrip writes every feature of the sample city field by field and reads the texts
// back: each layer must come back equal in the fields the schema holds.
func TestRoundTrip(t *testing.T) {
	ds, err := sample.Generate(sample.Options{Grids: 500, Components: 500, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	noGeom := cmpopts.IgnoreFields(data.Component{}, "Geometry", "Extra", "Scheme", "Major", "Minor")
	roundTrip(t, schema.Areas, ds.Areas, cmpopts.IgnoreFields(data.Area{}, "Polygon", "Level"))
	roundTrip(t, schema.Grids, ds.Grids, cmpopts.IgnoreFields(data.Grid{}, "Polygon"))
	roundTrip(t, schema.Components, ds.Components, noGeom)
	roundTrip(t, schema.Departments, ds.Departments)
	roundTrip(t, schema.Roads, ds.Roads, cmpopts.IgnoreFields(data.Road{}, "Line"))
	roundTrip(t, schema.Addresses, ds.Addresses, cmpopts.IgnoreFields(data.Address{}, "Point"))
	roundTrip(t, schema.POIs, ds.POIs, cmpopts.IgnoreFields(data.POI{}, "Point"), cmpopts.EquateEmpty())
	roundTrip(t, schema.Buildings, ds.Buildings, cmpopts.IgnoreFields(data.Building{}, "Footprint"))
}

func roundTrip[T any](t *testing.T, l schema.Layer[T], items []*T, opts ...cmp.Option) {
	t.Helper()
	if len(items) == 0 {
		t.Fatalf("%T: the sample has none", items)
	}
	for i, m := range items {
		var got T
		for _, f := range l.Fields {
			if f.Read == nil {
				continue
			}
			s, _ := f.Write(m)
			if err := f.Read(&got, schema.Value{Text: s, Seq: i + 1}); err != nil {
				t.Fatalf("%T %d: %s: %v", m, i, f.Key, err)
			}
		}
		if d := cmp.Diff(m, &got, opts...); d != "" {
			t.Fatalf("%T %d (-want +got):\n%s", m, i, d)
		}
	}
}

// TestDeptFieldsInRuns reads departments half by half over a run of components, as an import
// does, with repeats and changes in either half: each component gets exactly its own.
func TestDeptFieldsInRuns(t *testing.T) {
	code, _ := schema.Components.Field("owner_code")
	name, _ := schema.Components.Field("owner_name")
	rows := []data.DeptRef{{Code: "A", Name: "X"}, {Code: "A", Name: "X"}, {Code: "A", Name: "Y"}, {Code: "A", Name: "X"}, {Code: "B", Name: "X"}, {Code: "", Name: "X"}, {Code: "B", Name: ""}, {Code: "", Name: ""}, {Code: "B", Name: "X"}}
	for i, want := range rows {
		var c data.Component
		if err := code.Read(&c, schema.Value{Text: want.Code}); err != nil {
			t.Fatal(err)
		}
		if err := name.Read(&c, schema.Value{Text: want.Name}); err != nil {
			t.Fatal(err)
		}
		if got := c.Owner.Ref(); got != want {
			t.Errorf("row %d: owner %v, want %v", i, got, want)
		}
		if c.Owner != want.Dept() {
			t.Errorf("row %d: owner is not the shared handle of %v", i, want)
		}
	}
}
