package sample

import (
	"math"

	"citygeo/data"
	"github.com/paulmach/orb"
)

// crossing is where a vertical and a horizontal road meet, at lattice vertex (i, j).
type crossing struct {
	i, j   int
	v, h   *roadLine
	signal bool // both roads arterial or secondary: signalised
}

// crossings lists every road crossing once, in vertical-road order.
func (g *gen) crossings() []crossing {
	l := g.lat
	hcov := make([]int32, (l.cols+1)*(l.rows+1))
	for ri := range g.roadList {
		rl := &g.roadList[ri]
		if rl.vertical {
			continue
		}
		for k := rl.from; k <= rl.to; k++ {
			hcov[l.v(k, rl.idx)] = int32(ri + 1)
		}
	}
	seen := map[int]bool{}
	var out []crossing
	for ri := range g.roadList {
		rl := &g.roadList[ri]
		if !rl.vertical {
			continue
		}
		for k := rl.from; k <= rl.to; k++ {
			v := l.v(rl.idx, k)
			if hcov[v] == 0 || seen[v] {
				continue
			}
			seen[v] = true
			h := &g.roadList[hcov[v]-1]
			major := func(c data.RoadClass) bool { return c == data.RoadArterial || c == data.RoadSecondary }
			out = append(out, crossing{i: rl.idx, j: k, v: rl, h: h,
				signal: major(rl.road.Class) && major(h.road.Class)})
		}
	}
	return out
}

// atCrossing places a sign at every crossing and four signals at signalised ones, one on each
// corner outside the carriageways.
func (m *compMaker) atCrossing(x crossing) {
	l := m.g.lat
	p := l.xy[l.v(x.i, x.j)]
	u := unit(p, l.xy[l.v(x.i, x.j+1)]) // along the vertical road, southward
	w := unit(p, l.xy[l.v(x.i+1, x.j)]) // along the horizontal road, eastward
	hv, hh := halfWidth(x.v.road.Class), halfWidth(x.h.road.Class)
	label := x.v.road.Name + "与" + x.h.road.Name + "交叉口"
	corner := func(sa, sb, extra float64) orb.Point {
		a, b := sa*(hh+extra), sb*(hv+extra)
		return toLonLat(orb.Point{p[0] + a*u[0] + b*w[0], p[1] + a*u[1] + b*w[1]})
	}
	pt := corner(1, 1, 4)
	m.add(clsSign, m.g.locate(pt, x.i-1, x.i, x.j-1, x.j), label, pt)
	if !x.signal {
		return
	}
	for _, s := range [4][2]float64{{-1, -1}, {-1, 1}, {1, 1}, {1, -1}} {
		pt := corner(s[0], s[1], 2)
		m.add(clsLight, m.g.locate(pt, x.i-1, x.i, x.j-1, x.j), label, pt)
	}
}

func unit(a, b orb.Point) orb.Point {
	dx, dy := b[0]-a[0], b[1]-a[1]
	n := math.Hypot(dx, dy)
	return orb.Point{dx / n, dy / n}
}

// inBlocks places public toilets and green spaces inside cells, away from the roads.
func (m *compMaker) inBlocks(f float64) {
	g := m.g
	l := g.lat
	n := len(g.grids)
	for range int(math.Round(float64(n) * toiletsPerGrid * f)) {
		i, j := g.rng.IntN(l.cols), g.rng.IntN(l.rows)
		c := l.cellCentreXY(i, j)
		pt := toLonLat(orb.Point{c[0] + 30*(g.rng.Float64()-0.5), c[1] + 30*(g.rng.Float64()-0.5)})
		gi := g.locate(pt, i-1, i+1, j-1, j+1)
		if gi >= 0 {
			m.add(clsToilet, gi, g.comms[g.commOf[gi]].Name, pt)
		}
	}
	for range int(math.Round(float64(n) * greensPerGrid * f)) {
		i, j := g.rng.IntN(l.cols), g.rng.IntN(l.rows)
		c := l.cellCentreXY(i, j)
		s := 0.25 + 0.3*g.rng.Float64()
		corners := [4]int{l.v(i, j+1), l.v(i+1, j+1), l.v(i+1, j), l.v(i, j)} // SW SE NE NW: CCW
		ring := make(orb.Ring, 0, 5)
		for _, v := range corners {
			q := l.xy[v]
			ring = append(ring, toLonLat(orb.Point{c[0] + (q[0]-c[0])*s, c[1] + (q[1]-c[1])*s}))
		}
		ring = append(ring, ring[0])
		gi := int(g.cellGrid[j*l.cols+i])
		m.add(clsGreen, gi, g.comms[g.commOf[gi]].Name, orb.Polygon{ring})
	}
}
