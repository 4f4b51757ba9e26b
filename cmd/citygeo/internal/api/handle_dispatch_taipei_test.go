package api_test

// The Taipei replay: the 328 real 1999-hotline cases of 臺北市大安區 (2023-05-25 … 2023-06-01,
// Taipei City Government open data via data.taipei) dispatched in time order through
// POST /v1/dispatch and filed through POST /v1/events, over the Taipei files of
// ../shared/data/taipei_daan imported with the project's own mapping
// (import/testdata/taipei/mapping.json: district 630003, the 7 police precincts as streets
// 630003001…007, the 53 villages as communities, derived ~100 m grids, facilities as CJ/T 214
// components) and a duty-rule list written here for it.

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"citygeo/data"
	"citygeo/dispatch"
	"citygeo/geo"
	importer "citygeo/import"
)

// moduleRoot is the folder holding go.mod.
func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		up := filepath.Dir(dir)
		if up == dir {
			t.Skip("module root not found")
		}
		dir = up
	}
}

// taipeiDir returns ../shared/data/taipei_daan relative to the module root, or skips.
func taipeiDir(t *testing.T) string {
	t.Helper()
	d := filepath.Join(moduleRoot(t), "..", "shared", "data", "taipei_daan")
	if _, err := os.Stat(filepath.Join(d, "cases_1999.geojson")); err != nil {
		t.Skipf("Taipei data not present (%s): skipping the replay", d)
	}
	return d
}

func readFC(t *testing.T, path string) *geojson.FeatureCollection {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	fc, err := geojson.UnmarshalFeatureCollection(raw)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return fc
}

// taipeiCaseClass maps the 1999 case types to CJ/T 214-2007 classes: a 部件 class where the
// case is about a component (so it binds to the imported facility within 20 m), else a 事件.
var taipeiCaseClass = map[string]struct{ kind, class string }{
	"大型廢棄物清運聯繫":          {"event", "0108"},     // 废弃家具设备
	"場所與設施噪音舉發":          {"event", "0508"},     // 商业噪音
	"污染舉發":               {"event", "0116"},     // 油烟污染
	"道路散落物或油漬處理":         {"event", "0112"},     // 道路遗撒
	"交通號誌異常":             {"component", "0210"}, // 交通信号灯
	"動物救援":               {"event", "0117"},     // 动物尸体清理 (closest class; rescue has none)
	"鄰里無主垃圾清運":           {"event", "0102"},     // 暴露垃圾
	"路燈故障或設施損壞":          {"component", "0118"}, // 路灯
	"交通標誌及設施物損壞(含汙損)、傾斜": {"component", "0209"}, // 交通标志牌
	"用戶無水、漏水報修":          {"event", "0402"},     // 自来水管破裂
	"市區道路坑洞處理":           {"event", "0110"},     // 道路破损
	"路樹處理":               {"component", "0402"}, // 行道树
	"道路側溝溝蓋(含周邊)損壞遺失":    {"component", "0104"}, // 雨水箅子
	"交通號誌電纜線垂落及設施損壞":     {"component", "0214"}, // 交通信号设施
}

// taipeiDataset imports 大安區 with the project's Taipei mapping.
func taipeiDataset(t *testing.T, dir string) *data.Dataset {
	t.Helper()
	m, err := importer.LoadMapping(filepath.Join(moduleRoot(t), "import", "testdata", "taipei", "mapping.json"))
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, l := range []string{"admin_district", "admin_police_precinct", "admin_village", "components_points"} {
		files = append(files, filepath.Join(dir, l+".geojson"))
	}
	ds, rep, err := importer.Check(context.Background(), files, nil, importer.Options{Mapping: m})
	if err != nil || rep.Errors > 0 {
		t.Fatalf("import Taipei: %v (%d errors)", err, rep.Errors)
	}
	return ds
}

// taipeiRules is the duty-rule list written for 大安區: the city agencies by class at district
// level, each precinct's 派出所 for night-time noise, and the district office (區公所) for
// the rest of 市容环境. Components without a rule fall to their own departments, then the
// precinct.
func taipeiRules(ds *data.Dataset) string {
	rule := func(kind, class, area, dept string, hours float64, unit, window string) string {
		return fmt.Sprintf(`{"kind":%q,"class":%q,"area":%q,"department_name":%q,"deadline_hours":%g,"deadline_unit":%q,"window":%q}`,
			kind, class, area, dept, hours, unit, window)
	}
	var district string
	for _, a := range ds.Areas {
		if a.Level == data.District {
			district = a.Code
		}
	}
	d := district
	rs := []string{
		rule("event", "0108", d, "臺北市政府環境保護局大安區清潔隊", 24, "working", ""),
		rule("event", "0102", d, "臺北市政府環境保護局大安區清潔隊", 8, "working", ""),
		rule("event", "0112", d, "臺北市政府環境保護局大安區清潔隊", 4, "calendar", ""),
		rule("event", "0116", d, "臺北市政府環境保護局", 24, "working", ""),
		rule("event", "0117", d, "臺北市動物保護處", 2, "calendar", ""),
		rule("event", "0110", d, "臺北市政府工務局新建工程處", 24, "working", ""),
		rule("event", "01", d, "臺北市大安區公所", 24, "working", ""),
		rule("event", "0508", d, "臺北市政府環境保護局", 4, "calendar", ""),
		rule("event", "0402", d, "臺北自來水事業處", 4, "calendar", ""),
		rule("component", "0210", d, "臺北市政府交通局交通管制工程處", 4, "calendar", ""),
		rule("component", "0214", d, "臺北市政府交通局交通管制工程處", 4, "calendar", ""),
		rule("component", "0209", d, "臺北市政府交通局交通管制工程處", 24, "working", ""),
		rule("component", "0118", d, "臺北市政府工務局公園路燈工程管理處", 24, "working", ""),
		rule("component", "0402", d, "臺北市政府工務局公園路燈工程管理處", 24, "working", ""),
	}
	for _, a := range ds.Areas {
		if a.Level == data.Street {
			rs = append(rs, rule("event", "0508", a.Code, "臺北市政府警察局大安分局"+a.Name, 1, "calendar", "22:00-06:00"))
		}
	}
	return "[" + strings.Join(rs, ",\n") + "]"
}

// TestTaipeiReplay dispatches every case and files it, so later cases see earlier ones. Every
// case must get a department; same-type cases near in space and time are flagged.
func TestTaipeiReplay(t *testing.T) {
	dir := taipeiDir(t)
	ds := taipeiDataset(t, dir)
	rules, err := dispatch.ParseRulesJSON(strings.NewReader(taipeiRules(ds)))
	if err != nil {
		t.Fatal(err)
	}
	srv, tok, feed := serveDispatch(t, ds, rules, nil)
	h := srv.Handler()

	cases := readFC(t, filepath.Join(dir, "cases_1999.geojson")).Features
	sort.SliceStable(cases, func(i, j int) bool {
		return cases[i].Properties.MustString("成案時間") < cases[j].Properties.MustString("成案時間")
	})
	paths, depts := map[string]int{}, map[string]int{}
	bound := 0
	flagged, flaggedPairsSameType := 0, 0
	byType := map[string][2]int{} // type → cases, flagged
	for _, f := range cases {
		typ, id := f.Properties.MustString("案件類型"), f.Properties.MustString("案件編號")
		cl, ok := taipeiCaseClass[typ]
		if !ok {
			t.Fatalf("case %s: type %q has no class mapping", id, typ)
		}
		p := f.Geometry.(orb.Point)
		at := f.Properties.MustString("成案時間")
		if i := strings.IndexByte(at, '.'); i > 0 {
			at = at[:i]
		}
		at += "+08:00" // Taipei local time
		req := map[string]any{"lng": p[0], "lat": p[1], "class": cl.class, "kind": cl.kind, "time": at}
		code, body := do(t, h, "POST", "/v1/dispatch", req)
		if code != 200 {
			t.Errorf("case %s (%s) at %v: %d %v", id, typ, p, code, body["error"])
			continue
		}
		dept, _ := body["department"].(map[string]any)
		if dept == nil || dept["name"] == "" {
			t.Errorf("case %s: no department: %v", id, body)
		}
		paths[body["path"].(string)]++
		depts[fmt.Sprint(dept["name"])]++
		if body["component"] != nil {
			bound++
		}
		st := byType[typ]
		st[0]++
		if dups := body["duplicates"].([]any); len(dups) > 0 {
			flagged++
			st[1]++
			flaggedPairsSameType += len(dups)
		}
		byType[typ] = st
		req["id"] = id
		req["source"] = "1999"
		if code, body := doAuth(t, h, "POST", "/v1/events", req, tok); code != 200 {
			t.Fatalf("file case %s: %d %v", id, code, body)
		}
	}
	all, open := feed.Len()
	t.Logf("Taipei replay: %d cases, %d filed (%d open); paths %v; %d flagged as duplicates (%d candidate links, default 50 m / 24 h)",
		len(cases), all, open, paths, flagged, flaggedPairsSameType)
	t.Logf("  %d cases bound to a component within 20 m; departments %v", bound, depts)
	var types []string
	for typ := range byType {
		types = append(types, typ)
	}
	sort.Slice(types, func(i, j int) bool { return byType[types[i]][0] > byType[types[j]][0] })
	for _, typ := range types {
		t.Logf("  %-20s %3d cases, %3d flagged", typ, byType[typ][0], byType[typ][1])
	}
	if all != len(cases) {
		t.Errorf("%d of %d cases dispatched", all, len(cases))
	}
	if flagged == 0 {
		t.Error("no case flagged as a duplicate")
	}
	// Cross-check the flags against a direct scan: a case is flagged iff an earlier case of the
	// same type lies within 50 m and 24 h.
	want := 0
	for i, a := range cases {
		for _, b := range cases[:i] {
			if a.Properties.MustString("案件類型") != b.Properties.MustString("案件類型") {
				continue
			}
			if caseNear(a, b) {
				want++
				break
			}
		}
	}
	if want != flagged {
		t.Errorf("flagged %d cases, a direct scan finds %d", flagged, want)
	}
}

// caseNear reports whether two cases are within 50 m and 24 h (the default duplicate rule).
func caseNear(a, b *geojson.Feature) bool {
	ta, err1 := time.Parse("2006-01-02T15:04:05", strings.SplitN(a.Properties.MustString("成案時間"), ".", 2)[0])
	tb, err2 := time.Parse("2006-01-02T15:04:05", strings.SplitN(b.Properties.MustString("成案時間"), ".", 2)[0])
	if err1 != nil || err2 != nil {
		return false
	}
	return ta.Sub(tb).Abs() <= 24*time.Hour && geo.Distance(a.Geometry.(orb.Point), b.Geometry.(orb.Point)) <= 50
}
