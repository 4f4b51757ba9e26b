package export_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"golang.org/x/text/encoding/simplifiedchinese"

	"citygeo/data"
	"citygeo/export"
	importer "citygeo/import"
)

func oneComponent(note string, extra map[string]string) *data.Dataset {
	return &data.Dataset{Components: []*data.Component{{ID: "4403030101000001", Name: "上水井盖1", Note: note,
		Geometry: orb.Point{114.1, 22.5}, Extra: extra}}}
}

// TestFailedExportLeavesNothing fails a Shapefile export on its last layer (a value longer than
// a .dbf field holds) and checks that nothing was written: not the target folder, not a
// temporary one, and an existing folder keeps exactly its files.
func TestFailedExportLeavesNothing(t *testing.T) {
	ds := typedCity()
	ds.Components = oneComponent(strings.Repeat("长", 100), nil).Components // 300 bytes
	for _, existing := range []bool{false, true} {
		parent := t.TempDir()
		out := filepath.Join(parent, "shp")
		if existing {
			if err := os.Mkdir(out, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(out, "keep.txt"), []byte("mine"), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		_, err := export.Write(ds, out, export.Options{Format: export.Shapefile})
		if err == nil || !strings.Contains(err.Error(), "254") || !strings.Contains(err.Error(), "4403030101000001 (feature 1)") {
			t.Fatalf("err = %v, want the value too long for a .dbf field, naming the component", err)
		}
		var left []string
		filepath.Walk(parent, func(p string, _ os.FileInfo, _ error) error {
			if p != parent {
				left = append(left, strings.TrimPrefix(p, parent))
			}
			return nil
		})
		want := "[]"
		if existing {
			want = "[/shp /shp/keep.txt]"
		}
		if got := "[" + strings.Join(left, " ") + "]"; got != want {
			t.Errorf("existing folder %v: left %s, want %s", existing, got, want)
		}
	}
}

// TestShapefileLongNames writes columns longer than a .dbf field name (the export used to
// refuse them) and checks the names of the abbreviation table and the cut, unique names.
func TestShapefileLongNames(t *testing.T) {
	out := filepath.Join(t.TempDir(), "shp")
	ds := oneComponent("", map[string]string{"OBJUPTODATE": "在用", "maintenance_contract_1": "A", "maintenance_contract_2": "B"})
	if _, err := export.Write(ds, out, export.Options{Format: export.Shapefile}); err != nil {
		t.Fatal(err)
	}
	got := dbfFields(t, filepath.Join(out, "component.dbf"))
	for _, want := range []string{"UPTODATE C", "maintenanc C", "maintena_1 C", "OBJID C", "OBJNAME C"} {
		if !strings.Contains(got, want) {
			t.Errorf("fields %s: no %s", got, want)
		}
	}
}

// TestShapefileGBK writes a GBK .dbf and reads it back: the .cpg and the language driver say
// GBK, the bytes are GBK, and the importer gets the Chinese text back.
func TestShapefileGBK(t *testing.T) {
	out := filepath.Join(t.TempDir(), "shp")
	ds := oneComponent("井盖破损", nil)
	files, err := export.Write(ds, out, export.Options{Format: export.Shapefile, Charset: export.GBK})
	if err != nil {
		t.Fatal(err)
	}
	cpg, _ := os.ReadFile(filepath.Join(out, "component.cpg"))
	dbf, _ := os.ReadFile(filepath.Join(out, "component.dbf"))
	gbk, _ := simplifiedchinese.GBK.NewEncoder().Bytes([]byte("井盖破损"))
	if string(cpg) != "GBK" || dbf[29] != 0x4d || !bytes.Contains(dbf, gbk) {
		t.Errorf(".cpg %q, language driver %#x, GBK bytes present %v", cpg, dbf[29], bytes.Contains(dbf, gbk))
	}
	got, _, err := importer.Check(context.Background(), files, nil, importer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Components) != 1 || got.Components[0].Note != "井盖破损" || got.Components[0].Name != "上水井盖1" {
		t.Errorf("re-read %+v", got.Components)
	}
	if _, err := export.Write(oneComponent("😀", nil), filepath.Join(t.TempDir(), "x"), export.Options{Format: export.Shapefile, Charset: export.GBK}); err == nil {
		t.Error("an emoji in a GBK export: no error")
	}
}

// TestExportReplacesItsLayers exports a city with line components into a folder, then one
// without: the second export removes the first's component_line files (a re-import of the
// folder would bring those components back) and leaves the folder's other files alone.
func TestExportReplacesItsLayers(t *testing.T) {
	withLine := oneComponent("", nil)
	withLine.Components = append(withLine.Components, &data.Component{ID: "4403030101000002", Name: "管线",
		Geometry: orb.LineString{{114.1, 22.5}, {114.2, 22.5}}})
	for _, f := range []export.Format{export.Shapefile, export.GeoJSON} {
		t.Run(string(f), func(t *testing.T) {
			out := t.TempDir()
			os.WriteFile(filepath.Join(out, "keep.txt"), []byte("mine"), 0o644)
			os.WriteFile(filepath.Join(out, "component_notes.dbf"), []byte("mine too"), 0o644)
			if _, err := export.Write(withLine, out, export.Options{Format: f}); err != nil {
				t.Fatal(err)
			}
			if _, err := export.Write(oneComponent("", nil), out, export.Options{Format: f}); err != nil {
				t.Fatal(err)
			}
			ents, _ := os.ReadDir(out)
			var names []string
			for _, e := range ents {
				names = append(names, e.Name())
			}
			got := strings.Join(names, " ")
			if strings.Contains(got, "component_line") || !strings.Contains(got, "keep.txt") || !strings.Contains(got, "component_notes.dbf") {
				t.Errorf("folder holds %s; want no component_line, the other files kept", got)
			}
		})
	}
}
