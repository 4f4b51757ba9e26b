package duty

import (
	"fmt"
	"math"
	"math/bits"
	"time"

	"github.com/paulmach/orb"

	"citygeo/data"
	"citygeo/geo"
)

// weekMinutes is the minutes of a week, Monday 00:00 first.
const weekMinutes = 7 * 24 * 60

// week is a set of the minutes of a week: the times a shift or a delegation can hold. Two
// assignments can clash only if their weeks meet, and a grid is covered for the minutes of the
// union of its 监督员's weeks.
type week [(weekMinutes + 63) / 64]uint64

// allWeek is every minute: an assignment without a shift.
var allWeek = func() *week {
	var w week
	for i := range weekMinutes {
		w[i/64] |= 1 << (i % 64)
	}
	return &w
}()

// windowWeek returns the minutes of a daily window on days (nil: every day; a nil window is
// the whole day). A window that wraps midnight runs into the next day, as covers reads it.
func windowWeek(days []time.Weekday, w *data.TimeWindow) *week {
	var out week
	on := [7]bool{}
	if len(days) == 0 {
		on = [7]bool{true, true, true, true, true, true, true}
	}
	for _, d := range days {
		on[(int(d)+6)%7] = true // Monday first
	}
	from, length := 0, 24*60
	if w != nil && w.From != w.To {
		from = int(w.From)
		length = (int(w.To) - from + 24*60) % (24 * 60)
	}
	for d := range 7 {
		if !on[d] {
			continue
		}
		for m := range length {
			i := (d*24*60 + from + m) % weekMinutes
			out[i/64] |= 1 << (i % 64)
		}
	}
	return &out
}

// shiftWeek returns the minutes of a shift.
func shiftWeek(s *data.Shift) *week { return windowWeek(s.Days, &s.Window) }

// meets reports whether two weeks share a minute.
func (w *week) meets(o *week) bool {
	for i := range w {
		if w[i]&o[i] != 0 {
			return true
		}
	}
	return false
}

// or adds o's minutes to w.
func (w *week) or(o *week) {
	for i := range w {
		w[i] |= o[i]
	}
}

// hours returns the hours of the week w holds.
func (w *week) hours() float64 {
	n := 0
	for _, x := range w {
		n += bits.OnesCount64(x)
	}
	return float64(n) / 60
}

// claims finds the assignments that decide the same question at the same time: two on one
// grid, community, street or district for one post; two zones holding one grid for one post;
// two on one segment; and two overlapping segments of one road for one post and side.
func (b *builder) claims() {
	ix := b.ix
	reported := map[[2]*assign]bool{}
	clash := func(x, y *assign, what string) {
		if reported[[2]*assign{x, y}] || reported[[2]*assign{y, x}] {
			return
		}
		reported[[2]*assign{x, y}] = true
		o := b.r.Origin(y.a)
		b.bad(x.a, x.a.ID, "post", string(x.a.Post), "%s for post %s at times that overlap assignment %s (%s row %d): a place has one %s at a time",
			what, x.a.Post.Chinese(), y.a.ID, o.Source, o.Row, x.a.Post.Chinese())
	}
	// The same place, the same post.
	pairs := func(list []*assign, what string) {
		for i, x := range list {
			for _, y := range list[:i] {
				if x.a.Post == y.a.Post && x.week.meets(y.week) {
					clash(x, y, what)
				}
			}
		}
	}
	for gi, list := range ix.gridAsg {
		pairs(list, "claims grid "+ix.ds.Grids[gi].Code)
	}
	for code, list := range ix.areas {
		pairs(list, "claims area "+code)
	}
	for i, list := range ix.segAsg {
		pairs(list, "claims segment "+ix.segs[i].ID)
	}
	for _, z := range ix.zones {
		pairs(z.asg, "claims zone "+z.z.ID)
	}
	// Zones: a grid held by two zones that both have the post at the same time.
	for gi, zs := range ix.gridZn {
		for i, zi := range zs {
			for _, zj := range zs[:i] {
				for _, x := range ix.zones[zi].asg {
					for _, y := range ix.zones[zj].asg {
						if x.a.Post == y.a.Post && x.week.meets(y.week) {
							clash(x, y, fmt.Sprintf("zone %s claims grid %s, also in zone %s,", ix.zones[zi].z.ID, ix.ds.Grids[gi].Code, ix.zones[zj].z.ID))
						}
					}
				}
			}
		}
	}
	b.overlaps(clash)
}

// overlapStep is the spacing of the points along one segment tested against another, and
// overlapNear how close such a point must be to lie on the other (segments of one road are
// resolved on one graph, so a shared stretch coincides); overlapMin is the overlap
// that counts (two segments meeting at a crossing share a point, not a stretch).
const (
	overlapStep = 2.0
	overlapNear = 1.0
	overlapMin  = 15.0
)

// overlaps finds two segments of one road, for one post and compatible sides, that share more
// than overlapMin metres of road at overlapping times.
func (b *builder) overlaps(clash func(x, y *assign, what string)) {
	ix := b.ix
	byRoad := map[string][]int{}
	for i, s := range ix.segs {
		if len(ix.segAsg[i]) > 0 {
			byRoad[s.RoadName] = append(byRoad[s.RoadName], i)
		}
	}
	for _, list := range byRoad {
		for i, si := range list {
			for _, sj := range list[:i] {
				s, t := ix.segs[si], ix.segs[sj]
				if s.Side != data.SideBoth && t.Side != data.SideBoth && s.Side != t.Side {
					continue
				}
				var shared float64
				computed := false
				for _, x := range ix.segAsg[si] {
					for _, y := range ix.segAsg[sj] {
						if x.a.Post != y.a.Post || !x.week.meets(y.week) {
							continue
						}
						if !computed {
							shared, computed = b.shared(s, t), true
						}
						if shared >= overlapMin {
							clash(x, y, fmt.Sprintf("segment %s overlaps segment %s by about %.0f m", s.ID, t.ID, shared))
						}
					}
				}
			}
		}
	}
}

// shared returns about how many metres of s lie on t.
func (b *builder) shared(s, t *Segment) float64 {
	pl := b.ix.pl
	if !s.Line.Bound().Pad(overlapNear / pl.KY).Intersects(t.Line.Bound()) {
		return 0
	}
	var tm [][2]orb.Point
	for _, l := range t.Line {
		for i := 1; i < len(l); i++ {
			tm = append(tm, [2]orb.Point{pl.ToMetres(l[i-1]), pl.ToMetres(l[i])})
		}
	}
	on := 0
	for _, l := range s.Line {
		for i := 1; i < len(l); i++ {
			a, c := pl.ToMetres(l[i-1]), pl.ToMetres(l[i])
			n := int(math.Ceil(dist(a, c) / overlapStep))
			for k := range n {
				f := (float64(k) + 0.5) / float64(n)
				p := orb.Point{a[0] + f*(c[0]-a[0]), a[1] + f*(c[1]-a[1])}
				for _, pc := range tm {
					if _, d2 := geo.NearestOnSegment(p, pc[0], pc[1]); d2 <= overlapNear*overlapNear {
						on++
						break
					}
				}
			}
		}
	}
	return float64(on) * overlapStep
}

// delegations checks that no person is handed on by two delegations at once and that no two
// delegations hand a post back and forth, and indexes them by the person they come from.
func (b *builder) delegations() {
	ix := b.ix
	weeks := make(map[*data.Delegation]*week, len(b.r.Delegations))
	for _, d := range b.r.Delegations {
		weeks[d] = windowWeek(d.Days, d.Window)
	}
	// Two delegations can hold at once when their weeks and date ranges meet (while_away may
	// hold at any time).
	together := func(x, y *data.Delegation) bool {
		if !weeks[x].meets(weeks[y]) {
			return false
		}
		before := func(end, start time.Time) bool { return !end.IsZero() && !start.IsZero() && !end.After(start) }
		return !before(x.Ends, y.Starts) && !before(y.Ends, x.Starts)
	}
	ok := map[*data.Delegation]bool{}
	for i, d := range b.r.Delegations {
		ok[d] = true
		for _, e := range b.r.Delegations[:i] {
			if !together(d, e) {
				continue
			}
			o := b.r.Origin(e)
			switch {
			case d.From == e.From:
				b.bad(d, d.ID, "from", d.From, "%s is also handed on by delegation %s (%s row %d) at overlapping times: one stand-in at a time",
					d.From, e.ID, o.Source, o.Row)
				ok[d] = false
			case d.From == e.To && d.To == e.From:
				b.bad(d, d.ID, "to", d.To, "hands the post back to %s, who hands it to %s by delegation %s (%s row %d) at overlapping times",
					d.To, d.From, e.ID, o.Source, o.Row)
				ok[d] = false
			}
		}
	}
	for _, d := range b.r.Delegations {
		if p, to := ix.people[d.From], ix.people[d.To]; p != nil && to != nil && ok[d] {
			p.delegs = append(p.delegs, deleg{d: d, week: weeks[d], to: to})
		}
	}
}
