package data

import (
	"encoding/binary"
	"math"

	"github.com/paulmach/orb"
)

// WKBPoint decodes b when it is a 2D WKB point, the geometry of most features; ok is false for
// anything else, which the caller hands to a full WKB decoder. The decoder's reader, type switch
// and error paths cost more than the point itself on millions of rows.
func WKBPoint(b []byte) (p orb.Point, ok bool) {
	if len(b) != 21 {
		return p, false
	}
	var order binary.ByteOrder
	switch b[0] {
	case 0:
		order = binary.BigEndian
	case 1:
		order = binary.LittleEndian
	default:
		return p, false
	}
	if order.Uint32(b[1:5]) != 1 {
		return p, false
	}
	return orb.Point{math.Float64frombits(order.Uint64(b[5:13])), math.Float64frombits(order.Uint64(b[13:21]))}, true
}
