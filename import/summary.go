package importer

import (
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/paulmach/orb/geojson"
)

// The languages of WriteSummaryIn.
const (
	LangEnglish = "en"
	LangChinese = "zh"
)

// checkTitles says in English and Chinese what each check is about, for the summary. A check
// missing here is shown by its name alone.
var checkTitles = map[string][2]string{
	"address.community":        {"address names no known community", "门牌所在社区不存在"},
	"address.duplicate":        {"address id repeated", "门牌编号重复"},
	"area.code":                {"area code malformed", "行政区划代码不合规"},
	"area.duplicate":           {"area code repeated", "行政区划代码重复"},
	"area.level":               {"area code at the wrong level", "区划代码层级不符"},
	"area.name":                {"area has no name", "区划缺少名称"},
	"area.parent":              {"area code does not start with its parent's", "区划代码与上级不符"},
	"area.parent_missing":      {"parent area missing", "上级区划不存在"},
	"building.duplicate":       {"building id repeated", "楼栋编号重复"},
	"component.admin":          {"component id has another district", "部件标识码行政区划不符"},
	"component.class":          {"component class not in the catalog", "部件类别不在分类表中"},
	"component.class_mismatch": {"class columns disagree with the id", "类别字段与标识码不一致"},
	"component.dates":          {"change date before the initial date", "变更日期早于初始日期"},
	"component.dept":           {"component department unknown", "部件部门不存在"},
	"component.duplicate":      {"component id repeated", "部件标识码重复"},
	"component.geometry_type":  {"component geometry of the wrong type", "部件几何类型不符"},
	"component.grid_empty":     {"component names no grid", "部件缺少所在单元网格"},
	"component.grid_missing":   {"component's grid not in the dataset", "部件所在单元网格不存在"},
	"component.id":             {"component id malformed", "部件标识码不合规"},
	"component.outside_grid":   {"component outside the grid it names", "部件位于所填单元网格之外"},
	"component.status":         {"component status unknown", "部件状态不合规"},
	"component.status_empty":   {"component status empty", "部件状态为空"},
	"date.parse":               {"not a date", "日期格式错误"},
	"department.code":          {"department code empty", "部门代码为空"},
	"department.duplicate":     {"department code repeated", "部门代码重复"},
	"geometry.invalid":         {"invalid polygon", "多边形无效"},
	"geometry.missing":         {"no geometry", "缺少几何"},
	"geometry.range":           {"coordinates outside China (wrong CRS?)", "坐标超出中国范围（坐标系错误？）"},
	"geometry.type":            {"geometry of the wrong type", "几何类型不符"},
	"grid.area":                {"grid area differs from its polygon", "网格面积与图形不符"},
	"grid.code":                {"grid code malformed", "单元网格代码不合规"},
	"grid.community_missing":   {"grid's community not in the dataset", "网格所在社区不存在"},
	"grid.community_prefix":    {"grid code does not start with its community's", "网格代码与社区代码不符"},
	"grid.duplicate":           {"grid code repeated", "单元网格代码重复"},
	"grid.gap":                 {"community not covered by its grids", "社区内存在网格缝隙"},
	"grid.in_use":              {"grid deleted while components name it", "网格仍被部件引用"},
	"grid.outside_community":   {"grid outside its community", "网格超出所在社区"},
	"grid.overlap":             {"grids overlap", "网格重叠"},
	"id.parse":                 {"not an integer id", "编号不是整数"},
	"mapping.column":           {"mapping names a column the file lacks", "映射的字段在文件中不存在"},
	"mapping.template":         {"value too long for the mapping's template", "值超出映射模板长度"},
	"mapping.value":            {"value missing from the mapping's table", "映射表中无此值"},
	"number.parse":             {"not a number", "不是数字"},
	"poi.duplicate":            {"POI id repeated", "兴趣点编号重复"},
	"road.duplicate":           {"road id repeated", "道路编号重复"},
	"road.geometry":            {"road with fewer than 2 points", "道路少于2个点"},
}

// WriteSummary writes a readable summary in English: what was read, then each check with its
// count and up to maxExamples findings.
func (r *Report) WriteSummary(w io.Writer, maxExamples int) error {
	return r.WriteSummaryIn(w, maxExamples, LangEnglish)
}

// WriteSummaryIn writes the summary in lang, LangEnglish or LangChinese: the frame and each
// check's title in that language; the reasons of the examples stay as the checks wrote them
// (English), beside the record, field and value they name.
func (r *Report) WriteSummaryIn(w io.Writer, maxExamples int, lang string) error {
	zh := lang == LangChinese
	if lang != LangEnglish && !zh {
		return fmt.Errorf("summary language %q: want en or zh", lang)
	}
	var b strings.Builder
	for _, s := range r.Sources {
		cs := ""
		if s.Charset != "" {
			cs = ", " + s.Charset
		}
		switch {
		case s.Kind == "" && zh:
			fmt.Fprintf(&b, "%s [%s]：已跳过（映射文件跳过，或为交换文件的事项、删除清单）\n", s.Path, s.Layer)
		case s.Kind == "":
			fmt.Fprintf(&b, "%s [%s]: skipped (by the mapping, or an exchange file's events or deleted ids)\n", s.Path, s.Layer)
		case zh:
			fmt.Fprintf(&b, "%s [%s] → %s：%d 个要素（%s，%s%s）\n", s.Path, s.Layer, s.Kind, s.Features, s.Format, s.CRS, cs)
		default:
			fmt.Fprintf(&b, "%s [%s] → %s: %d features (%s, %s%s)\n", s.Path, s.Layer, s.Kind, s.Features, s.Format, s.CRS, cs)
		}
	}
	if zh {
		fmt.Fprintf(&b, "%d 个错误，%d 个警告\n", r.Errors, r.Warnings)
	} else {
		fmt.Fprintf(&b, "%d errors, %d warnings\n", r.Errors, r.Warnings)
	}
	byCheck := map[string][]Finding{}
	var order []string
	for _, f := range r.Findings {
		if byCheck[f.Check] == nil {
			order = append(order, f.Check)
		}
		byCheck[f.Check] = append(byCheck[f.Check], f)
	}
	for _, c := range order {
		fs := byCheck[c]
		sev, title := string(fs[0].Severity), ""
		if t, ok := checkTitles[c]; ok {
			title = t[0]
			if zh {
				title = t[1]
			}
		}
		if zh {
			sev = map[Severity]string{SeverityError: "错误", SeverityWarning: "警告"}[fs[0].Severity]
		}
		n := len(fs) + r.Omitted[c] // warnings past MaxWarningsListed are counted, not listed
		fmt.Fprintf(&b, "  %-7s %-28s %d  %s\n", sev, c, n, title)
		for i, f := range fs {
			if i == maxExamples {
				if zh {
					fmt.Fprintf(&b, "          … 另有 %d 条\n", n-i)
				} else {
					fmt.Fprintf(&b, "          … %d more\n", n-i)
				}
				break
			}
			if f.SourceID != "" {
				fmt.Fprintf(&b, "          %s %s (%s)", f.Layer, f.SourceID, recordAt(f, zh))
			} else {
				fmt.Fprintf(&b, "          %s (%s)", f.Layer, recordAt(f, zh))
			}
			if f.Field != "" {
				fmt.Fprintf(&b, " %s=%q", f.Field, f.Value)
			}
			fmt.Fprintf(&b, ": %s", f.Reason)
			if f.Location == nil {
				if zh {
					b.WriteString("（无位置）")
				} else {
					b.WriteString(" (no location)")
				}
			}
			b.WriteString("\n")
		}
		if len(fs) <= maxExamples && n > len(fs) { // every listed one shown, the omitted not
			if zh {
				fmt.Fprintf(&b, "          … 另有 %d 条\n", n-len(fs))
			} else {
				fmt.Fprintf(&b, "          … %d more\n", n-len(fs))
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// FeatureCollection returns the findings as a GeoJSON FeatureCollection for a GIS: a feature
// per finding with its location as geometry (null when it has none) and the finding's fields
// as properties. The layer mixes geometry types (a grid's polygon, a component's point), which
// RFC 7946 allows and QGIS splits by type when it opens the file.
func (r *Report) FeatureCollection() *geojson.FeatureCollection {
	fc := geojson.NewFeatureCollection()
	fc.Features = make([]*geojson.Feature, 0, len(r.Findings))
	for _, f := range r.Findings {
		ft := &geojson.Feature{Type: "Feature", Properties: f.Properties()}
		if f.Location != nil {
			ft.Geometry = f.Location.Geometry()
		}
		fc.Features = append(fc.Features, ft)
	}
	fc.ExtraMembers = geojson.Properties{"errors": r.Errors, "warnings": r.Warnings}
	return fc
}

// WriteGeoJSON writes FeatureCollection.
func (r *Report) WriteGeoJSON(w io.Writer) error {
	return json.NewEncoder(w).Encode(r.FeatureCollection())
}

// Properties returns the finding's fields by their JSON names, without its location: the
// attributes of the finding as a map feature.
func (f Finding) Properties() map[string]any {
	return map[string]any{"check": f.Check, "severity": string(f.Severity), "layer": string(f.Layer), "index": f.Index,
		"source_id": f.SourceID, "field": f.Field, "value": f.Value, "reason": f.Reason, "file": f.File}
}

// recordAt names where a finding's record is, as a user finds it in the file: a CSV's line (the
// header is line 1), another file's feature counted from 1, or the record's place in the merged
// layer when the finding names no file.
func recordAt(f Finding, zh bool) string {
	name := filepath.Base(f.File)
	switch {
	case f.Index < 0 && f.File != "":
		return name // the whole layer
	case f.File == "" && zh:
		return fmt.Sprintf("第 %d 条", f.Index+1)
	case f.File == "":
		return fmt.Sprintf("record %d", f.Index+1)
	case strings.EqualFold(filepath.Ext(f.File), ".csv") && zh:
		return fmt.Sprintf("%s 第 %d 行", name, f.Index+2)
	case strings.EqualFold(filepath.Ext(f.File), ".csv"):
		return fmt.Sprintf("%s line %d", name, f.Index+2)
	case zh:
		return fmt.Sprintf("%s 第 %d 个要素", name, f.Index+1)
	}
	return fmt.Sprintf("%s feature %d", name, f.Index+1)
}
