package schema

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"citygeo/data"
)

// Type is the type of a field's values. It says how a source value is parsed, and an export
// profile gives each output column one.
type Type string

// The field types.
const (
	Text    Type = "text"
	Integer Type = "integer" // an unsigned whole number (road, address, POI and building ids)
	Number  Type = "number"  // a decimal number
	Date    Type = "date"
	Bool    Type = "bool"
	// Instant is a moment, date and time of day in UTC ("2006-01-02T15:04:05.000Z"): no survey
	// field has one; an export table does (an event's report and closing times), and its
	// writers give it one type whatever the values (GeoPackage DATETIME, a .dbf's text).
	Instant Type = "instant"
)

// Def is what a field is without its model type: what the importer's mapping and an export
// profile need to know of it.
type Def struct {
	// Key names the field in mapping files and export profiles ("owner_code").
	Key string
	// Columns are the source column names tried in order, case-insensitively, when a mapping
	// names none. The first is the project's own name, the one the project's export profile
	// writes (the CJ/T 214-2007 name for components); GB/T 47678.5 abbreviations and common
	// spellings follow.
	Columns []string
	Type    Type
	// Repeats marks values that many features share (department names, grid codes, statuses):
	// the importer keeps one copy of each.
	Repeats bool
	// Marks is how many of the first Columns identify a source layer as this kind whatever the
	// layer is called (a component id under its CJ/T 214 or GB/T 47678.5 name); 0 for none.
	Marks int
}

// Value is one source value as a field's Read gets it.
type Value struct {
	Text string // trimmed, after the mapping's rewrites; "" when the source has none
	Raw  any    // as the file typed it (a DBF or GeoPackage date is a time.Time); nil when a mapping made it
	Seq  int    // 1-based position of the feature in its layer: the id of a feature that has none
}

// ReadError says why a source value does not fit its field. The importer reports it as a
// finding and goes on.
type ReadError struct {
	Check  string // the rule, for reports: "date.parse", "component.status"
	Reason string
}

// Error returns the check and the reason.
func (e *ReadError) Error() string { return e.Check + ": " + e.Reason }

// Field is one attribute of a layer whose model type is T.
type Field[T any] struct {
	Def
	// Read stores v in m. It is called for every field of every feature, with empty Text when
	// the source has no value, so that defaults (a missing id) are set here too. Nil when the
	// importer only checks the value (a component's class columns against its id).
	Read func(m *T, v Value) *ReadError
	// Write returns m's value as export text; ok is false when the record has none to write, so
	// that a re-import sees the same empty field. Nil when the field is not exported.
	Write func(m *T) (s string, ok bool)
}

// repeats marks the field's values as shared by many features.
func (f Field[T]) repeats() Field[T] {
	f.Repeats = true
	return f
}

// marks says that the first n column names identify a layer of the field's kind.
func (f Field[T]) marks(n int) Field[T] {
	f.Marks = n
	return f
}

// keepEmpty writes the field even when it is empty.
func (f Field[T]) keepEmpty() Field[T] {
	w := f.Write
	f.Write = func(m *T) (string, bool) {
		s, _ := w(m)
		return s, true
	}
	return f
}

// Layer is the field schema of the kinds whose model type is T. Its first field identifies a
// feature: the importer reads it first and names the feature by it in findings.
type Layer[T any] struct {
	Fields []Field[T]
}

// Defs returns the layer's fields without their model type, in order.
func (l *Layer[T]) Defs() []Def {
	out := make([]Def, len(l.Fields))
	for i, f := range l.Fields {
		out[i] = f.Def
	}
	return out
}

// Field returns the field whose key is key.
func (l *Layer[T]) Field(key string) (*Field[T], bool) {
	for i := range l.Fields {
		if l.Fields[i].Key == key {
			return &l.Fields[i], true
		}
	}
	return nil, false
}

func def(key string, t Type, cols ...string) Def { return Def{Key: key, Columns: cols, Type: t} }

// The constructors below build the usual fields from a pointer into the model, so that reading
// and writing one field cannot disagree on where its value lives.

// text is a string field; an empty string is not written.
func text[T any](key string, p func(*T) *string, cols ...string) Field[T] {
	return Field[T]{
		Def:   def(key, Text, cols...),
		Read:  func(m *T, v Value) *ReadError { *p(m) = v.Text; return nil },
		Write: func(m *T) (string, bool) { s := *p(m); return s, s != "" },
	}
}

// check is a field read only for the importer's checks and never written.
func check[T any](key string, cols ...string) Field[T] {
	return Field[T]{Def: def(key, Text, cols...)}
}

// id is an unsigned integer id; a feature without one gets its position in the layer.
func id[T any](key string, p func(*T) *uint64, cols ...string) Field[T] {
	return Field[T]{
		Def: def(key, Integer, cols...),
		Read: func(m *T, v Value) *ReadError {
			if v.Text == "" {
				*p(m) = uint64(v.Seq)
				return nil
			}
			n, err := strconv.ParseUint(v.Text, 10, 64)
			*p(m) = n
			if err != nil {
				return &ReadError{Check: "id.parse", Reason: "not a positive integer id"}
			}
			return nil
		},
		Write: func(m *T) (string, bool) { return strconv.FormatUint(*p(m), 10), true },
	}
}

// number is a decimal field, always written. set stores a parsed value; get returns the value
// to write.
func number[T any](key string, set func(*T, float64), get func(*T) float64, cols ...string) Field[T] {
	return Field[T]{
		Def:   def(key, Number, cols...),
		Read:  readNumber(set),
		Write: func(m *T) (string, bool) { return FormatNumber(get(m)), true },
	}
}

// readNumber parses a decimal and hands it to set; empty text sets nothing.
func readNumber[T any](set func(*T, float64)) func(*T, Value) *ReadError {
	return func(m *T, v Value) *ReadError {
		if v.Text == "" {
			return nil
		}
		f, err := strconv.ParseFloat(v.Text, 64)
		switch {
		case err != nil && !errors.Is(err, strconv.ErrRange):
			return &ReadError{Check: "number.parse", Reason: "not a number"}
		case err != nil || math.IsNaN(f) || math.IsInf(f, 0):
			// NaN, Infinity, 1e400: no store or export writes them.
			return &ReadError{Check: "number.parse", Reason: "not a finite number"}
		}
		set(m, f)
		return nil
	}
}

// float is a number field stored as a float64 in the model.
func float[T any](key string, p func(*T) *float64, cols ...string) Field[T] {
	return number(key, func(m *T, f float64) { *p(m) = f }, func(m *T) float64 { return *p(m) }, cols...)
}

// readDate stores v's date in t; empty text stores nothing.
func readDate(t *time.Time, v Value) *ReadError {
	if v.Text == "" {
		return nil
	}
	if raw, ok := v.Raw.(time.Time); ok {
		*t = raw
		return nil
	}
	parsed, err := ParseDate(v.Text)
	*t = parsed
	if err != nil {
		return &ReadError{Check: "date.parse", Reason: "not a date (want YYYY-MM-DD, YYYYMMDD or RFC 3339)"}
	}
	return nil
}

// day is a civil-date field (data.Date); no date is not written. A time of day in the source is
// dropped: the standards' dates are days.
func day[T any](key string, p func(*T) *data.Date, cols ...string) Field[T] {
	return Field[T]{
		Def: def(key, Date, cols...),
		Read: func(m *T, v Value) *ReadError {
			var t time.Time
			err := readDate(&t, v)
			if !t.IsZero() {
				*p(m) = data.DateOf(t)
			}
			return err
		},
		Write: func(m *T) (string, bool) { s := p(m).String(); return s, s != "" },
	}
}

// deptText is the code or the name of a department reference: get reads that half of a
// data.Dept, with returns the department with that half replaced. Making a handle hashes the
// department (~100 ns, six times a component); a reader repeats the last one it made when the
// same half is set on the same department, which in a survey file's runs of one class is
// nearly always.
func deptText[T any](key string, p func(*T) *data.Dept, get func(data.Dept) string, with func(data.Dept, string) data.Dept, cols ...string) Field[T] {
	type memo struct {
		from data.Dept
		text string
		to   data.Dept
	}
	var last atomic.Pointer[memo] // readers of several files may run at once
	return Field[T]{
		Def: def(key, Text, cols...),
		Read: func(m *T, v Value) *ReadError {
			d := p(m)
			if l := last.Load(); l != nil && l.from == *d && l.text == v.Text {
				*d = l.to
				return nil
			}
			to := with(*d, v.Text)
			last.Store(&memo{from: *d, text: v.Text, to: to})
			*d = to
			return nil
		},
		Write: func(m *T) (string, bool) { s := get(*p(m)); return s, s != "" },
	}
}

// flag is a yes/no field, written as "true" only when set.
func flag[T any](key string, p func(*T) *bool, cols ...string) Field[T] {
	return Field[T]{
		Def:  def(key, Bool, cols...),
		Read: func(m *T, v Value) *ReadError { *p(m) = ParseBool(v.Text); return nil },
		Write: func(m *T) (string, bool) {
			if *p(m) {
				return "true", true
			}
			return "", false
		},
	}
}

// ParseDate reads the date layouts survey files use: 2006-01-02, 20060102, 2006/1/2, RFC 3339
// and "2006-01-02 15:04:05".
func ParseDate(s string) (time.Time, error) {
	for _, layout := range []string{"2006-01-02", "20060102", "2006/01/02", "2006/1/2", "2006-1-2", time.RFC3339Nano, "2006-01-02 15:04:05", "2006-01-02T15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("date %q", s)
}

// FormatDate writes a date as ParseDate reads it back: "2006-01-02" for a UTC midnight,
// RFC 3339 otherwise, "" for the zero time.
func FormatDate(t time.Time) string {
	switch {
	case t.IsZero():
		return ""
	case t.Location() == time.UTC && t.Equal(t.Truncate(24*time.Hour)):
		return t.Format("2006-01-02")
	}
	return t.Format(time.RFC3339Nano)
}

// FormatNumber writes the shortest text that reads back as f.
func FormatNumber(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

// ParseBool reads the yes words of survey files: 1, true, t, yes, y, 是 (any case). Anything
// else is no.
func ParseBool(s string) bool {
	switch strings.ToLower(s) {
	case "1", "true", "t", "yes", "y", "是":
		return true
	}
	return false
}
