package importer_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"citygeo/data"
	"citygeo/data/sqlite"
	"citygeo/export"
	importer "citygeo/import"
	"citygeo/schema"
)

// TestImportKeepsOtherLayers imports the components alone over a stored city: grids, areas,
// roads and addresses of the current version carry over unchanged.
func TestImportKeepsOtherLayers(t *testing.T) {
	ctx := context.Background()
	city := smallCity(t)
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "city.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	v1, err := st.Save(ctx, city, "base")
	if err != nil {
		t.Fatal(err)
	}
	files, err := export.Write(&data.Dataset{Components: city.Components[:100]}, t.TempDir(), export.Options{})
	if err != nil {
		t.Fatal(err)
	}
	v2, rep, err := importer.Import(ctx, st, files, importer.Options{})
	if err != nil {
		t.Fatalf("import: %v (%d errors)", err, rep.Errors)
	}
	got, err := st.Load(ctx, v2)
	if err != nil {
		t.Fatal(err)
	}
	if v2 <= v1 || len(got.Components) != 100 || len(got.Grids) != len(city.Grids) || len(got.Areas) != len(city.Areas) ||
		len(got.Roads) != len(city.Roads) || len(got.Addresses) != len(city.Addresses) || len(got.POIs) != len(city.POIs) {
		t.Errorf("v%d: %d components, %d/%d grids, %d/%d areas, %d/%d roads, %d/%d addresses", v2, len(got.Components),
			len(got.Grids), len(city.Grids), len(got.Areas), len(city.Areas), len(got.Roads), len(city.Roads), len(got.Addresses), len(city.Addresses))
	}
	// A refused import writes nothing and leaves v2 active.
	bad, _ := export.Write(&data.Dataset{Components: []*data.Component{city.Components[0], city.Components[0]}}, t.TempDir(), export.Options{})
	if _, _, err := importer.Import(ctx, st, bad, importer.Options{}); !errors.Is(err, importer.ErrValidation) {
		t.Errorf("duplicate ids: err = %v, want ErrValidation", err)
	}
	if a, _ := st.ActiveVersion(ctx); a != v2 {
		t.Errorf("active = %d after a refused import, want %d", a, v2)
	}
}

func TestReportJSON(t *testing.T) {
	_, rep, err := importer.Check(context.Background(), []string{"testdata/components.geojson"}, nil, importer.Options{
		Mapping: &importer.Mapping{Layers: []importer.LayerMapping{{Match: "components", Kind: schema.Component,
			Fields: map[string]string{"init_date": "NOTE"}}}}})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := rep.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Errors   int
		Findings []map[string]any
	}
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	// NOTE holds text, not dates: every non-empty NOTE is a date.parse error naming the record.
	if doc.Errors != 3 || len(doc.Findings) != 3 {
		t.Fatalf("errors = %d, findings = %v", doc.Errors, doc.Findings)
	}
	f := doc.Findings[0]
	for _, k := range []string{"check", "severity", "layer", "index", "source_id", "field", "value", "reason", "file"} {
		if _, ok := f[k]; !ok {
			t.Errorf("finding has no %q: %v", k, f)
		}
	}
	if f["check"] != "date.parse" || f["source_id"] != "4403030101000001" || f["field"] != "NOTE" || f["index"] != 0.0 {
		t.Errorf("finding = %v", f)
	}
	var sum strings.Builder
	rep.WriteSummary(&sum, 1)
	if !strings.Contains(sum.String(), "3 errors") || !strings.Contains(sum.String(), "… 2 more") {
		t.Errorf("summary:\n%s", sum.String())
	}
}

func TestParseMapping(t *testing.T) {
	tests := []struct {
		name, in, wantErr string
	}{
		{"yaml", "name: 测试\nlayers:\n  - match: 'bj_*'\n    kind: component\n    fields: {id: GLBJBSM, owner_name: ZGBMMC}\n", ""},
		{"json", `{"layers":[{"match":"*grid*","kind":"grid","templates":{"code":"{SQ}{seq:3}"}}]}`, ""},
		{"unknown kind", "layers:\n  - match: x\n    kind: river\n", "kind"},
		{"unknown field", `{"layers":[{"match":"x","kind":"grid","fields":{"colour":"C"}}]}`, "colour"},
		{"unknown key", `{"layers":[],"extra":1}`, "extra"},
		{"bad template", `{"layers":[{"match":"x","kind":"grid","templates":{"code":"{SQ"}}]}`, "unclosed"},
		{"derive on grid", `{"layers":[{"match":"x","kind":"grid","derive_grids":{"size_m":100}}]}`, "derive_grids"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := importer.ParseMapping(strings.NewReader(tt.in))
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("err = %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("err = %v, want one naming %q", err, tt.wantErr)
			case tt.name == "yaml" && (m.Name != "测试" || m.Layers[0].Fields["owner_name"] != "ZGBMMC"):
				t.Errorf("parsed %+v", m)
			}
		})
	}
}
