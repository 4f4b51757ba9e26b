package api

import (
	"strconv"
	"unicode/utf8"

	"github.com/paulmach/orb"

	"citygeo/geo"
)

// The JSON batch is read by hand, in one pass over the body, in the shape clients send it:
// {"k":0,"crs":"wgs84","points":[{"id":"a","lng":114.1,"lat":22.5},…]}. fastjson's way
// (validate the body, parse it into a tree, visit the tree, copy each number's text out and
// convert it) costs about as much per point as locating the point; this reader goes straight
// from the body's bytes to the points. It is strict: it accepts only well-formed JSON of that
// shape — lower-case keys, each once; strings without escapes, in valid UTF-8; no nulls — and
// gives up on anything else, which decodeJSON's full reader (fastjson, with encoding/json's
// rules) then reads, with its errors naming the point and field. So what the scanner accepts,
// it reads exactly as that reader would (FuzzScanBatchJSON checks it byte for byte), and what
// it refuses costs one more read.

// jsonScan is a position in a JSON text.
type jsonScan struct {
	b []byte
	i int
}

// ws skips JSON whitespace.
func (s *jsonScan) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// next skips whitespace and takes c if it comes next.
func (s *jsonScan) next(c byte) bool {
	s.ws()
	if s.i < len(s.b) && s.b[s.i] == c {
		s.i++
		return true
	}
	return false
}

// str reads a string with no escapes and no control characters, in valid UTF-8, and returns
// its contents; false for anything else.
func (s *jsonScan) str() ([]byte, bool) {
	if !s.next('"') {
		return nil, false
	}
	start, ascii := s.i, true
	for ; s.i < len(s.b); s.i++ {
		switch c := s.b[s.i]; {
		case c == '"':
			text := s.b[start:s.i]
			s.i++
			return text, ascii || utf8.Valid(text)
		case c == '\\' || c < 0x20:
			return nil, false
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	return nil, false
}

// number reads a number as JSON's grammar has it (-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?) and
// returns its text; false for anything else.
func (s *jsonScan) number() ([]byte, bool) {
	s.ws()
	start := s.i
	if s.i < len(s.b) && s.b[s.i] == '-' {
		s.i++
	}
	switch {
	case s.i < len(s.b) && s.b[s.i] == '0':
		s.i++
	case s.digits() == 0:
		return nil, false
	}
	if s.i < len(s.b) && s.b[s.i] == '.' {
		s.i++
		if s.digits() == 0 {
			return nil, false
		}
	}
	if s.i < len(s.b) && (s.b[s.i] == 'e' || s.b[s.i] == 'E') {
		s.i++
		if s.i < len(s.b) && (s.b[s.i] == '+' || s.b[s.i] == '-') {
			s.i++
		}
		if s.digits() == 0 {
			return nil, false
		}
	}
	return s.b[start:s.i], true
}

func (s *jsonScan) digits() int {
	start := s.i
	for s.i < len(s.b) && s.b[s.i] >= '0' && s.b[s.i] <= '9' {
		s.i++
	}
	return s.i - start
}

// pow10 are the powers of ten a float64 holds exactly.
var pow10 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
	1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// numberValue returns the value of a JSON number's text as strconv.ParseFloat does; false
// when ParseFloat fails (out of range). A number of at most 15 significant digits and no
// exponent — a coordinate — is an integer below 2^53 over a power of ten below 10^23, both
// exact in a float64, so their quotient is the correctly rounded value, the one ParseFloat
// finds (Clinger's fast path); other numbers go to ParseFloat.
func numberValue(text []byte) (float64, bool) {
	i, neg := 0, false
	if text[0] == '-' {
		i, neg = 1, true
	}
	var m uint64
	digits, frac, dot := 0, 0, false
	for ; i < len(text); i++ {
		c := text[i]
		switch {
		case c == '.':
			dot = true
			continue
		case c < '0' || c > '9' || digits == 15:
			return parseFloat64(text)
		}
		if dot {
			frac++
		}
		if m != 0 || c != '0' {
			m = m*10 + uint64(c-'0')
			digits++
		}
	}
	if frac >= len(pow10) {
		return parseFloat64(text)
	}
	f := float64(m) / pow10[frac]
	if neg {
		f = -f
	}
	return f, true
}

func parseFloat64(text []byte) (float64, bool) {
	f, err := strconv.ParseFloat(string(text), 64)
	return f, err == nil
}

// batchOptions are a JSON batch's options as text, for the Query parsers ("" when absent).
type batchOptions struct{ k, radius, class string }

// Query returns the option named key.
func (o *batchOptions) Query(key string) string {
	switch key {
	case "k":
		return o.k
	case "radius":
		return o.radius
	case "class":
		return o.class
	}
	return ""
}

// scanJSON reads lb.body as decodeJSON does when the body has the usual shape (see above): the
// points into lb, the options and the CRS returned. read is false when the body is not of that
// shape; lb then holds no point and decodeJSON's full reader must read the body.
func (lb *locateBatch) scanJSON() (q locateQuery, crs geo.CRS, read bool, err error) {
	s := jsonScan{b: lb.body}
	var opts batchOptions
	var crsText []byte
	var seen [5]bool // k, radius, class, crs, points
	once := func(k int) bool {
		if seen[k] {
			return false
		}
		seen[k] = true
		return true
	}
	giveUp := func() (locateQuery, geo.CRS, bool, error) {
		lb.ids, lb.idAt, lb.given, lb.cgcs = lb.ids[:0], lb.idAt[:0], lb.given[:0], lb.cgcs[:0]
		return locateQuery{}, geo.CRS{}, false, nil
	}
	if !s.next('{') {
		return giveUp()
	}
	for {
		key, ok := s.str()
		if !ok || !s.next(':') {
			return giveUp()
		}
		switch string(key) {
		case "k", "radius":
			text, ok := s.number()
			if !ok {
				return giveUp()
			}
			if key[0] == 'k' {
				ok = once(0)
				opts.k = string(text)
				for _, c := range text {
					ok = ok && c != '.' && c != 'e' && c != 'E' // not an int: the full reader's error
				}
			} else {
				ok = once(1)
				opts.radius = string(text)
			}
			if !ok {
				return giveUp()
			}
		case "class", "crs":
			text, ok := s.str()
			if !ok {
				return giveUp()
			}
			if key[1] == 'l' {
				ok = once(2)
				opts.class = string(text)
			} else {
				ok = once(3)
				crsText = text
			}
			if !ok {
				return giveUp()
			}
		case "points":
			if !once(4) || !lb.scanPoints(&s) {
				return giveUp()
			}
		default:
			return giveUp()
		}
		if s.next(',') {
			continue
		}
		if !s.next('}') {
			return giveUp()
		}
		break
	}
	if s.ws(); s.i != len(s.b) || !seen[4] {
		return giveUp()
	}

	// The checks of decodeJSON, in its order.
	if q, err = parseLocateQuery(&opts); err != nil {
		return q, crs, true, err
	}
	if crs, err = ParseCRSParam(string(crsText)); err != nil {
		return q, crs, true, err
	}
	if err = checkBatchSize(len(lb.given), MaxBatch); err != nil {
		return q, crs, true, err
	}
	for i, p := range lb.given {
		_, cgcs, err := checkPoint(i, p[0], p[1], crs)
		if err != nil {
			return q, crs, true, err
		}
		lb.cgcs = append(lb.cgcs, cgcs)
	}
	return q, crs, true, nil
}

// scanPoints reads the points array into lb.given (as sent) and the ids; false when it is not
// of the usual shape.
func (lb *locateBatch) scanPoints(s *jsonScan) bool {
	if !s.next('[') {
		return false
	}
	if s.next(']') {
		return true
	}
	for {
		if !s.next('{') {
			return false
		}
		start := len(lb.ids)
		var p orb.Point
		var has [3]bool // id, lng, lat
		for {
			key, ok := s.str()
			if !ok || !s.next(':') {
				return false
			}
			switch string(key) {
			case "id":
				id, ok := s.str()
				if !ok || has[0] {
					return false
				}
				has[0] = true
				lb.ids = append(lb.ids, id...)
			case "lng", "lat":
				text, ok := s.number()
				if !ok {
					return false
				}
				v, ok := numberValue(text)
				c := 0
				if key[1] == 'a' {
					c = 1
				}
				if !ok || has[1+c] {
					return false
				}
				has[1+c], p[c] = true, v
			default:
				return false
			}
			if s.next(',') {
				continue
			}
			if !s.next('}') {
				return false
			}
			break
		}
		if !has[1] || !has[2] {
			return false
		}
		lb.idAt = append(lb.idAt, [2]int{start, len(lb.ids)})
		lb.given = append(lb.given, p)
		if s.next(',') {
			continue
		}
		return s.next(']')
	}
}
