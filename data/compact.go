package data

import (
	"bytes"
	"encoding/gob"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Dept is a component's reference to a department: a number in the process-wide registry of
// departments. A city names a few dozen departments on millions of components; three DeptRefs of
// two strings each were 96 bytes and six pointers of every component, three handles (pointers)
// were 24 bytes the collector still traced on every cycle, three Depts are 12 bytes it skips.
// The zero Dept names none.
type Dept struct{ i uint32 }

// deptRegistry numbers each department the process has seen; Dept i is refs[i-1]. It is
// append-only: an entry is never changed or removed, so a Dept stays valid for the life of the
// process and readers need no lock. That is affordable because it is bounded by the distinct
// (code, name) pairs of every city loaded or imported, and a city has tens of departments: a
// store's whole history holds hundreds, a few kilobytes. (A file with a department per
// component would grow it for good; uint32 numbers cannot run out before memory does.)
var deptRegistry struct {
	refs  atomic.Pointer[[]DeptRef] // read without the lock
	mu    sync.Mutex                // held to add a department
	index map[DeptRef]uint32        // the Dept number of each entry
}

// MakeDept returns the department with this code and name; both empty give the zero Dept. It is
// safe for concurrent use.
func MakeDept(code, name string) Dept {
	if code == "" && name == "" {
		return Dept{}
	}
	r := &deptRegistry
	ref := DeptRef{Code: code, Name: name}
	r.mu.Lock()
	defer r.mu.Unlock()
	if i, ok := r.index[ref]; ok {
		return Dept{i}
	}
	var refs []DeptRef
	if p := r.refs.Load(); p != nil {
		refs = *p
	}
	// The registry outlives the load: copies keep it from pinning a decoder's chunk of text.
	// Appending may write past the end of the slice readers hold, never within it, and they see
	// the new entry only through the pointer stored after it is written.
	refs = append(refs, DeptRef{Code: strings.Clone(code), Name: strings.Clone(name)})
	if r.index == nil {
		r.index = make(map[DeptRef]uint32)
	}
	i := uint32(len(refs))
	r.index[refs[i-1]] = i
	r.refs.Store(&refs)
	return Dept{i}
}

// Dept returns the department of d, as MakeDept does.
func (d DeptRef) Dept() Dept { return MakeDept(d.Code, d.Name) }

// Ref returns the department's code and name; the zero DeptRef for none.
func (d Dept) Ref() DeptRef {
	if d.IsZero() {
		return DeptRef{}
	}
	return (*deptRegistry.refs.Load())[d.i-1]
}

// Code returns the department's code ("" for none).
func (d Dept) Code() string { return d.Ref().Code }

// Name returns the department's name ("" for none).
func (d Dept) Name() string { return d.Ref().Name }

// String formats the department as its DeptRef prints: {code name}.
func (d Dept) String() string { return fmt.Sprint(d.Ref()) }

// IsZero reports whether d names no department.
func (d Dept) IsZero() bool { return d == Dept{} }

// Equal reports whether d and e name the same department (go-cmp uses it too).
func (d Dept) Equal(e Dept) bool { return d == e }

// MarshalJSON writes the department as its DeptRef, {"code": …, "name": …}.
func (d Dept) MarshalJSON() ([]byte, error) { return json.Marshal(d.Ref()) }

// UnmarshalJSON reads a DeptRef.
func (d *Dept) UnmarshalJSON(b []byte) error {
	var r DeptRef
	if err := json.Unmarshal(b, &r); err != nil {
		return err
	}
	*d = r.Dept()
	return nil
}

// GobEncode writes the department as its DeptRef.
func (d Dept) GobEncode() ([]byte, error) {
	var buf bytes.Buffer
	err := gob.NewEncoder(&buf).Encode(d.Ref())
	return buf.Bytes(), err
}

// GobDecode reads a DeptRef.
func (d *Dept) GobDecode(b []byte) error {
	var r DeptRef
	if err := gob.NewDecoder(bytes.NewReader(b)).Decode(&r); err != nil {
		return err
	}
	*d = r.Dept()
	return nil
}

// WithCode returns the department of d's name under code, for a reader filling one field at a
// time.
func (d Dept) WithCode(code string) Dept { return MakeDept(code, d.Name()) }

// WithName returns the department of d's code under name.
func (d Dept) WithName(name string) Dept { return MakeDept(d.Code(), name) }

// Date is a civil date (a component's 初始日期 and 变更日期): days since 0001-01-01, so that the
// zero Date, like the zero time.Time, means no date. It is 4 bytes where a time.Time is 24, and
// the standards' dates carry no time of day.
type Date int32

// epochDays is the number of days from 0001-01-01 to 1970-01-01.
const epochDays = 719162

// DateOf returns t's calendar date in t's own location; the zero time gives the zero Date.
func DateOf(t time.Time) Date {
	if t.IsZero() {
		return 0
	}
	y, m, d := t.Date()
	return MakeDate(y, m, d)
}

// MakeDate returns the date y-m-d; out-of-range values are normalised as time.Date does.
func MakeDate(y int, m time.Month, d int) Date {
	return Date(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix()/86400 + epochDays)
}

// Time returns the date's midnight UTC (the zero time for the zero Date).
func (d Date) Time() time.Time {
	if d == 0 {
		return time.Time{}
	}
	return time.Unix((int64(d)-epochDays)*86400, 0).UTC()
}

// IsZero reports whether d is no date.
func (d Date) IsZero() bool { return d == 0 }

// Format formats the date's midnight UTC with a time layout ("2006-01-02").
func (d Date) Format(layout string) string { return d.Time().Format(layout) }

// String returns the date as 2006-01-02, or "" for no date.
func (d Date) String() string {
	if d == 0 {
		return ""
	}
	return d.Format(time.DateOnly)
}

// Before reports whether d is earlier than e.
func (d Date) Before(e Date) bool { return d < e }

// After reports whether d is later than e.
func (d Date) After(e Date) bool { return d > e }

// Year returns the date's year.
func (d Date) Year() int { return d.Time().Year() }

// AddDate returns the date years, months and days after d, normalised as time.Time.AddDate.
func (d Date) AddDate(years, months, days int) Date {
	return DateOf(d.Time().AddDate(years, months, days))
}

// codeName returns the name of a one-byte code (Status, Scheme), or type(n) for a code out of
// range, as fmt prints an unnamed constant.
func codeName[T ~uint8](c T, names []string, typ string) string {
	if int(c) < len(names) {
		return names[c]
	}
	return fmt.Sprintf("%s(%d)", typ, uint8(c))
}

// marshalCode writes a code's name; a code out of range is an error rather than text that
// would not read back.
func marshalCode[T ~uint8](c T, names []string, what string) ([]byte, error) {
	if int(c) >= len(names) {
		return nil, fmt.Errorf("%s code %d out of range", what, uint8(c))
	}
	return []byte(names[c]), nil
}

// unmarshalCode reads a code's name ("" for the zero code) and anything else with parse. Store
// decoders call it on every row: the names are matched without making a string of b.
func unmarshalCode[T ~uint8](c *T, b []byte, names []string, parse func(string) (T, error)) error {
	for i, name := range names {
		if string(b) == name {
			*c = T(i)
			return nil
		}
	}
	v, err := parse(string(b))
	if err != nil {
		return err
	}
	*c = v
	return nil
}
