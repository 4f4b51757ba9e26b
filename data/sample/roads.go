package sample

import (
	"fmt"
	"strings"

	"citygeo/data"
	"github.com/paulmach/orb"
)

// roadLine is a road as laid on the lattice: along column line idx (vertical, north → south)
// or row line idx (horizontal, west → east), from vertex from to vertex to.
type roadLine struct {
	road     *data.Road
	vertical bool
	idx      int
	from, to int
	xy       []orb.Point // the warped vertices in local metres
}

// Real Luohu road names. Arterials carry a second name for their other half, as 深南东路 does
// west of 深南中路; the halves become separate roads, each numbered from its own start.
var (
	arterialsEW = [][2]string{{"深南东路", "深南中路"}, {"春风路", ""}, {"笋岗路", "笋岗东路"}, {"泥岗路", "泥岗东路"},
		{"布心路", ""}, {"莲塘路", ""}, {"罗沙路", ""}, {"北站路", ""}, {"嘉宾路", ""}, {"太宁路", ""}, {"爱国路", ""}, {"聚宝路", ""}}
	arterialsNS = [][2]string{{"人民南路", "人民北路"}, {"宝安南路", "宝安北路"}, {"红岭中路", "红岭北路"}, {"文锦南路", "文锦中路"},
		{"东门南路", "东门中路"}, {"建设路", ""}, {"沿河南路", "沿河北路"}, {"太白路", ""}, {"洪湖路", ""}, {"梧桐路", ""}, {"清水河路", ""}, {"东昌路", ""}}
	secondaries = []string{"和平路", "解放路", "新园路", "湖贝路", "翠竹路", "东湖路", "田贝路", "水贝路", "晒布路",
		"黄贝路", "怡景路", "延芳路", "贝丽路", "金湖路", "华丽路", "松园路", "桂园路", "宝岗路", "留医路", "向西路",
		"乐园路", "立新路", "草埔路", "大望路", "新秀路", "罗芳路", "碧波路", "银湖路", "湖景路", "螺岭路"}
	numerals = []string{"一", "二", "三", "四", "五", "六", "七", "八", "九", "十"}
)

// namer hands out unique road names.
type namer struct {
	used   map[string]bool
	arts   [2]int // next arterial name, per orientation
	sec    int
	branch map[string]int // community base → branch roads named after it so far
}

func (n *namer) take(name string) (string, bool) {
	if name == "" || n.used[name] {
		return "", false
	}
	n.used[name] = true
	return name, true
}

// arterial returns the names of the next arterial: one or two halves.
func (n *namer) arterial(vertical bool) [2]string {
	list, k := arterialsEW, 0
	if vertical {
		list, k = arterialsNS, 1
	}
	for ; n.arts[k] < len(list); n.arts[k]++ {
		p := list[n.arts[k]]
		if a, ok := n.take(p[0]); ok {
			n.arts[k]++
			b, _ := n.take(p[1])
			return [2]string{a, b}
		}
	}
	return [2]string{n.secondary(), ""}
}

func (n *namer) secondary() string {
	for ; n.sec < len(secondaries); n.sec++ {
		if s, ok := n.take(secondaries[n.sec]); ok {
			n.sec++
			return s
		}
	}
	return n.branchName("罗湖")
}

// branchName names a 支路 after the community it runs through: 翠竹一路 … 翠竹十路, then 翠竹11巷 ….
func (n *namer) branchName(base string) string {
	for {
		k := n.branch[base]
		n.branch[base]++
		var s string
		if k < len(numerals) {
			s = base + numerals[k] + "路"
		} else {
			s = fmt.Sprintf("%s%d巷", base, k+1)
		}
		if name, ok := n.take(s); ok {
			return name
		}
	}
}

// roads lays roads on lattice lines at irregular spacing: an arterial every 6–10 lines, a
// secondary between arterials that are far apart, and branch roads on every other line
// between, each spanning 2–4 arterial blocks.
func (g *gen) roads(ds *data.Dataset) {
	l := g.lat
	nm := &namer{used: map[string]bool{}, branch: map[string]int{}}
	var id uint64
	add := func(name string, class data.RoadClass, vertical bool, idx, from, to int) {
		rl := roadLine{vertical: vertical, idx: idx, from: from, to: to}
		for k := from; k <= to; k++ {
			v := l.v(idx, k)
			if !vertical {
				v = l.v(k, idx)
			}
			rl.xy = append(rl.xy, l.xy[v])
		}
		line := make(orb.LineString, len(rl.xy))
		for k, p := range rl.xy {
			line[k] = toLonLat(p)
		}
		id++
		rl.road = &data.Road{ID: id, Name: name, Class: class, Line: line}
		ds.Roads = append(ds.Roads, rl.road)
		g.roadList = append(g.roadList, rl)
	}
	for _, vertical := range []bool{true, false} {
		n, span := l.cols, l.rows // lines 1..n-1 are interior; each spans 0..span
		if !vertical {
			n, span = l.rows, l.cols
		}
		classes := make([]data.RoadClass, n)
		last := 0
		for k := 1 + g.rng.IntN(4); k < n; {
			classes[k] = data.RoadArterial
			if gap := k - last; gap >= 5 && last > 0 {
				classes[last+gap/2] = data.RoadSecondary
			}
			last = k
			k += 6 + g.rng.IntN(5)
		}
		for k := 1; k < n; k++ {
			switch classes[k] {
			case data.RoadArterial:
				names := nm.arterial(vertical)
				if names[1] == "" {
					add(names[0], data.RoadArterial, vertical, k, 0, span)
				} else {
					add(names[0], data.RoadArterial, vertical, k, 0, span/2)
					add(names[1], data.RoadArterial, vertical, k, span/2, span)
				}
			case data.RoadSecondary:
				add(nm.secondary(), data.RoadSecondary, vertical, k, 0, span)
			default:
				if k%2 == 1 {
					continue
				}
				// Branch roads run between the crossing arterials, 2–4 blocks at a time.
				for from := 0; from < span; {
					to := min(span, from+(2+g.rng.IntN(3))*8)
					if span-to < 4 {
						to = span
					}
					mid := (from + to) / 2
					ci, cj := k, min(mid, span-1)
					if !vertical {
						ci, cj = min(mid, l.cols-1), k
					}
					base := strings.TrimSuffix(g.comms[g.commOf[g.cellGrid[min(cj, l.rows-1)*l.cols+min(ci, l.cols-1)]]].Name, "社区")
					add(nm.branchName(base), data.RoadBranch, vertical, k, from, to)
					from = to
				}
			}
		}
	}
}
