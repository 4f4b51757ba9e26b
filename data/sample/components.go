package sample

import (
	"fmt"
	"math"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"citygeo/data"
)

// streetOffice stands for the 街道办事处 of the street a component lies in.
const streetOffice = -1

// Where a road-side class stands across the road.
const (
	atKerb = iota // off the kerb by off metres (sidewalk)
	inLane        // off the centreline by off × half-width
)

// classSpec is one component class the sample places, with its codes in both schemes, its
// density and the departments that own (主管), hold (权属) and maintain (养护) it.
type classSpec struct {
	cjt, gbt           string
	perKm              float64 // per km of road centreline, both sides; 0 = not along roads
	roads              uint8   // bit set of road classes it is placed along
	where              int
	off                float64
	owner, prop, maint int
}

const (
	onArterial = 1 << iota
	onSecondary
	onBranch
	onAll = onArterial | onSecondary | onBranch
)

// Road-side classes. Densities are per km of centreline at the natural scale (lamps every
// ~30 m on each side, trees every ~18 m on each side, a grate every ~40 m at each kerb, bus
// stops every ~500 m on each side of an arterial); Generate scales them all by one factor to
// reach Options.Components. Trees are kept under half of the total so that even 2M components
// stay within a 6-digit per-class sequence.
var roadClasses = []classSpec{
	{"0118", "01037", 66, onAll, atKerb, 0.8, deptCityMgmt, deptCityMgmt, streetOffice},           // 路灯
	{"0402", "04002", 110, onAll, atKerb, 2.5, deptCityMgmt, deptParks, streetOffice},             // 行道树
	{"0101", "01001", 10, onAll, inLane, 0.35, deptWater, deptWaterCo, deptWaterCo},               // 上水井盖
	{"0102", "01002", 12, onAll, inLane, 0.15, deptWater, deptWaterCo, deptWaterCo},               // 污水井盖
	{"0103", "01003", 10, onAll, inLane, 0.55, deptWater, deptWaterCo, deptWaterCo},               // 雨水井盖
	{"0104", "01004", 50, onAll, atKerb, -0.4, deptWater, deptWaterCo, deptWaterCo},               // 雨水箅子
	{"0105", "01005", 6, onAll, inLane, 0.75, deptPower, deptPower, deptPower},                    // 电力井盖
	{"0107", "01007", 8, onAll, inLane, 0.85, deptTelecom, deptTelecom, deptTelecom},              // 通讯井盖
	{"0305", "03005", 20, onAll, atKerb, 1.5, deptCityMgmt, deptSanitation, streetOffice},         // 垃圾箱
	{"0113", "01013", 8, onAll, atKerb, 1.0, deptFire, deptWaterCo, deptWaterCo},                  // 消防栓
	{"0115", "01027", 3, onAll, atKerb, 3.0, deptMobile, deptMobile, deptMobile},                  // 通讯交接箱
	{"0121", "01040", 1, onArterial | onSecondary, atKerb, 4.0, deptCityMgmt, deptNews, deptNews}, // 报刊亭
	{"0203", "02004", 4, onArterial, atKerb, 3.0, deptTransport, deptTransport, deptBus},          // 公交站亭
	{"0211", "02017", 3, onArterial, inLane, 0.02, deptTraffic, deptTraffic, deptTraffic},         // 交通护栏 (line)
	{"0301", "03001", 0, 0, 0, 0, deptCityMgmt, deptSanitation, deptSanitation},                   // 公共厕所 (in blocks)
	{"0405", "04013", 0, 0, 0, 0, deptCityMgmt, deptParks, streetOffice},                          // 绿地 (polygon)
	{"0209", "02010", 0, 0, 0, 0, deptTraffic, deptTraffic, deptTraffic},                          // 交通标志牌
	{"0210", "02014", 0, 0, 0, 0, deptTraffic, deptTraffic, deptTraffic},                          // 交通信号灯
}

// Per grid, natural counts of the block classes.
const (
	toiletsPerGrid = 1.0 / 40
	greensPerGrid  = 1.0 / 12
)

// Indexes into roadClasses of the classes placed specially.
const (
	clsRail   = 13
	clsToilet = 14
	clsGreen  = 15
	clsSign   = 16
	clsLight  = 17
)

// telecom manholes and boxes rotate among the three carriers.
var carriers = [3]int{deptTelecom, deptMobile, deptUnicom}

func halfWidth(c data.RoadClass) float64 {
	switch c {
	case data.RoadArterial:
		return 20
	case data.RoadSecondary:
		return 12
	}
	return 6
}

func roadBit(c data.RoadClass) uint8 {
	switch c {
	case data.RoadArterial:
		return onArterial
	case data.RoadSecondary:
		return onSecondary
	}
	return onBranch
}

type nameKey struct {
	label string
	class int
}

// compMaker allocates components in chunks and numbers them per class.
type compMaker struct {
	g       *gen
	cat     *data.Catalog
	names   []string // class name per roadClasses entry, in the chosen scheme
	codes   []string
	seq     []int
	perName map[nameKey]int // running number for Name, per label and class
	chunk   []data.Component
	out     []*data.Component
	depts   []*data.Department
	used    []bool
	comStr  []int // community index → index in depts of its 街道办事处
	err     error
}

func (g *gen) components(ds *data.Dataset) error {
	m := &compMaker{g: g, cat: data.CatalogFor(g.opts.Scheme), perName: map[nameKey]int{}}
	m.depts = makeDepts()
	m.used = make([]bool, len(m.depts))
	for _, c := range g.comms {
		for si, s := range luohu {
			if s.code == c.Parent {
				m.comStr = append(m.comStr, nFixedDepts+si)
			}
		}
	}
	for _, cs := range roadClasses {
		code := cs.cjt
		if g.opts.Scheme == data.GBT4767 {
			code = cs.gbt
		}
		cl, ok := m.cat.Class(code)
		if !ok {
			return fmt.Errorf("sample: class %s missing from the %s catalog", code, g.opts.Scheme)
		}
		m.codes = append(m.codes, code)
		m.names = append(m.names, cl.Name)
	}
	m.seq = make([]int, len(roadClasses))

	// Scale: every crossing gets its sign and signals unless that would exceed a tenth of the
	// components asked for, then only a share of crossings does; everything else shares what
	// is left.
	crossings := g.crossings()
	fixed := 0
	for _, x := range crossings {
		fixed += 1
		if x.signal {
			fixed += 4
		}
	}
	keep := min(1, float64(g.opts.Components)/10/float64(max(fixed, 1)))
	fixed = int(float64(fixed) * keep)
	perClass := make([]float64, len(roadClasses))
	for _, rl := range g.roadList {
		km := lineLen(rl.xy) / 1000
		for ci, cs := range roadClasses {
			if cs.roads&roadBit(rl.road.Class) != 0 {
				perClass[ci] += cs.perKm * km
			}
		}
	}
	perClass[clsToilet] = float64(len(g.grids)) * toiletsPerGrid
	perClass[clsGreen] = float64(len(g.grids)) * greensPerGrid
	var natural float64
	for _, n := range perClass {
		natural += n
	}
	f := math.Max(0, float64(g.opts.Components-fixed)) / natural
	// Fail early rather than after placing a million: the sequence check in add stays the rule.
	for ci, n := range perClass {
		if n*f > 999999 {
			return fmt.Errorf("sample: class %s would get about %.0f components, more than the 999999 a 6-digit sequence holds; lower Components or raise Grids", m.codes[ci], n*f)
		}
	}

	for ri := range g.roadList {
		m.alongRoad(&g.roadList[ri], f)
	}
	for _, x := range crossings {
		if keep == 1 || g.rng.Float64() < keep {
			m.atCrossing(x)
		}
	}
	m.inBlocks(f)
	if m.err != nil {
		return m.err
	}
	ds.Components = m.out
	for i, d := range m.depts {
		if m.used[i] {
			ds.Departments = append(ds.Departments, d)
		}
	}
	return nil
}

func lineLen(xy []orb.Point) float64 {
	var s float64
	for k := 1; k < len(xy); k++ {
		s += planar.Distance(xy[k-1], xy[k])
	}
	return s
}

// locate returns the index of the grid containing p (lon/lat) among the cells in columns
// c0..c1 and rows r0..r1 (clamped to the lattice), or -1. It tests the real polygons, since
// warped edges do not follow lattice arithmetic.
func (g *gen) locate(p orb.Point, c0, c1, r0, r1 int) int {
	l := g.lat
	for j := max(r0, 0); j <= min(r1, l.rows-1); j++ {
		for i := max(c0, 0); i <= min(c1, l.cols-1); i++ {
			gi := int(g.cellGrid[j*l.cols+i])
			if planar.PolygonContains(g.grids[gi].Polygon, p) {
				return gi
			}
		}
	}
	return -1
}

// window returns the cells around segment k of a road line.
func (rl *roadLine) window(k int) (c0, c1, r0, r1 int) {
	a := rl.from + k
	if rl.vertical {
		return rl.idx - 1, rl.idx, a - 1, a + 1
	}
	return a - 1, a + 1, rl.idx - 1, rl.idx
}

// add makes one component of class ci in grid gi.
func (m *compMaker) add(ci int, gi int, label string, geom orb.Geometry) {
	if m.err != nil || gi < 0 {
		return
	}
	g := m.g
	m.seq[ci]++
	if m.seq[ci] > 999999 {
		m.err = fmt.Errorf("sample: class %s has more than 999999 components, the most a 6-digit sequence holds; lower Components", m.codes[ci])
		return
	}
	if len(m.chunk) == 0 {
		m.chunk = make([]data.Component, 4096)
	}
	c := &m.chunk[0]
	m.chunk = m.chunk[1:]
	key := nameKey{label, ci}
	m.perName[key]++
	cs := roadClasses[ci]
	comm := int(g.commOf[gi])
	dept := func(d int) data.Dept {
		if d == streetOffice {
			d = m.comStr[comm]
		}
		if d == deptTelecom || d == deptMobile {
			d = carriers[m.seq[ci]%3]
		}
		m.used[d] = true
		return ref(m.depts[d]).Dept()
	}
	major := m.codes[ci][:2]
	*c = data.Component{
		ID:         fmt.Sprintf("%s%s%06d", districtCode, m.codes[ci], m.seq[ci]),
		Scheme:     g.opts.Scheme,
		Major:      major,
		Minor:      m.codes[ci][2:],
		Name:       fmt.Sprintf("%s%s%04d", label, m.names[ci], m.perName[key]),
		Owner:      dept(cs.owner),
		Property:   dept(cs.prop),
		Maintainer: dept(cs.maint),
		Grid:       g.grids[gi].Code,
		Source:     "实测",
		Geometry:   geom,
	}
	r := g.rng.Float64()
	_, isPoint := geom.(orb.Point)
	switch {
	case r < 0.90:
		c.Status = data.StatusIntact
	case r < 0.95:
		c.Status = data.StatusDamaged
	case r < 0.97 && isPoint:
		c.Status = data.StatusLost
	default:
		c.Status = data.StatusOccupied
	}
	base := time.Date(2008, 1, 1, 0, 0, 0, 0, time.UTC)
	c.InitDate = data.DateOf(base.AddDate(0, 0, g.rng.IntN(15*365)))
	if g.rng.IntN(4) == 0 {
		days := int(createdAt.Sub(c.InitDate.Time()).Hours() / 24)
		c.ChangeDate = c.InitDate.AddDate(0, 0, 1+g.rng.IntN(max(1, days-1)))
	}
	m.out = append(m.out, c)
}

// alongRoad places the road-side classes along one road, alternating sides.
func (m *compMaker) alongRoad(rl *roadLine, f float64) {
	hw := halfWidth(rl.road.Class)
	total := lineLen(rl.xy)
	for ci, cs := range roadClasses {
		if cs.perKm == 0 || cs.roads&roadBit(rl.road.Class) == 0 || f == 0 {
			continue
		}
		step := 1000 / (cs.perKm * f)
		off := hw + cs.off
		if cs.where == inLane {
			off = hw * cs.off
		}
		side := 1.0
		walkLine(rl.xy, m.g.rng.Float64()*step, step, total, func(k int, p, n orb.Point) {
			side = -side
			c0, c1, r0, r1 := rl.window(k)
			if ci == clsRail {
				// A rail is a short median line along one segment, just off the centreline.
				a, b := rl.xy[k], rl.xy[k+1]
				o := orb.Point{n[0] * 0.6, n[1] * 0.6}
				line := orb.LineString{
					toLonLat(lerpOff(a, b, 0.15, o)), toLonLat(lerpOff(a, b, 0.85, o))}
				mid := toLonLat(lerpOff(a, b, 0.5, o))
				m.add(ci, m.g.locate(mid, c0, c1, r0, r1), rl.road.Name, line)
				return
			}
			pt := toLonLat(orb.Point{p[0] + side*off*n[0], p[1] + side*off*n[1]})
			m.add(ci, m.g.locate(pt, c0, c1, r0, r1), rl.road.Name, pt)
		})
	}
}

func lerpOff(a, b orb.Point, t float64, o orb.Point) orb.Point {
	return orb.Point{a[0] + (b[0]-a[0])*t + o[0], a[1] + (b[1]-a[1])*t + o[1]}
}

// walkLine calls fn at distances start, start+step, … along xy (strictly inside it) with the
// segment index, the point and the segment's unit left normal.
func walkLine(xy []orb.Point, start, step, total float64, fn func(k int, p, n orb.Point)) {
	k, segStart := 0, 0.0
	for d := start; d < total-0.5; d += step {
		if d < 0.5 {
			continue
		}
		for k < len(xy)-2 && d > segStart+planar.Distance(xy[k], xy[k+1]) {
			segStart += planar.Distance(xy[k], xy[k+1])
			k++
		}
		a, b := xy[k], xy[k+1]
		sl := planar.Distance(a, b)
		u := orb.Point{(b[0] - a[0]) / sl, (b[1] - a[1]) / sl}
		fn(k, orb.Point{a[0] + u[0]*(d-segStart), a[1] + u[1]*(d-segStart)}, orb.Point{-u[1], u[0]})
	}
}
