package duty_test

import (
	"fmt"
	"strings"
	"time"

	"citygeo/duty"
	"citygeo/duty/dutyfile"
)

// A 城管办's lists read from CSV, resolved against the fixture town, and asked who is on duty
// 10 m east of 人民路 between 友谊路 and 和平路 by day and at night, when A's night stand-in B
// takes the post.
func ExampleIndex_OnDuty() {
	c, _ := newFixtureCity()
	files := map[string]string{
		"people.csv":      "工号,姓名,岗位\nA,赵磊,养护作业人员\nB,黄敏,养护作业人员\n",
		"segments.csv":    "路段编号,路段,责任单位\nS1,人民路（友谊路至和平路）,罗湖环卫公司\n",
		"assignments.csv": "编号,岗位,路段,人员\nR1,养护作业人员,S1,A\n",
		"delegations.csv": "编号,A岗,B岗,时段\nD1,A,B,18:00-08:00\n",
	}
	var tables []duty.Table
	for _, name := range []string{"people.csv", "segments.csv", "assignments.csv", "delegations.csv"} {
		ts, _, _ := dutyfile.Read(name, strings.NewReader(files[name]))
		tables = append(tables, ts...)
	}
	r, fs := duty.Parse(tables)
	ix, bfs := duty.Build(r, c, duty.Options{})
	fmt.Println("findings:", len(fs)+len(bfs))
	for _, h := range []int{10, 20} {
		when := time.Date(2026, 11, 20, h, 0, 0, 0, cst)
		for _, od := range ix.OnDuty(duty.Query{Point: at(310, 180), At: when}, nil) {
			fmt.Printf("%02d:00 %s %s %.0f m: %s (%s), unit %s", h, od.PostName, od.Segment.Name, od.Segment.Distance, od.Person.Name, od.Person.ID, od.Unit.Name)
			if od.Delegation != nil {
				fmt.Printf(", standing in for %s by %s", od.Delegation.From.Name, od.Delegation.ID)
			}
			fmt.Println()
		}
	}
	// Output:
	// findings: 0
	// 10:00 养护作业人员 人民路（友谊路至和平路） 10 m: 赵磊 (A), unit 罗湖环卫公司
	// 20:00 养护作业人员 人民路（友谊路至和平路） 10 m: 黄敏 (B), unit 罗湖环卫公司, standing in for 赵磊 by D1
}

// Every problem names its file, row, record, field and value.
func ExampleParse() {
	ts, _, _ := dutyfile.Read("人员.csv", strings.NewReader("工号,姓名,岗位,手机号\nP1,张伟,监督员,1380\nP1,王芳,城管,13800000002\n"))
	_, fs := duty.Parse(ts)
	for _, f := range fs {
		fmt.Println(f)
	}
	// Output:
	// 人员.csv row 2 (P1): phone "1380": 4 digits; a phone number has 7 to 15
	// 人员.csv row 3 (P1): id "P1": a second person record with this id
}

// The coverage report of the fixture town lists the gaps its lists leave.
func ExampleIndex_Coverage() {
	c, _ := newFixtureCity()
	ts, _ := tablesOf(fixtureLists())
	r, _ := duty.Parse(ts)
	ix, _ := duty.Build(r, c, duty.Options{})
	cov := ix.Coverage()
	fmt.Println("grids without 监督员:", cov.Unsupervised)
	for _, g := range cov.PartTime {
		fmt.Printf("grid %s has no 监督员 %.0f hours a week\n", g.Grid, g.OpenHours)
	}
	for _, rd := range cov.RoadsWithout {
		fmt.Printf("%s (%s, %.0f m) has no duty segment\n", rd.Name, rd.Class, rd.LengthM)
	}
	// Output:
	// grids without 监督员: [440303001002011 440303001002012]
	// grid 440303001002010 has no 监督员 84 hours a week
	// 友谊路 (secondary, 600 m) has no duty segment
	// 和平路 (secondary, 600 m) has no duty segment
}
