package dispatch_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"citygeo/data"
	"citygeo/data/sample"
	"citygeo/dispatch"
	"citygeo/geo"

	"github.com/paulmach/orb"
)

func TestSampleRules(t *testing.T) {
	rules, err := dispatch.SampleRules()
	if err != nil {
		t.Fatal(err)
	}
	set, err := dispatch.NewRuleSet(rules)
	if err != nil {
		t.Fatal(err)
	}
	levels := map[data.DutyLevel]int{}
	streets := map[string]bool{}
	for _, r := range set.Rules() {
		levels[r.Level()]++
		if r.Level() == data.DutyStreet {
			streets[r.Area] = true
		}
		if !strings.HasPrefix(r.Area, "440303") {
			t.Errorf("rule %s: area %q is not in 罗湖区", r.ID, r.Area)
		}
	}
	if levels[data.DutyGrid] == 0 || levels[data.DutyCommunity] == 0 || levels[data.DutyDistrict] == 0 || len(streets) != 10 {
		t.Errorf("sample rules cover levels %v and %d streets; want every level and all 10 streets", levels, len(streets))
	}
	ds, err := sample.Generate(sample.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ix, err := geo.NewIndex(ds, geo.IndexOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if errs := dispatch.CheckAreas(rules, func(c string) bool { return ix.Area(c) != nil || ix.Grid(c) != nil }); len(errs) > 0 {
		t.Errorf("sample rules name areas the sample city lacks: %v", errs)
	}
	named := map[string]bool{}
	for _, d := range ds.Departments {
		named[d.Name] = true
	}
	local := 0
	for _, r := range rules {
		if !named[r.Department.Name] {
			local++ // 社区工作站, 东门步行街管理办公室: rule-only bodies
		}
	}
	if local > 4 {
		t.Errorf("%d rules name departments the sample city does not have", local)
	}
	depts := []*data.Department{{Code: "X1", Name: "深圳市罗湖区城市管理和综合执法局"}}
	dispatch.FillDepartmentCodes(rules, depts)
	filled := 0
	for _, r := range rules {
		if r.Department.Code == "X1" {
			filled++
		} else if r.Department.Code != "" {
			t.Errorf("rule %s got code %q", r.ID, r.Department.Code)
		}
	}
	if filled == 0 {
		t.Error("FillDepartmentCodes filled nothing")
	}
}

func TestParseRulesCSV(t *testing.T) {
	const head = "id,kind,class,area,window,department_name,deadline_hours,deadline_unit,priority\n"
	tests := []struct {
		name   string
		csv    string
		record int
		field  string
	}{
		{"ok", head + "A,event,0501,440303001,,街道,8,working,2\nB,event,0508,440303,22:00-07:00,城管,2,calendar,1\n", 0, ""},
		{"unknown class", head + "A,event,0599,440303001,,街道,8,,\n", 2, "class"},
		{"component class as event", head + "A,event,0130,440303001,,街道,8,,\n", 2, "class"},
		{"bad area", head + "A,event,0501,44030300,,街道,8,,\n", 2, "area"},
		{"city code as area", head + "A,event,0501,440300001,,街道,8,,\n", 2, "area"},
		{"bad grid", head + "A,event,0501,440303001001000,,街道,8,,\n", 2, "area"},
		{"bad window", head + "A,event,0501,440303001,22-07,街道,8,,\n", 2, "window"},
		{"equal window", head + "A,event,0501,440303001,07:00-07:00,街道,8,,\n", 2, "window"},
		{"no department", head + "A,event,0501,440303001,,,8,,\n", 2, "department_name"},
		{"zero deadline", head + "A,event,0501,440303001,,街道,0,,\n", 2, "deadline_hours"},
		{"deadline not a number", head + "A,event,0501,440303001,,街道,8h,,\n", 2, "deadline_hours"},
		{"bad unit", head + "A,event,0501,440303001,,街道,8,days,\n", 2, "deadline_unit"},
		{"bad priority", head + "A,event,0501,440303001,,街道,8,,high\n", 2, "priority"},
		{"second line bad", head + "A,event,0501,440303001,,街道,8,,\nB,event,0501,440303001,,街道,-1,,\n", 3, "deadline_hours"},
		{"unknown column", "id,klass\nA,0501\n", 1, "header"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rules, err := dispatch.ParseRulesCSV(strings.NewReader(tc.csv))
			if tc.field == "" {
				if err != nil || len(rules) != 2 || rules[1].Window == nil || rules[1].WorkingHours {
					t.Fatalf("got %v %v", rules, err)
				}
				return
			}
			var re *dispatch.RuleError
			if !errors.As(err, &re) {
				var res dispatch.RuleErrors
				if !errors.As(err, &res) || len(res) == 0 {
					t.Fatalf("error %v names no record", err)
				}
				re = res[0]
			}
			if re.Record != tc.record || re.Field != tc.field {
				t.Errorf("got record %d field %q (%v), want record %d field %q", re.Record, re.Field, err, tc.record, tc.field)
			}
		})
	}
}

// TestRuleTies checks that rules that could both decide the same case are an import error, and
// that a windowed rule beside an all-day one is not.
func TestRuleTies(t *testing.T) {
	zone := `{"type":"Polygon","coordinates":[[[114.1,22.55],[114.102,22.55],[114.102,22.552],[114.1,22.552],[114.1,22.55]]]}`
	zone2 := `{"type":"Polygon","coordinates":[[[114.101,22.551],[114.103,22.551],[114.103,22.553],[114.101,22.553],[114.101,22.551]]]}`
	zoneApart := `{"type":"Polygon","coordinates":[[[114.2,22.55],[114.202,22.55],[114.202,22.552],[114.2,22.552],[114.2,22.55]]]}`
	rule := func(id, class, area, window, poly string) string {
		s := `{"id":"` + id + `","kind":"event","class":"` + class + `","area":"` + area + `","window":"` + window + `","department_name":"D","deadline_hours":4`
		if poly != "" {
			s += `,"polygon":` + poly
		}
		return s + "}"
	}
	tests := []struct {
		name  string
		rules []string
		tie   bool
	}{
		{"same class and area", []string{rule("a", "0501", "440303001", "", ""), rule("b", "0501", "440303001", "", "")}, true},
		{"same major and city", []string{rule("a", "05", "", "", ""), rule("b", "05", "", "", "")}, true},
		{"overlapping windows", []string{rule("a", "0508", "440303", "22:00-07:00", ""), rule("b", "0508", "440303", "06:00-08:00", "")}, true},
		{"disjoint windows", []string{rule("a", "0508", "440303", "22:00-07:00", ""), rule("b", "0508", "440303", "07:00-22:00", "")}, false},
		{"window beside all-day", []string{rule("a", "0508", "440303", "22:00-07:00", ""), rule("b", "0508", "440303", "", "")}, false},
		{"different areas", []string{rule("a", "0501", "440303001", "", ""), rule("b", "0501", "440303002", "", "")}, false},
		{"minor and major", []string{rule("a", "0501", "440303001", "", ""), rule("b", "05", "440303001", "", "")}, false},
		{"overlapping zones", []string{rule("a", "0501", "", "", zone), rule("b", "0501", "", "", zone2)}, true},
		{"zones apart", []string{rule("a", "0501", "", "", zone), rule("b", "0501", "", "", zoneApart)}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rules, err := dispatch.ParseRulesJSON(strings.NewReader("[" + strings.Join(tc.rules, ",") + "]"))
			if err != nil {
				t.Fatal(err)
			}
			_, err = dispatch.NewRuleSet(rules)
			if isTie(err) != tc.tie {
				t.Errorf("tie %v, want %v (%v)", err != nil, tc.tie, err)
			}
			var res dispatch.RuleErrors
			if tc.tie && (!errors.As(err, &res) || res[0].Record != 2) {
				t.Errorf("tie error %v should name record 2", err)
			}
		})
	}
}

// TestPolygonRule checks a zone rule ranks above community rules and applies only inside.
func TestPolygonRule(t *testing.T) {
	zone := `{"type":"Polygon","coordinates":[[[114.1,22.55],[114.1005,22.55],[114.1005,22.551],[114.1,22.551],[114.1,22.55]]]}`
	rules, err := dispatch.ParseRulesJSON(strings.NewReader(`{"rules":[
		{"id":"z","kind":"event","class":"0501","polygon":` + zone + `,"department_name":"市场管理办","deadline_hours":2},
		{"id":"c","kind":"event","class":"0501","area":"440303003020","department_name":"社区","deadline_hours":2},
		{"id":"g","kind":"event","class":"05","area":"440303003020001","department_name":"网格","deadline_hours":2}]}`))
	if err != nil {
		t.Fatal(err)
	}
	set, err := dispatch.NewRuleSet(rules)
	if err != nil {
		t.Fatal(err)
	}
	cl, _ := data.ParseClassRef("0501", 0, data.KindEvent)
	chain := dispatch.Chain{Grid: "440303003020002", Community: "440303003020", Street: "440303003", District: "440303"}
	for _, tc := range []struct {
		p    orb.Point
		grid string
		want string
	}{
		{orb.Point{114.1002, 22.5505}, "440303003020002", "z"},
		{orb.Point{114.1008, 22.5505}, "440303003020002", "c"},
		{orb.Point{114.1002, 22.5505}, "440303003020001", "g"},
	} {
		chain.Grid = tc.grid
		if r := set.Match(cl, chain, tc.p, 600); r == nil || r.ID != tc.want {
			t.Errorf("at %v in %s got %+v, want rule %s", tc.p, tc.grid, r, tc.want)
		}
	}
}

func FuzzParseRulesCSV(f *testing.F) {
	f.Add("id,kind,class,area,window,department_name,deadline_hours,deadline_unit,priority\nA,event,0501,440303001,22:00-07:00,街道,8,working,2\n")
	f.Add("class,polygon,department_name,deadline_hours\n0501,\"POLYGON((114 22,115 22,115 23,114 22))\",D,1\n")
	f.Add("class,polygon,department_name,deadline_hours\n0501,POINT(1 2),D,1\n")
	f.Add("class,area,department_name,deadline_hours\n01001,440303001001001,D,1e308\n")
	f.Fuzz(func(t *testing.T, in string) {
		rules, err := dispatch.ParseRulesCSV(strings.NewReader(in))
		if err != nil {
			return
		}
		set, err := dispatch.NewRuleSet(rules)
		if err != nil {
			return
		}
		for _, r := range set.Rules() {
			set.Match(r.Class, dispatch.Chain{Grid: r.Area, Community: r.Area, Street: r.Area, District: r.Area}, orb.Point{114, 22}, 0)
		}
	})
}

func FuzzParseRulesJSON(f *testing.F) {
	f.Add(`[{"kind":"event","class":"0501","area":"440303001","window":"22:00-07:00","department_name":"D","deadline_hours":8}]`)
	f.Add(`{"rules":[{"class":"01037","polygon":{"type":"Polygon","coordinates":[[[114,22],[115,22],[115,23],[114,22]]]},"department_code":"X","deadline_hours":1,"deadline_unit":"calendar"}]}`)
	f.Add(`{"rules":[{"class":"05","polygon":{"type":"Point","coordinates":[1,2]},"department_name":"D","deadline_hours":1}]}`)
	f.Add(`[{"class":"05","polygon":null,"department_name":"D","deadline_hours":1}]`)
	f.Fuzz(func(t *testing.T, in string) {
		rules, err := dispatch.ParseRulesJSON(strings.NewReader(in))
		if err != nil {
			return
		}
		if set, err := dispatch.NewRuleSet(rules); err == nil {
			for _, r := range set.Rules() {
				set.Match(r.Class, dispatch.Chain{District: r.Area}, orb.Point{114.5, 22.5}, 0)
			}
		}
	})
}

func TestLoadRulesAndCheckAreas(t *testing.T) {
	dir := t.TempDir()
	csvPath := filepath.Join(dir, "rules.csv")
	if err := os.WriteFile(csvPath, []byte("id,kind,class,area,department_name,deadline_hours\nA,event,0501,440303001,街道,8\nB,event,0501,440303099,街道,8\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	rules, err := dispatch.LoadRules(csvPath)
	if err != nil || len(rules) != 2 {
		t.Fatalf("LoadRules csv: %v %v", rules, err)
	}
	ix, err := geo.NewIndex(testCity(), geo.IndexOptions{})
	if err != nil {
		t.Fatal(err)
	}
	errs := dispatch.CheckAreas(rules, func(code string) bool { return ix.Area(code) != nil || ix.Grid(code) != nil })
	if len(errs) != 1 || errs[0].ID != "B" || errs[0].Field != "area" {
		t.Errorf("CheckAreas: %v", errs)
	}
	sample, _ := dispatch.SampleRules()
	jsonPath := filepath.Join(dir, "rules.json")
	raw, _ := json.Marshal(map[string]any{"rules": []map[string]any{{"class": "05", "kind": "event", "department_name": "D", "deadline_hours": 1}}})
	if err := os.WriteFile(jsonPath, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	if rules, err := dispatch.LoadRules(jsonPath); err != nil || len(rules) != 1 || len(sample) == 0 {
		t.Fatalf("LoadRules json: %v %v", rules, err)
	}
	if _, err := dispatch.LoadRules(filepath.Join(dir, "missing.csv")); err == nil {
		t.Error("LoadRules of a missing file")
	}
}

// TestMatchMissingLevels checks that a chain without a grid or community still walks the
// levels in order, and that city-wide rules come last.
func TestMatchMissingLevels(t *testing.T) {
	rules, err := dispatch.ParseRulesJSON(strings.NewReader(`[
		{"id":"city","kind":"event","class":"05","department_name":"市","deadline_hours":1},
		{"id":"street","kind":"event","class":"05","area":"440303001","department_name":"街道","deadline_hours":1}]`))
	if err != nil {
		t.Fatal(err)
	}
	set, err := dispatch.NewRuleSet(rules)
	if err != nil {
		t.Fatal(err)
	}
	cl, _ := data.ParseClassRef("0501", 0, data.KindEvent)
	for _, tc := range []struct {
		chain dispatch.Chain
		want  string
	}{
		{dispatch.Chain{Street: "440303001", District: "440303"}, "street"},
		{dispatch.Chain{Street: "440303002", District: "440303"}, "city"},
		{dispatch.Chain{}, "city"},
	} {
		if r := set.Match(cl, tc.chain, orb.Point{}, 0); r == nil || r.ID != tc.want {
			t.Errorf("chain %+v: got %+v, want %s", tc.chain, r, tc.want)
		}
	}
}

// FuzzParseZone: a zone read from GeoJSON or WKT is polygons of finite lon/lat points, rings
// of four points or more; anything else is refused.
func FuzzParseZone(f *testing.F) {
	f.Add([]byte(`{"type":"Polygon","coordinates":[[[114.1,22.5],[114.2,22.5],[114.2,22.6],[114.1,22.5]]]}`), false)
	f.Add([]byte(`MULTIPOLYGON(((114.1 22.5,114.2 22.5,114.2 22.6,114.1 22.5)))`), true)
	f.Add([]byte(`POLYGON((nan 22.5,114.2 22.5,114.2 22.6,nan 22.5))`), true)
	f.Fuzz(func(t *testing.T, raw []byte, isWKT bool) {
		mp, err := dispatch.ParseZone(raw, isWKT)
		if err != nil {
			return
		}
		for _, p := range mp {
			if len(p) == 0 || len(p[0]) < 4 {
				t.Fatalf("zone %v has a ring under 4 points", mp)
			}
			for _, r := range p {
				for _, pt := range r {
					if !(pt[0] >= -180 && pt[0] <= 180 && pt[1] >= -90 && pt[1] <= 90) {
						t.Fatalf("zone point %v is not lon/lat", pt)
					}
				}
			}
		}
	})
}
