package mvtcheck

import (
	"encoding/binary"
	"errors"
	"math"
)

// reader walks one protobuf message.
type reader struct {
	b   []byte
	off int
}

var errTruncated = errors.New("truncated message")

func (r *reader) done() bool { return r.off >= len(r.b) }

func (r *reader) varint() (uint64, error) {
	v, n := binary.Uvarint(r.b[r.off:])
	if n <= 0 {
		return 0, errTruncated
	}
	r.off += n
	return v, nil
}

// field reads a field key: number and wire type.
func (r *reader) field() (num int, wire int, err error) {
	k, err := r.varint()
	if err != nil {
		return 0, 0, err
	}
	if k>>3 == 0 || k>>3 > math.MaxInt32 {
		return 0, 0, errors.New("invalid field number 0")
	}
	return int(k >> 3), int(k & 7), nil
}

func (r *reader) bytes() ([]byte, error) {
	n, err := r.varint()
	if err != nil {
		return nil, err
	}
	if n > uint64(len(r.b)-r.off) {
		return nil, errTruncated
	}
	b := r.b[r.off : r.off+int(n)]
	r.off += int(n)
	return b, nil
}

func (r *reader) fixed(n int) ([]byte, error) {
	if len(r.b)-r.off < n {
		return nil, errTruncated
	}
	b := r.b[r.off : r.off+n]
	r.off += n
	return b, nil
}

// skip skips a value of the given wire type.
func (r *reader) skip(wire int) error {
	var err error
	switch wire {
	case 0:
		_, err = r.varint()
	case 1:
		_, err = r.fixed(8)
	case 2:
		_, err = r.bytes()
	case 5:
		_, err = r.fixed(4)
	default:
		err = errors.New("unsupported wire type")
	}
	return err
}

// packed reads a packed repeated uint32 field.
func packed(b []byte) ([]uint32, error) {
	var out []uint32
	r := reader{b: b}
	for !r.done() {
		v, err := r.varint()
		if err != nil {
			return nil, err
		}
		if v > math.MaxUint32 {
			return nil, errors.New("packed value overflows uint32")
		}
		out = append(out, uint32(v))
	}
	return out, nil
}
