package sqlite

import (
	"strings"
	"unicode/utf8"

	json "github.com/goccy/go-json"

	"citygeo/data"
)

// componentEncoder writes a component's attributes exactly as json.Marshal writes its
// componentProps, without reflection: go-json's walk over the struct (an IsZero call per
// omitzero department, a time.Time per date, the escaping of every string) was a fifth of
// an import's CPU. The departments, which repeat across millions of components, are encoded
// once by json.Marshal itself; the dates are written as it writes them, and a string that needs
// escaping goes through it. It is not safe for concurrent use.
type componentEncoder struct {
	depts map[data.Dept][]byte // each as `{"code":…,"name":…}`, nil when omitzero leaves it out
	slab  []byte               // the free end of the block the rows' attributes are cut from
}

// slabSize is the block the attributes of ~100 components are cut from: one allocation instead
// of one per row, freed with the last row of the block.
const slabSize = 32 << 10

func newComponentEncoder() *componentEncoder {
	return &componentEncoder{depts: map[data.Dept][]byte{}}
}

// encode returns c's attributes as JSON. The bytes are the caller's: nothing writes them again.
func (e *componentEncoder) encode(c *data.Component) ([]byte, error) {
	if cap(e.slab)-len(e.slab) < 1024 {
		e.slab = make([]byte, 0, slabSize)
	}
	free := cap(e.slab) - len(e.slab)
	b, err := e.append(e.slab[len(e.slab):], c)
	if err != nil {
		return nil, err
	}
	if cap(b) == free { // written in place: the slab's free end moves past it
		e.slab = e.slab[:len(e.slab)+len(b)]
	} else { // outgrew the slab into its own allocation: start the next slab afresh
		e.slab = nil
	}
	return b[:len(b):len(b)], nil
}

func (e *componentEncoder) append(b []byte, c *data.Component) ([]byte, error) {
	scheme, err := c.Scheme.MarshalText()
	if err != nil {
		return nil, err
	}
	b = append(b, `{"scheme":`...)
	b = appendString(b, string(scheme))
	b = append(b, `,"major":`...)
	b = appendString(b, c.Major)
	b = append(b, `,"minor":`...)
	b = appendString(b, c.Minor)
	if c.Name != "" {
		b = append(b, `,"name":`...)
		b = appendString(b, c.Name)
	}
	for _, d := range [...]struct {
		key  string
		dept data.Dept
	}{{`,"owner":`, c.Owner}, {`,"property":`, c.Property}, {`,"maintainer":`, c.Maintainer}} {
		js, err := e.dept(d.dept)
		if err != nil {
			return nil, err
		}
		if js != nil {
			b = append(append(b, d.key...), js...)
		}
	}
	if c.Grid != "" {
		b = append(b, `,"grid":`...)
		b = appendString(b, c.Grid)
	}
	if c.Status != 0 {
		s, err := c.Status.MarshalText()
		if err != nil {
			return nil, err
		}
		b = append(b, `,"status":`...)
		b = appendString(b, string(s))
	}
	for _, d := range [...]struct {
		key  string
		date data.Date
	}{{`,"init_date":`, c.InitDate}, {`,"change_date":`, c.ChangeDate}} {
		if d.date.IsZero() {
			continue
		}
		if b, err = appendDate(append(b, d.key...), d.date); err != nil {
			return nil, err
		}
	}
	if c.Source != "" {
		b = append(b, `,"source":`...)
		b = appendString(b, c.Source)
	}
	if c.Note != "" {
		b = append(b, `,"note":`...)
		b = appendString(b, c.Note)
	}
	if len(c.Extra) > 0 {
		js, err := json.Marshal(c.Extra)
		if err != nil {
			return nil, err
		}
		b = append(append(b, `,"extra":`...), js...)
	}
	return append(b, '}'), nil
}

// dept is d as json.Marshal writes its DeptRef, or nil when omitzero leaves it out.
func (e *componentEncoder) dept(d data.Dept) ([]byte, error) {
	if js, ok := e.depts[d]; ok {
		return js, nil
	}
	var js []byte
	if ref := d.Ref(); !ref.IsZero() {
		var err error
		if js, err = json.Marshal(ref); err != nil {
			return nil, err
		}
	}
	e.depts[d] = js
	return js, nil
}

// appendDate appends d as json.Marshal writes the time.Time componentProps holds: the UTC
// midnight of the date in RFC 3339. A year json.Marshal refuses (outside 0–9999) goes through it,
// for its error.
func appendDate(b []byte, d data.Date) ([]byte, error) {
	t := d.Time()
	y, m, day := t.Date()
	if y < 0 || y > 9999 {
		js, err := json.Marshal(t)
		return append(b, js...), err
	}
	b = append(b, '"')
	b = appendDigits(b, y, 4)
	b = append(b, '-')
	b = appendDigits(b, int(m), 2)
	b = append(b, '-')
	b = appendDigits(b, day, 2)
	return append(b, `T00:00:00Z"`...), nil
}

// appendDigits appends n, 0 ≤ n < 10^width, in width digits.
func appendDigits(b []byte, n, width int) []byte {
	for p := width - 1; p >= 0; p-- {
		d := n
		for range p {
			d /= 10
		}
		b = append(b, byte('0'+d%10))
	}
	return b
}

// appendString appends s as a JSON string. Text that json.Marshal would write as it is (valid
// UTF-8 without control characters, quotes, backslashes, the HTML characters it escapes, DEL
// or the JavaScript line separators) is copied; any other goes through json.Marshal, so that the
// bytes are the same as before.
func appendString(b []byte, s string) []byte {
	var seen byte
	for i := 0; i < len(s); i++ {
		seen |= byteClass[s[i]]
	}
	if seen&classEscaped != 0 ||
		seen&classHigh != 0 && (!utf8.ValidString(s) || strings.Contains(s, "\u2028") || strings.Contains(s, "\u2029")) {
		return appendMarshaled(b, s)
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// The classes of byteClass.
const (
	classEscaped = 1 << iota // a byte json.Marshal escapes
	classHigh                // a byte of a multi-byte UTF-8 sequence
)

// byteClass classes each byte for appendString, which ORs them over a string in one pass.
var byteClass = func() (t [256]byte) {
	for c := range t {
		switch {
		case c < 0x20, c == '"', c == '\\', c == '<', c == '>', c == '&', c == 0x7f:
			t[c] = classEscaped
		case c >= utf8.RuneSelf:
			t[c] = classHigh
		}
	}
	return t
}()

func appendMarshaled(b []byte, s string) []byte {
	js, _ := json.Marshal(s) // a string always marshals
	return append(b, js...)
}
