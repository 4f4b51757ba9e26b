package duty

import (
	"fmt"
	"path/filepath"
	"strings"

	"golang.org/x/text/width"
)

// List names one of the duty lists. A CSV file is named after its list (people.csv, 人员.csv),
// a workbook has one sheet per list named the same way, and a JSON document has one array per
// list under these keys.
type List string

// The duty lists, in the order they are read (later lists refer to earlier ones).
const (
	ListPeople      List = "people"      // 人员
	ListTeams       List = "teams"       // 中队
	ListZones       List = "zones"       // 责任区
	ListSegments    List = "segments"    // 路段
	ListShifts      List = "shifts"      // 班次
	ListAssignments List = "assignments" // 责任分配
	ListDelegations List = "delegations" // 代岗
)

// Lists is every list in reading order.
var Lists = []List{ListPeople, ListTeams, ListZones, ListSegments, ListShifts, ListAssignments, ListDelegations}

// record returns what one record of the list is called: person, team, zone …
func (l List) record() string {
	if l == ListPeople {
		return "person"
	}
	return strings.TrimSuffix(string(l), "s")
}

// listNames are the Chinese names a file or sheet may carry for each list.
var listNames = map[List][]string{
	ListPeople:      {"人员", "人员名单", "人员表"},
	ListTeams:       {"中队", "班组", "队伍"},
	ListZones:       {"责任区", "责任网格", "网格", "片区"},
	ListSegments:    {"路段", "责任路段", "道路"},
	ListShifts:      {"班次", "排班"},
	ListAssignments: {"责任分配", "分配", "岗位分配"},
	ListDelegations: {"代岗", "AB岗", "A/B岗", "顶岗"},
}

// ListOf returns the list a file or sheet name stands for: its base name without extension,
// in English or Chinese (people, 人员 …).
func ListOf(name string) (List, bool) {
	base := strings.TrimSuffix(filepath.Base(name), filepath.Ext(name))
	base = strings.ToLower(strings.TrimSpace(width.Narrow.String(base)))
	for _, l := range Lists {
		if base == string(l) {
			return l, true
		}
		for _, n := range listNames[l] {
			if base == strings.ToLower(n) {
				return l, true
			}
		}
	}
	return "", false
}

// column is one field of a list: its key (the CSV header and JSON key), the other headers a
// spreadsheet may use for it, and whether every row needs it.
type column struct {
	key      string
	aliases  []string
	required bool
}

// columns lists the fields of each list. Headers are matched after width folding and
// lower-casing, with a trailing * (a "required" mark in templates) dropped.
var columns = map[List][]column{
	ListPeople: {
		{"id", []string{"工号", "人员编号", "编号"}, true},
		{"name", []string{"姓名"}, true},
		{"post", []string{"岗位", "职务", "角色"}, false},
		{"department_code", []string{"部门代码", "单位代码", "统一社会信用代码"}, false},
		{"department", []string{"部门", "所属部门", "单位", "所属单位"}, false},
		{"team", []string{"中队", "班组", "所属中队"}, false},
		{"device", []string{"终端", "终端编号", "终端号", "设备号", "城管通"}, false},
		{"phone", []string{"电话", "手机", "手机号", "手机号码", "联系电话"}, false},
		{"away", []string{"不在岗", "休假", "外出"}, false},
	},
	ListTeams: {
		{"id", []string{"中队编号", "编号"}, true},
		{"name", []string{"名称", "中队名称", "中队"}, true},
		{"department_code", []string{"部门代码", "单位代码"}, false},
		{"department", []string{"部门", "所属部门", "单位"}, false},
		{"leader", []string{"队长", "负责人", "班长"}, false},
	},
	ListZones: {
		{"id", []string{"编号", "责任区编号", "网格编号"}, true},
		{"name", []string{"名称", "责任区名称", "网格名称"}, true},
		{"kind", []string{"类型", "类别"}, false},
		{"grids", []string{"单元网格", "包含网格", "网格"}, false},
		{"polygon", []string{"范围", "边界", "wkt", "geometry"}, false},
	},
	ListSegments: {
		{"id", []string{"编号", "路段编号"}, true},
		{"name", []string{"路段", "路段名称", "起止"}, true},
		{"unit_code", []string{"单位代码", "责任单位代码"}, false},
		{"unit", []string{"责任单位", "单位", "养护单位"}, false},
	},
	ListShifts: {
		{"id", []string{"编号", "班次编号"}, true},
		{"name", []string{"名称", "班次", "班次名称"}, false},
		{"days", []string{"星期", "工作日"}, false},
		{"window", []string{"时段", "时间", "上班时间"}, true},
	},
	ListAssignments: {
		{"id", []string{"编号", "分配编号"}, true},
		{"post", []string{"岗位"}, true},
		{"zone", []string{"责任区", "责任网格", "片区"}, false},
		{"segment", []string{"路段", "路段编号"}, false},
		{"area", []string{"区域", "区域代码", "单元网格", "社区", "街道"}, false},
		{"person", []string{"人员", "工号", "责任人"}, false},
		{"team", []string{"中队", "班组"}, false},
		{"shift", []string{"班次"}, false},
	},
	ListDelegations: {
		{"id", []string{"编号", "代岗编号"}, true},
		{"from", []string{"a岗", "原岗", "委托人"}, true},
		{"to", []string{"b岗", "代岗", "代岗人", "受托人"}, true},
		{"starts", []string{"开始", "开始时间", "起"}, false},
		{"ends", []string{"结束", "结束时间", "止"}, false},
		{"window", []string{"时段"}, false},
		{"days", []string{"星期"}, false},
		{"while_away", []string{"不在岗时", "离岗时"}, false},
	},
}

// headerKey returns the field key a header names in list l, or "".
func headerKey(l List, h string) string {
	h = strings.ToLower(strings.TrimSpace(width.Narrow.String(strings.TrimPrefix(h, "\ufeff"))))
	h = strings.TrimSpace(strings.TrimSuffix(h, "*"))
	for _, c := range columns[l] {
		if h == c.key {
			return c.key
		}
		for _, a := range c.aliases {
			if h == a {
				return c.key
			}
		}
	}
	return ""
}

// keys returns the field keys of list l, for messages.
func keys(l List) string {
	var ks []string
	for _, c := range columns[l] {
		ks = append(ks, c.key)
	}
	return strings.Join(ks, ", ")
}

// checkHeader maps the header (at row) to field keys ("" for a column ignored) and returns the
// findings: a column nobody reads is a warning, a required field with no column an error.
func checkHeader(l List, source string, row int, header []string) ([]string, Findings) {
	var fs Findings
	out := make([]string, len(header))
	seen := map[string]bool{}
	for i, h := range header {
		if strings.TrimSpace(h) == "" {
			continue
		}
		k := headerKey(l, h)
		switch {
		case k == "":
			fs = append(fs, Finding{Source: source, Row: row, Field: "header", Value: h, Warning: true,
				Reason: fmt.Sprintf("column not read; the %s list has %s", l, keys(l))})
		case seen[k]:
			fs = append(fs, Finding{Source: source, Row: row, Field: "header", Value: h,
				Reason: fmt.Sprintf("a second column for %s", k)})
		default:
			seen[k] = true
			out[i] = k
		}
	}
	for _, c := range columns[l] {
		if c.required && !seen[c.key] {
			fs = append(fs, Finding{Source: source, Row: row, Field: "header",
				Reason: fmt.Sprintf("no %s column (the %s list needs it)", c.key, l)})
		}
	}
	return out, fs
}
