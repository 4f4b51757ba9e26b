package jt808

import "bytes"

// The two bytes the framing reserves: Flag opens and closes a frame, and Esc starts the
// two-byte sequences that stand for a Flag or an Esc inside it.
const (
	Flag = 0x7e
	Esc  = 0x7d
)

// MaxFrame bounds an escaped frame between its flags: a 21-byte 2019 header, a body of at
// most 1023 bytes (ten bits of length) and the check code, every byte escaped to two. Bytes
// past it without a closing flag are a broken stream, not a frame, and are dropped.
const MaxFrame = 2 * (21 + 1023 + 1)

// Checksum is the JT/T 808 check code of b: the XOR of every byte. It is computed over the
// header and body before escaping.
func Checksum(b []byte) byte {
	var x byte
	for _, c := range b {
		x ^= c
	}
	return x
}

// AppendEscaped appends src to dst with every Flag written as 7D 02 and every Esc as 7D 01, as
// a sender does after computing the checksum.
func AppendEscaped(dst, src []byte) []byte {
	for {
		i := bytes.IndexAny(src, "\x7e\x7d")
		if i < 0 {
			return append(dst, src...)
		}
		dst = append(dst, src[:i]...)
		dst = append(dst, Esc, src[i]-Esc+1) // 7E → 7D 02, 7D → 7D 01
		src = src[i+1:]
	}
}

// Unescape appends src with its escape sequences undone to dst. dst may be src[:0]: the result
// is never longer than its input, so a frame is unescaped in place.
func Unescape(dst, src []byte) ([]byte, error) {
	for i := 0; i < len(src); i++ {
		c := src[i]
		if c == Esc {
			if i+1 == len(src) {
				return dst, ErrEscape
			}
			switch src[i+1] {
			case 0x01:
				c = Esc
			case 0x02:
				c = Flag
			default:
				return dst, ErrEscape
			}
			i++
		}
		dst = append(dst, c)
	}
	return dst, nil
}

// Splitter cuts a TCP byte stream into frames, whatever the reads' boundaries: a frame split
// across reads waits for its end, and several frames in one read come out one by one. Bytes
// outside a frame (line noise, a stream joined midway) are skipped. The zero value is ready.
type Splitter struct {
	buf  []byte
	off  int // start of the unconsumed bytes in buf
	skip int // bytes dropped as noise or oversized since the last call of Dropped
}

// Write appends the bytes of a read. It never fails; the signature lets a Splitter stand where
// an io.Writer is expected.
func (s *Splitter) Write(p []byte) (int, error) {
	if s.off > 0 && s.off == len(s.buf) {
		s.buf, s.off = s.buf[:0], 0
	}
	if s.off > 0 && len(s.buf)+len(p) > cap(s.buf) {
		// Move the pending tail to the front instead of growing: the buffer stays the size of
		// the largest burst rather than of the connection's history.
		n := copy(s.buf, s.buf[s.off:])
		s.buf, s.off = s.buf[:n], 0
	}
	s.buf = append(s.buf, p...)
	return len(p), nil
}

// Next returns the next complete frame, still escaped and without its flags, or false when the
// buffered bytes hold none yet. The frame is only valid until the next Write.
func (s *Splitter) Next() ([]byte, bool) {
	for {
		rest := s.buf[s.off:]
		i := bytes.IndexByte(rest, Flag)
		if i < 0 {
			s.skip += len(rest)
			s.off = len(s.buf)
			return nil, false
		}
		s.skip += i
		s.off += i
		rest = rest[i+1:]
		j := bytes.IndexByte(rest, Flag)
		if j < 0 {
			if len(rest) > MaxFrame {
				// No frame is that long: drop it and look for the next flag.
				s.skip += 1 + len(rest)
				s.off = len(s.buf)
			}
			return nil, false
		}
		if j == 0 {
			// Two flags in a row: the first closed a frame we did not see begin (a stream joined
			// midway), or was noise. The second may open a real frame.
			s.skip++
			s.off++
			continue
		}
		if j > MaxFrame {
			// Too long for a frame, as when its closing flag has not arrived yet (above): drop
			// it and keep the flag that ends it as the next frame's opening, so where the reads
			// break does not change the frames.
			s.skip += 1 + j
			s.off += 1 + j
			continue
		}
		frame := rest[:j]
		s.off += 1 + j + 1
		return frame, true
	}
}

// Buffered returns how many bytes wait for the rest of their frame.
func (s *Splitter) Buffered() int { return len(s.buf) - s.off }

// Dropped returns how many bytes were skipped as noise or oversized frames since the last call,
// and resets the count.
func (s *Splitter) Dropped() int {
	n := s.skip
	s.skip = 0
	return n
}
