// Package jsonenc appends JSON strings and numbers to a byte slice exactly as encoding/json
// writes them (HTML-safe escapes, the same float formatting), for answers written by hand on
// hot paths. It is not an encoder of Go values: callers write the objects themselves.
//
// Why not encoding/json there: json.Marshal reflects over every field and allocates the
// output (and each pointer field of an answer is an allocation of its own), which for a batch
// of a thousand located points costs several times the lookups themselves. Appending into a
// reused buffer allocates nothing. The tests check every function against encoding/json.
package jsonenc

import (
	"math"
	"strconv"
	"unicode/utf8"
)

const hex = "0123456789abcdef"

// AppendString appends s as a JSON string, escaped as encoding/json escapes it: ", \ and
// control characters, <, > and & as \u00XX, U+2028 and U+2029, and each invalid UTF-8 byte as
// \ufffd.
func AppendString[S string | []byte](dst []byte, s S) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		b := s[i]
		if b < utf8.RuneSelf {
			if b >= 0x20 && b != '"' && b != '\\' && b != '<' && b != '>' && b != '&' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '\\', '"':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hex[b>>4], hex[b&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(string(s[i:min(i+utf8.UTFMax, len(s))])) // ≤ 4 bytes: no copy escapes
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i++
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hex[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// AppendFloat appends f as encoding/json writes a float64: the shortest decimal that reads
// back as f, in exponent form below 1e-6 and from 1e21 up. JSON has no NaN or infinity, and
// encoding/json refuses them; they are written as null here.
func AppendFloat(dst []byte, f float64) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return append(dst, "null"...)
	}
	abs := math.Abs(f)
	if abs >= 1 && abs < 1e15 {
		if b, ok := appendShortDecimal(dst, f, abs); ok {
			return b
		}
	}
	format := byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	dst = strconv.AppendFloat(dst, f, format, -1, 64)
	if format == 'e' { // e-09 → e-9, as encoding/json writes it
		if n := len(dst); n >= 4 && dst[n-4] == 'e' && dst[n-3] == '-' && dst[n-2] == '0' {
			dst[n-2] = dst[n-1]
			dst = dst[:n-1]
		}
	}
	return dst
}

// AppendTenths appends f as AppendFloat does, in about half the time when f is a whole number
// of tenths below 10^14 (metres and areas rounded to 0.1 m, as answers write them); other values
// take AppendFloat's path. A batch locate writes one per answer.
func AppendTenths(dst []byte, f float64) []byte {
	abs := math.Abs(f)
	// t < 10^15 has at most 15 digits, so by appendShortDecimal's argument the decimal t·10^-1,
	// which reads back as f when t/10 == abs, is the shortest that does.
	if t := math.Round(abs * 10); abs >= 1 && abs < 1e14 && t/10 == abs {
		if f < 0 {
			dst = append(dst, '-')
		}
		ti := uint64(t)
		dst = strconv.AppendUint(dst, ti/10, 10)
		if d := ti % 10; d != 0 {
			dst = append(dst, '.', byte('0'+d))
		}
		return dst
	}
	return AppendFloat(dst, f)
}

// pow10f are the powers of ten below 10^16 (exact in a float64).
var pow10f = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15}

// appendShortDecimal appends f (1 ≤ |f| = abs < 1e15) as strconv's shortest 'f' format would,
// when f is a decimal of at most 15 significant digits; false otherwise. Coordinates, areas and
// distances are such decimals, and this costs a fraction of strconv's general search.
//
// Why it is the same answer: m = abs·10^d rounded, with d the decimals that 15 digits leave,
// is an integer below 10^15 and 10^d is exact, so m/10^d is the correctly rounded value of the
// decimal m·10^-d; when that equals abs, the decimal reads back as f. Two different decimals of
// at most 15 significant digits never read back as the same float64 (15 is DBL_DIG), so no
// shorter decimal reads back as f, and that decimal with its trailing zeros dropped is the
// shortest one strconv finds.
func appendShortDecimal(dst []byte, f, abs float64) ([]byte, bool) {
	n := 1 // digits before the point
	for n < 15 && abs >= pow10f[n] {
		n++
	}
	d := 15 - n
	m := math.Round(abs * pow10f[d])
	if m/pow10f[d] != abs {
		return dst, false
	}
	// m's 15 digits (abs ≥ 10^(n-1), so m ≥ 10^14), two at a time; then the integer part,
	// the point and the decimals without their trailing zeros.
	var digits [16]byte
	mi := uint64(m)
	for i := 14; i > 0; i -= 2 {
		q := mi / 100
		r := mi - q*100
		digits[i], digits[i-1] = twoDigits[2*r+1], twoDigits[2*r]
		mi = q
	}
	digits[0] = byte('0' + mi)
	end := 15
	for end > n && digits[end-1] == '0' {
		end--
	}
	if f < 0 {
		dst = append(dst, '-')
	}
	dst = append(dst, digits[:n]...)
	if end > n {
		dst = append(dst, '.')
		dst = append(dst, digits[n:end]...)
	}
	return dst, true
}

const twoDigits = "00010203040506070809101112131415161718192021222324252627282930313233343536373839" +
	"4041424344454647484950515253545556575859606162636465666768697071727374757677787980818283848586878889" +
	"90919293949596979899"

// AppendInt appends i.
func AppendInt(dst []byte, i int64) []byte { return strconv.AppendInt(dst, i, 10) }

// AppendBool appends true or false.
func AppendBool(dst []byte, v bool) []byte { return strconv.AppendBool(dst, v) }
