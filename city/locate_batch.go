package city

import (
	"weak"

	"github.com/paulmach/orb"

	"citygeo/data"
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

	// The area chains written so far, for the snapshot snap: a city has a few thousand
	// communities and a batch's points share them, so each chain is escaped once, not once
	// per point. chainText holds them one after another. snap is weak so that a pooled Batch
	// does not keep a version the city has let go.
	snap      weak.Pointer[Snapshot]
	chains    map[*data.Area]chainAt
	chainText []byte
}

// chainAt is the JSON of a community's chain in Batch.chainText, valid for an answer whose
// street and district are these.
type chainAt struct {
	street, district *data.Area
	from, to         int
}

// LocateBatch locates each of pts (CGCS2000; given[i] is pts[i] as the client sent it, in crs)
// as LocateInto does and calls fn with each answer in order. The answer is b's, valid until
// fn returns; locating allocates nothing when q asks for no components.
//
// It is LocateInto point after point, in fewer CPU cycles on a large city: the places come
// from geo.Index.LocateBatch, and the grids and areas an answer reads are fetched for a
// stride of points at a time (touch) before any is written.
func (s *Snapshot) LocateBatch(b *Batch, given, pts []orb.Point, crs geo.CRS, q geo.NearestQuery, fn func(i int, l *Located)) {
	if b.snap.Value() != s || b.chains == nil { // a new version: let the last one's areas go
		b.snap, b.chainText = weak.Make(s), b.chainText[:0]
		if b.chains == nil {
			b.chains = make(map[*data.Area]chainAt)
		}
		clear(b.chains)
	}
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
			b.loc.chainJSON = b.chain(&b.locs[i])
			fn(i, &b.loc)
		}
	}
	// A pooled Batch keeps no grid of this version alive; its chains go with the next version.
	clear(b.locs)
}

// chain returns the JSON of loc's area chain as appendLocated writes it, from b's cache of the
// snapshot's chains (nil when loc has no community).
func (b *Batch) chain(loc *geo.Location) []byte {
	c := loc.Community
	if c == nil {
		return nil
	}
	at, ok := b.chains[c]
	if !ok || at.street != loc.Street || at.district != loc.District {
		at = chainAt{street: loc.Street, district: loc.District, from: len(b.chainText)}
		b.chainText = appendChain(b.chainText, c.Ref(), loc.Street.Ref(), loc.District.Ref())
		at.to = len(b.chainText)
		b.chains[c] = at
	}
	return b.chainText[at.from:at.to]
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
