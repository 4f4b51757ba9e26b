package sqlite

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/paulmach/orb"

	"citygeo/data"
)

// A track chunk is a version byte, then per fix, in write order:
//
//	uvarint  time − chunk t0, in milliseconds (t0 is the chunk's earliest time)
//	8+8      lon, lat as float64 bits, little-endian (exact: a read gives back what was written)
//	4+4+4    speed, heading, accuracy as float32 bits
//	uvarint  alarm flags
//	byte     source
//	uvarint  length of the status text, then its bytes
//
// About 40 bytes a fix; a chunk is never decoded except whole.
const chunkVersion = 1

var errChunk = errors.New("corrupt track chunk")

// appendChunk appends the encoding of fs, with times relative to t0 (≤ every fix's time).
func appendChunk(dst []byte, t0 int64, fs []data.Fix) []byte {
	dst = append(dst, chunkVersion)
	le := binary.LittleEndian
	for i := range fs {
		f := &fs[i]
		dst = binary.AppendUvarint(dst, uint64(f.Time.UnixMilli()-t0))
		dst = le.AppendUint64(dst, math.Float64bits(f.Point[0]))
		dst = le.AppendUint64(dst, math.Float64bits(f.Point[1]))
		dst = le.AppendUint32(dst, math.Float32bits(f.Speed))
		dst = le.AppendUint32(dst, math.Float32bits(f.Heading))
		dst = le.AppendUint32(dst, math.Float32bits(f.Accuracy))
		dst = binary.AppendUvarint(dst, uint64(f.Alarm))
		dst = append(dst, byte(f.Source))
		dst = binary.AppendUvarint(dst, uint64(len(f.Status)))
		dst = append(dst, f.Status...)
	}
	return dst
}

// decodeChunk appends the fixes of a chunk of device to dst, those whose time in Unix
// milliseconds keep accepts (nil: all).
func decodeChunk(dst []data.Fix, device string, t0 int64, b []byte, keep func(ms int64) bool) ([]data.Fix, error) {
	if len(b) == 0 || b[0] != chunkVersion {
		return dst, fmt.Errorf("%w: version %v", errChunk, b[:min(len(b), 1)])
	}
	le := binary.LittleEndian
	for p := b[1:]; len(p) > 0; {
		dt, n := binary.Uvarint(p)
		if n <= 0 || len(p) < n+28 {
			return dst, errChunk
		}
		p = p[n:]
		ms := t0 + int64(dt)
		f := data.Fix{Device: device, Time: time.UnixMilli(ms).UTC(),
			Point:    orb.Point{math.Float64frombits(le.Uint64(p)), math.Float64frombits(le.Uint64(p[8:]))},
			Speed:    math.Float32frombits(le.Uint32(p[16:])),
			Heading:  math.Float32frombits(le.Uint32(p[20:])),
			Accuracy: math.Float32frombits(le.Uint32(p[24:]))}
		p = p[28:]
		alarm, n := binary.Uvarint(p)
		if n <= 0 || len(p) < n+1 {
			return dst, errChunk
		}
		f.Alarm, f.Source = uint32(alarm), data.FixSource(p[n])
		p = p[n+1:]
		sl, n := binary.Uvarint(p)
		if n <= 0 || uint64(len(p)-n) < sl {
			return dst, errChunk
		}
		f.Status = string(p[n : n+int(sl)])
		p = p[n+int(sl):]
		if keep == nil || keep(ms) {
			dst = append(dst, f)
		}
	}
	return dst, nil
}
