package jt808

import "errors"

// Errors the decoders return; test them with errors.Is.
var (
	// ErrChecksum: the frame's check code is not the XOR of its header and body. The header is
	// still returned when it could be read, so the platform can answer with result 2.
	ErrChecksum = errors.New("jt808: bad checksum")
	// ErrEscape: 0x7D followed by something other than 0x01 or 0x02, or ending the frame.
	ErrEscape = errors.New("jt808: bad escape sequence")
	// ErrShort: a frame, header or body is shorter than its layout needs.
	ErrShort = errors.New("jt808: too short")
	// ErrLength: the body length in the header's attributes does not match the frame.
	ErrLength = errors.New("jt808: body length does not match the header")
	// ErrBCD: a BCD field holds a nibble above 9.
	ErrBCD = errors.New("jt808: bad BCD digit")
	// ErrTime: a BCD time names no valid instant (month 13, 31 February …).
	ErrTime = errors.New("jt808: bad time")
	// ErrTooLong: a body or a field does not fit its encoding.
	ErrTooLong = errors.New("jt808: too long")
)
