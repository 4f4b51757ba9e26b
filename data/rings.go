package data

import (
	"unsafe"

	"github.com/paulmach/orb"
)

// Rings stores polygons in shared chunks: their ring headers in chunks of ring headers, their
// points in chunks of points. A polygon as decoded (WKB, GeoJSON) is a slice of ring headers and
// a slice of points for each ring, two heap objects or more for every grid and building: about
// 530,000 of the 770,000 objects the collector marked on each cycle serving the 100k-grid city
// (bench/heap -gc), ~49 ms of CPU a cycle in which requests wait. Copied here, a polygon costs
// the collector a pointer in a chunk of ring headers, and its points sit in chunks that hold no
// pointers at all. In an arena, whose keep holds every chunk of points, the chunks of ring
// headers are not scanned either (noscanRings): 240,000 grid and building polygons were still
// 240,000 pointers to follow, and the loaded dataset's collection went from 8.0 to 3.4 ms. The
// zero Rings is ready to use; it is not safe for concurrent use.
type Rings struct {
	rings  []orb.Ring  // the rest of the current chunk of ring headers
	points []orb.Point // the rest of the current chunk of points
	keep   *arenaKeep  // of the Arena this belongs to, if any
}

// Chunk sizes: ring headers are 24 bytes, points 16.
const (
	ringsChunk      = 4096
	ringPointsChunk = 16384
	// ownChunkPoints is the ring size from which a ring gets an allocation of its own rather
	// than leave most of a chunk unused.
	ownChunkPoints = ringPointsChunk / 8
)

// Polygon returns a copy of p in the chunks; nil for nil. The copy's rings and its ring slice
// have no room to grow: an append to one reallocates rather than write over its neighbour.
func (s *Rings) Polygon(p orb.Polygon) orb.Polygon {
	if len(p) == 0 {
		return p // nil, or empty: nothing of the heap to hold
	}
	if len(p) > len(s.rings) {
		if s.keep != nil {
			s.rings = noscanRings(s.keep, max(ringsChunk, len(p)))
			s.keep.rings = append(s.keep.rings, s.rings)
		} else {
			s.rings = make([]orb.Ring, max(ringsChunk, len(p)))
		}
	}
	out := s.rings[:len(p):len(p)]
	s.rings = s.rings[len(p):]
	for i, r := range p {
		out[i] = s.ring(r)
	}
	return out
}

// ring returns a copy of r among the chunks of points.
func (s *Rings) ring(r orb.Ring) orb.Ring {
	if len(r) == 0 {
		return nil // not r: in an unscanned chunk a pointer to r's array would not keep it
	}
	buf := s.points
	if len(r) >= ownChunkPoints {
		buf = make([]orb.Point, len(r))
		s.keepPoints(buf)
	} else if len(r) > len(s.points) {
		s.points = make([]orb.Point, ringPointsChunk)
		s.keepPoints(s.points)
		buf = s.points
	}
	out := buf[:len(r):len(r)]
	copy(out, r)
	if len(r) < ownChunkPoints {
		s.points = s.points[len(r):]
	}
	return out
}

func (s *Rings) keepPoints(buf []orb.Point) {
	if s.keep != nil {
		s.keep.points = append(s.keep.points, buf)
	}
}

// ringChunk is the memory of a chunk of ring headers in an arena. keep must stay its first and
// only pointer field: the collector scans an object up to its type's last pointer word, so it
// reads that word and none of the headers, and a polygon kept after every feature of its arena
// is gone still holds the keep, and through it its points, as a scanned chunk would.
type ringChunk struct {
	keep  *arenaKeep
	words [ringsChunk * ringWords]uintptr
}

// ringWords is the size of a ring header in words: pointer, length and capacity.
const ringWords = unsafe.Sizeof(orb.Ring{}) / unsafe.Sizeof(uintptr(0))

// noscanRings returns n zero ring headers in memory the collector does not scan, tied to keep;
// more than a chunk's worth (a polygon of thousands of rings) come scanned from the heap. Safe
// because the keep holds every chunk of points its Rings copy a ring into (keepPoints). Written
// here, not taken from a library, for the reason Arena is (Go cannot say "do not scan this").
func noscanRings(keep *arenaKeep, n int) []orb.Ring {
	if n > ringsChunk {
		return make([]orb.Ring, n)
	}
	c := &ringChunk{keep: keep}
	// SAFETY: the words hold ringsChunk headers, aligned as a word; zero words are nil rings.
	return unsafe.Slice((*orb.Ring)(unsafe.Pointer(&c.words[0])), ringsChunk)
}
