package data

import (
	"unsafe"

	"github.com/paulmach/orb"
)

// Points boxes point geometries in chunks. An orb.Point held as an orb.Geometry is a 16-byte
// object of its own: 2M point components were 2M objects for the collector to mark on every
// cycle, scattered among the load's garbage. The zero Points is ready to use; it is not safe for
// concurrent use.
type Points struct {
	buf  []orb.Point
	keep *arenaKeep // of the Arena this belongs to, if any
}

// pointsChunk is how many points share one allocation.
const pointsChunk = 1024

// pointGeometry gives the interface word of an orb.Point held as an orb.Geometry.
var pointGeometry orb.Geometry = orb.Point{}

// iface is the layout of a non-empty interface value: its itab and a pointer to its value.
type iface struct {
	tab  unsafe.Pointer
	data unsafe.Pointer
}

// Geometry returns p as an orb.Geometry, its value in the current chunk.
func (s *Points) Geometry(p orb.Point) orb.Geometry {
	if len(s.buf) == 0 {
		s.buf = make([]orb.Point, pointsChunk)
		if s.keep != nil {
			s.keep.points = append(s.keep.points, s.buf)
		}
	}
	s.buf[0] = p
	g := pointGeometry
	// SAFETY: g holds an orb.Point, so its first word is orb.Point's itab for orb.Geometry and
	// its second a pointer to the 16-byte value, which is what &s.buf[0] is. The value is never
	// written again (the chunk moves past it), as a boxed value must not be, and the chunk stays
	// alive while any geometry points into it.
	(*iface)(unsafe.Pointer(&g)).data = unsafe.Pointer(&s.buf[0])
	s.buf = s.buf[1:]
	return g
}
