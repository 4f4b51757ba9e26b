package api_test

// The Taipei replay: the 328 real 1999-hotline cases of 臺北市大安區 (2023-05-25 … 2023-06-01,
// Taipei City Government open data via data.taipei) dispatched in time order through
// POST /v1/dispatch and filed through POST /v1/events, over a dataset built here from the
// Taipei files in ../shared/data/taipei_daan and a duty-rule list written for it.
//
// Code mapping (derived, not official; Taiwan has no GB/T 2260 codes): district 大安區 = 716303
// (71 = 台湾省 in GB/T 2260, 63 03 from the Taipei code 63000030); the 7 police precincts stand
// in for streets, 716303001…007 in name order; the 53 villages (里) are communities, street
// code + the last 3 digits of CPTVID; each village polygon part is one derived grid
// (community + 001…). Facility points become GB/T 47678.5 components (17-digit ids 716303 +
// class + sequence) so that 事项 of majors 01–05 bind to them.

import (
	"encoding/json"
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
)

// taipeiDir returns ../shared/data/taipei_daan relative to the module root, or skips.
func taipeiDir(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		up := filepath.Dir(dir)
		if up == dir {
			t.Skip("module root not found")
		}
		dir = up
	}
	d := filepath.Join(dir, "..", "shared", "data", "taipei_daan")
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

func multi(g orb.Geometry) orb.MultiPolygon {
	switch g := g.(type) {
	case orb.Polygon:
		return orb.MultiPolygon{g}
	case orb.MultiPolygon:
		return g
	}
	return nil
}

// taipeiComponentClass maps the facility categories to GB/T 47678.5 component classes and the
// agencies that keep them; the other categories (AED, refuges, crossings …) are not 部件.
var taipeiComponentClass = map[string]struct{ class, name, dept string }{
	"traffic_signal":           {"02014", "交通信号灯", "臺北市政府交通局交通管制工程處"},
	"bus_stop":                 {"02004", "公交站设施", "臺北市公共運輸處"},
	"cctv":                     {"01050", "监控电子眼设施", "臺北市政府警察局資訊室"},
	"garbage_collection_point": {"03005", "垃圾箱", "臺北市政府環境保護局"},
	"rain_sewer_station":       {"01067", "防汛监测设施", "臺北市政府工務局水利工程處"},
}

// taipeiCaseClass maps the 1999 case types to GB/T 47678.5 事项 classes.
var taipeiCaseClass = map[string]string{
	"大型廢棄物清運聯繫":          "06035", // 废弃家具设备
	"場所與設施噪音舉發":          "06028", // 噪声扰民
	"污染舉發":               "06030", // 乱倒乱排污水、废水
	"道路散落物或油漬處理":         "06014", // 道路遗撒
	"交通號誌異常":             "02014", // 交通信号灯异常
	"動物救援":               "06037", // 动物尸体 (closest class; rescue has none)
	"鄰里無主垃圾清運":           "06010", // 暴露垃圾
	"路燈故障或設施損壞":          "01037", // 路灯异常
	"交通標誌及設施物損壞(含汙損)、傾斜": "02010", // 交通标志牌及标线异常
	"用戶無水、漏水報修":          "01025", // 供水器异常
	"市區道路坑洞處理":           "06013", // 道路破损
	"路樹處理":               "04002", // 行道树异常
	"道路側溝溝蓋(含周邊)損壞遺失":    "01026", // 沟槽盖板异常
	"交通號誌電纜線垂落及設施損壞":     "02015", // 交通信号设施异常
}

// taipeiDataset builds 大安區 from the shared files (see the mapping above).
func taipeiDataset(t *testing.T, dir string) (*data.Dataset, map[string]string) {
	t.Helper()
	const district = "716303"
	ds := &data.Dataset{Version: 1, Name: "臺北市大安區 (replay)", Source: "taipei_daan"}
	dfc := readFC(t, filepath.Join(dir, "admin_district.geojson"))
	ds.Areas = append(ds.Areas, &data.Area{Code: district, Name: "大安區", Level: data.District, Polygon: multi(dfc.Features[0].Geometry)})

	pfc := readFC(t, filepath.Join(dir, "admin_police_precinct.geojson"))
	sort.Slice(pfc.Features, func(i, j int) bool {
		return pfc.Features[i].Properties.MustString("police_district_station_name") < pfc.Features[j].Properties.MustString("police_district_station_name")
	})
	precinct := map[string]string{} // station name → street code
	for i, f := range pfc.Features {
		name := f.Properties.MustString("police_district_station_name")
		code := fmt.Sprintf("%s%03d", district, i+1)
		precinct[name] = code
		ds.Areas = append(ds.Areas, &data.Area{Code: code, Name: name, Level: data.Street, Parent: district, Polygon: multi(f.Geometry), Derived: true})
	}
	raw, err := os.ReadFile(filepath.Join(dir, "village_to_precinct.json"))
	if err != nil {
		t.Fatal(err)
	}
	var v2p map[string][]any
	if err := json.Unmarshal(raw, &v2p); err != nil {
		t.Fatal(err)
	}
	vfc := readFC(t, filepath.Join(dir, "admin_village.geojson"))
	for _, f := range vfc.Features {
		name, vid := f.Properties.MustString("VNAME"), f.Properties.MustString("CPTVID")
		street := precinct[v2p[name][0].(string)]
		if street == "" {
			t.Fatalf("village %s: no precinct", name)
		}
		code := street + vid[len(vid)-3:]
		mp := multi(f.Geometry)
		ds.Areas = append(ds.Areas, &data.Area{Code: code, Name: name, Level: data.Community, Parent: street, Polygon: mp})
		for i, poly := range mp {
			ds.Grids = append(ds.Grids, &data.Grid{Code: fmt.Sprintf("%s%03d", code, i+1), Community: code, Polygon: poly, Derived: true})
		}
	}
	seq := map[string]int{}
	cfc := readFC(t, filepath.Join(dir, "components_points.geojson"))
	for _, f := range cfc.Features {
		m, ok := taipeiComponentClass[f.Properties.MustString("category")]
		if !ok {
			continue
		}
		seq[m.class]++
		dept := data.DeptRef{Name: m.dept}
		ds.Components = append(ds.Components, &data.Component{ID: fmt.Sprintf("%s%s%06d", district, m.class, seq[m.class]),
			Scheme: data.GBT4767, Major: m.class[:2], Minor: m.class[2:], Name: f.Properties.MustString("name", m.name),
			Owner: dept, Maintainer: dept, Status: data.StatusIntact, Geometry: f.Geometry})
	}
	return ds, precinct
}

// taipeiRules is the duty-rule list written for 大安區: the city agencies by class at district
// level, each precinct's 派出所 for night-time noise, one village office for its own stray
// garbage, and the district office (區公所) for anything else of 市容环境.
func taipeiRules(precinct map[string]string) string {
	rule := func(class, area, dept string, hours float64, unit, window string) string {
		return fmt.Sprintf(`{"scheme":"GB/T 47678.5-2026","kind":"event","class":%q,"area":%q,"department_name":%q,"deadline_hours":%g,"deadline_unit":%q,"window":%q}`,
			class, area, dept, hours, unit, window)
	}
	const d = "716303"
	rs := []string{
		rule("06035", d, "臺北市政府環境保護局大安區清潔隊", 24, "working", ""),
		rule("06028", d, "臺北市政府環境保護局", 4, "calendar", ""),
		rule("06030", d, "臺北市政府環境保護局", 24, "working", ""),
		rule("06014", d, "臺北市政府環境保護局大安區清潔隊", 4, "calendar", ""),
		rule("06010", d, "臺北市政府環境保護局大安區清潔隊", 8, "working", ""),
		rule("06037", d, "臺北市動物保護處", 2, "calendar", ""),
		rule("06013", d, "臺北市政府工務局新建工程處", 24, "working", ""),
		rule("06", d, "臺北市大安區公所", 24, "working", ""),
		rule("02", d, "臺北市政府交通局交通管制工程處", 4, "calendar", ""),
		rule("01037", d, "臺北市政府工務局公園路燈工程管理處", 24, "working", ""),
		rule("04002", d, "臺北市政府工務局公園路燈工程管理處", 24, "working", ""),
		rule("01025", d, "臺北自來水事業處", 4, "calendar", ""),
		rule("01026", d, "臺北市政府工務局水利工程處", 24, "working", ""),
	}
	var names []string
	for name := range precinct {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		rs = append(rs, rule("06028", precinct[name], "臺北市政府警察局大安分局"+name, 1, "calendar", "22:00-06:00"))
	}
	return "[" + strings.Join(rs, ",\n") + "]"
}

// TestTaipeiReplay dispatches every case and files it, so later cases see earlier ones. Every
// case must get a department; same-type cases near in space and time are flagged.
func TestTaipeiReplay(t *testing.T) {
	dir := taipeiDir(t)
	ds, precinct := taipeiDataset(t, dir)
	rules, err := dispatch.ParseRulesJSON(strings.NewReader(taipeiRules(precinct)))
	if err != nil {
		t.Fatal(err)
	}
	h, tok, feed := serveDispatch(t, ds, rules, nil)

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
		class, ok := taipeiCaseClass[typ]
		if !ok {
			t.Fatalf("case %s: type %q has no class mapping", id, typ)
		}
		p := f.Geometry.(orb.Point)
		at := f.Properties.MustString("成案時間")
		if i := strings.IndexByte(at, '.'); i > 0 {
			at = at[:i]
		}
		at += "+08:00" // Taipei local time
		req := map[string]any{"lng": p[0], "lat": p[1], "class": class, "kind": "event", "time": at}
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
