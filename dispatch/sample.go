package dispatch

import (
	"bytes"
	_ "embed"

	"citygeo/data"
)

//go:embed rules_luohu.json
var luohuRules []byte

// SampleRules returns the duty-rule list of the built-in sample city (深圳市罗湖区): district-wide
// rules for the utilities' components and the specialised event classes, each street office for
// 街面秩序 and 私搭乱建, two communities and one grid (东门步行街) with their own handlers, a
// night-time noise window, and GB/T 47678.5 事项 majors. Departments are named as in the sample
// dataset; FillDepartmentCodes adds their codes.
func SampleRules() ([]*data.DutyRule, error) {
	return ParseRulesJSON(bytes.NewReader(luohuRules))
}

// FillDepartmentCodes gives rules that name a department without a code the code of the
// dataset department with that name.
func FillDepartmentCodes(rules []*data.DutyRule, depts []*data.Department) {
	byName := make(map[string]string, len(depts))
	for _, d := range depts {
		byName[d.Name] = d.Code
	}
	for _, r := range rules {
		if r.Department.Code == "" {
			r.Department.Code = byName[r.Department.Name]
		}
	}
}
