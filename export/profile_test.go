package export_test

import (
	"database/sql"
	"encoding/binary"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"citygeo/data"
	"citygeo/export"
	"citygeo/schema"

	"github.com/paulmach/orb"
)

func TestProfileValidate(t *testing.T) {
	col := func(key, name string) []export.Column {
		return []export.Column{{Key: key, Name: name, Type: schema.Text}}
	}
	tests := []struct {
		name    string
		layers  map[schema.Kind][]export.Column
		wantErr string
	}{
		{"fine", map[schema.Kind][]export.Column{schema.Grid: col("code", "G")}, ""},
		{"unknown kind", map[schema.Kind][]export.Column{"river": col("code", "G")}, "river"},
		{"unknown field", map[schema.Kind][]export.Column{schema.Grid: col("colour", "C")}, "colour"},
		{"field not written", map[schema.Kind][]export.Column{schema.Component: col("major", "M")}, "major"},
		{"no name", map[schema.Kind][]export.Column{schema.Grid: col("code", "")}, "empty"},
		{"name twice", map[schema.Kind][]export.Column{schema.Grid: append(col("code", "G"), col("community", "G")...)}, "repeated"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := export.Profile{Name: "t", Layers: tt.layers}
			err := p.Validate()
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Errorf("err = %v, want one naming %q", err, tt.wantErr)
			}
		})
	}
	if err := export.Own.Validate(); err != nil {
		t.Errorf("Own: %v", err)
	}
}

// TestOwnProfile pins the project's own column names to the schema's first names (the
// importer's default mapping tries those first, so the export reads back unchanged) and their
// types to the schema's (a GIS sees numbers and dates, not text).
func TestOwnProfile(t *testing.T) {
	for _, k := range schema.Kinds {
		cols := export.Own.Layers[k]
		if len(cols) == 0 {
			t.Errorf("%s: no columns", k)
		}
		for _, c := range cols {
			for _, d := range schema.Defs(k) {
				if d.Key == c.Key && d.Columns[0] != c.Name {
					t.Errorf("%s.%s is written as %s, read first as %s", k, c.Key, c.Name, d.Columns[0])
				}
				if d.Key == c.Key && d.Type != c.Type {
					t.Errorf("%s.%s is %s, the schema types it %s", k, c.Key, c.Type, d.Type)
				}
			}
		}
	}
}

// typed is a profile with a column of every type, as an exchange profile would have.
var typed = export.Profile{Name: "typed", Layers: map[schema.Kind][]export.Column{
	schema.Grid: {
		{Key: "code", Name: "G_CODE", Type: schema.Text},
		{Key: "area_m2", Name: "G_AREA", Type: schema.Number},
		{Key: "derived", Name: "G_DERIVED", Type: schema.Bool},
	},
	schema.Component: {
		{Key: "id", Name: "C_ID", Type: schema.Text},
		{Key: "init_date", Name: "C_DATE", Type: schema.Date},
	},
	schema.Road: {{Key: "id", Name: "R_ID", Type: schema.Integer}},
}}

func typedCity() *data.Dataset {
	sq := orb.Polygon{{{114.1, 22.5}, {114.101, 22.5}, {114.101, 22.501}, {114.1, 22.5}}}
	return &data.Dataset{
		Grids: []*data.Grid{{Code: "440303001001001", Polygon: sq, AreaM2: 10000.25, Derived: true}, {Code: "440303001001002", Polygon: sq, AreaM2: 7}},
		Components: []*data.Component{{ID: "4403030101000001", Geometry: orb.Point{114.1, 22.5},
			InitDate: data.MakeDate(2023, time.November, 20)}},
		Roads:     []*data.Road{{ID: 42, Line: orb.LineString{{114.1, 22.5}, {114.2, 22.5}}}},
		Addresses: []*data.Address{{ID: 1, Point: orb.Point{114.1, 22.5}}}, // not in the profile
	}
}

// TestTypedProfile writes a profile's column types in each format's own types.
func TestTypedProfile(t *testing.T) {
	dir := t.TempDir()
	t.Run("geojson", func(t *testing.T) {
		files, err := export.Write(typedCity(), dir, export.Options{Profile: &typed})
		if err != nil {
			t.Fatal(err)
		}
		if len(files) != 3 {
			t.Errorf("files = %q, want grid, component and road", files)
		}
		b, _ := os.ReadFile(filepath.Join(dir, "grid.geojson"))
		var fc struct {
			Features []struct{ Properties map[string]any }
		}
		if err := json.Unmarshal(b, &fc); err != nil {
			t.Fatal(err)
		}
		p := fc.Features[0].Properties
		if p["G_AREA"] != 10000.25 || p["G_DERIVED"] != true || p["G_CODE"] != "440303001001001" {
			t.Errorf("properties = %v", p)
		}
	})
	t.Run("gpkg", func(t *testing.T) {
		path := filepath.Join(dir, "typed.gpkg")
		if _, err := export.Write(typedCity(), path, export.Options{Format: export.GeoPackage, Profile: &typed}); err != nil {
			t.Fatal(err)
		}
		db, err := sql.Open("sqlite", path)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var area, derived, rid string
		if err := db.QueryRow(`SELECT typeof("G_AREA"), typeof("G_DERIVED") FROM grid LIMIT 1`).Scan(&area, &derived); err != nil {
			t.Fatal(err)
		}
		if err := db.QueryRow(`SELECT typeof("R_ID") FROM road`).Scan(&rid); err != nil {
			t.Fatal(err)
		}
		if area != "real" || derived != "integer" || rid != "integer" {
			t.Errorf("stored types: area %s, derived %s, road id %s", area, derived, rid)
		}
	})
	t.Run("shp", func(t *testing.T) {
		out := filepath.Join(dir, "shp")
		if _, err := export.Write(typedCity(), out, export.Options{Format: export.Shapefile, Profile: &typed}); err != nil {
			t.Fatal(err)
		}
		for file, want := range map[string]string{"grid.dbf": "G_AREA N 8 2, G_CODE C 15 0, G_DERIVED L 1 0", "component.dbf": "C_DATE D 8 0, C_ID C 16 0", "road.dbf": "R_ID N 2 0"} {
			if got := dbfFields(t, filepath.Join(out, file)); got != want {
				t.Errorf("%s fields = %s, want %s", file, got, want)
			}
		}
	})
}

// dbfFields lists a .dbf's field descriptors: name, type, width, decimals.
func dbfFields(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for off := 32; off+32 <= int(binary.LittleEndian.Uint16(b[8:])); off += 32 {
		fd := b[off : off+32]
		name := strings.TrimRight(string(fd[:11]), "\x00")
		out = append(out, name+" "+string(fd[11])+" "+strconv.Itoa(int(fd[16]))+" "+strconv.Itoa(int(fd[17])))
	}
	return strings.Join(out, ", ")
}
