package importer_test

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"citygeo/data/sqlite"
	"citygeo/geo"
	importer "citygeo/import"
)

func copyShp(t *testing.T, dir string, exts ...string) string {
	t.Helper()
	for _, ext := range exts {
		b, err := os.ReadFile("testdata/shp_gbk/components" + ext)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "components"+ext), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return filepath.Join(dir, "components.shp")
}

func writeZip(t *testing.T, path string, members map[string][]byte) {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, b := range members {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(b)
	}
	zw.Close()
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestBadInput(t *testing.T) {
	tests := []struct {
		name    string
		setup   func(t *testing.T, dir string) string
		opts    importer.Options
		wantErr error
		wantMsg string
	}{
		{"shp without dbf", func(t *testing.T, dir string) string {
			return copyShp(t, dir, ".shp", ".shx", ".prj")
		}, importer.Options{}, importer.ErrFormat, ".dbf"},
		{"truncated shp", func(t *testing.T, dir string) string {
			p := copyShp(t, dir, ".shp", ".dbf", ".prj", ".cpg")
			b, _ := os.ReadFile(p)
			os.WriteFile(p, b[:len(b)-30], 0o644)
			return p
		}, importer.Options{}, importer.ErrFormat, "file length"},
		{"truncated dbf", func(t *testing.T, dir string) string {
			p := copyShp(t, dir, ".shp", ".dbf", ".prj", ".cpg")
			d := strings.TrimSuffix(p, ".shp") + ".dbf"
			b, _ := os.ReadFile(d)
			os.WriteFile(d, b[:len(b)-200], 0o644)
			return p
		}, importer.Options{}, importer.ErrFormat, ""},
		{"wrong shp magic", func(t *testing.T, dir string) string {
			p := copyShp(t, dir, ".shp", ".dbf", ".prj")
			b, _ := os.ReadFile(p)
			copy(b, []byte{0xde, 0xad, 0xbe, 0xef})
			os.WriteFile(p, b, 0o644)
			return p
		}, importer.Options{}, importer.ErrFormat, ""},
		{"gpkg that is not sqlite", func(t *testing.T, dir string) string {
			p := filepath.Join(dir, "x.gpkg")
			os.WriteFile(p, []byte("PK\x03\x04 this is not a database"), 0o644)
			return p
		}, importer.Options{}, importer.ErrFormat, "SQLite"},
		{"truncated geojson", func(t *testing.T, dir string) string {
			b, _ := os.ReadFile("testdata/components.geojson")
			p := filepath.Join(dir, "components.geojson")
			os.WriteFile(p, b[:len(b)/2], 0o644)
			return p
		}, importer.Options{}, importer.ErrFormat, "feature"},
		{"zip slip", func(t *testing.T, dir string) string {
			p := filepath.Join(dir, "evil.zip")
			writeZip(t, p, map[string][]byte{"../../evil.shp": {1}, "a.dbf": {1}})
			return p
		}, importer.Options{}, importer.ErrUnsafe, "zip slip"},
		{"zip bomb", func(t *testing.T, dir string) string {
			p := filepath.Join(dir, "bomb.zip")
			writeZip(t, p, map[string][]byte{"a.shp": make([]byte, 8<<20), "a.dbf": {1}})
			return p
		}, importer.Options{}, importer.ErrUnsafe, "zip bomb"},
		{"oversize", func(t *testing.T, dir string) string {
			return "testdata/components.geojson"
		}, importer.Options{Read: importer.ReadOptions{MaxFileSize: 1000}}, importer.ErrTooLarge, "limit"},
		{"unknown EPSG in prj", func(t *testing.T, dir string) string {
			p := copyShp(t, dir, ".shp", ".dbf", ".cpg")
			os.WriteFile(filepath.Join(dir, "components.prj"), []byte(`PROJCS["WGS 84 / Pseudo-Mercator",GEOGCS["WGS 84"],PROJECTION["Mercator_1SP"],AUTHORITY["EPSG","3857"]]`), 0o644)
			return p
		}, importer.Options{}, importer.ErrCRS, ""},
		{"no prj", func(t *testing.T, dir string) string {
			return copyShp(t, dir, ".shp", ".dbf", ".cpg")
		}, importer.Options{}, importer.ErrCRS, "--crs"},
		{"geometry collection with a null member", func(t *testing.T, dir string) string {
			p := filepath.Join(dir, "components.geojson")
			os.WriteFile(p, []byte(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"OBJID":"4403030118000001"},"geometry":{"type":"GeometryCollection","geometries":[null]}}]}`), 0o644)
			return p
		}, importer.Options{}, importer.ErrFormat, "member 0 of the GeometryCollection is null"},
		{"csv in GBK after an ASCII start", func(t *testing.T, dir string) string {
			p := filepath.Join(dir, "components.csv")
			var b bytes.Buffer
			b.WriteString("OBJID,OBJNAME,BGID,OBJSTATE,lon,lat\n")
			for i := range 1400 {
				fmt.Fprintf(&b, "44030301180%05d,manhole,440303001001001,ok,114.1,22.55\n", i)
			}
			b.WriteString("4403030118099999,\xc9\xcf\xcb\xae\xbe\xae\xb8\xc7,440303001001001,ok,114.1,22.55\n") // 上水井盖 in GBK
			os.WriteFile(p, b.Bytes(), 0o644)
			return p
		}, importer.Options{}, importer.ErrFormat, "row 1402, column OBJNAME: not UTF-8"},
		{"unknown extension", func(t *testing.T, dir string) string {
			p := filepath.Join(dir, "a.kml")
			os.WriteFile(p, []byte("<kml/>"), 0o644)
			return p
		}, importer.Options{}, importer.ErrFormat, ".kml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			file := tt.setup(t, dir)
			ctx := context.Background()
			st, err := sqlite.Open(ctx, filepath.Join(dir, "store.db"))
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			v, _, err := importer.Import(ctx, st, []string{file}, tt.opts)
			if err == nil {
				t.Fatalf("imported as version %d, want an error", v)
			}
			if !errors.Is(err, tt.wantErr) || !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("err = %v, want %v containing %q", err, tt.wantErr, tt.wantMsg)
			}
			if vs, _ := st.Versions(ctx); len(vs) != 0 {
				t.Errorf("store has %d versions after a failed import", len(vs))
			}
		})
	}
}

func TestUnknownCRSFlag(t *testing.T) {
	for _, s := range []string{"EPSG:3857", "EPSG:4555", "EPSG:4490x", "mars"} {
		if _, err := geo.ParseCRS(s); !errors.Is(err, importer.ErrCRS) {
			t.Errorf("ParseCRS(%q) err = %v, want ErrCRS", s, err)
		}
	}
}

// TestDBFDeletedRecord marks the second .dbf record deleted: its shape goes with it and the
// others keep their own attributes.
func TestDBFDeletedRecord(t *testing.T) {
	dir := t.TempDir()
	p := copyShp(t, dir, ".shp", ".dbf", ".prj", ".cpg")
	d := strings.TrimSuffix(p, ".shp") + ".dbf"
	b, _ := os.ReadFile(d)
	headerLen := int(b[8]) | int(b[9])<<8
	recLen := int(b[10]) | int(b[11])<<8
	b[headerLen+recLen] = '*'
	os.WriteFile(d, b, 0o644)
	got, _ := components(t, p, importer.Options{})
	if len(got) != 4 || got[0].ID != "4403030101000001" || got[1].ID != "4403030203000003" || got[1].Name != "公交站亭 国贸站" {
		t.Errorf("got %d components: %v, %v", len(got), got[0].ID, got[1].ID)
	}
}

// TestCSVLonWithoutLat: a CSV with a WKT column and a lon column but no lat column reads a row
// whose WKT is empty as a record without geometry — refused, naming the file's line — instead of
// reading a lat column that is not there.
func TestCSVLonWithoutLat(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "components.csv")
	os.WriteFile(p, []byte("OBJID,OBJNAME,BGID,OBJSTATE,WKT,x\n4403030118000001,井盖,440303001001001,完好,,114.1\n"), 0o644)
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(dir, "store.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	_, rep, err := importer.Import(ctx, st, []string{p}, importer.Options{})
	if !errors.Is(err, importer.ErrValidation) {
		t.Fatalf("err = %v, want a refused import", err)
	}
	var b strings.Builder
	rep.WriteSummary(&b, 3)
	if !strings.Contains(b.String(), "geometry.missing") || !strings.Contains(b.String(), "(components.csv line 2)") {
		t.Errorf("summary does not name the record without geometry by its line:\n%s", b.String())
	}
}

// TestMappingColumnMissing: a mapping that reads a field from a column the file does not have
// refuses the import, naming the field, the column and the file's columns, instead of storing
// every record without that field.
func TestMappingColumnMissing(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "components.csv")
	os.WriteFile(p, []byte("OBJID,OBJNAME,BGID,OBJSTATE,lon,lat\n4403030118000001,井盖,440303001001001,完好,114.1,22.55\n"), 0o644)
	for _, tc := range []struct {
		name, fields string
		refused      bool
	}{
		{"missing", `{"grid":"单元网格"}`, true},
		{"one of the alternatives present", `{"grid":"单元网格|BGID"}`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := importer.ParseMapping(strings.NewReader(`{"layers":[{"match":"*","kind":"component","fields":` + tc.fields + `}]}`))
			if err != nil {
				t.Fatal(err)
			}
			_, rep, err := importer.Check(context.Background(), []string{p}, nil, importer.Options{Mapping: m})
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, f := range rep.Findings {
				if f.Check == "mapping.column" && f.Field == "grid" && strings.Contains(f.Reason, "BGID") {
					found = true
				}
			}
			if found != tc.refused || (rep.Errors > 0) != tc.refused {
				t.Errorf("mapping.column found %v, %d errors; want refused %v: %+v", found, rep.Errors, tc.refused, rep.Findings)
			}
		})
	}
}

// TestDBFColumnNamesInCharset: a GBK .dbf names its columns in GBK too; a mapping that reads a
// field from such a column (名称) finds it. Junk after a name's NUL is not part of the name.
func TestDBFColumnNamesInCharset(t *testing.T) {
	dir := t.TempDir()
	p := copyShp(t, dir, ".shp", ".dbf", ".prj", ".cpg")
	d := strings.TrimSuffix(p, ".shp") + ".dbf"
	b, _ := os.ReadFile(d)
	gbkName := []byte{0xc3, 0xfb, 0xb3, 0xc6} // 名称 in GBK
	for off := 32; b[off] != 0x0d; off += 32 {
		if string(bytes.TrimRight(b[off:off+11], "\x00")) == "OBJNAME" {
			copy(b[off:off+11], append(gbkName, 0, 'x', 'y', 0, 0, 0, 0))
		}
	}
	os.WriteFile(d, b, 0o644)
	m, err := importer.ParseMapping(strings.NewReader(`{"layers":[{"match":"*","kind":"component","fields":{"name":"名称"}}]}`))
	if err != nil {
		t.Fatal(err)
	}
	got, rep := components(t, p, importer.Options{Mapping: m})
	if rep.Errors != 0 || len(got) == 0 || got[0].Name != "上水井盖" {
		t.Errorf("%d errors; first name %q, want 上水井盖 read from 名称", rep.Errors, got[0].Name)
	}
}
