package sample

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/paulmach/orb"

	"citygeo/data"
)

// RosterOptions says what duty lists Roster makes. The zero value is the sample's own.
type RosterOptions struct {
	// Segments is about how many duty segments to cut; 0: the main roads (主次干道) cut every
	// 3 crossings. A larger number cuts every road, branch roads too, into shorter runs.
	Segments int
}

// Synthetic names: the commonest surnames and given-name characters; every person of the
// sample is made up, and so is every phone number (138 0000 xxxx).
var (
	surnames = []rune("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
	given    = []rune("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍鹏辉玲燕建红文斌宇浩凯晨欣怡雪梅琳婷飞鑫波宁")
)

// namer of people: deterministic names and phone numbers.
type people struct {
	n   int
	out []*data.Person
}

func (p *people) add(id string, post data.Post, dept data.DeptRef, team string) *data.Person {
	k := p.n
	p.n++
	name := string(surnames[k%len(surnames)]) + string(given[(k*7)%len(given)])
	if k%3 == 0 {
		name += string(given[(k*13+5)%len(given)])
	}
	ps := &data.Person{ID: id, Name: name, Post: post, Department: dept, Team: team,
		Device: fmt.Sprintf("CGT-%05d", k+1), Phone: fmt.Sprintf("1380000%04d", k%10000)}
	p.out = append(p.out, ps)
	return ps
}

// Roster builds the sample city's duty lists over ds (a city Generate made): two shifts (白班
// 08:00–20:00, 夜班 20:00–08:00); a day and a night 监督员 for every community's grids; eight
// 责任网格 per street, each with a 街长; a 执法中队 per street; duty segments on the main roads
// written as a 城管办 writes them ("人民南路（春风路至深南东路）", resolved by package duty), each
// with its unit and a 养护作业人员; and a few A/B delegations — a night stand-in on the first
// segment, a 街长 marked away with a stand-in, a 监督员 on a week's leave.
func Roster(ds *data.Dataset, opts RosterOptions) *data.Roster {
	r := &data.Roster{Shifts: []*data.Shift{
		{ID: "day", Name: "白班", Window: data.TimeWindow{From: 8 * 60, To: 20 * 60}},
		{ID: "night", Name: "夜班", Window: data.TimeWindow{From: 20 * 60, To: 8 * 60}},
	}}
	ppl := &people{}
	deptByName := map[string]data.DeptRef{}
	for _, d := range ds.Departments {
		deptByName[d.Name] = data.DeptRef{Code: d.Code, Name: d.Name}
	}
	office := func(street *data.Area) data.DeptRef {
		if d, ok := deptByName["深圳市罗湖区"+street.Name+"办事处"]; ok {
			return d
		}
		return data.DeptRef{Name: street.Name + "办事处"}
	}
	enforcement := deptByName[fixedDepts[deptCityMgmt].name]
	streets, communities := map[string]*data.Area{}, []*data.Area{}
	for _, a := range ds.Areas {
		switch a.Level {
		case data.Street:
			streets[a.Code] = a
		case data.Community:
			communities = append(communities, a)
		}
	}
	assign := func(a *data.Assignment) { r.Assignments = append(r.Assignments, a) }

	// 监督员: a day and a night one per community.
	for _, c := range communities {
		st := streets[c.Parent]
		for _, sh := range []string{"day", "night"} {
			p := ppl.add(fmt.Sprintf("JD%s%c", c.Code, strings.ToUpper(sh)[0]), data.PostSupervisor, office(st), "")
			assign(&data.Assignment{ID: "A-" + p.ID, Post: data.PostSupervisor, Area: c.Code, Person: p.ID, Shift: sh})
		}
	}
	// Per street: a 执法中队 and eight 责任网格 with a 街长 each.
	streetCodes := make([]string, 0, len(streets))
	for code := range streets {
		streetCodes = append(streetCodes, code)
	}
	slices.Sort(streetCodes)
	gridsOf := map[string][]*data.Grid{}
	for _, g := range ds.Grids {
		if len(g.Community) == 12 { // the sample's codes nest by prefix: street = community[:9]
			gridsOf[g.Community[:9]] = append(gridsOf[g.Community[:9]], g)
		}
	}
	for _, code := range streetCodes {
		st := streets[code]
		leader := ppl.add("ZD"+code, data.PostEnforcer, enforcement, "T"+code)
		r.Teams = append(r.Teams, &data.Team{ID: "T" + code, Name: st.Name + "执法中队", Department: enforcement, Leader: leader.ID})
		for i := range 2 {
			ppl.add(fmt.Sprintf("ZD%s-%d", code, i+1), data.PostEnforcer, enforcement, "T"+code)
		}
		assign(&data.Assignment{ID: "A-T" + code, Post: data.PostEnforcer, Area: code, Team: "T" + code})
		for i, zg := range eighths(gridsOf[code]) {
			z := &data.Zone{ID: fmt.Sprintf("Z%s-%d", code, i+1), Name: fmt.Sprintf("%s第%d责任网格", st.Name, i+1), Kind: data.ZoneDuty}
			for _, g := range zg {
				z.Grids = append(z.Grids, g.Code)
			}
			r.Zones = append(r.Zones, z)
			chief := ppl.add(fmt.Sprintf("JZ%s-%d", code, i+1), data.PostStreetChief, office(st), "")
			assign(&data.Assignment{ID: "A-" + z.ID, Post: data.PostStreetChief, Zone: z.ID, Person: chief.ID})
		}
	}
	// Road segments and their crews.
	units := []data.DeptRef{deptByName[fixedDepts[deptSanitation].name], {Name: "深圳市罗湖区市政设施养护中心"}, {Name: "深圳市绿城环境服务有限公司"}}
	for i, s := range segments(ds, opts.Segments) {
		s.Unit = units[i%len(units)]
		r.Segments = append(r.Segments, s)
		p := ppl.add(fmt.Sprintf("YH%05d", i+1), data.PostMaintainer, s.Unit, "")
		assign(&data.Assignment{ID: "A-" + s.ID, Post: data.PostMaintainer, Segment: s.ID, Person: p.ID})
	}
	r.People = ppl.out
	delegations(r, ppl)
	return r
}

// eighths splits a street's grids into eight compact groups: four bands west to east, each
// halved north and south.
func eighths(gs []*data.Grid) [][]*data.Grid {
	gs = slices.Clone(gs)
	centre := func(g *data.Grid) orb.Point { return g.Polygon.Bound().Center() }
	slices.SortFunc(gs, func(a, b *data.Grid) int { return cmp.Compare(centre(a)[0], centre(b)[0]) })
	var out [][]*data.Grid
	for _, band := range split(gs, 4) {
		slices.SortFunc(band, func(a, b *data.Grid) int { return cmp.Compare(centre(b)[1], centre(a)[1]) })
		for _, half := range split(band, 2) {
			if len(half) > 0 {
				out = append(out, half)
			}
		}
	}
	return out
}

// split cuts s into n runs of nearly equal length.
func split[T any](s []T, n int) [][]T {
	out := make([][]T, n)
	for i := range n {
		out[i] = s[i*len(s)/n : (i+1)*len(s)/n]
	}
	return out
}

// segments cuts roads into duty segments between crossings. Roads follow lattice lines and
// share their crossing vertices exactly, so a crossing is a vertex two roads hold.
func segments(ds *data.Dataset, target int) []*data.Segment {
	at := map[orb.Point][]*data.Road{}
	for _, rd := range ds.Roads {
		for _, p := range rd.Line {
			at[p] = append(at[p], rd)
		}
	}
	main := func(rd *data.Road) bool {
		return rd.Class == data.RoadArterial || rd.Class == data.RoadSecondary || rd.Class == data.RoadExpressway
	}
	type crossing struct{ name string }
	cuts := map[*data.Road][]crossing{}
	total := 0
	for _, rd := range ds.Roads {
		if target == 0 && !main(rd) {
			continue
		}
		seen := map[string]int{}
		var cs []crossing
		for _, p := range rd.Line {
			// One crossing per vertex: where two roads of one line meet end to end on rd, the
			// first names the crossing.
			for _, o := range at[p] {
				if o != rd {
					seen[o.Name]++
					cs = append(cs, crossing{o.Name})
					break
				}
			}
		}
		// A road met twice cannot name one end.
		cs = slices.DeleteFunc(cs, func(c crossing) bool { return seen[c.name] > 1 })
		cuts[rd] = cs
		total += max(0, len(cs)-1)
	}
	step := 3
	if target > 0 {
		step = max(1, total/target)
	}
	var out []*data.Segment
	for _, rd := range ds.Roads {
		cs := cuts[rd]
		for i := 0; i+1 < len(cs); i += step {
			j := min(i+step, len(cs)-1)
			out = append(out, &data.Segment{ID: fmt.Sprintf("S%05d", len(out)+1),
				Name: fmt.Sprintf("%s（%s至%s）", rd.Name, cs[i].name, cs[j].name),
				Road: rd.Name, From: cs[i].name, To: cs[j].name})
			if j == len(cs)-1 {
				break
			}
		}
	}
	return out
}

// delegations adds the sample's A/B stand-ins.
func delegations(r *data.Roster, ppl *people) {
	find := func(prefix string, k int) *data.Person {
		for _, p := range ppl.out {
			if strings.HasPrefix(p.ID, prefix) {
				if k == 0 {
					return p
				}
				k--
			}
		}
		return nil
	}
	add := func(d *data.Delegation) {
		if d.From != "" && d.To != "" {
			r.Delegations = append(r.Delegations, d)
		}
	}
	id := func(p *data.Person) string {
		if p == nil {
			return ""
		}
		return p.ID
	}
	night := &data.TimeWindow{From: 18 * 60, To: 8 * 60}
	// The first segment's crew hands over to the second's at night (A/B岗).
	add(&data.Delegation{ID: "D1", From: id(find("YH", 0)), To: id(find("YH", 1)), Window: night})
	// A 街长 is marked away; the neighbouring zone's 街长 stands in.
	if p := find("JZ", 0); p != nil {
		p.Away = true
		add(&data.Delegation{ID: "D2", From: p.ID, To: id(find("JZ", 1)), WhileAway: true})
	}
	// A day 监督员 on a week's leave; the night one of the same community covers.
	if p := find("JD", 2); p != nil {
		add(&data.Delegation{ID: "D3", From: p.ID, To: id(find("JD", 3)),
			Starts: time.Date(2026, 11, 23, 0, 0, 0, 0, chinaTime), Ends: time.Date(2026, 11, 30, 0, 0, 0, 0, chinaTime)})
	}
	// Weekends: a 执法中队 member stands in for the leader.
	if p := find("ZD", 0); p != nil {
		add(&data.Delegation{ID: "D4", From: p.ID, To: id(find("ZD", 1)), Days: []time.Weekday{time.Saturday, time.Sunday}})
	}
}

// chinaTime is UTC+8, the zone of the sample's dates.
var chinaTime = time.FixedZone("CST", 8*3600)
