package duty

import (
	"math"
	"time"

	"github.com/paulmach/orb"

	"citygeo/data"
	"citygeo/dispatch"
	"citygeo/geo"
)

// Query asks who is on duty at a point at a time.
type Query struct {
	Point orb.Point // CGCS2000 lon/lat
	At    time.Time
	Post  data.Post // "": every post
	// Located says Grid is the point's grid as the caller located it (nil: in no grid), so
	// OnDuty does not locate the point again.
	Located bool
	Grid    *data.Grid
}

// OnDuty answers who is on duty at q.Point at q.At, appending to buf (which may be nil):
//
//   - for each post held on areas, the assignment on the point's grid, else on a zone holding
//     the grid, else on its community, street, then district — the most specific place whose
//     assignment's shift covers the time;
//   - every road segment whose line passes within the segment radius beside the point (not
//     beyond its ends) on the side it covers, nearest first, with the assignments whose shift
//     covers the time;
//   - for each, the person to call: the assignee, or the leader of the team, handed on by the
//     delegation that holds at that time (up to three hops, A → B → C), which is named.
//
// Answers come in the order of data.Posts, then segments by distance. The PersonRef, TeamRef
// and ZoneRef values are shared between answers: copy one before changing it.
func (ix *Index) OnDuty(q Query, buf []data.OnDuty) []data.OnDuty {
	out := buf[:0]
	t := q.At.In(ix.opts.Location)
	m := weekMinute(t)
	grid := q.Grid
	if !q.Located {
		grid = ix.geo.Locate(q.Point).Grid
	}
	if grid != nil {
		if gi, ok := ix.grids[grid]; ok {
			out = ix.areaDuty(out, q.Post, grid, gi, t, m)
		}
	}
	return ix.segmentDuty(out, q, t, m)
}

// Responsible implements dispatch.People: OnDuty for every post at a point the dispatcher
// has located.
func (ix *Index) Responsible(p orb.Point, grid *data.Grid, at time.Time) []data.OnDuty {
	return ix.OnDuty(Query{Point: p, At: at, Located: true, Grid: grid}, nil)
}

var _ dispatch.People = (*Index)(nil)

// weekMinute returns the minute of the week of local time t, Monday 00:00 = 0.
func weekMinute(t time.Time) int {
	return (int(t.Weekday())+6)%7*24*60 + t.Hour()*60 + t.Minute()
}

// on reports whether minute m is in w.
func (w *week) on(m int) bool { return w[m/64]&(1<<(m%64)) != 0 }

// areaDuty appends the area answers for grid gi: per post, the most specific place with an
// assignment on duty.
func (ix *Index) areaDuty(out []data.OnDuty, post data.Post, grid *data.Grid, gi int32, t time.Time, m int) []data.OnDuty {
	com := &ix.comAsg[ix.gridCom[gi]]
	zones := ix.gridZn[gi]
	if len(ix.gridAsg[gi]) == 0 && len(zones) == 0 && len(com[0])+len(com[1])+len(com[2]) == 0 {
		return out
	}
	for _, p := range data.Posts {
		if post != "" && p != post {
			continue
		}
		n := len(out)
		for _, a := range ix.gridAsg[gi] {
			if a.a.Post == p && a.week.on(m) {
				out = ix.answer(out, a, t, m, data.ViaGrid, grid.Code, nil)
			}
		}
		if len(out) > n {
			continue
		}
		for _, zi := range zones {
			z := ix.zones[zi]
			for _, a := range z.asg {
				if a.a.Post == p && a.week.on(m) {
					out = ix.answer(out, a, t, m, data.ViaZone, "", z.ref)
				}
			}
		}
		if len(out) > n {
			continue
		}
		for lvl, via := range [3]data.Via{data.ViaCommunity, data.ViaStreet, data.ViaDistrict} {
			for _, a := range com[lvl] {
				if a.a.Post == p && a.week.on(m) {
					out = ix.answer(out, a, t, m, via, a.a.Area, nil)
				}
			}
			if len(out) > n {
				break
			}
		}
	}
	return out
}

// answer appends the answer of an assignment found on duty.
func (ix *Index) answer(out []data.OnDuty, a *assign, t time.Time, m int, via data.Via, area string, z *data.ZoneRef) []data.OnDuty {
	od := data.OnDuty{Post: a.a.Post, PostName: a.a.Post.Chinese(), Via: via, Area: area, Zone: z,
		Assignment: a.a.ID, Shift: a.a.Shift}
	who := a.person
	if a.team != nil {
		od.Team, od.Unit, who = a.team.ref, a.team.t.Department, a.team.leader
	}
	if who != nil {
		final, d := ix.delegate(who, t, m)
		od.Person = final.ref
		if od.Unit.IsZero() {
			od.Unit = who.p.Department
		}
		if d != nil {
			reason := "window"
			if d.WhileAway {
				reason = "away"
			}
			od.Delegation = &data.DelegationRef{ID: d.ID, From: who.ref, Reason: reason}
		}
	}
	return append(out, od)
}

// maxHops bounds how far a post is handed on (A → B → C → D) so that a chain the import could
// not see as a loop still ends.
const maxHops = 3

// delegate returns who holds p's posts at local time t (minute m of the week) and the first
// delegation that moved them, nil when p holds them.
func (ix *Index) delegate(p *person, t time.Time, m int) (*person, *data.Delegation) {
	var first *data.Delegation
	cur := p
	for range maxHops {
		var next *data.Delegation
		for _, d := range cur.delegs {
			if d.ActiveAt(t, cur.p.Away) {
				next = d
				break
			}
		}
		if next == nil {
			break
		}
		if first == nil {
			first = next
		}
		to := ix.people[next.To]
		if to == nil || to == p {
			break
		}
		cur = to
	}
	return cur, first
}

// segmentDuty appends the answers of the segments beside the point.
func (ix *Index) segmentDuty(out []data.OnDuty, q Query, t time.Time, m int) []data.OnDuty {
	var hitBuf [8]segHit
	hits := ix.segIdx.near(q.Point, hitBuf[:0])
	start := len(out)
	for _, h := range hits {
		s := ix.segs[h.seg]
		for _, a := range ix.segAsg[h.seg] {
			if (q.Post != "" && a.a.Post != q.Post) || !a.week.on(m) {
				continue
			}
			ref := s.ref
			ref.Distance = math.Round(h.dist*10) / 10
			out = ix.answer(out, a, t, m, data.ViaSegment, "", nil)
			od := &out[len(out)-1]
			od.Segment = &ref
			if !s.Unit.IsZero() {
				od.Unit = s.Unit
			}
		}
	}
	// Nearest segment first (few answers: insertion sort).
	for i := start + 1; i < len(out); i++ {
		for j := i; j > start && out[j].Segment.Distance < out[j-1].Segment.Distance; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// segIndex buckets the pieces of every segment's line, padded by the radius, in square cells of
// the local plane: a lookup reads one cell.
type segIndex struct {
	pl     geo.Plane
	radius float64
	x0, y0 float64 // metres of the corner of cell (0, 0)
	cs     float64 // cell side, metres
	nx, ny int
	start  []int32 // cell c holds items[start[c]:start[c+1]]
	items  []int32
	pcs    []segPiece
	sides  []orb.Point // per segment: the unit vector of the side it covers, zero for both
}

// segPiece is one straight piece of a segment's line in the plane; first and last mark the
// pieces that end the line, beyond which a point is not beside the segment.
type segPiece struct {
	seg         int32
	a, b        orb.Point
	first, last bool
}

// segHit is a segment beside a point, at dist metres; off is the point's offset from the
// nearest point of the line (metres east, north).
type segHit struct {
	seg  int32
	dist float64
	off  orb.Point
}

// maxSegCells bounds the cell array of a segment index (a city spans tens of kilometres; a
// bogus far-away line must not allocate a continent of cells).
const maxSegCells = 1 << 22

func newSegIndex(pl geo.Plane, segs []*Segment, radius float64) segIndex {
	ix := segIndex{pl: pl, radius: radius, cs: math.Max(100, 2*radius)}
	var b orb.Bound
	first := true
	for si, s := range segs {
		ix.sides = append(ix.sides, s.Side.Unit())
		for _, l := range s.Line {
			for i := 1; i < len(l); i++ {
				p := segPiece{seg: int32(si), a: pl.ToMetres(l[i-1]), b: pl.ToMetres(l[i]), first: i == 1, last: i == len(l)-1}
				ix.pcs = append(ix.pcs, p)
				pb := orb.Bound{Min: p.a, Max: p.a}.Extend(p.b)
				if first {
					b, first = pb, false
				} else {
					b = b.Union(pb)
				}
			}
		}
	}
	if len(ix.pcs) == 0 {
		return ix
	}
	b = b.Pad(radius)
	for {
		ix.nx = int(math.Ceil((b.Max[0]-b.Min[0])/ix.cs)) + 1
		ix.ny = int(math.Ceil((b.Max[1]-b.Min[1])/ix.cs)) + 1
		if ix.nx*ix.ny <= maxSegCells {
			break
		}
		ix.cs *= 2
	}
	ix.x0, ix.y0 = b.Min[0], b.Min[1]
	// Two passes: count the pieces per cell, then fill (one flat array, no slice per cell).
	count := make([]int32, ix.nx*ix.ny+1)
	ix.eachCell(func(c int, _ int32) { count[c+1]++ })
	for i := 1; i < len(count); i++ {
		count[i] += count[i-1]
	}
	ix.start = count
	ix.items = make([]int32, count[len(count)-1])
	fill := append([]int32(nil), count[:len(count)-1]...)
	ix.eachCell(func(c int, pi int32) {
		ix.items[fill[c]] = pi
		fill[c]++
	})
	return ix
}

// eachCell calls fn for every cell each piece's padded box touches.
func (ix *segIndex) eachCell(fn func(cell int, piece int32)) {
	for pi, p := range ix.pcs {
		x0, y0 := ix.cell(math.Min(p.a[0], p.b[0])-ix.radius, math.Min(p.a[1], p.b[1])-ix.radius)
		x1, y1 := ix.cell(math.Max(p.a[0], p.b[0])+ix.radius, math.Max(p.a[1], p.b[1])+ix.radius)
		for y := y0; y <= y1; y++ {
			for x := x0; x <= x1; x++ {
				fn(y*ix.nx+x, int32(pi))
			}
		}
	}
}

// cell returns the clamped cell of a point in metres.
func (ix *segIndex) cell(x, y float64) (int, int) {
	cx := min(max(int((x-ix.x0)/ix.cs), 0), ix.nx-1)
	cy := min(max(int((y-ix.y0)/ix.cs), 0), ix.ny-1)
	return cx, cy
}

// near appends the segments beside lon/lat point q within the radius, each once at its least
// distance. A point past the end of a segment's line is not beside it, and a segment that
// covers one side of its road is beside only the points on that side.
func (ix *segIndex) near(q orb.Point, out []segHit) []segHit {
	if len(ix.pcs) == 0 {
		return out
	}
	p := ix.pl.ToMetres(q)
	if p[0] < ix.x0 || p[1] < ix.y0 || p[0] > ix.x0+float64(ix.nx)*ix.cs || p[1] > ix.y0+float64(ix.ny)*ix.cs {
		return out
	}
	cx, cy := ix.cell(p[0], p[1])
	c := cy*ix.nx + cx
	for _, pi := range ix.items[ix.start[c]:ix.start[c+1]] {
		pc := &ix.pcs[pi]
		ab := orb.Point{pc.b[0] - pc.a[0], pc.b[1] - pc.a[1]}
		l2 := ab[0]*ab[0] + ab[1]*ab[1]
		t := 0.0
		if l2 > 0 {
			t = ((p[0]-pc.a[0])*ab[0] + (p[1]-pc.a[1])*ab[1]) / l2
		}
		if (t < 0 && pc.first) || (t > 1 && pc.last) {
			continue // past the end of the line
		}
		t = min(max(t, 0), 1)
		off := orb.Point{p[0] - pc.a[0] - t*ab[0], p[1] - pc.a[1] - t*ab[1]}
		d := math.Hypot(off[0], off[1])
		if d > ix.radius {
			continue
		}
		found := false
		for i := range out {
			if out[i].seg == pc.seg {
				found = true
				if d < out[i].dist {
					out[i].dist, out[i].off = d, off
				}
			}
		}
		if !found {
			out = append(out, segHit{seg: pc.seg, dist: d, off: off})
		}
	}
	// The side is judged from the nearest point of the line: a point on the line (within half
	// a metre) is on both sides.
	kept := out[:0]
	for _, h := range out {
		u := ix.sides[h.seg]
		if u == (orb.Point{}) || h.dist < 0.5 || h.off[0]*u[0]+h.off[1]*u[1] > 0 {
			kept = append(kept, h)
		}
	}
	return kept
}
