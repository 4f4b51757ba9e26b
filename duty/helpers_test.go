package duty_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"citygeo/data"
	"citygeo/duty"
	"citygeo/duty/dutyfile"
	"citygeo/gazetteer"
	"citygeo/geo"
)

// The fixture town: 6 × 4 unit grids of 100 m, west half community A, east half community B,
// one street, one district. 人民路 runs north–south on the line between the communities (x =
// 300 m), 解放路 north–south at x = 500 m; 友谊路 and 和平路 run east–west at y = 100 m and
// 300 m; 翠竹一路 is a branch road. 友谊桥 is a POI beside 人民路 at y = 30 m, and 人民路 has
// house numbers on its east side.
const (
	comA     = "440303001001"
	comB     = "440303001002"
	street   = "440303001"
	district = "440303"
)

var (
	origin = orb.Point{114.10, 22.54}
	plane  = geo.LocalPlane(origin)
)

// at returns the lon/lat point x metres east and y metres north of the town's south-west corner.
func at(x, y float64) orb.Point { return plane.FromMetres(orb.Point{x, y}) }

// gridCode returns the code of the grid in column col (0–5), row row (0–3, from the north).
func gridCode(col, row int) string {
	com, c := comA, col
	if col >= 3 {
		com, c = comB, col-3
	}
	return fmt.Sprintf("%s%03d", com, row*3+c+1)
}

func fixtureCity(tb testing.TB) duty.City {
	tb.Helper()
	c, err := newFixtureCity()
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

func newFixtureCity() (duty.City, error) {
	ds := &data.Dataset{Version: 7, Name: "fixture town"}
	rect := func(x0, y0, x1, y1 float64) orb.Ring {
		return orb.Ring{at(x0, y0), at(x1, y0), at(x1, y1), at(x0, y1), at(x0, y0)}
	}
	ds.Areas = []*data.Area{
		{Code: district, Name: "罗湖区", Level: data.District, Polygon: orb.MultiPolygon{{rect(0, 0, 600, 400)}}, Label: at(300, 200)},
		{Code: street, Name: "桂园街道", Level: data.Street, Parent: district, Polygon: orb.MultiPolygon{{rect(0, 0, 600, 400)}}, Label: at(300, 200)},
		{Code: comA, Name: "甲社区", Level: data.Community, Parent: street, Polygon: orb.MultiPolygon{{rect(0, 0, 300, 400)}}, Label: at(150, 200)},
		{Code: comB, Name: "乙社区", Level: data.Community, Parent: street, Polygon: orb.MultiPolygon{{rect(300, 0, 600, 400)}}, Label: at(450, 200)},
	}
	for row := range 4 {
		for col := range 6 {
			code := gridCode(col, row)
			y1 := 400 - float64(row)*100
			ds.Grids = append(ds.Grids, &data.Grid{Code: code, Community: code[:12],
				Polygon: orb.Polygon{rect(float64(col)*100, y1-100, float64(col+1)*100, y1)}, AreaM2: 10000})
		}
	}
	line := func(pts ...[2]float64) orb.LineString {
		var l orb.LineString
		for _, p := range pts {
			l = append(l, at(p[0], p[1]))
		}
		return l
	}
	ds.Roads = []*data.Road{
		{ID: 1, Name: "人民路", Class: data.RoadArterial, Line: line([2]float64{300, 0}, [2]float64{300, 200}, [2]float64{300, 400})},
		{ID: 2, Name: "解放路", Class: data.RoadArterial, Line: line([2]float64{500, 0}, [2]float64{500, 400})},
		{ID: 3, Name: "友谊路", Class: data.RoadSecondary, Line: line([2]float64{0, 100}, [2]float64{600, 100})},
		{ID: 4, Name: "和平路", Class: data.RoadSecondary, Line: line([2]float64{0, 300}, [2]float64{600, 300})},
		{ID: 5, Name: "翠竹一路", Class: data.RoadBranch, Line: line([2]float64{100, 0}, [2]float64{100, 400})},
	}
	for i, y := range []float64{50, 150, 250, 350} {
		n := 2 + 16*i
		ds.Addresses = append(ds.Addresses, &data.Address{ID: uint64(i + 1), Road: "人民路", Number: n,
			Full: fmt.Sprintf("人民路%d号", n), Point: at(312, y), Community: comB})
	}
	ds.POIs = []*data.POI{{ID: 1, Name: "友谊桥", Category: "桥梁", Point: at(305, 30)}}
	gx, err := geo.NewIndex(ds, geo.IndexOptions{})
	if err != nil {
		return duty.City{}, err
	}
	gz, err := gazetteer.New(ds, gazetteer.Options{Locate: gazetteer.LocateWith(gx)})
	if err != nil {
		return duty.City{}, err
	}
	return duty.City{Dataset: ds, Geo: gx, Gazetteer: gz}, nil
}

// fixtureLists is the fixture town's duty lists as spreadsheet rows, header first; headers mix
// the English keys and the Chinese names a 城管办 uses.
func fixtureLists() map[duty.List][][]string {
	// Zone Z1 holds community B but its last row (grids 010, 011, 012): 010 gets a day-shift
	// 监督员 of its own, 011 and 012 none.
	var zoneB []string
	for row := range 3 {
		for col := 3; col < 6; col++ {
			zoneB = append(zoneB, gridCode(col, row))
		}
	}
	return map[duty.List][][]string{
		duty.ListPeople: {
			{"工号", "姓名", "岗位", "所属部门", "中队", "终端编号", "手机号", "不在岗"},
			{"P1", "张伟", "监督员", "桂园街道城管科", "", "T-001", "13800000001", ""},
			{"P2", "王芳", "监督员", "桂园街道城管科", "", "T-002", "13800000002", ""},
			{"P4", "李娜", "监督员", "桂园街道城管科", "", "T-004", "13800000004", ""},
			{"P5", "刘洋", "街长", "桂园街道办事处", "", "", "13800000005", "是"},
			{"P6", "陈静", "执法队员", "罗湖区城管执法局", "T1", "T-006", "13800000006", ""},
			{"P8", "杨军", "街长", "桂园街道办事处", "", "", "13800000008", ""},
			{"A", "赵磊", "养护作业人员", "罗湖环卫公司", "", "T-010", "13800000010", ""},
			{"B", "黄敏", "养护作业人员", "罗湖环卫公司", "", "T-011", "13800000011", ""},
			{"C", "周涛", "养护作业人员", "解放路保洁队", "", "", "13800000012", ""},
		},
		duty.ListTeams: {
			{"id", "name", "department", "leader"},
			{"T1", "桂园执法中队", "罗湖区城管执法局", "P6"},
		},
		duty.ListZones: {
			{"编号", "名称", "类型", "单元网格"},
			{"Z1", "乙社区监督网格", "工作网格", strings.Join(zoneB, ";")},
			{"Z2", "甲社区责任网格", "责任网格", comA},
		},
		duty.ListSegments: {
			{"路段编号", "路段", "责任单位"},
			{"S1", "人民路（友谊路至和平路）", "罗湖环卫公司"},
			{"S2", "人民路(友谊桥—友谊路)", "罗湖环卫公司"},
			{"S3", "解放路东侧", "解放路保洁队"},
		},
		duty.ListShifts: {
			{"id", "name", "days", "window"},
			{"day", "白班", "每天", "08:00-20:00"},
			{"night", "夜班", "每天", "20:00-08:00"},
		},
		duty.ListAssignments: {
			{"编号", "岗位", "责任区", "路段", "区域", "人员", "中队", "班次"},
			{"G1", "监督员", "", "", comA, "P1", "", ""},
			{"G2", "监督员", "Z1", "", "", "P2", "", ""},
			{"G3", "监督员", "", "", gridCode(3, 3), "P4", "", "day"}, // B010
			{"G4", "街长", "Z2", "", "", "P5", "", ""},
			{"G5", "执法队员", "", "", street, "", "T1", ""},
			{"R1", "养护作业人员", "", "S1", "", "A", "", ""},
			{"R2", "养护作业人员", "", "S2", "", "B", "", ""},
			{"R3", "养护作业人员", "", "S3", "", "C", "", ""},
		},
		duty.ListDelegations: {
			{"编号", "A岗", "B岗", "开始", "结束", "时段", "不在岗时"},
			{"D1", "A", "B", "2026-11-01", "2026-11-30", "18:00-08:00", ""},
			{"D2", "P5", "P8", "", "", "", "是"},
		},
	}
}

// csvTables turns lists into Tables through the CSV reader.
func csvTables(tb testing.TB, lists map[duty.List][][]string) []duty.Table {
	tb.Helper()
	ts, err := tablesOf(lists)
	if err != nil {
		tb.Fatal(err)
	}
	return ts
}

func tablesOf(lists map[duty.List][][]string) ([]duty.Table, error) {
	var out []duty.Table
	for _, l := range duty.Lists {
		rows, ok := lists[l]
		if !ok {
			continue
		}
		var buf bytes.Buffer
		w := csv.NewWriter(&buf)
		if err := w.WriteAll(rows); err != nil {
			return nil, err
		}
		ts, fs, err := dutyfile.Read(string(l)+".csv", &buf)
		if err == nil {
			err = fs.Err()
		}
		if err != nil {
			return nil, fmt.Errorf("read %s.csv: %w", l, err)
		}
		out = append(out, ts...)
	}
	return out, nil
}

// mustBuild parses tables and builds them against c, failing on any error finding.
func mustBuild(tb testing.TB, tables []duty.Table, c duty.City) *duty.Index {
	tb.Helper()
	r, fs := duty.Parse(tables)
	if err := fs.Err(); err != nil {
		tb.Fatal(err)
	}
	ix, fs := duty.Build(r, c, duty.Options{})
	if err := fs.Err(); err != nil {
		tb.Fatal(err)
	}
	return ix
}

// cst is China time; the walk-through happens on Friday 20 November 2026.
var cst = time.FixedZone("CST", 8*3600)

func clockAt(h, m int) time.Time { return time.Date(2026, 11, 20, h, m, 0, 0, cst) }
