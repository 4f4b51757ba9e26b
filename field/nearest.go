package field

import (
	"math"
	"time"

	"github.com/paulmach/orb"

	"citygeo/data"
	"citygeo/geo"
)

// Duty says who is on duty where and when: the people and zones model (who patrols which zone
// on which shift) implements it. The nearest search asks it only about candidates that passed
// every other filter, nearest first.
type Duty interface {
	// Holds reports whether the subject of d (its person or its team) is on duty for p at at.
	Holds(d *data.Device, p orb.Point, at time.Time) bool
}

// NearestQuery asks for the devices nearest a point. The zero value of a filter accepts all.
type NearestQuery struct {
	Point orb.Point // CGCS2000 lon/lat
	K     int       // how many; ≤ 0 means 1
	// MaxDistance bounds the search in metres; 0 is unbounded.
	MaxDistance float64
	Kind        data.DeviceKind // person or vehicle; "" either (a device the registry does not list has no kind)
	Role        string          // the registry's role; "" any
	// OnlineWithin keeps devices heard from within this long of Now; 0 keeps all.
	OnlineWithin time.Duration
	Now          time.Time
	// OnDuty keeps only devices on duty for Point at Now, as Duty (else Options.Duty) says;
	// without either the search fails with ErrNoDuty.
	OnDuty bool
	// Duty answers the on-duty filter for this search: the duty lists resolved against the
	// dataset version being served, which changes under a long-lived Force. nil: Options.Duty.
	Duty Duty
}

// Neighbor is one answer of a nearest search.
type Neighbor struct {
	Position
	// Distance is the straight-line distance from the query point in metres, measured in the
	// local plane at the query point (geo.LocalPlane): within 0.1 % of the great circle over
	// 10 km, and without trigonometry per candidate.
	Distance float64
}

func (q *NearestQuery) accepts(p *Position) bool {
	d := p.Device
	switch {
	case q.Kind != "" && (d == nil || d.Kind != q.Kind):
		return false
	case q.Role != "" && (d == nil || d.Role != q.Role):
		return false
	case q.OnlineWithin > 0 && !p.Online(q.Now, q.OnlineWithin):
		return false
	}
	return true
}

// nearest appends to buf[:0] the K positions nearest q.Point that pass the filters and duty
// (when not nil), nearest first. It reads the grid ring by ring around the query's cell and stops when no unread ring
// can hold anything nearer than the K-th found; with few positions spread wide it reads them
// all instead of the empty rings between.
func (ps *positions) nearest(q NearestQuery, duty Duty, buf []Neighbor) []Neighbor {
	k := max(q.K, 1)
	out := buf[:0]
	ps.mu.RLock()
	defer ps.mu.RUnlock()
	cx, cy := cellXY(q.Point)
	pl := geo.LocalPlane(q.Point)
	// Everything in ring r (cells at Chebyshev distance r) is at least (r-1) cells away in the
	// narrower direction.
	cellM := cellDeg * math.Min(pl.KX, pl.KY)
	worst := func() float64 {
		if len(out) < k {
			return math.Inf(1)
		}
		return out[len(out)-1].Distance
	}
	consider := func(e *entry) {
		if !q.accepts(&e.pos) {
			return
		}
		d := pl.Distance(q.Point, e.pos.Fix.Point)
		if (q.MaxDistance > 0 && d > q.MaxDistance) || d >= worst() {
			return
		}
		if duty != nil && !duty.Holds(e.pos.Device, q.Point, q.Now) {
			return
		}
		out = insertNeighbor(out, Neighbor{Position: e.pos, Distance: d}, k)
	}
	n := len(ps.byDev)
	for r := int32(0); ; r++ {
		floor := float64(r-1) * cellM
		if r > 0 && (floor >= worst() || (q.MaxDistance > 0 && floor > q.MaxDistance)) {
			return out
		}
		if side := int64(2*r + 1); side*side > 4*int64(n) {
			// The rings read so far hold fewer cells than a quarter of the positions would
			// fill: the rest are sparse, so read every position once and stop.
			out = out[:0]
			for _, e := range ps.byDev {
				consider(e)
			}
			return out
		}
		if r == 0 {
			for _, e := range ps.cells[cellKey(cx, cy)] {
				consider(e)
			}
			continue
		}
		read := func(x, y int32) {
			for _, e := range ps.cells[cellKey(x, y)] {
				consider(e)
			}
		}
		for x := cx - r; x <= cx+r; x++ { // the ring's top and bottom rows
			read(x, cy-r)
			read(x, cy+r)
		}
		for y := cy - r + 1; y < cy+r; y++ { // its sides, without the corners
			read(cx-r, y)
			read(cx+r, y)
		}
	}
}

// insertNeighbor inserts nb into out (sorted by distance, at most k long).
func insertNeighbor(out []Neighbor, nb Neighbor, k int) []Neighbor {
	i := len(out)
	for i > 0 && out[i-1].Distance > nb.Distance {
		i--
	}
	if len(out) < k {
		out = append(out, Neighbor{})
	}
	copy(out[i+1:], out[i:len(out)-1])
	out[i] = nb
	return out
}
