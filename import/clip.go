package importer

import (
	"math"
	"sort"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// clipPolygon returns the parts of p inside rectangle b as separate valid polygons. Unlike
// orb/clip (Sutherland–Hodgman), a concave polygon that leaves and re-enters the rectangle
// gives separate pieces rather than one ring joined by zero-width bridges along the edge: the
// pieces of the boundary inside b are linked by walking b's outline counter-clockwise
// (Weiler–Atherton specialised to a rectangle).
func clipPolygon(b orb.Bound, p orb.Polygon) []orb.Polygon {
	if len(p) == 0 || !b.Intersects(p.Bound()) {
		return nil
	}
	var pieces []piece
	var inner []orb.Ring // rings entirely inside b
	exteriorCross := false
	for ri, r := range p {
		r = orientRing(r, ri == 0)
		ps, inside := clipRing(b, r)
		switch {
		case len(ps) > 0:
			pieces = append(pieces, ps...)
			if ri == 0 {
				exteriorCross = true
			}
		case inside:
			inner = append(inner, r)
		case ri > 0 && planar.RingContains(r, b.Center()):
			return nil // a hole swallows the whole rectangle
		}
	}
	var out []orb.Polygon
	switch {
	case len(pieces) > 0:
		for _, r := range linkPieces(b, pieces) {
			out = append(out, orb.Polygon{r})
		}
	case len(inner) > 0 && !exteriorCross && ringInside(b, p[0]):
		out = append(out, orb.Polygon{inner[0]})
		inner = inner[1:]
	case planar.RingContains(p[0], b.Center()):
		out = append(out, orb.Polygon{rectRing(b)})
	default:
		return nil
	}
	for _, h := range inner { // holes entirely inside b go to the piece holding them
		for i := range out {
			if planar.RingContains(out[i][0], h[0]) {
				out[i] = append(out[i], h)
				break
			}
		}
	}
	return out
}

func ringInside(b orb.Bound, r orb.Ring) bool {
	for _, pt := range r {
		if !b.Contains(pt) {
			return false
		}
	}
	return true
}

func rectRing(b orb.Bound) orb.Ring {
	return orb.Ring{b.Min, {b.Max[0], b.Min[1]}, b.Max, {b.Min[0], b.Max[1]}, b.Min}
}

// orientRing returns r counter-clockwise when ccw, clockwise otherwise.
func orientRing(r orb.Ring, ccw bool) orb.Ring {
	if (planar.Area(r) > 0) != ccw {
		rev := make(orb.Ring, len(r))
		for i, p := range r {
			rev[len(r)-1-i] = p
		}
		return rev
	}
	return r
}

// piece is a run of a ring inside the rectangle, from an entry to an exit on its outline.
type piece struct {
	pts       []orb.Point
	tin, tout float64 // positions on the outline, 0…4 counter-clockwise from Min
}

// perim places a point on b's outline: 0–1 bottom, 1–2 right, 2–3 top, 3–4 left.
func perim(b orb.Bound, p orb.Point) float64 {
	w, h := b.Max[0]-b.Min[0], b.Max[1]-b.Min[1]
	dB, dR := math.Abs(p[1]-b.Min[1]), math.Abs(p[0]-b.Max[0])
	dT, dL := math.Abs(p[1]-b.Max[1]), math.Abs(p[0]-b.Min[0])
	switch m := math.Min(math.Min(dB, dR), math.Min(dT, dL)); m {
	case dB:
		return (p[0] - b.Min[0]) / w
	case dR:
		return 1 + (p[1]-b.Min[1])/h
	case dT:
		return 2 + (b.Max[0]-p[0])/w
	}
	return 3 + (b.Max[1]-p[1])/h
}

// clipRing splits a closed ring into the pieces inside b. inside reports a ring wholly in b.
func clipRing(b orb.Bound, r orb.Ring) (out []piece, inside bool) {
	n := len(r) - 1
	start := -1
	for i := 0; i < n; i++ {
		if !b.Contains(r[i]) {
			start = i
			break
		}
	}
	if start < 0 {
		return nil, n >= 3
	}
	var cur *piece
	for k := 0; k < n; k++ {
		p, q := r[(start+k)%n], r[(start+k+1)%n]
		t0, t1, ok := liangBarsky(b, p, q)
		if !ok {
			continue
		}
		a := orb.Point{p[0] + t0*(q[0]-p[0]), p[1] + t0*(q[1]-p[1])}
		e := orb.Point{p[0] + t1*(q[0]-p[0]), p[1] + t1*(q[1]-p[1])}
		if cur == nil {
			cur = &piece{pts: []orb.Point{a}, tin: perim(b, a)}
		}
		if t1 < 1 {
			cur.pts = append(cur.pts, e)
			cur.tout = perim(b, e)
			out = append(out, *cur)
			cur = nil
		} else {
			cur.pts = append(cur.pts, q)
		}
	}
	return out, false
}

// liangBarsky returns the parameter range of segment p→q inside b.
func liangBarsky(b orb.Bound, p, q orb.Point) (float64, float64, bool) {
	t0, t1 := 0.0, 1.0
	dx, dy := q[0]-p[0], q[1]-p[1]
	for _, c := range [4][2]float64{{-dx, p[0] - b.Min[0]}, {dx, b.Max[0] - p[0]}, {-dy, p[1] - b.Min[1]}, {dy, b.Max[1] - p[1]}} {
		pp, qq := c[0], c[1]
		if pp == 0 {
			if qq < 0 {
				return 0, 0, false
			}
			continue
		}
		t := qq / pp
		if pp < 0 {
			t0 = math.Max(t0, t)
		} else {
			t1 = math.Min(t1, t)
		}
	}
	if t0 > t1 || (t0 == t1 && (t0 == 0 || t0 == 1)) {
		return 0, 0, false
	}
	return t0, t1, true
}

// linkPieces joins pieces into closed rings by walking the outline counter-clockwise from each
// exit to the next entry, adding the corners passed.
func linkPieces(b orb.Bound, ps []piece) []orb.Ring {
	order := make([]int, len(ps))
	for i := range order {
		order[i] = i
	}
	sort.Slice(order, func(i, j int) bool { return ps[order[i]].tin < ps[order[j]].tin })
	corners := []orb.Point{b.Min, {b.Max[0], b.Min[1]}, b.Max, {b.Min[0], b.Max[1]}}
	used := make([]bool, len(ps))
	var rings []orb.Ring
	for s := range ps {
		if used[s] {
			continue
		}
		var ring orb.Ring
		cur := s
		for guard := 0; guard <= len(ps); guard++ {
			used[cur] = true
			ring = append(ring, ps[cur].pts...)
			t := ps[cur].tout
			// next entry counter-clockwise from t
			next, best := -1, math.Inf(1)
			for _, j := range order {
				d := ps[j].tin - t
				if d < 0 {
					d += 4
				}
				if d < best {
					next, best = j, d
				}
			}
			// corners strictly between t and t+best
			for c := math.Floor(t) + 1; c < t+best; c++ {
				ring = append(ring, corners[int(c)%4])
			}
			if next == s || used[next] {
				break
			}
			cur = next
		}
		ring = append(ring, ring[0])
		if len(ring) >= 4 && math.Abs(planar.Area(ring)) > 0 {
			rings = append(rings, ring)
		}
	}
	return rings
}

func clipMulti(b orb.Bound, mp orb.MultiPolygon) []orb.Polygon {
	var out []orb.Polygon
	for _, p := range mp {
		out = append(out, clipPolygon(b, p)...)
	}
	return out
}
