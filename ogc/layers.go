package ogc

import (
	"maps"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/paulmach/orb"

	"citygeo/data"
	"citygeo/geo"
)

// The layers' fields: one table per kind of feature, so the answer, the JSON Schema GDAL reads
// its field types from, the queryables and the OpenAPI parameters can never disagree. Dates
// other than a collection's temporal property are plain strings in the schema on purpose:
// GDAL's OAPIF driver turns a filter on any date-typed field into the datetime parameter, which
// filters on the temporal property, and would answer a filter on another date wrongly.

func str(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func date(d data.Date) any {
	if d.IsZero() {
		return nil
	}
	return d.String()
}

func dayOf(d data.Date) (time.Time, time.Time, bool) {
	t := d.Time()
	return t, t.Add(24 * time.Hour), !d.IsZero()
}

// sortedBy returns the lookup of a feature id in rows sorted by that id (binary search), or a
// linear scan when they are not sorted: no map of millions of ids kept for a rare request.
func sortedBy[T any](rows []T, key func(T) string, less func(a, b string) bool) func(string) (int, bool) {
	sorted := sort.SliceIsSorted(rows, func(i, j int) bool { return less(key(rows[i]), key(rows[j])) })
	return func(id string) (int, bool) {
		if sorted {
			i := sort.Search(len(rows), func(i int) bool { return !less(key(rows[i]), id) })
			return i, i < len(rows) && key(rows[i]) == id
		}
		for i, r := range rows {
			if key(r) == id {
				return i, true
			}
		}
		return 0, false
	}
}

func byString(a, b string) bool { return a < b }

// byNumber orders decimal ids numerically, so "9" < "10" as the rows hold them.
func byNumber(a, b string) bool {
	if len(a) != len(b) {
		return len(a) < len(b)
	}
	return a < b
}

func idString(v uint64) string { return strconv.FormatUint(v, 10) }

func gridTable(ix *geo.Index) *table[*data.Grid] {
	rows := ix.Grids()
	return &table[*data.Grid]{
		rows: rows,
		cols: []column[*data.Grid]{
			{Field{Name: "code", Type: "string", Title: "单元网格代码 unit grid code (15 digits)"}, func(g *data.Grid) any { return g.Code }},
			{Field{Name: "community", Type: "string", Title: "所在社区代码 community code (12 digits)", Queryable: true}, func(g *data.Grid) any { return g.Community }},
			{Field{Name: "community_name", Type: "string", Title: "社区名称 community name"}, func(g *data.Grid) any {
				if a := ix.Area(g.Community); a != nil {
					return a.Name
				}
				return nil
			}},
			{Field{Name: "area_m2", Type: "number", Title: "面积 area (m²)"}, func(g *data.Grid) any { return math.Round(g.AreaM2*100) / 100 }},
			{Field{Name: "derived", Type: "boolean", Title: "derived from other polygons, not surveyed"}, func(g *data.Grid) any { return g.Derived }},
		},
		id:     func(g *data.Grid) any { return g.Code },
		geom:   func(g *data.Grid) orb.Geometry { return g.Polygon },
		search: ix.GridPositionsIn,
		lookup: sortedBy(rows, func(g *data.Grid) string { return g.Code }, byString),
	}
}

func areaTable(ix *geo.Index, level data.AreaLevel) *table[*data.Area] {
	rows := ix.Areas()
	t := &table[*data.Area]{
		rows: rows,
		sub:  []int32{},
		cols: []column[*data.Area]{
			{Field{Name: "code", Type: "string", Title: "区划代码 area code"}, func(a *data.Area) any { return a.Code }},
			{Field{Name: "name", Type: "string", Title: "名称 name", Queryable: true}, func(a *data.Area) any { return a.Name }},
			{Field{Name: "level", Type: "string", Title: "级别 level: district, street, community"}, func(a *data.Area) any { return a.Level.String() }},
			{Field{Name: "parent", Type: "string", Title: "上级区划代码 code of the area one level up", Queryable: true}, func(a *data.Area) any { return str(a.Parent) }},
			{Field{Name: "parent_name", Type: "string", Title: "上级名称 name of the area one level up"}, func(a *data.Area) any {
				if p := ix.Area(a.Parent); p != nil {
					return p.Name
				}
				return nil
			}},
			{Field{Name: "derived", Type: "boolean", Title: "derived geometry, not surveyed"}, func(a *data.Area) any { return a.Derived }},
		},
		id: func(a *data.Area) any { return a.Code },
		geom: func(a *data.Area) orb.Geometry {
			if len(a.Polygon) == 0 {
				return nil
			}
			return a.Polygon
		},
	}
	for i, a := range rows {
		if a.Level == level {
			t.sub = append(t.sub, int32(i))
		}
	}
	find := sortedBy(rows, func(a *data.Area) string { return a.Code }, byString)
	t.lookup = func(id string) (int, bool) {
		i, ok := find(id)
		return i, ok && rows[i].Level == level
	}
	return t
}

// componentTable is every component (major "") or those of one major class, in the dataset's
// order; the index answers boxes class by class.
func componentTable(ds *data.Dataset, ix *geo.Index, major string) *table[*data.Component] {
	t := &table[*data.Component]{
		rows: ds.Components,
		cols: componentColumns(),
		id:   func(c *data.Component) any { return c.ID },
		geom: func(c *data.Component) orb.Geometry { return c.Geometry },
		when: func(c *data.Component) (time.Time, time.Time, bool) { return dayOf(c.InitDate) },
		search: func(b orb.Bound, yield func(int) bool) {
			ix.ComponentPositionsIn(b, major, yield)
		},
		lookup: func(id string) (int, bool) {
			i, ok := ix.ComponentPosition(id)
			return i, ok && (major == "" || ds.Components[i].Major == major)
		},
	}
	if major != "" {
		t.sub = []int32{}
		for i, c := range ds.Components {
			if c.Major == major {
				t.sub = append(t.sub, int32(i))
			}
		}
	}
	return t
}

func dept(d data.Dept, code bool) any {
	if code {
		return str(d.Code())
	}
	return str(d.Name())
}

func componentColumns() []column[*data.Component] {
	type c = *data.Component
	return []column[c]{
		{Field{Name: "id", Type: "string", Title: "部件标识码 component id (16 or 17 digits)"}, func(x c) any { return x.ID }},
		{Field{Name: "scheme", Type: "string", Title: "编码标准 id scheme: CJ/T 214-2007 or GB/T 47678.5-2026", Queryable: true}, func(x c) any { return x.Scheme.String() }},
		{Field{Name: "class", Type: "string", Title: "部件类别代码 class code (major + minor)", Queryable: true}, func(x c) any { return x.Class() }},
		{Field{Name: "major", Type: "string", Title: "大类代码 major class code", Queryable: true}, func(x c) any { return x.Major }},
		{Field{Name: "minor", Type: "string", Title: "小类代码 minor class code", Queryable: true}, func(x c) any { return x.Minor }},
		{Field{Name: "class_name", Type: "string", Title: "类别名称 class name"}, func(x c) any {
			if cl, ok := data.CatalogFor(x.Scheme).Class(x.Class()); ok {
				return cl.Name
			}
			return nil
		}},
		{Field{Name: "name", Type: "string", Title: "名称 name"}, func(x c) any { return str(x.Name) }},
		{Field{Name: "grid", Type: "string", Title: "所在单元网格 unit grid code", Queryable: true}, func(x c) any { return str(x.Grid) }},
		{Field{Name: "status", Type: "string", Title: "状态 status: 完好 破损 丢失 占用 废弃 移除", Queryable: true}, func(x c) any { return str(x.Status.String()) }},
		{Field{Name: "owner_code", Type: "string", Title: "主管部门代码 department in charge, code", Queryable: true}, func(x c) any { return dept(x.Owner, true) }},
		{Field{Name: "owner_name", Type: "string", Title: "主管部门名称 department in charge, name"}, func(x c) any { return dept(x.Owner, false) }},
		{Field{Name: "property_code", Type: "string", Title: "权属单位代码 holder, code", Queryable: true}, func(x c) any { return dept(x.Property, true) }},
		{Field{Name: "property_name", Type: "string", Title: "权属单位名称 holder, name"}, func(x c) any { return dept(x.Property, false) }},
		{Field{Name: "maintainer_code", Type: "string", Title: "养护单位代码 maintainer, code", Queryable: true}, func(x c) any { return dept(x.Maintainer, true) }},
		{Field{Name: "maintainer_name", Type: "string", Title: "养护单位名称 maintainer, name"}, func(x c) any { return dept(x.Maintainer, false) }},
		{Field{Name: "init_date", Type: "string", Format: "date", Title: "初始日期 date entered (the temporal property)"}, func(x c) any { return date(x.InitDate) }},
		{Field{Name: "change_date", Type: "string", Title: "变更日期 date last changed (YYYY-MM-DD)"}, func(x c) any { return date(x.ChangeDate) }},
		{Field{Name: "source", Type: "string", Title: "数据来源 data source"}, func(x c) any { return str(x.Source) }},
		{Field{Name: "note", Type: "string", Title: "备注 note"}, func(x c) any { return str(x.Note) }},
		{Field{Name: "extra", Type: "string", Title: "per-class attributes as KEY=value; KEY=value"}, func(x c) any { return extra(x.Extra) }},
	}
}

// extra writes the per-class attributes as one sorted "KEY=value; …" string: their keys differ
// from class to class, and a GIS layer needs one set of fields.
func extra(m map[string]string) any {
	if len(m) == 0 {
		return nil
	}
	var b strings.Builder
	for i, k := range slices.Sorted(maps.Keys(m)) {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(k + "=" + m[k])
	}
	return b.String()
}

func roadTable(ds *data.Dataset) *table[*data.Road] {
	type r = *data.Road
	return &table[r]{
		rows: ds.Roads,
		cols: []column[r]{
			{Field{Name: "name", Type: "string", Title: "道路名称 road name", Queryable: true}, func(x r) any { return str(x.Name) }},
			{Field{Name: "class", Type: "string", Title: "道路等级 class: expressway, arterial, secondary, branch", Queryable: true}, func(x r) any { return str(string(x.Class)) }},
		},
		id:     func(x r) any { return x.ID },
		geom:   func(x r) orb.Geometry { return x.Line },
		lookup: sortedBy(ds.Roads, func(x r) string { return idString(x.ID) }, byNumber),
	}
}

func addressTable(ds *data.Dataset) *table[*data.Address] {
	type a = *data.Address
	return &table[a]{
		rows: ds.Addresses,
		cols: []column[a]{
			{Field{Name: "full", Type: "string", Title: "门牌地址 the address as written"}, func(x a) any { return str(x.Full) }},
			{Field{Name: "road", Type: "string", Title: "街路巷 road", Queryable: true}, func(x a) any { return str(x.Road) }},
			{Field{Name: "section", Type: "string", Title: "段 section"}, func(x a) any { return str(x.Section) }},
			{Field{Name: "lane", Type: "string", Title: "巷 lane"}, func(x a) any { return str(x.Lane) }},
			{Field{Name: "alley", Type: "string", Title: "弄 alley"}, func(x a) any { return str(x.Alley) }},
			{Field{Name: "number", Type: "integer", Title: "门牌号 house number", Queryable: true}, func(x a) any { return x.Number }},
			{Field{Name: "suffix", Type: "string", Title: "附号 qualifier: 甲, 之1, -1"}, func(x a) any { return str(x.Suffix) }},
			{Field{Name: "community", Type: "string", Title: "所在社区代码 community code", Queryable: true}, func(x a) any { return str(x.Community) }},
		},
		id:     func(x a) any { return x.ID },
		geom:   func(x a) orb.Geometry { return x.Point },
		lookup: sortedBy(ds.Addresses, func(x a) string { return idString(x.ID) }, byNumber),
	}
}

func poiTable(ds *data.Dataset) *table[*data.POI] {
	type p = *data.POI
	return &table[p]{
		rows: ds.POIs,
		cols: []column[p]{
			{Field{Name: "name", Type: "string", Title: "名称 name", Queryable: true}, func(x p) any { return str(x.Name) }},
			{Field{Name: "aliases", Type: "string", Title: "别名 other names, separated by ;"}, func(x p) any { return str(strings.Join(x.Aliases, ";")) }},
			{Field{Name: "category", Type: "string", Title: "类别 category", Queryable: true}, func(x p) any { return str(x.Category) }},
			{Field{Name: "address", Type: "string", Title: "地址 street address"}, func(x p) any { return str(x.Address) }},
		},
		id:     func(x p) any { return x.ID },
		geom:   func(x p) orb.Geometry { return x.Point },
		lookup: sortedBy(ds.POIs, func(x p) string { return idString(x.ID) }, byNumber),
	}
}

// eventTable is the open events of a moment, sorted by case number; the feed changes between
// requests, so a table is built per request (open events are thousands, not millions).
func eventTable(events []data.Event, now time.Time) *table[*data.Event] {
	rows := make([]*data.Event, len(events))
	for i := range events {
		rows[i] = &events[i]
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].ID < rows[j].ID })
	type e = *data.Event
	ts := func(t time.Time) any {
		if t.IsZero() {
			return nil
		}
		return t.Format(time.RFC3339)
	}
	return &table[e]{
		rows: rows,
		cols: []column[e]{
			{Field{Name: "class", Type: "string", Title: "类别代码 event or component class code", Queryable: true}, func(x e) any { return x.Class.Code }},
			{Field{Name: "kind", Type: "string", Title: "event or component", Queryable: true}, func(x e) any { return string(x.Class.Kind) }},
			{Field{Name: "scheme", Type: "string", Title: "编码标准 class scheme"}, func(x e) any { return x.Class.Scheme.String() }},
			{Field{Name: "class_name", Type: "string", Title: "类别名称 class name"}, func(x e) any { return str(x.Class.Name()) }},
			{Field{Name: "grid", Type: "string", Title: "单元网格 unit grid at report time", Queryable: true}, func(x e) any { return str(x.Grid) }},
			{Field{Name: "community", Type: "string", Title: "社区代码 community", Queryable: true}, func(x e) any { return str(x.Community) }},
			{Field{Name: "street", Type: "string", Title: "街道代码 street", Queryable: true}, func(x e) any { return str(x.Street) }},
			{Field{Name: "district", Type: "string", Title: "区县代码 district", Queryable: true}, func(x e) any { return str(x.District) }},
			{Field{Name: "component", Type: "string", Title: "部件标识码 bound component"}, func(x e) any { return str(x.Component) }},
			{Field{Name: "department", Type: "string", Title: "处置部门 responsible department"}, func(x e) any { return str(x.Department.Name) }},
			{Field{Name: "department_code", Type: "string", Title: "处置部门代码 responsible department, code", Queryable: true}, func(x e) any { return str(x.Department.Code) }},
			{Field{Name: "priority", Type: "integer", Title: "优先级 priority"}, func(x e) any { return x.Priority }},
			{Field{Name: "reported", Type: "string", Format: "date-time", Title: "上报时间 reported (the temporal property)"}, func(x e) any { return ts(x.Reported) }},
			{Field{Name: "deadline", Type: "string", Title: "处置时限 deadline (RFC 3339)"}, func(x e) any { return ts(x.Deadline) }},
			{Field{Name: "overdue", Type: "boolean", Title: "超期 past its deadline"}, func(x e) any { return x.Overdue(now) }},
			{Field{Name: "source", Type: "string", Title: "来源 source", Queryable: true}, func(x e) any { return str(x.Source) }},
			{Field{Name: "description", Type: "string", Title: "描述 description"}, func(x e) any { return str(x.Description) }},
		},
		id:     func(x e) any { return x.ID },
		geom:   func(x e) orb.Geometry { return x.Point },
		when:   func(x e) (time.Time, time.Time, bool) { return x.Reported, x.Reported, !x.Reported.IsZero() },
		lookup: sortedBy(rows, func(x e) string { return x.ID }, byString),
	}
}
