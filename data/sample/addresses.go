package sample

import (
	"fmt"
	"strings"

	"citygeo/data"
	"github.com/paulmach/orb"
)

// addrSetback is how far a house number stands beyond the kerb.
const addrSetback = 8.0

// addresses numbers every road: odd numbers on the left of the road's direction (from its
// first vertex), even on the right, increasing from the start, with a few 甲/之1/-1 suffixes.
// The spacing is whatever spreads Options.Addresses over both sides of every road.
func (g *gen) addresses(ds *data.Dataset) {
	var sides float64
	for _, rl := range g.roadList {
		sides += 2 * lineLen(rl.xy)
	}
	if g.opts.Addresses == 0 || sides == 0 {
		return
	}
	step := sides / float64(g.opts.Addresses)
	var id uint64
	add := func(rl *roadLine, k int, p orb.Point, n orb.Point, num int, suffix string) {
		ll := toLonLat(p)
		c0, c1, r0, r1 := rl.window(k)
		gi := g.locate(ll, c0, c1, r0, r1)
		if gi < 0 {
			return
		}
		id++
		a := &data.Address{ID: id, Road: rl.road.Name, Number: num, Suffix: suffix,
			Full: rl.road.Name + formatNumber(num, suffix), Point: ll,
			Community: g.comms[g.commOf[gi]].Code, Source: "sample"}
		g.addrs = append(g.addrs, a)
		g.addrNorm = append(g.addrNorm, n)
		g.addrComm = append(g.addrComm, g.commOf[gi])
		g.addrClass = append(g.addrClass, rl.road.Class)
	}
	for ri := range g.roadList {
		rl := &g.roadList[ri]
		off := halfWidth(rl.road.Class) + addrSetback
		total := lineLen(rl.xy)
		for _, side := range []float64{1, -1} { // left (odd), right (even)
			num := 1
			if side < 0 {
				num = 2
			}
			walkLine(rl.xy, g.rng.Float64()*step, step, total, func(k int, p, n orb.Point) {
				out := orb.Point{side * n[0], side * n[1]}
				at := orb.Point{p[0] + off*out[0], p[1] + off*out[1]}
				add(rl, k, at, out, num, "")
				if r := g.rng.IntN(100); r < 3 {
					// A later entrance squeezed in beside this number.
					suffix := [3]string{"甲", "之1", "-1"}[r]
					u := orb.Point{n[1], -n[0]} // along the road
					add(rl, k, orb.Point{at[0] + 2*u[0], at[1] + 2*u[1]}, out, num, suffix)
				}
				num += 2
				if g.rng.IntN(20) == 0 {
					num += 2 // numbers reserved for a plot not yet built
				}
			})
		}
	}
	ds.Addresses = g.addrs
}

// formatNumber writes a house number the mainland way: 18号, 甲18号, 18号之1, 18-1号.
func formatNumber(n int, suffix string) string {
	switch {
	case suffix == "":
		return fmt.Sprintf("%d号", n)
	case strings.HasPrefix(suffix, "之"):
		return fmt.Sprintf("%d号%s", n, suffix)
	case strings.HasPrefix(suffix, "-"):
		return fmt.Sprintf("%d%s号", n, suffix)
	}
	return fmt.Sprintf("%s%d号", suffix, n)
}

var compoundSuffixes = []string{"花园", "苑", "新村", "大厦", "名苑", "雅园", "家园", "华庭", "公寓", "小区"}

// buildings puts a compound (小区) behind about one address in five on a secondary or branch
// road, with 2–12 buildings (1栋 … N栋) whose Address is the compound's gate number.
func (g *gen) buildings(ds *data.Dataset) {
	perComm := make([]int, len(g.comms))
	var id uint64
	want := len(g.grids) / 5
	for n, tries := 0, 0; n < want && tries < 20*want && len(g.addrs) > 0; tries++ {
		ai := g.rng.IntN(len(g.addrs))
		a := g.addrs[ai]
		if a.Suffix != "" || g.addrClass[ai] == data.RoadArterial {
			continue
		}
		n++
		ci := g.addrComm[ai]
		k := perComm[ci]
		perComm[ci]++
		name := strings.TrimSuffix(g.comms[ci].Name, "社区") + compoundSuffixes[k%len(compoundSuffixes)]
		if k >= len(compoundSuffixes) {
			name += fmt.Sprintf("%d期", k/len(compoundSuffixes)+1)
		}
		out := g.addrNorm[ai]
		along := orb.Point{-out[1], out[0]}
		gate := g.xyOf(a.Point)
		nb := 2 + g.rng.IntN(11)
		for b := range nb {
			row, col := float64(b/3), float64(b%3)-1
			c := orb.Point{gate[0] + out[0]*(18+14*row) + along[0]*14*col, gate[1] + out[1]*(18+14*row) + along[1]*14*col}
			fp := make(orb.Ring, 0, 5)
			for _, d := range [4][2]float64{{-5, -4}, {5, -4}, {5, 4}, {-5, 4}} {
				fp = append(fp, toLonLat(orb.Point{c[0] + along[0]*d[0] + out[0]*d[1], c[1] + along[1]*d[0] + out[1]*d[1]}))
			}
			if ringSigned(fp) < 0 {
				fp[1], fp[3] = fp[3], fp[1]
			}
			fp = append(fp, fp[0])
			id++
			ds.Buildings = append(ds.Buildings, &data.Building{ID: id, Compound: name,
				Name: fmt.Sprintf("%d栋", b+1), Address: a.Full, Point: toLonLat(c), Footprint: orb.Polygon{fp}})
		}
	}
}

// xyOf converts lon/lat back to local metres.
func (g *gen) xyOf(p orb.Point) orb.Point {
	return centre.ToMetres(p)
}

// ringSigned is twice the signed shoelace area of an open ring (positive = CCW).
func ringSigned(r orb.Ring) float64 {
	var s float64
	for i := range r {
		a, b := r[i], r[(i+1)%len(r)]
		s += a[0]*b[1] - b[0]*a[1]
	}
	return s
}
