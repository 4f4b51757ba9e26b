package jt808

import (
	"fmt"
	"time"
)

// CST is the time zone of every JT/T 808 time field (GMT+8, 北京时间).
var CST = time.FixedZone("CST", 8*3600)

// bcdDigits returns the decimal digits of packed BCD b, two per byte, high nibble first.
func bcdDigits(b []byte) (string, error) {
	out := make([]byte, 2*len(b))
	for i, c := range b {
		hi, lo := c>>4, c&0x0f
		if hi > 9 || lo > 9 {
			return "", ErrBCD
		}
		out[2*i], out[2*i+1] = '0'+hi, '0'+lo
	}
	return string(out), nil
}

// appendBCDDigits appends the decimal string s as n bytes of packed BCD, left-padded with
// zeros, as the header's phone number is.
func appendBCDDigits(dst []byte, s string, n int) ([]byte, error) {
	if len(s) > 2*n {
		return dst, fmt.Errorf("%q is longer than %d digits: %w", s, 2*n, ErrTooLong)
	}
	pad := 2*n - len(s)
	digit := func(i int) (byte, error) {
		if i < pad {
			return 0, nil
		}
		c := s[i-pad]
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("%q: %w", s, ErrBCD)
		}
		return c - '0', nil
	}
	for i := 0; i < n; i++ {
		hi, err := digit(2 * i)
		if err != nil {
			return dst, err
		}
		lo, err := digit(2*i + 1)
		if err != nil {
			return dst, err
		}
		dst = append(dst, hi<<4|lo)
	}
	return dst, nil
}

// parseBCDTime reads BCD[6] YYMMDDhhmmss in GMT+8 (years 2000–2099).
func parseBCDTime(b []byte) (time.Time, error) {
	var v [6]int
	for i := range v {
		hi, lo := b[i]>>4, b[i]&0x0f
		if hi > 9 || lo > 9 {
			return time.Time{}, ErrBCD
		}
		v[i] = int(hi)*10 + int(lo)
	}
	t := time.Date(2000+v[0], time.Month(v[1]), v[2], v[3], v[4], v[5], 0, CST)
	// time.Date normalises 31 February to 3 March; a terminal that sends it has a broken clock,
	// and its fix must not be filed under a day it never saw.
	if int(t.Month()) != v[1] || t.Day() != v[2] || t.Hour() != v[3] || t.Minute() != v[4] || t.Second() != v[5] {
		return time.Time{}, ErrTime
	}
	return t, nil
}

// appendBCDTime appends t as BCD[6] YYMMDDhhmmss in GMT+8.
func appendBCDTime(dst []byte, t time.Time) ([]byte, error) {
	t = t.In(CST)
	if t.Year() < 2000 || t.Year() > 2099 {
		return dst, fmt.Errorf("year %d: %w", t.Year(), ErrTime)
	}
	for _, v := range [6]int{t.Year() - 2000, int(t.Month()), t.Day(), t.Hour(), t.Minute(), t.Second()} {
		dst = append(dst, byte(v/10)<<4|byte(v%10))
	}
	return dst, nil
}
