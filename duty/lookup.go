package duty

import (
	"math"
	"slices"
	"time"

	"github.com/paulmach/orb"

	"citygeo/data"
	"citygeo/dispatch"
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
		if si, ok := ix.setOf[grid]; ok {
			out = ix.areaDuty(out, q.Post, si, t, m)
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

// areaDuty appends the area answers from a grid's candidate list si: per post, the assignments
// on duty at the most specific place that has one — the grid, a zone holding it, its
// community, street, district.
// The grid's candidates come most specific first, so one pass does: a post answered at one
// level is skipped at the levels after it.
func (ix *Index) areaDuty(out []data.OnDuty, post data.Post, si int32, t time.Time, m int) []data.OnDuty {
	start := len(out)
	var done, level uint32 // posts answered at earlier levels, at this level
	cur := uint8(0)
	cands := ix.sets[si]
	for i := range cands {
		c := &cands[i]
		if c.level != cur {
			done, level, cur = done|level, 0, c.level
		}
		bit := uint32(1) << c.post
		if done&bit != 0 || (post != "" && c.tmpl.Post != post) || !c.week.on(m) {
			continue
		}
		level |= bit
		out = ix.answer(out, c, t, m)
	}
	// In the order of data.Posts (few answers: insertion sort, stable).
	for i := start + 1; i < len(out); i++ {
		for j := i; j > start && slices.Index(data.Posts, out[j].Post) < slices.Index(data.Posts, out[j-1].Post); j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// answer appends the answer of a candidate found on duty: its template, with the person moved
// by a delegation that holds at t.
func (ix *Index) answer(out []data.OnDuty, c *cand, t time.Time, m int) []data.OnDuty {
	out = append(out, c.tmpl)
	if c.who == nil || len(c.who.delegs) == 0 {
		return out
	}
	final, d := ix.delegate(c.who, t, m)
	if d != nil {
		od := &out[len(out)-1]
		reason := "window"
		if d.WhileAway {
			reason = "away"
		}
		od.Person = final.ref
		od.Delegation = &data.DelegationRef{ID: d.ID, From: c.who.ref, Reason: reason}
	}
	return out
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
		var next *deleg
		for i := range cur.delegs {
			if d := &cur.delegs[i]; d.activeAt(t, m, cur.p.Away) {
				next = d
				break
			}
		}
		if next == nil || next.to == p {
			break
		}
		if first == nil {
			first = next.d
		}
		cur = next.to
	}
	return cur, first
}

// segmentDuty appends the answers of the segments beside the point.
func (ix *Index) segmentDuty(out []data.OnDuty, q Query, t time.Time, m int) []data.OnDuty {
	var hitBuf [8]segHit
	hits := ix.segIdx.near(q.Point, hitBuf[:0])
	start := len(out)
	for _, h := range hits {
		cands := ix.segCands[h.seg]
		for i := range cands {
			c := &cands[i]
			if (q.Post != "" && c.tmpl.Post != q.Post) || !c.week.on(m) {
				continue
			}
			ref := c.seg
			ref.Distance = math.Round(h.dist*10) / 10
			out = ix.answer(out, c, t, m)
			out[len(out)-1].Segment = &ref
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

// Holds reports whether the subject of device d is on duty for p at at: an answer of OnDuty
// there names d's person (after delegation, so a stand-in holds the post and the absent holder
// does not), d itself as the person's handset, or d's team (by id or name: a team's post is
// held by all of its members, whose leader is the one named to call). It implements field.Duty, the
// on-duty filter of the nearest-patroller search. A device the registry does not list (nil)
// holds nothing.
func (ix *Index) Holds(d *data.Device, p orb.Point, at time.Time) bool {
	if d == nil || ix == nil {
		return false
	}
	var buf [8]data.OnDuty
	for _, a := range ix.OnDuty(Query{Point: p, At: at}, buf[:0]) {
		switch {
		case a.Person != nil && (a.Person.ID == d.Subject || a.Person.Device != "" && a.Person.Device == d.ID):
			return true
		case a.Team != nil && d.Team != "" && (a.Team.ID == d.Team || a.Team.Name == d.Team):
			return true
		}
	}
	return false
}
