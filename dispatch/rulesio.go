package dispatch

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"citygeo/data"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkt"
	"github.com/paulmach/orb/geojson"
)

// RuleRecord is one duty rule as written in a JSON or CSV rule list. Field names are the JSON
// keys and the CSV header names.
//
//	id              rule id (optional, used in messages and answers)
//	scheme          "CJ/T 214-2007" or "GB/T 47678.5-2026" (optional: from the code length)
//	kind            "event" or "component" (optional: a component class wins)
//	class           2-digit major or full minor class code
//	area            district (6), street (9), community (12) or grid (15) code; empty = city
//	polygon         a zone instead of area: GeoJSON geometry in JSON, WKT in CSV
//	window          "HH:MM-HH:MM" (may wrap midnight), empty = all day
//	department_code, department_name
//	deadline_hours  处置时限, > 0
//	deadline_unit   "working" (working hours, the default) or "calendar"
//	priority        case priority, 1 = most urgent (optional)
type RuleRecord struct {
	ID             string          `json:"id"`
	Scheme         string          `json:"scheme"`
	Kind           string          `json:"kind"`
	Class          string          `json:"class"`
	Area           string          `json:"area"`
	Polygon        json.RawMessage `json:"polygon,omitempty"`
	Window         string          `json:"window"`
	DepartmentCode string          `json:"department_code"`
	DepartmentName string          `json:"department_name"`
	DeadlineHours  float64         `json:"deadline_hours"`
	DeadlineUnit   string          `json:"deadline_unit"`
	Priority       int             `json:"priority"`
}

// ParseRulesJSON reads a rule list: a JSON array of RuleRecord objects, or {"rules": [...]}.
// Problems are returned together as RuleErrors; ties are checked by NewRuleSet.
func ParseRulesJSON(r io.Reader) ([]*data.DutyRule, error) {
	raw, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read duty rules: %w", err)
	}
	raw = bytes.TrimSpace(raw)
	var recs []RuleRecord
	if len(raw) > 0 && raw[0] == '{' {
		var doc struct {
			Rules []RuleRecord `json:"rules"`
		}
		err = json.Unmarshal(raw, &doc)
		recs = doc.Rules
	} else {
		err = json.Unmarshal(raw, &recs)
	}
	if err != nil {
		return nil, fmt.Errorf("decode duty rules: %w", err)
	}
	var errs RuleErrors
	out := make([]*data.DutyRule, 0, len(recs))
	for i := range recs {
		rule, err := recs[i].rule(i+1, false)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, rule)
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return out, nil
}

// ParseRulesCSV reads a rule list as CSV with a header row naming RuleRecord fields (in any
// order; unknown columns are an error so a typo does not silently drop a field). Records are
// numbered by line, the header being line 1.
func ParseRulesCSV(r io.Reader) ([]*data.DutyRule, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = 0
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("read duty rule header: %w", err)
	}
	cols := map[string]int{}
	for i, h := range header {
		h = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
		if !knownColumn(h) {
			return nil, &RuleError{Record: 1, Field: "header", Value: h, Reason: "unknown column; want " + strings.Join(ruleColumns, ", ")}
		}
		cols[h] = i
	}
	if _, ok := cols["class"]; !ok {
		return nil, &RuleError{Record: 1, Field: "header", Reason: "no class column"}
	}
	var errs RuleErrors
	var out []*data.DutyRule
	for line := 2; ; line++ {
		row, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("read duty rules line %d: %w", line, err)
		}
		get := func(name string) string {
			if i, ok := cols[name]; ok && i < len(row) {
				return strings.TrimSpace(row[i])
			}
			return ""
		}
		rec := RuleRecord{ID: get("id"), Scheme: get("scheme"), Kind: get("kind"), Class: get("class"),
			Area: get("area"), Window: get("window"), DepartmentCode: get("department_code"),
			DepartmentName: get("department_name"), DeadlineUnit: get("deadline_unit")}
		if p := get("polygon"); p != "" {
			rec.Polygon = json.RawMessage(p)
		}
		if v := get("deadline_hours"); v != "" {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				errs = append(errs, &RuleError{Record: line, ID: rec.ID, Field: "deadline_hours", Value: v, Reason: "not a number"})
				continue
			}
			rec.DeadlineHours = f
		}
		if v := get("priority"); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil {
				errs = append(errs, &RuleError{Record: line, ID: rec.ID, Field: "priority", Value: v, Reason: "not an integer"})
				continue
			}
			rec.Priority = n
		}
		rule, rerr := rec.rule(line, true)
		if rerr != nil {
			errs = append(errs, rerr)
			continue
		}
		out = append(out, rule)
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return out, nil
}

var ruleColumns = []string{"id", "scheme", "kind", "class", "area", "polygon", "window",
	"department_code", "department_name", "deadline_hours", "deadline_unit", "priority"}

func knownColumn(h string) bool {
	for _, c := range ruleColumns {
		if c == h {
			return true
		}
	}
	return false
}

// rule checks a record and turns it into a DutyRule. wktPolygon says the polygon is WKT (CSV)
// rather than GeoJSON.
func (rec *RuleRecord) rule(n int, wktPolygon bool) (*data.DutyRule, *RuleError) {
	bad := func(field, value, format string, args ...any) *RuleError {
		return &RuleError{Record: n, ID: rec.ID, Field: field, Value: value, Reason: fmt.Sprintf(format, args...)}
	}
	if rec.Class == "" {
		return nil, bad("class", "", "missing")
	}
	var class data.ClassRef
	scheme, err := data.ParseScheme(rec.Scheme)
	if err == nil {
		class, err = data.ParseClassRef(rec.Class, scheme, data.ClassKind(rec.Kind))
	}
	if err != nil {
		return nil, bad("class", rec.Class, "%v", err)
	}
	r := &data.DutyRule{ID: rec.ID, Class: class, Area: rec.Area, Priority: rec.Priority,
		Department:    data.DeptRef{Code: rec.DepartmentCode, Name: rec.DepartmentName},
		DeadlineHours: rec.DeadlineHours}
	switch len(rec.Area) {
	case 0:
	case 14, 15:
		if _, err := data.ParseGridCode(rec.Area, data.GridCodeOptions{AllowLegacy14: true}); err != nil {
			return nil, bad("area", rec.Area, "%v", err)
		}
	default:
		if _, err := data.ParseAreaCode(rec.Area); err != nil {
			return nil, bad("area", rec.Area, "%v", err)
		}
	}
	if len(rec.Polygon) > 0 && string(rec.Polygon) != "null" {
		if rec.Area != "" {
			return nil, bad("polygon", "", "give an area code or a polygon, not both")
		}
		mp, err := ParseZone(rec.Polygon, wktPolygon)
		if err != nil {
			return nil, bad("polygon", "", "%v", err)
		}
		r.Polygon = mp
	}
	if rec.Window != "" {
		from, to, ok := strings.Cut(rec.Window, "-")
		if !ok {
			return nil, bad("window", rec.Window, "want HH:MM-HH:MM")
		}
		f, err1 := data.ParseClock(strings.TrimSpace(from))
		t, err2 := data.ParseClock(strings.TrimSpace(to))
		if err := errors.Join(err1, err2); err != nil {
			return nil, bad("window", rec.Window, "%v", err)
		}
		if f == t {
			return nil, bad("window", rec.Window, "from and to are equal; leave window empty for all day")
		}
		r.Window = &data.TimeWindow{From: f, To: t}
	}
	if rec.DepartmentCode == "" && rec.DepartmentName == "" {
		return nil, bad("department_name", "", "missing: a rule must name a department")
	}
	if !(rec.DeadlineHours > 0) || rec.DeadlineHours > 24*366 {
		return nil, bad("deadline_hours", strconv.FormatFloat(rec.DeadlineHours, 'g', -1, 64), "want hours > 0 and at most a year")
	}
	switch rec.DeadlineUnit {
	case "", "working":
		r.WorkingHours = true
	case "calendar":
	default:
		return nil, bad("deadline_unit", rec.DeadlineUnit, "want working or calendar")
	}
	if rec.Priority < 0 {
		return nil, bad("priority", strconv.Itoa(rec.Priority), "want 0 (unset) or a positive rank")
	}
	return r, nil
}

// ParseZone reads a polygon zone as GeoJSON geometry (or WKT when isWKT) and checks that it is
// a Polygon or MultiPolygon of lon/lat rings with at least 4 points each. Duty rules and the
// zones of package duty both read their polygons with it.
func ParseZone(raw []byte, isWKT bool) (orb.MultiPolygon, error) {
	var g orb.Geometry
	if isWKT {
		var err error
		if g, err = wkt.Unmarshal(string(raw)); err != nil {
			return nil, fmt.Errorf("WKT: %w", err)
		}
	} else {
		gj, err := geojson.UnmarshalGeometry(raw)
		if err != nil {
			return nil, fmt.Errorf("GeoJSON geometry: %w", err)
		}
		g = gj.Geometry()
	}
	var mp orb.MultiPolygon
	switch g := g.(type) {
	case orb.Polygon:
		mp = orb.MultiPolygon{g}
	case orb.MultiPolygon:
		mp = g
	case nil:
		return nil, fmt.Errorf("empty geometry")
	default:
		return nil, fmt.Errorf("a %s is not a zone: want Polygon or MultiPolygon", g.GeoJSONType())
	}
	for _, p := range mp {
		if len(p) == 0 || len(p[0]) < 4 {
			return nil, fmt.Errorf("a ring needs at least 4 points")
		}
		for _, r := range p {
			for _, pt := range r {
				// Written so that NaN, which WKT spells "nan" and every comparison denies, fails.
				if !(pt[0] >= -180 && pt[0] <= 180 && pt[1] >= -90 && pt[1] <= 90) {
					return nil, fmt.Errorf("point %v is not lon/lat", pt)
				}
			}
		}
	}
	return mp, nil
}

// LoadRules reads a rule list file: .csv as ParseRulesCSV, anything else as ParseRulesJSON.
func LoadRules(path string) ([]*data.DutyRule, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open duty rules: %w", err)
	}
	defer f.Close()
	if strings.EqualFold(filepath.Ext(path), ".csv") {
		return ParseRulesCSV(f)
	}
	return ParseRulesJSON(f)
}

// CheckAreas reports the rules whose area code the dataset does not have (known says whether
// an area or grid code exists, e.g. geo.Index Area/Grid), one *RuleError each, with the
// 1-based position of the rule in the list. A rule for an unknown area never matches, which
// is almost always a typo or a rule list meant for another dataset version.
func CheckAreas(rules []*data.DutyRule, known func(code string) bool) RuleErrors {
	var errs RuleErrors
	for i, r := range rules {
		if r.Area != "" && !known(r.Area) {
			errs = append(errs, &RuleError{Record: i + 1, ID: r.ID, Field: "area", Value: r.Area,
				Reason: fmt.Sprintf("no %s with this code in the dataset", r.Level())})
		}
	}
	return errs
}
