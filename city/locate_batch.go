package city

import (
	"github.com/paulmach/orb"

	"citygeo/geo"
)

// batchStride is how many answers LocateBatch prepares together before handing them out (see
// Batch.touch).
const batchStride = 64

// Batch is the memory LocateBatch reuses from one call to the next (a caller pools it): the
// places found and the answer handed out. Its zero value is ready; it is not for concurrent
// use.
type Batch struct {
	locs []geo.Location
	loc  Located
	near []geo.Neighbor
	sink int // see touch
}

// LocateBatch locates each of pts (CGCS2000; given[i] is pts[i] as the client sent it, in crs)
// as LocateInto does and calls fn with each answer in order. The answer is b's, valid until
// fn returns; locating allocates nothing when q asks for no components.
//
// It is LocateInto point after point, in fewer CPU cycles on a large city: the places come
// from geo.Index.LocateBatch, and the grids and areas an answer reads are fetched for a
// stride of points at a time (touch) before any is written.
func (s *Snapshot) LocateBatch(b *Batch, given, pts []orb.Point, crs geo.CRS, q geo.NearestQuery, fn func(i int, l *Located)) {
	b.locs = s.Geo.LocateBatch(pts, b.locs)
	if o := s.edits.Load(); o != nil && len(o.grids) > 0 {
		for i := range b.locs {
			b.locs[i] = s.overEdits(o, pts[i], b.locs[i])
		}
	}
	for lo := 0; lo < len(pts); lo += batchStride {
		hi := min(lo+batchStride, len(pts))
		b.touch(b.locs[lo:hi])
		for i := lo; i < hi; i++ {
			b.near = s.locatedInto(&b.loc, b.locs[i], given[i], pts[i], crs, q, b.near)
			fn(i, &b.loc)
		}
	}
	// A pooled Batch keeps no grid of this version alive.
	clear(b.locs)
}

// touch reads what the answers of locs will read — each grid and area, then the grid codes'
// bytes (the areas' are in the chain cache) — in two passes over the stride. On a large city
// each of these is a cache miss; read answer by answer they wait for one another, read here
// the misses of a pass are independent and overlap. The sum kept in b.sink is only there so
// that the reads are not optimised away.
func (b *Batch) touch(locs []geo.Location) {
	n := 0
	for i := range locs {
		l := &locs[i]
		if g := l.Grid; g != nil {
			n += len(g.Code)
			if g.Derived { // the end of the struct, which may lie on the next cache line
				n++
			}
		}
		if a := l.Community; a != nil {
			n += len(a.Code) + len(a.Name)
		}
		if a := l.Street; a != nil {
			n += len(a.Code) + len(a.Name)
		}
	}
	for i := range locs {
		l := &locs[i]
		if g := l.Grid; g != nil && g.Code != "" {
			n += int(g.Code[0])
		}
	}
	b.sink += n
}
