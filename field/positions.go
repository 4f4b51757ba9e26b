package field

import (
	"math"
	"sync"
	"time"

	"github.com/paulmach/orb"

	"citygeo/data"
)

// Position is what is known now of one device: its newest fix and when it was last heard from.
type Position struct {
	Fix    data.Fix     // the newest fix by fix time
	Seen   time.Time    // last contact by the server's clock: a fix arriving (even a late one) or a heartbeat
	Device *data.Device // the registry's entry; nil when the registry is open and does not list it
}

// Online reports whether the device was heard from within d of now.
func (p *Position) Online(now time.Time, d time.Duration) bool { return now.Sub(p.Seen) <= d }

// Move tells a listener that a device's shown position changed: Old is where it was shown
// (nil for a device seen for the first time), New where it is shown now (nil for a device no
// longer shown: its latest fix passed the retention). The tiles covering
// both are exactly the ones to invalidate.
type Move struct {
	Device   string
	Old, New *orb.Point
}

// cellDeg is the side of a cell of the positions' grid in degrees: about 220 m north–south and
// 200 m east–west in southern China (170 m at 40°N). With a city's patrollers, a handful per
// cell, so a nearest search reads a few cells.
const cellDeg = 0.002

// positions is the latest position of every device, bucketed in a grid of cells keyed by their
// integer coordinates (a map, so any extent works). Updates move an entry between cells; reads
// take a read lock. Unlike an R-tree, a move costs two slice operations, which matters at
// 100k fixes a second.
type positions struct {
	mu    sync.RWMutex
	byDev map[string]*entry
	cells map[uint64][]*entry
}

type entry struct {
	pos  Position
	cell uint64
	slot int // index in cells[cell]
}

func newPositions() *positions {
	return &positions{byDev: map[string]*entry{}, cells: map[uint64][]*entry{}}
}

// cellXY returns the cell of p. Coordinates are clamped to the globe first (NaN to its lower
// edge): a bound or point beyond it must not reach int32's edge, where the cell loops of in
// and nearest would never end.
func cellXY(p orb.Point) (int32, int32) {
	return int32(math.Floor(clampDeg(p[0], 180) / cellDeg)), int32(math.Floor(clampDeg(p[1], 90) / cellDeg))
}

// clampDeg returns v within [-lim, lim], -lim for NaN.
func clampDeg(v, lim float64) float64 {
	switch {
	case v > lim:
		return lim
	case v >= -lim:
		return v
	}
	return -lim
}

func cellKey(x, y int32) uint64 { return uint64(uint32(x))<<32 | uint64(uint32(y)) }

func cellOf(p orb.Point) uint64 { return cellKey(cellXY(p)) }

// update applies fixes that are now durable, heard at now, and appends the moves of the shown
// positions to moves: one per device that moved, from where it was shown before the call to
// where it is shown after (readers never saw the steps between: the update holds the lock). A
// fix older than a device's newest one (a blind-area re-send) or with the same time (a
// re-send) leaves the position where it is; either still counts as contact.
func (ps *positions) update(fixes []data.Fix, reg *Registry, now time.Time, moves []Move) []Move {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	first := len(moves)
	var seen map[string]int // device → its move in moves, when several fixes of one device move it
	for i := range fixes {
		f := &fixes[i]
		e := ps.byDev[f.Device]
		var old *orb.Point
		switch {
		case e == nil:
			e = &entry{pos: Position{Fix: *f, Seen: now, Device: reg.Device(f.Device)}}
			ps.byDev[f.Device] = e
			ps.insert(e)
		case !f.Time.After(e.pos.Fix.Time):
			e.pos.Seen = now
			continue
		default:
			o := e.pos.Fix.Point
			old = &o
			e.pos.Fix, e.pos.Seen = *f, now
			if c := cellOf(f.Point); c != e.cell {
				ps.remove(e)
				ps.insert(e)
			}
		}
		np := f.Point
		if len(moves) > first && seen == nil {
			seen = make(map[string]int, len(fixes)-i)
			for j := first; j < len(moves); j++ {
				seen[moves[j].Device] = j
			}
		}
		if j, ok := seen[f.Device]; ok {
			moves[j].New = &np // keep the position shown before the call as Old
			continue
		}
		if seen != nil {
			seen[f.Device] = len(moves)
		}
		moves = append(moves, Move{Device: f.Device, Old: old, New: &np})
	}
	return moves
}

// touch records contact with device at now (a heartbeat); a device without a position yet is
// not placed anywhere, so it is ignored.
func (ps *positions) touch(device string, now time.Time) {
	ps.mu.Lock()
	if e := ps.byDev[device]; e != nil && now.After(e.pos.Seen) {
		e.pos.Seen = now
	}
	ps.mu.Unlock()
}

func (ps *positions) insert(e *entry) {
	e.cell = cellOf(e.pos.Fix.Point)
	s := ps.cells[e.cell]
	e.slot = len(s)
	ps.cells[e.cell] = append(s, e)
}

// remove takes e out of its cell by moving the cell's last entry into its slot.
func (ps *positions) remove(e *entry) {
	s := ps.cells[e.cell]
	last := s[len(s)-1]
	s[e.slot], last.slot = last, e.slot
	s[len(s)-1] = nil
	if s = s[:len(s)-1]; len(s) == 0 {
		delete(ps.cells, e.cell)
	} else {
		ps.cells[e.cell] = s
	}
}

// forget removes every position whose fix is older than cutoff and appends their moves (to
// nowhere) to moves.
func (ps *positions) forget(cutoff time.Time, moves []Move) []Move {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	for dev, e := range ps.byDev {
		if e.pos.Fix.Time.Before(cutoff) {
			ps.remove(e)
			delete(ps.byDev, dev)
			old := e.pos.Fix.Point
			moves = append(moves, Move{Device: dev, Old: &old})
		}
	}
	return moves
}

// get returns the position of device.
func (ps *positions) get(device string) (Position, bool) {
	ps.mu.RLock()
	defer ps.mu.RUnlock()
	if e := ps.byDev[device]; e != nil {
		return e.pos, true
	}
	return Position{}, false
}

// len returns the number of devices with a position.
func (ps *positions) len() int {
	ps.mu.RLock()
	defer ps.mu.RUnlock()
	return len(ps.byDev)
}

// in calls fn with every position inside b until fn returns false. fn runs under the read
// lock: it must not call back into the positions.
func (ps *positions) in(b orb.Bound, fn func(*Position) bool) {
	ps.mu.RLock()
	defer ps.mu.RUnlock()
	x0, y0 := cellXY(b.Min)
	x1, y1 := cellXY(b.Max)
	if cells := (int64(x1) - int64(x0) + 1) * (int64(y1) - int64(y0) + 1); cells > int64(len(ps.cells)) {
		// A bound wider than the occupied cells (a low-zoom tile, a whole-city list): scan the
		// entries instead of the empty cells.
		for _, e := range ps.byDev {
			if b.Contains(e.pos.Fix.Point) && !fn(&e.pos) {
				return
			}
		}
		return
	}
	for x := x0; x <= x1; x++ {
		for y := y0; y <= y1; y++ {
			for _, e := range ps.cells[cellKey(x, y)] {
				if b.Contains(e.pos.Fix.Point) && !fn(&e.pos) {
					return
				}
			}
		}
	}
}
