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

// Fixes are encoded as a version byte, then per fix:
//
//	[journal only] uvarint length of the device id, then its bytes
//	varint   time in Unix milliseconds − t0 (a chunk's t0 is its earliest time; a journal's is 0)
//	8+8      lon, lat as float64 bits, little-endian (exact: a read gives back what was written)
//	4+4+4    speed, heading, accuracy as float32 bits
//	uvarint  alarm flags
//	byte     source
//	uvarint  length of the status text, then its bytes
//
// About 40 bytes a fix in a chunk. A blob is never decoded except whole.
const (
	chunkVersion   = 1
	journalVersion = 2
)

var errCodec = errors.New("corrupt track blob")

// appendChunk appends the chunk encoding of fs (one device) with times relative to t0.
func appendChunk(dst []byte, t0 int64, fs []data.Fix) []byte {
	dst = append(dst, chunkVersion)
	for i := range fs {
		dst = appendFix(dst, &fs[i], t0)
	}
	return dst
}

// appendJournal appends the journal encoding of fs (any devices).
func appendJournal(dst []byte, fs []data.Fix) []byte {
	dst = append(dst, journalVersion)
	for i := range fs {
		dst = binary.AppendUvarint(dst, uint64(len(fs[i].Device)))
		dst = append(dst, fs[i].Device...)
		dst = appendFix(dst, &fs[i], 0)
	}
	return dst
}

func appendFix(dst []byte, f *data.Fix, t0 int64) []byte {
	le := binary.LittleEndian
	dst = binary.AppendVarint(dst, f.Time.UnixMilli()-t0)
	dst = le.AppendUint64(dst, math.Float64bits(f.Point[0]))
	dst = le.AppendUint64(dst, math.Float64bits(f.Point[1]))
	dst = le.AppendUint32(dst, math.Float32bits(f.Speed))
	dst = le.AppendUint32(dst, math.Float32bits(f.Heading))
	dst = le.AppendUint32(dst, math.Float32bits(f.Accuracy))
	dst = binary.AppendUvarint(dst, uint64(f.Alarm))
	dst = append(dst, byte(f.Source))
	dst = binary.AppendUvarint(dst, uint64(len(f.Status)))
	return append(dst, f.Status...)
}

// decodeChunk appends the fixes of a chunk of device to dst, those whose time in Unix
// milliseconds keep accepts (nil: all).
func decodeChunk(dst []data.Fix, device string, t0 int64, b []byte, keep func(ms int64) bool) ([]data.Fix, error) {
	if len(b) == 0 || b[0] != chunkVersion {
		return dst, fmt.Errorf("%w: chunk version %v", errCodec, b[:min(len(b), 1)])
	}
	for p := b[1:]; len(p) > 0; {
		f, ms, rest, err := decodeFix(p, t0)
		if err != nil {
			return dst, err
		}
		p = rest
		if keep == nil || keep(ms) {
			f.Device = device
			dst = append(dst, f)
		}
	}
	return dst, nil
}

// decodeJournal appends the fixes of a journal row to dst, in write order.
func decodeJournal(dst []data.Fix, b []byte) ([]data.Fix, error) {
	if len(b) == 0 || b[0] != journalVersion {
		return dst, fmt.Errorf("%w: journal version %v", errCodec, b[:min(len(b), 1)])
	}
	var last string // fixes of one device follow each other: share its string
	for p := b[1:]; len(p) > 0; {
		n, k := binary.Uvarint(p)
		if k <= 0 || uint64(len(p)-k) < n {
			return dst, errCodec
		}
		dev := p[k : k+int(n)]
		if string(dev) != last {
			last = string(dev)
		}
		f, _, rest, err := decodeFix(p[k+int(n):], 0)
		if err != nil {
			return dst, err
		}
		f.Device = last
		dst = append(dst, f)
		p = rest
	}
	return dst, nil
}

// decodeFix reads one fix (without its device) from p and returns it, its time in Unix
// milliseconds and the rest of p.
func decodeFix(p []byte, t0 int64) (data.Fix, int64, []byte, error) {
	le := binary.LittleEndian
	dt, n := binary.Varint(p)
	if n <= 0 || len(p) < n+28 {
		return data.Fix{}, 0, nil, errCodec
	}
	p = p[n:]
	ms := t0 + dt
	f := data.Fix{Time: time.UnixMilli(ms).UTC(),
		Point:    orb.Point{math.Float64frombits(le.Uint64(p)), math.Float64frombits(le.Uint64(p[8:]))},
		Speed:    math.Float32frombits(le.Uint32(p[16:])),
		Heading:  math.Float32frombits(le.Uint32(p[20:])),
		Accuracy: math.Float32frombits(le.Uint32(p[24:]))}
	p = p[28:]
	alarm, n := binary.Uvarint(p)
	if n <= 0 || len(p) < n+1 {
		return data.Fix{}, 0, nil, errCodec
	}
	f.Alarm, f.Source = uint32(alarm), data.FixSource(p[n])
	p = p[n+1:]
	sl, n := binary.Uvarint(p)
	if n <= 0 || uint64(len(p)-n) < sl {
		return data.Fix{}, 0, nil, errCodec
	}
	f.Status = string(p[n : n+int(sl)])
	return f, ms, p[n+int(sl):], nil
}
