package schema

import (
	"strconv"
	"strings"

	"citygeo/data"

	"github.com/paulmach/orb"
)

// Areas is the schema of districts, streets and communities.
var Areas = Layer[data.Area]{Fields: []Field[data.Area]{
	text("code", func(a *data.Area) *string { return &a.Code }, "CODE", "XZQDM", "QHDM"),
	text("name", func(a *data.Area) *string { return &a.Name }, "NAME", "XZQMC", "MC"),
	text("parent", func(a *data.Area) *string { return &a.Parent }, "PARENT", "SJDM").repeats(),
	flag("derived", func(a *data.Area) *bool { return &a.Derived }, "DERIVED"),
	coord("label_lon", areaLabel, 0, "LABELLON"),
	coord("label_lat", areaLabel, 1, "LABELLAT"),
}}

// The label point is written only when set, and the importer places one inside the polygon
// when there is none.
func areaLabel(a *data.Area) *orb.Point { return &a.Label }

// coord is one coordinate (axis 0 longitude, 1 latitude) of a point held as two number
// columns. A latitude is read only once a longitude is set, as half a point is no point; a
// point that is not set is not written.
func coord[T any](key string, p func(*T) *orb.Point, axis int, cols ...string) Field[T] {
	read := readNumber(func(m *T, f float64) { p(m)[axis] = f })
	return Field[T]{
		Def: def(key, Number, cols...),
		Read: func(m *T, v Value) *ReadError {
			if axis == 1 && p(m)[0] == 0 {
				return nil
			}
			return read(m, v)
		},
		Write: func(m *T) (string, bool) {
			pt := *p(m)
			return FormatNumber(pt[axis]), pt != orb.Point{}
		},
	}
}

// Grids is the schema of unit grids. Code and community are written even when empty.
var Grids = Layer[data.Grid]{Fields: []Field[data.Grid]{
	text("code", func(g *data.Grid) *string { return &g.Code }, "BGID", "DYWGBSM", "WGBM", "GRIDCODE", "CODE").keepEmpty(),
	text("community", func(g *data.Grid) *string { return &g.Community }, "SQDM", "SZSQDM", "COMMUNITY").repeats().keepEmpty(),
	float("area_m2", func(g *data.Grid) *float64 { return &g.AreaM2 }, "AREA", "MJ"),
	flag("derived", func(g *data.Grid) *bool { return &g.Derived }, "DERIVED"),
}}

// Components is the schema of city components: CJ/T 214-2007 column names first, then the
// GB/T 47678.5 abbreviations (表2: GLBJBSM, GLBJMC, ZGBMDM … SZSQMC). The class columns are only checked against the id, which holds
// the class; columns no field reads are kept in Component.Extra.
var Components = Layer[data.Component]{Fields: []Field[data.Component]{
	text("id", func(c *data.Component) *string { return &c.ID }, "OBJID", "GLBJBSM", "BSM", "ID").marks(2),
	text("name", func(c *data.Component) *string { return &c.Name }, "OBJNAME", "GLBJMC", "NAME"),
	check[data.Component]("major", "MAJOR", "DLDM"),
	check[data.Component]("minor", "MINOR", "XLDM"),
	deptText("owner_code", func(c *data.Component) *data.Dept { return &c.Owner }, data.Dept.Code, data.Dept.WithCode, "DEPTCODE1", "ZGBMDM").repeats(),
	deptText("owner_name", func(c *data.Component) *data.Dept { return &c.Owner }, data.Dept.Name, data.Dept.WithName, "DEPTNAME1", "ZGBMMC").repeats(),
	deptText("property_code", func(c *data.Component) *data.Dept { return &c.Property }, data.Dept.Code, data.Dept.WithCode, "DEPTCODE2", "QSDWDM").repeats(),
	deptText("property_name", func(c *data.Component) *data.Dept { return &c.Property }, data.Dept.Name, data.Dept.WithName, "DEPTNAME2", "QSDWMC").repeats(),
	deptText("maintainer_code", func(c *data.Component) *data.Dept { return &c.Maintainer }, data.Dept.Code, data.Dept.WithCode, "DEPTCODE3", "YHDWDM").repeats(),
	deptText("maintainer_name", func(c *data.Component) *data.Dept { return &c.Maintainer }, data.Dept.Name, data.Dept.WithName, "DEPTNAME3", "YHDWMC").repeats(),
	text("grid", func(c *data.Component) *string { return &c.Grid }, "BGID", "SZDYWGBSM").repeats(),
	Field[data.Component]{
		Def: def("status", Text, "OBJSTATE", "GLBJZT", "STATUS"),
		Read: func(c *data.Component, v Value) *ReadError {
			if v.Text == "" {
				return nil
			}
			st, err := data.ParseStatus(v.Text)
			c.Status = st
			if err != nil {
				return &ReadError{Check: "component.status", Reason: err.Error()}
			}
			return nil
		},
		Write: func(c *data.Component) (string, bool) { return c.Status.String(), c.Status != 0 },
	}.repeats(),
	day("init_date", func(c *data.Component) *data.Date { return &c.InitDate }, "ORDATE", "CSRQ"),
	day("change_date", func(c *data.Component) *data.Date { return &c.ChangeDate }, "CHDATE", "BGRQ"),
	text("source", func(c *data.Component) *string { return &c.Source }, "DATASOURCE", "SJLY").repeats(),
	text("note", func(c *data.Component) *string { return &c.Note }, "NOTE", "BZ"),
	// The street and community a GB/T 47678.5 exchange file names beside the grid: derived
	// from the grid on export, so read only to keep them out of Extra.
	check[data.Component]("street_code", "SZJDDM"),
	check[data.Component]("street_name", "SZJDMC"),
	check[data.Component]("community_code", "SZSQDM"),
	check[data.Component]("community_name", "SZSQMC"),
}}

// Departments is the schema of departments.
var Departments = Layer[data.Department]{Fields: []Field[data.Department]{
	text("code", func(d *data.Department) *string { return &d.Code }, "DEPTCODE", "BMDM", "CODE"),
	text("name", func(d *data.Department) *string { return &d.Name }, "DEPTNAME", "BMMC", "NAME"),
}}

// Roads is the schema of road centrelines.
var Roads = Layer[data.Road]{Fields: []Field[data.Road]{
	id("id", func(r *data.Road) *uint64 { return &r.ID }, "ROADID", "ID"),
	text("name", func(r *data.Road) *string { return &r.Name }, "NAME", "DLMC", "JLXMC"),
	Field[data.Road]{
		Def:   def("class", Text, "CLASS", "DLDJ"),
		Read:  func(r *data.Road, v Value) *ReadError { r.Class = data.ParseRoadClass(v.Text); return nil },
		Write: func(r *data.Road) (string, bool) { return string(r.Class), r.Class != "" },
	}.repeats(),
}}

// Addresses is the schema of door addresses (门牌).
var Addresses = Layer[data.Address]{Fields: []Field[data.Address]{
	id("id", func(a *data.Address) *uint64 { return &a.ID }, "ADDRID", "ID"),
	text("full", func(a *data.Address) *string { return &a.Full }, "FULL", "ADDRESS", "DZ", "MPDZ"),
	text("road", func(a *data.Address) *string { return &a.Road }, "ROAD", "JLX").repeats(),
	text("section", func(a *data.Address) *string { return &a.Section }, "SECTION"),
	text("lane", func(a *data.Address) *string { return &a.Lane }, "LANE"),
	text("alley", func(a *data.Address) *string { return &a.Alley }, "ALLEY"),
	{
		// Registers write the number with its qualifier (1之6, 16-1, 3號之2, 甲12): the
		// qualifier goes to the suffix, which a suffix column, when it has one, overrides.
		Def: def("number", Number, "NUMBER", "MPH"),
		Read: func(a *data.Address, v Value) *ReadError {
			if v.Text == "" {
				return nil
			}
			n, suffix, ok := ParseHouseNumber(v.Text)
			if !ok {
				return &ReadError{Check: "number.parse", Reason: "not a house number (18, 18號, 1之6, 16-1, 3號之2, 甲12)"}
			}
			a.Number = n
			if suffix != "" {
				a.Suffix = suffix
			}
			return nil
		},
		Write: func(a *data.Address) (string, bool) { return strconv.Itoa(a.Number), true },
	},
	{
		Def: def("suffix", Text, "SUFFIX"),
		Read: func(a *data.Address, v Value) *ReadError {
			if v.Text != "" {
				a.Suffix = v.Text
			}
			return nil
		},
		Write: func(a *data.Address) (string, bool) { return a.Suffix, a.Suffix != "" },
	},
	text("community", func(a *data.Address) *string { return &a.Community }, "COMMUNITY", "SQDM").repeats(),
	text("source", func(a *data.Address) *string { return &a.Source }, "SOURCE").repeats(),
}}

// POIs is the schema of points of interest. Aliases are one column, separated by ';' (or '|'
// or '、' on import).
var POIs = Layer[data.POI]{Fields: []Field[data.POI]{
	id("id", func(p *data.POI) *uint64 { return &p.ID }, "POIID", "ID"),
	text("name", func(p *data.POI) *string { return &p.Name }, "NAME", "MC"),
	{
		Def: def("aliases", Text, "ALIASES"),
		Read: func(p *data.POI, v Value) *ReadError {
			if v.Text != "" {
				p.Aliases = strings.FieldsFunc(v.Text, func(r rune) bool { return r == ';' || r == '|' || r == '、' })
			}
			return nil
		},
		Write: func(p *data.POI) (string, bool) { s := strings.Join(p.Aliases, ";"); return s, s != "" },
	},
	text("category", func(p *data.POI) *string { return &p.Category }, "CATEGORY", "LB").repeats(),
	text("address", func(p *data.POI) *string { return &p.Address }, "ADDRESS", "DZ"),
}}

// Buildings is the schema of buildings. The point columns, when given, place the building
// instead of its geometry; they are always written.
var Buildings = Layer[data.Building]{Fields: []Field[data.Building]{
	id("id", func(b *data.Building) *uint64 { return &b.ID }, "BLDGID", "ID"),
	text("compound", func(b *data.Building) *string { return &b.Compound }, "COMPOUND", "XQMC"),
	text("name", func(b *data.Building) *string { return &b.Name }, "NAME", "LDMC"),
	text("address", func(b *data.Building) *string { return &b.Address }, "ADDRESS", "DZ"),
	coord("point_lon", buildingPoint, 0, "POINTLON").keepEmpty(),
	coord("point_lat", buildingPoint, 1, "POINTLAT").keepEmpty(),
}}

func buildingPoint(b *data.Building) *orb.Point { return &b.Point }

// Defs returns the fields of kind k without their model type, in order; nil for an unknown
// kind.
func Defs(k Kind) []Def {
	switch k {
	case District, Street, Community:
		return Areas.Defs()
	case Grid:
		return Grids.Defs()
	case Component:
		return Components.Defs()
	case Department:
		return Departments.Defs()
	case Road:
		return Roads.Defs()
	case Address:
		return Addresses.Defs()
	case POI:
		return POIs.Defs()
	case Building:
		return Buildings.Defs()
	}
	return nil
}

// Key returns the key of the field that identifies a feature of kind k ("code" or "id").
func Key(k Kind) string {
	if ds := Defs(k); len(ds) > 0 {
		return ds[0].Key
	}
	return ""
}
