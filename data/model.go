package data

import (
	"fmt"
	"strings"
	"time"

	"github.com/paulmach/orb"
)

// Area is an administrative area: a district (区县), a street (街道/乡镇) or a community (社区/村).
type Area struct {
	Code    string // 6, 9 or 12 digits
	Name    string
	Level   AreaLevel
	Parent  string // code of the area one level up, "" for a district
	Polygon orb.MultiPolygon
	Label   orb.Point // a point inside the area for its label
	Derived bool      // geometry not surveyed but derived (e.g. a stand-in level)
}

// Grid is a unit grid (单元网格): the ~10,000 m² cell that every case is located in.
type Grid struct {
	Code      string // 15 digits (or legacy 14) = community code + sequence
	Community string // 12-digit community code, the first 12 digits of Code
	Polygon   orb.Polygon
	AreaM2    float64
	Derived   bool // cells derived from other polygons rather than surveyed grids
}

// Status is a component's state as surveyed. It is a one-byte code, not its name: every one of
// millions of components carries one, and a string is two words, one of them a pointer the
// collector traces on each cycle. It reads and writes as its Chinese name (完好) in JSON, text and
// the stores; the zero Status is no status and writes as "".
type Status uint8

// The statuses of CJ/T 214-2007 OBJSTATE and GB/T 47678.5 GLBJZT.
const (
	StatusIntact   Status = iota + 1 // 完好
	StatusDamaged                    // 破损
	StatusLost                       // 丢失
	StatusOccupied                   // 占用
	StatusAbandon                    // 废弃
	StatusRemoved                    // 移除
)

// Statuses lists every valid status.
var Statuses = []Status{StatusIntact, StatusDamaged, StatusLost, StatusOccupied, StatusAbandon, StatusRemoved}

// statusNames and statusEnglish are each status's Chinese and English names, by code.
var (
	statusNames   = []string{"", "完好", "破损", "丢失", "占用", "废弃", "移除"}
	statusEnglish = []string{"", "intact", "damaged", "lost", "occupied", "abandoned", "removed"}
)

// ParseStatus accepts a status in Chinese ("完好") or English ("intact", "damaged", "lost",
// "occupied", "abandoned", "removed").
func ParseStatus(s string) (Status, error) {
	for _, st := range Statuses {
		if s == statusNames[st] || s == statusEnglish[st] {
			return st, nil
		}
	}
	return 0, fmt.Errorf("status %q: want one of 完好, 破损, 丢失, 占用, 废弃, 移除", s)
}

// String returns the status's Chinese name ("完好"), "" for none.
func (s Status) String() string { return codeName(s, statusNames, "Status") }

// English returns the English word for the status.
func (s Status) English() string {
	if int(s) < len(statusEnglish) {
		return statusEnglish[s]
	}
	return ""
}

// MarshalText writes the status's Chinese name, "" for none: the form every store, export and
// API answer has always carried.
func (s Status) MarshalText() ([]byte, error) { return marshalCode(s, statusNames, "status") }

// UnmarshalText reads what ParseStatus accepts, or "" for no status.
func (s *Status) UnmarshalText(b []byte) error { return unmarshalCode(s, b, statusNames, ParseStatus) }

// DeptRef names a department on a component: its code (often the 18-character unified social
// credit code) and name.
type DeptRef struct {
	Code string `json:"code,omitempty"`
	Name string `json:"name,omitempty"`
}

// IsZero reports whether neither code nor name is set.
func (d DeptRef) IsZero() bool { return d.Code == "" && d.Name == "" }

// Component is a surveyed city component (城市部件). A city holds millions, so the fields are
// laid out for size: the pointer words first, then the small fixed-size fields packed without
// padding (160 bytes; 176 in the order of the standards' tables).
type Component struct {
	ID         string // 16 (CJ/T 214-2007) or 17 (GB/T 47678.5-2026) digits
	Major      string
	Minor      string
	Name       string
	Grid       string // 所在单元网格 (BGID, SZDYWGBSM)
	Source     string // 数据来源: 实测/地形图/基础地理数据/其他
	Note       string
	Geometry   orb.Geometry      // orb.Point, orb.LineString or orb.Polygon
	Extra      map[string]string // per-class attributes (MATERIAL, STOPNAME …)
	Owner      Dept              // 主管部门 (DEPTCODE1/DEPTNAME1, ZGBMDM/ZGBMMC)
	Property   Dept              // 权属单位 (DEPTCODE2, QSDWDM)
	Maintainer Dept              // 养护单位 (DEPTCODE3, YHDWDM)
	InitDate   Date              // 初始日期 (ORDATE, CSRQ)
	ChangeDate Date              // 变更日期 (CHDATE, BGRQ); zero when never changed
	Scheme     Scheme
	Status     Status
}

// Class returns the component's class code: major + minor.
func (c *Component) Class() string { return c.Major + c.Minor }

// Department is an organisation that components and duties are assigned to.
type Department struct {
	Code string
	Name string
}

// RoadClass is the functional class of a road.
type RoadClass string

// Road classes, after CJJ 37 urban road classification.
const (
	RoadExpressway RoadClass = "expressway" // 快速路
	RoadArterial   RoadClass = "arterial"   // 主干路
	RoadSecondary  RoadClass = "secondary"  // 次干路
	RoadBranch     RoadClass = "branch"     // 支路
)

// ParseRoadClass reads a road layer's class as survey files write it: the four keywords, or
// their CJJ 37 names (快速路, 主干路 or 主干道, 次干路 or 次干道, 支路), Traditional forms
// included. Another value is kept as written (a class this product does not know draws as a
// branch road).
func ParseRoadClass(s string) RoadClass {
	switch t := strings.TrimSpace(s); t {
	case "快速路", "城市快速路":
		return RoadExpressway
	case "主干路", "主干道", "主幹路", "主幹道":
		return RoadArterial
	case "次干路", "次干道", "次幹路", "次幹道":
		return RoadSecondary
	case "支路":
		return RoadBranch
	default:
		return RoadClass(t)
	}
}

// Road is a named road centreline.
type Road struct {
	ID    uint64
	Name  string
	Class RoadClass
	Line  orb.LineString
}

// Dataset is one version of a city: every layer, as loaded or imported. It is not mutated after
// it has been handed to an index.
type Dataset struct {
	Version   int64
	Name      string // e.g. "深圳市罗湖区 (sample)"
	CreatedAt time.Time
	Source    string // what produced it: "sample", an import's file list …
	Areas     []*Area
	Grids     []*Grid
	// Components loaded from a store, and those Apply returns, are read-only, and so is their
	// array (data.Arena, data.Pin): change a copy, in a new slice.
	Components  []*Component
	Departments []*Department
	Roads       []*Road
	Addresses   []*Address
	Buildings   []*Building
	POIs        []*POI
}

// Bound returns the bounding box of the dataset's areas, grids and roads.
func (d *Dataset) Bound() orb.Bound {
	var b orb.Bound
	first := true
	add := func(g orb.Bound) {
		if first {
			b, first = g, false
			return
		}
		b = b.Union(g)
	}
	for _, a := range d.Areas {
		if len(a.Polygon) > 0 {
			add(a.Polygon.Bound())
		}
	}
	for _, g := range d.Grids {
		add(g.Polygon.Bound())
	}
	if first {
		for _, c := range d.Components {
			if c.Geometry != nil {
				add(c.Geometry.Bound())
			}
		}
	}
	return b
}

// DeptRole names which of a component's departments answers for it.
type DeptRole string

// The roles in the order Responsible tries them.
const (
	RoleMaintainer DeptRole = "maintainer" // 养护单位
	RoleProperty   DeptRole = "property"   // 权属单位
	RoleOwner      DeptRole = "owner"      // 主管部门
)

// Responsible returns the department that answers for c when no duty rule decides: the one who
// maintains it (养护单位), else the one who holds it (权属单位), else the one in charge of it
// (主管部门), with the role that decided. ok is false when c names none of them.
func (c *Component) Responsible() (d DeptRef, role DeptRole, ok bool) {
	for _, r := range []struct {
		d    Dept
		role DeptRole
	}{{c.Maintainer, RoleMaintainer}, {c.Property, RoleProperty}, {c.Owner, RoleOwner}} {
		if !r.d.IsZero() {
			return r.d.Ref(), r.role, true
		}
	}
	return DeptRef{}, "", false
}

// Anchor returns the representative point of a component's geometry: the point itself, the
// middle vertex of a line, the centre of a polygon's box. Distances, labels and answers about a
// component all use this one point.
func Anchor(g orb.Geometry) orb.Point {
	switch g := g.(type) {
	case orb.Point:
		return g
	case orb.LineString:
		if len(g) > 0 {
			return g[len(g)/2]
		}
	case nil:
		return orb.Point{}
	}
	return g.Bound().Center()
}

// AreaRef names an area in an answer: its code and name.
type AreaRef struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

// Ref returns a's code and name, or nil for a nil area.
func (a *Area) Ref() *AreaRef {
	if a == nil {
		return nil
	}
	return &AreaRef{Code: a.Code, Name: a.Name}
}
