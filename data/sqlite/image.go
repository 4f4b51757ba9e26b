package sqlite

import (
	"encoding/binary"
	"errors"
	"fmt"
	"unicode/utf8"

	"citygeo/data"
)

// A version's components are also stored as an image: chunks of a compact binary encoding, in
// the layer_image table, written with the version's rows in the same transaction. Starting a
// server on a 2M-component city read and decoded 2M rows of JSON attributes, two thirds of the
// start (SQLite's VM stepping each row, fastjson, the lookups of each repeated value); a chunk
// is one blob read, and its repeated values (classes, grids, departments, attribute names) are
// stored once in the chunk's table of strings and interned once per chunk. The rows stay the
// version's record (changes, history, exports and older binaries read them); the image is only
// read when it covers the whole layer in the format this code writes, else the rows are.
//
// A chunk, every integer an unsigned varint unless marked:
//
//	strings   count, then each as length and bytes; index 0 is always ""
//	depts     count, then each as the indexes of its code and name; dept 0 is none
//	features  count, then each:
//	  id          length and bytes
//	  scheme      one byte; status one byte
//	  major minor grid source   string indexes
//	  name note   length and bytes each
//	  owner property maintainer dept indexes
//	  init change signed varints (data.Date)
//	  extra       count, then key and value string indexes
//	  geometry    length and bytes: the row's WKB
//
// The encoding is written here because it is the rows' own fields laid out for one reader; a
// general serializer (gob, protobuf) would add a schema and a reflective walk per field to the
// decode this exists to make cheap.

// imageFormat is the chunk layout above; a chunk of another format is not read.
const imageFormat = 1

// imageChunk is the most components in one chunk: a few megabytes, decoded by one load worker,
// so that two workers finish together.
const imageChunk = 1 << 16

// errNoImage is why a version's components are not imaged: the image must decode to exactly
// what the rows do, and a value the JSON attributes would change is left to them.
var errNoImage = errors.New("not imaged")

// imageEncoder builds the chunks of one version's component image from its components in seq
// order. It is not safe for concurrent use.
type imageEncoder struct {
	strings map[string]uint64
	table   []byte // the strings so far, each as length and bytes
	nstr    uint64
	depts   map[data.Dept]uint64
	deptTab []byte
	ndept   uint64
	body    []byte
	lo, n   int  // the chunk's first seq and its components so far
	off     bool // a component could not be imaged: no more chunks
}

// imagePart is a finished chunk: components [lo, lo+n) of the layer.
type imagePart struct {
	lo, n int
	data  []byte
}

func newImageEncoder() *imageEncoder {
	e := &imageEncoder{}
	e.reset(0)
	return e
}

// reset starts a chunk at seq lo.
func (e *imageEncoder) reset(lo int) {
	e.strings = map[string]uint64{"": 0}
	e.table = append(e.table[:0], 0)
	e.nstr = 1
	e.depts = map[data.Dept]uint64{{}: 0}
	e.deptTab = e.deptTab[:0]
	e.ndept = 1
	e.body = e.body[:0]
	e.lo, e.n = lo, 0
}

// add appends component seq, whose row geometry is geom, and returns the chunk it completes,
// if any. After an error (errNoImage for a value the rows would change) add does nothing more:
// the version has no image.
func (e *imageEncoder) add(seq int, c *data.Component, geom []byte) (*imagePart, error) {
	if e.off {
		return nil, nil
	}
	if seq != e.lo+e.n {
		e.off = true
		return nil, fmt.Errorf("component #%d after #%d: %w", seq, e.lo+e.n-1, errNoImage)
	}
	if err := e.append(c, geom); err != nil {
		e.off = true
		return nil, err
	}
	e.n++
	if e.n == imageChunk {
		return e.flush(), nil
	}
	return nil, nil
}

// flush returns the chunk so far (nil when empty or off) and starts the next.
func (e *imageEncoder) flush() *imagePart {
	if e.off || e.n == 0 {
		return nil
	}
	b := make([]byte, 0, len(e.table)+len(e.deptTab)+len(e.body)+3*binary.MaxVarintLen64)
	b = append(binary.AppendUvarint(b, e.nstr), e.table...)
	b = append(binary.AppendUvarint(b, e.ndept), e.deptTab...)
	b = append(binary.AppendUvarint(b, uint64(e.n)), e.body...)
	p := &imagePart{lo: e.lo, n: e.n, data: b}
	e.reset(e.lo + e.n)
	return p
}

func (e *imageEncoder) append(c *data.Component, geom []byte) error {
	for _, s := range [...]string{c.Name, c.Note} {
		if !utf8.ValidString(s) {
			return fmt.Errorf("component %s: text not UTF-8: %w", c.ID, errNoImage)
		}
	}
	b := appendBytes(e.body, c.ID)
	b = append(b, byte(c.Scheme), byte(c.Status))
	for _, s := range [...]string{c.Major, c.Minor, c.Grid, c.Source} {
		i, err := e.str(s)
		if err != nil {
			return err
		}
		b = binary.AppendUvarint(b, i)
	}
	b = appendBytes(appendBytes(b, c.Name), c.Note)
	for _, d := range [...]data.Dept{c.Owner, c.Property, c.Maintainer} {
		i, err := e.dept(d)
		if err != nil {
			return err
		}
		b = binary.AppendUvarint(b, i)
	}
	b = binary.AppendVarint(binary.AppendVarint(b, int64(c.InitDate)), int64(c.ChangeDate))
	b = binary.AppendUvarint(b, uint64(len(c.Extra)))
	for k, v := range c.Extra {
		ki, err := e.str(k)
		if err != nil {
			return err
		}
		vi, err := e.str(v)
		if err != nil {
			return err
		}
		b = binary.AppendUvarint(binary.AppendUvarint(b, ki), vi)
	}
	e.body = appendBytes(b, geom)
	return nil
}

// str returns s's index in the chunk's strings, adding it. Text that is not UTF-8 is refused:
// the JSON attributes store it with replacement characters, so the rows would not give it back.
func (e *imageEncoder) str(s string) (uint64, error) {
	if i, ok := e.strings[s]; ok {
		return i, nil
	}
	if !utf8.ValidString(s) {
		return 0, fmt.Errorf("text %q not UTF-8: %w", s, errNoImage)
	}
	i := e.nstr
	e.strings[s] = i
	e.table = appendBytes(e.table, s)
	e.nstr++
	return i, nil
}

// dept returns d's index in the chunk's departments, adding it.
func (e *imageEncoder) dept(d data.Dept) (uint64, error) {
	if i, ok := e.depts[d]; ok {
		return i, nil
	}
	ref := d.Ref()
	code, err := e.str(ref.Code)
	if err != nil {
		return 0, err
	}
	name, err := e.str(ref.Name)
	if err != nil {
		return 0, err
	}
	i := e.ndept
	e.depts[d] = i
	e.deptTab = binary.AppendUvarint(binary.AppendUvarint(e.deptTab, code), name)
	e.ndept++
	return i, nil
}

// appendBytes appends s as its length and bytes.
func appendBytes[T string | []byte](b []byte, s T) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

// imageReader reads a chunk front to back; the first malformed field sets err and every read
// after it returns zero.
type imageReader struct {
	b   []byte
	err error
}

func (r *imageReader) fail(what string) {
	if r.err == nil {
		r.err = fmt.Errorf("component image: %s at byte -%d", what, len(r.b))
		r.b = nil
	}
}

func (r *imageReader) uvarint(what string) uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.fail(what)
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *imageReader) varint(what string) int64 {
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.fail(what)
		return 0
	}
	r.b = r.b[n:]
	return v
}

// bytes returns the next length-prefixed bytes, valid until the chunk is reused.
func (r *imageReader) bytes(what string) []byte {
	n := r.uvarint(what)
	if n > uint64(len(r.b)) {
		r.fail(what)
		return nil
	}
	v := r.b[:n:n]
	r.b = r.b[n:]
	return v
}

func (r *imageReader) byte(what string) byte {
	if len(r.b) == 0 {
		r.fail(what)
		return 0
	}
	v := r.b[0]
	r.b = r.b[1:]
	return v
}

// index returns the next index into a table of n entries.
func (r *imageReader) index(n int, what string) int {
	i := r.uvarint(what)
	if i >= uint64(n) {
		r.fail(what)
		return 0
	}
	return int(i)
}

// decodeImage appends the want components of chunk b to ds, as decodeRow would have from their
// rows.
func (d *decoder) decodeImage(b []byte, want int) error {
	r := &imageReader{b: b}
	s := d.comp.arena.Strings()
	n := r.uvarint("strings")
	if n == 0 || n > uint64(len(b)) { // each string takes at least a byte
		return fmt.Errorf("component image: %d strings in %d bytes", n, len(b))
	}
	strs := make([]string, n)
	for i := range strs {
		strs[i] = s.Intern(r.bytes("string"))
	}
	if n = r.uvarint("departments"); n == 0 || n > uint64(len(b)) {
		return fmt.Errorf("component image: %d departments in %d bytes", n, len(b))
	}
	depts := make([]data.Dept, n)
	for i := 1; i < len(depts); i++ {
		code := strs[r.index(len(strs), "department code")]
		name := strs[r.index(len(strs), "department name")]
		depts[i] = s.Dept(data.DeptRef{Code: code, Name: name})
	}
	var codes codeCheck
	if n = r.uvarint("components"); r.err == nil && n != uint64(want) {
		return fmt.Errorf("component image: %d components, want %d", n, want)
	}
	for range want {
		if r.err != nil {
			break
		}
		c := d.comp.arena.New()
		c.ID = s.Make(r.bytes("id"))
		c.Scheme, c.Status = data.Scheme(r.byte("scheme")), data.Status(r.byte("status"))
		c.Major = strs[r.index(len(strs), "major")]
		c.Minor = strs[r.index(len(strs), "minor")]
		c.Grid = strs[r.index(len(strs), "grid")]
		c.Source = strs[r.index(len(strs), "source")]
		c.Name = s.Make(r.bytes("name"))
		c.Note = s.Make(r.bytes("note"))
		c.Owner = depts[r.index(len(depts), "owner")]
		c.Property = depts[r.index(len(depts), "property")]
		c.Maintainer = depts[r.index(len(depts), "maintainer")]
		c.InitDate, c.ChangeDate = data.Date(r.varint("init_date")), data.Date(r.varint("change_date"))
		if ne := r.uvarint("extra"); ne > 0 && ne <= uint64(len(r.b)) {
			m := make(map[string]string, ne)
			for range ne {
				k := strs[r.index(len(strs), "extra key")]
				m[k] = strs[r.index(len(strs), "extra value")]
			}
			c.Extra = d.comp.arena.Extra(m)
		} else if ne > 0 {
			r.fail("extra")
		}
		g, err := d.comp.geometry(r.bytes("geometry"))
		if err != nil {
			return fmt.Errorf("component image: %s: geometry: %w", c.ID, err)
		}
		c.Geometry = g
		if r.err == nil {
			if err := codes.check(c); err != nil {
				return fmt.Errorf("component image: %s: %w", c.ID, err)
			}
		}
		d.ds.Components = append(d.ds.Components, c)
	}
	if r.err == nil && len(r.b) > 0 {
		r.fail("trailing bytes")
	}
	return r.err
}

// codeCheck checks decoded schemes and statuses as the rows' text would be checked, each value
// once: a chunk holds a handful of them on 65,536 components.
type codeCheck struct {
	scheme, status [256]bool // checked and valid
}

func (k *codeCheck) check(c *data.Component) error {
	if !k.scheme[c.Scheme] {
		if _, err := c.Scheme.MarshalText(); err != nil {
			return err
		}
		k.scheme[c.Scheme] = true
	}
	if !k.status[c.Status] {
		if _, err := c.Status.MarshalText(); err != nil {
			return err
		}
		k.status[c.Status] = true
	}
	return nil
}
