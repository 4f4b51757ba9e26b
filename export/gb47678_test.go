package export_test

import (
	"context"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/paulmach/orb"

	"citygeo/data"
	"citygeo/data/sample"
	"citygeo/export"
	importer "citygeo/import"
	"citygeo/schema"
)

// TestGB47678Fields checks that the exchange profile writes exactly the fields of the
// standard's component table, in its order.
func TestGB47678Fields(t *testing.T) {
	var got, want []string
	for _, c := range export.GB47678.Layers[schema.Component] {
		got = append(got, c.Name)
	}
	for _, f := range export.Table47678Components {
		want = append(want, f.Abbr)
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("component columns (-表2 +profile):\n%s", d)
	}
	if len(want) != 18 {
		t.Errorf("表2 has %d fields here, the standard 18", len(want))
	}
	if err := export.GB47678.Validate(); err != nil {
		t.Error(err)
	}
}

// TestClassMaps checks both class tables against both catalogs: every CJ/T 214 class of the
// kind is listed once, a "name" row joins classes spelled alike, a "synonym" row names both,
// a "none" row maps to nothing; for components no two classes share a GB/T 47678.5 class
// (which would give two components one id), while several events may share a 事项 class (a
// type, not an id).
func TestClassMaps(t *testing.T) {
	cjt, gbt := data.CatalogFor(data.CJT214), data.CatalogFor(data.GBT4767)
	for _, tt := range []struct {
		kind     data.ClassKind
		rows     []export.ClassMapping
		from, to func(string) (data.Class, bool)
		unique   bool
	}{
		{data.KindComponent, export.ClassMappings(), cjt.Class, gbt.Class, true},
		{data.KindEvent, export.EventClassMappings(), cjt.Event, gbt.Event, false},
	} {
		t.Run(string(tt.kind), func(t *testing.T) {
			seen, targets := map[string]bool{}, map[string]string{}
			for _, m := range tt.rows {
				from, ok := tt.from(m.CJT)
				if !ok || seen[m.CJT] {
					t.Errorf("%s: not a CJ/T 214 %s class, or listed twice", m.CJT, tt.kind)
					continue
				}
				seen[m.CJT] = true
				if m.By == "none" {
					if m.GBT != "" || m.Names != from.Name {
						t.Errorf("%s: none row names %q maps to %q", m.CJT, m.Names, m.GBT)
					}
					continue
				}
				to, ok := tt.to(m.GBT)
				if !ok {
					t.Errorf("%s: %s is not a GB/T 47678.5 %s class", m.CJT, m.GBT, tt.kind)
					continue
				}
				if prev := targets[m.GBT]; prev != "" && tt.unique {
					t.Errorf("%s and %s both map to %s", prev, m.CJT, m.GBT)
				}
				targets[m.GBT] = m.CJT
				switch m.By {
				case "name":
					if from.Name != to.Name || m.Names != from.Name {
						t.Errorf("%s → %s by name: %s, %s, row says %q", m.CJT, m.GBT, from.Name, to.Name, m.Names)
					}
				case "synonym":
					if want := from.Name + " → " + to.Name; m.Names != want || from.Name == to.Name {
						t.Errorf("%s → %s synonym: row says %q, catalogs %q", m.CJT, m.GBT, m.Names, want)
					}
				default:
					t.Errorf("%s: by %q", m.CJT, m.By)
				}
			}
			for _, c := range cjt.Classes() {
				if c.Kind == tt.kind && c.Minor != "" && !seen[c.Code()] {
					t.Errorf("CJ/T 214 %s class %s %s is not in the table", tt.kind, c.Code(), c.Name)
				}
			}
		})
	}
	if _, err := export.To47678("4403030502000001"); err == nil || !strings.Contains(err.Error(), "人防工事") {
		t.Errorf("a 人防工事 id: err = %v, want one naming the class", err)
	}
}

// TestTo47678AgainstSample compares the mapping with the sample city's own pairs of codes: the
// same city generated in both schemes must get, id for id, what To47678 makes of the 16-digit
// ids.
func TestTo47678AgainstSample(t *testing.T) {
	cj, err := sample.Generate(sample.Options{Grids: 500, Components: 3000, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	gb, err := sample.Generate(sample.Options{Grids: 500, Components: 3000, Seed: 3, Scheme: data.GBT4767})
	if err != nil {
		t.Fatal(err)
	}
	if len(cj.Components) != len(gb.Components) {
		t.Fatalf("%d and %d components", len(cj.Components), len(gb.Components))
	}
	for i, c := range cj.Components {
		got, err := export.To47678(c.ID)
		if err != nil || got != gb.Components[i].ID {
			t.Fatalf("To47678(%s) = %s, %v; the GB/T sample has %s", c.ID, got, err, gb.Components[i].ID)
		}
	}
}

// in47678 is what the exchange export of ds means: components under 17-digit ids, and only
// the layers the profile writes.
func in47678(t *testing.T, ds *data.Dataset) *data.Dataset {
	t.Helper()
	out := &data.Dataset{}
	for _, g := range ds.Grids {
		g2 := *g
		g2.Derived = false
		out.Grids = append(out.Grids, &g2)
	}
	for _, c := range ds.Components {
		c2 := *c
		id, err := export.To47678(c.ID)
		if err != nil {
			t.Fatal(err)
		}
		c2.ID, c2.Scheme, c2.Major, c2.Minor = id, data.GBT4767, id[6:8], id[8:11]
		out.Components = append(out.Components, &c2)
	}
	sort.Slice(out.Components, func(i, j int) bool { return out.Components[i].ID < out.Components[j].ID })
	return out
}

// TestGB47678RoundTrip exports the sample city in the exchange profile in each format and
// imports it back with the importer's default mapping: the components (17-digit) and grids
// must come back equal.
func TestGB47678RoundTrip(t *testing.T) {
	ds := smallCity(t)
	want := in47678(t, ds)
	for _, f := range []export.Format{export.GeoJSON, export.GeoPackage, export.Shapefile} {
		t.Run(string(f), func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "gb")
			if f == export.GeoPackage {
				out += ".gpkg"
			}
			files, err := export.Write(ds, out, export.Options{Format: f, Profile: &export.GB47678})
			if err != nil {
				t.Fatal(err)
			}
			got, rep, err := importer.Check(context.Background(), files, nil, importer.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if rep.Errors != 0 {
				t.Fatalf("%d errors re-importing: %+v", rep.Errors, rep.Findings[:min(5, len(rep.Findings))])
			}
			sort.Slice(got.Components, func(i, j int) bool { return got.Components[i].ID < got.Components[j].ID })
			got.Name = ""
			if d := cmp.Diff(want, got, cmpopts.EquateEmpty()); d != "" {
				t.Errorf("round trip through %s (-want +got):\n%s", f, d)
			}
		})
	}
}

// TestEvents47678 writes events of each kind of class into the exchange GeoPackage beside the
// components and checks 表3's columns and the codes.
func TestEvents47678(t *testing.T) {
	events := []*data.Event{
		{ID: "E1", Class: data.ClassRef{Scheme: data.CJT214, Kind: data.KindEvent, Code: "0101"}, Point: orb.Point{114.1, 22.55},
			Grid: "440303001001001", District: "440303", Department: data.DeptRef{Code: "11440303340007919Y", Name: "城管局"}, Description: "人民南路12号门前"},
		{ID: "E2", Class: data.ClassRef{Scheme: data.CJT214, Kind: data.KindComponent, Code: "0118"}, Point: orb.Point{114.11, 22.55},
			Grid: "440303001001002", Component: "4403030118000007", Status: data.EventClosed},
		{ID: "E3", Class: data.ClassRef{Scheme: data.GBT4767, Kind: data.KindEvent, Code: "09006"}, Point: orb.Point{114.12, 22.55}, Street: "440303001"},
	}
	tbl, err := export.Events47678(events)
	if err != nil {
		t.Fatal(err)
	}
	want := []map[string]string{
		{"SXDM": "44030306001", "SXMC": "私搭乱建", "GLBJBSM": ""},
		{"SXDM": "44030301037", "SXMC": "路灯异常", "GLBJBSM": "44030301037000007"},
		{"SXDM": "44030309006", "SXMC": "占道经营", "GLBJBSM": ""},
	}
	for i, w := range want {
		for k, v := range w {
			if got := tbl.Rows[i].Values[k]; got != v {
				t.Errorf("event %d %s = %q, want %q", i, k, got, v)
			}
		}
	}
	var cols []string
	for _, c := range tbl.Columns[:len(export.Table47678Events)] {
		cols = append(cols, c.Name)
	}
	if cols[0] != "SXDM" || len(cols) != 6 || cols[4] != "SFWZ" {
		t.Errorf("表3 columns %v", cols)
	}
	bad := []*data.Event{{ID: "E9", Class: data.ClassRef{Scheme: data.CJT214, Kind: data.KindEvent, Code: "0401"}, District: "440303"}}
	if _, err := export.Events47678(bad); err == nil || !strings.Contains(err.Error(), "E9") {
		t.Errorf("a 路面塌陷 event: err = %v, want one naming the case", err)
	}
	out := filepath.Join(t.TempDir(), "x.gpkg")
	if _, err := export.Write(smallCity(t), out, export.Options{Format: export.GeoPackage, Profile: &export.GB47678, Tables: []export.Table{tbl}}); err != nil {
		t.Fatal(err)
	}
	_, rep, err := importer.Check(context.Background(), []string{out}, nil, importer.Options{})
	if err != nil || rep.Errors != 0 {
		t.Fatalf("re-import with the event layer: %v, %+v", err, rep)
	}
	var sum strings.Builder
	rep.WriteSummary(&sum, 0)
	if !strings.Contains(sum.String(), "[event]: skipped") {
		t.Errorf("the summary does not say the event layer was skipped:\n%s", sum.String())
	}
	layers := ogrinfo(t, out)
	if l := layers["event"]; l.geometry != "Point" || l.fields["SXDM"] != "String" || l.fields["AJBH"] != "String" {
		t.Errorf("event layer to GDAL: %+v", l)
	}
	// The times are DATETIME whatever the values (none of E1's is set), written as GeoPackage
	// requires: milliseconds and Z.
	if l := layers["event"]; l.fields["SBSJ"] != "DateTime" || l.fields["JASJ"] != "DateTime" {
		t.Errorf("event times to GDAL: SBSJ %s, JASJ %s; want DateTime", l.fields["SBSJ"], l.fields["JASJ"])
	}
	at := time.Date(2026, 11, 20, 9, 30, 0, 0, time.FixedZone("CST", 8*3600))
	timed, err := export.Events47678([]*data.Event{{ID: "E4", Class: events[0].Class, Point: events[0].Point, District: "440303", Reported: at}})
	if err != nil {
		t.Fatal(err)
	}
	if got := timed.Rows[0].Values["SBSJ"]; got != "2026-11-20T01:30:00.000Z" {
		t.Errorf("SBSJ %q, want 2026-11-20T01:30:00.000Z", got)
	}
}
