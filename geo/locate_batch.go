package geo

import (
	"slices"

	"github.com/paulmach/orb"
)

// locateStride is how many points LocateBatch carries through each step together: enough
// independent cache misses to keep the memory system busy, few enough that the step's state
// stays on the stack.
const locateStride = 64

// LocateBatch locates each point of pts as Locate does, into out (reused: resized to
// len(pts)), and returns it.
//
// It gives Locate's answers faster on a large city. There a point's lookup is a chain of
// cache misses (its bucket's bounds, the bucket's entries, the grid's vertices, the grid and
// its areas), each waiting for the one before, so one Locate spends most of its time
// waiting on memory. LocateBatch takes the points a stride at a time through the chain one
// step per pass, so the misses of a pass are independent and the processor overlaps them.
// A point that the common case does not settle (its first candidate grid does not hold it,
// or no grid box does) is answered by Locate itself.
func (ix *Index) LocateBatch(pts []orb.Point, out []Location) []Location {
	out = slices.Grow(out[:0], len(pts))[:len(pts)]
	for lo := 0; lo < len(pts); lo += locateStride {
		hi := min(lo+locateStride, len(pts))
		ix.locateStride(pts[lo:hi], out[lo:hi])
	}
	return out
}

// locateStride answers up to locateStride points, step by step (see LocateBatch).
func (ix *Index) locateStride(pts []orb.Point, out []Location) {
	var (
		span [locateStride][2]int32 // the point's bucket: entries[span[0]:span[1]]
		cand [locateStride]int32    // the first entry whose box holds the point, or -1
	)
	ci := &ix.cells
	for i, p := range pts {
		span[i] = [2]int32{0, 0}
		if k, ok := ci.cell(p); ok { // false also for NaN and infinities
			span[i] = [2]int32{ci.start[k], ci.start[k+1]}
		}
	}
	// The steps below that only copy into out (which each point's answer overwrites at the
	// end) fetch what the next step reads: loops without a hard-to-predict branch, so the
	// processor runs many iterations ahead and their misses overlap. A step that tests boxes
	// or rings branches on the data and would wait out each miss in turn.
	for i := range pts {
		if s := span[i]; s[0] < s[1] { // the bucket's first and last entries
			out[i].Point, out[i].SnapDistance = ci.entries[s[0]].box.Min, ci.entries[s[1]-1].box.Max[0]
		}
	}
	for i, p := range pts {
		cand[i] = -1
		for k := span[i][0]; k < span[i][1]; k++ {
			if ci.entries[k].box.Contains(p) {
				cand[i] = k
				break
			}
		}
	}
	for i := range pts {
		if k := cand[i]; k >= 0 { // the candidate's first and last vertices
			if e := &ci.entries[k]; e.n > 0 {
				out[i].Point, out[i].SnapDistance = ci.pts[e.off], ci.pts[e.off+e.n-1][0]
			}
		}
	}
	for i, p := range pts {
		k := cand[i]
		if k < 0 {
			out[i] = ix.Locate(p)
			continue
		}
		e := &ci.entries[k]
		var in bool
		if e.n >= 0 {
			in = ringContains(ci.pts[e.off:e.off+e.n], p)
		} else {
			in = ix.gridPoly.contains(int(e.grid), p)
		}
		if !in {
			out[i] = ix.Locate(p) // a later candidate, a snap or an area: Locate's own order
			cand[i] = -1
			continue
		}
		cand[i] = e.grid
	}
	for i, p := range pts {
		if g := cand[i]; g >= 0 {
			out[i] = Location{Point: p, Grid: ix.grids[g]}
			ix.setChain(&out[i], ix.gridChain[g])
		}
	}
}
