package duty

import (
	"github.com/paulmach/orb"
)

// outline returns the boundary of a zone as lines — the edges of its grids that no other grid
// of the zone shares, chained — and a label point inside it: the centre of its grid nearest
// the mean of their centres. Grids that tile a city share their vertices exactly, so a shared
// edge is found by its two points. A polygon zone's outline is its polygon's rings.
func (ix *Index) outline(z *zone) (orb.MultiLineString, orb.Point) {
	var mean orb.Point
	for _, g := range z.grids {
		c := gridCentre(ix.ds.Grids[g])
		mean[0], mean[1] = mean[0]+c[0]/float64(len(z.grids)), mean[1]+c[1]/float64(len(z.grids))
	}
	label, best := mean, -1.0
	for _, g := range z.grids {
		c := gridCentre(ix.ds.Grids[g])
		if d := (c[0]-mean[0])*(c[0]-mean[0]) + (c[1]-mean[1])*(c[1]-mean[1]); best < 0 || d < best {
			label, best = c, d
		}
	}
	if len(z.z.Polygon) > 0 {
		var out orb.MultiLineString
		for _, p := range z.z.Polygon {
			for _, r := range p {
				out = append(out, orb.LineString(r))
			}
		}
		return out, label
	}
	type edge [2]orb.Point
	key := func(a, b orb.Point) edge {
		if a[0] < b[0] || (a[0] == b[0] && a[1] < b[1]) {
			return edge{a, b}
		}
		return edge{b, a}
	}
	count := map[edge]int{}
	for _, g := range z.grids {
		if ring := ix.ds.Grids[g].Polygon; len(ring) > 0 {
			for i := 1; i < len(ring[0]); i++ {
				count[key(ring[0][i-1], ring[0][i])]++
			}
		}
	}
	next := map[orb.Point][]orb.Point{}
	for e, n := range count {
		if n == 1 {
			next[e[0]] = append(next[e[0]], e[1])
			next[e[1]] = append(next[e[1]], e[0])
		}
	}
	used := map[edge]bool{}
	var out orb.MultiLineString
	for e, n := range count {
		if n != 1 || used[e] {
			continue
		}
		used[e] = true
		line := orb.LineString{e[0], e[1]}
		for {
			end := line[len(line)-1]
			found := false
			for _, q := range next[end] {
				if k := key(end, q); !used[k] {
					used[k], found = true, true
					line = append(line, q)
					break
				}
			}
			if !found {
				break
			}
		}
		out = append(out, line)
	}
	return out, label
}
