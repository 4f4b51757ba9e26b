package sample

import (
	"strings"

	"citygeo/data"
	"github.com/paulmach/orb"
)

// Real names of Luohu places; their points in the sample are synthetic.
var (
	metroStations = []string{"罗湖", "国贸", "老街", "大剧院", "湖贝", "黄贝岭", "新秀", "莲塘口岸", "仙湖路", "莲塘",
		"晒布", "翠竹", "田贝", "水贝", "草埔", "布心", "太安", "怡景", "红岭", "红岭北", "笋岗", "洪湖"}
	malls = []struct{ name, alias string }{{"华润万象城", "万象城"}, {"东门茂业百货", "茂业百货"}, {"国贸商业大厦", "国贸大厦"},
		{"金光华广场", "金光华"}, {"京基100大厦", "KK100"}, {"喜荟城", ""}, {"太阳广场", ""}, {"水贝珠宝总部大厦", "水贝珠宝"}}
	parks = []struct{ name, alias string }{{"洪湖公园", ""}, {"东湖公园", "水库公园"}, {"儿童公园", ""}, {"人民公园", "罗湖人民公园"},
		{"翠竹公园", ""}, {"仙湖植物园", "深圳市中国科学院仙湖植物园"}, {"罗湖体育公园", ""}}
	hospitals = []struct{ name, alias string }{{"深圳市罗湖区人民医院", "罗湖医院"}, {"深圳市罗湖区中医院", "罗湖中医院"},
		{"深圳市罗湖区妇幼保健院", "罗湖妇幼"}, {"深圳市人民医院", "市人民医院"}}
)

// pois places the public places: a 街道办事处 per street, a 社区工作站 per community, schools,
// clinics, hospitals, malls, parks and metro stations. Each stands just behind a house number
// and takes it as its Address.
func (g *gen) pois(ds *data.Dataset) {
	if len(g.addrs) == 0 {
		return
	}
	byComm := make([][]int, len(g.comms))
	var arterial []int
	for ai := range g.addrs {
		byComm[g.addrComm[ai]] = append(byComm[g.addrComm[ai]], ai)
		if g.addrClass[ai] == data.RoadArterial && g.addrs[ai].Suffix == "" {
			arterial = append(arterial, ai)
		}
	}
	var id uint64
	place := func(list []int, name, category string, aliases ...string) {
		if len(list) == 0 {
			list = byComm[0]
			if len(list) == 0 {
				return
			}
		}
		ai := list[g.rng.IntN(len(list))]
		a := g.addrs[ai]
		xy, n := g.xyOf(a.Point), g.addrNorm[ai]
		var al []string
		for _, s := range aliases {
			if s != "" {
				al = append(al, s)
			}
		}
		id++
		ds.POIs = append(ds.POIs, &data.POI{ID: id, Name: name, Aliases: al, Category: category,
			Address: a.Full, Point: toLonLat(orb.Point{xy[0] + 10*n[0], xy[1] + 10*n[1]})})
	}
	streetComms := map[string][]int{}
	for ci, c := range g.comms {
		streetComms[c.Parent] = append(streetComms[c.Parent], ci)
	}
	for _, s := range g.streets {
		cs := streetComms[s.Code]
		place(byComm[cs[len(cs)/2]], "深圳市罗湖区"+s.Name+"办事处", "政府机构", s.Name+"办", "罗湖区"+s.Name+"办事处")
	}
	for ci, c := range g.comms {
		base := strings.TrimSuffix(c.Name, "社区")
		place(byComm[ci], c.Name+"工作站", "社区服务", c.Name+"党群服务中心")
		if ci%2 == 0 {
			place(byComm[ci], "深圳市罗湖区"+base+"小学", "学校", base+"小学")
		}
		if ci%5 == 0 {
			place(byComm[ci], "深圳市罗湖区"+base+"中学", "学校", base+"中学")
		}
		if ci%3 == 0 {
			place(byComm[ci], c.Name+"健康服务中心", "医疗", base+"社康")
		}
	}
	for _, h := range hospitals {
		place(arterial, h.name, "医院", h.alias)
	}
	for _, m := range malls {
		place(arterial, m.name, "购物中心", m.alias)
	}
	for _, p := range parks {
		place(arterial, p.name, "公园", p.alias)
	}
	for _, s := range metroStations {
		place(arterial, "地铁"+s+"站", "地铁站", s+"站", s+"地铁站")
	}
}
