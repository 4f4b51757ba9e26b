package sqlite

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"unicode/utf8"
	"unsafe"

	"github.com/bits-and-blooms/bloom/v3"
	"github.com/paulmach/orb"

	"citygeo/data"
)

// A version's most numerous layers (components, addresses, buildings, grids) are stored as an
// image: chunks of a compact binary encoding, in the layer_image table. Starting a server on a
// 2M-component city read and decoded 2M rows of JSON attributes, two thirds of the start
// (SQLite's VM stepping each row, fastjson, the lookups of each repeated value); a chunk is one
// blob read, and its repeated values (classes, grids, roads, departments, attribute names) are
// stored once in the chunk's table of strings and interned once per chunk.
//
// A chunk Save writes is its features' record: they get no feature rows, which were three
// quarters of the file and of an import's writing (a component's JSON attributes repeat its three
// departments). Such a chunk is listed in image_record with a Bloom filter of the fids it holds,
// which is how LoadFeatures finds a feature without decoding the layer. A feature the image cannot
// hold exactly (errNoImage) ends its layer's image: the chunk so far is written, and that feature
// and the layer's later ones get rows. A chunk WriteImage adds to a version stored before images
// is not in image_record: it is a copy of rows that stay the record, read only when it covers
// the whole layer in the format this code writes.
//
// A chunk, every integer an unsigned varint unless marked:
//
//	strings   count, then each as length and bytes; index 0 is always ""
//	depts     count, then each as the indexes of its code and name; dept 0 is none
//	features  count, then each as its layer lays it out:
//
//	component  id (length and bytes); scheme and status (a byte each); major, minor, grid,
//	           source (string indexes); name, note (length and bytes); owner, property,
//	           maintainer (dept indexes); init and change dates (signed varints, data.Date);
//	           extra (count, then key and value string indexes); geometry (the row's WKB)
//	address    id; road, section, lane, alley, suffix, community, source (string indexes);
//	           number (signed); full (length and bytes); geometry (the row's WKB)
//	building   id; compound (string index); name, address (length and bytes); point (two
//	           little-endian float64); footprint (the row's WKB)
//	grid       code (length and bytes); community (string index); area (little-endian
//	           float64); derived (a byte); polygon (the row's WKB)
//
// The encoding is written here because it is the rows' own fields laid out for one reader; a
// general serializer (gob, protobuf) would add a schema and a reflective walk per field to the
// decode this exists to make cheap.

// imageFormat is the chunk layout above. A copy of rows in another format is not read; a record
// in another format is an error, as a binary older than the format cannot read its features.
const imageFormat = 1

// imageChunk is the most features in one chunk: a few megabytes, decoded by one load worker, so
// that two workers finish together.
const imageChunk = 1 << 16

// imaged are the layers written with an image: those with up to millions of features.
var imaged = map[data.Layer]bool{data.LayerComponent: true, data.LayerAddress: true, data.LayerBuilding: true, data.LayerGrid: true}

// errNoImage is why a feature is not imaged: the image must decode to exactly what the rows do,
// and a value the JSON attributes would change, or refuse, is left to them.
var errNoImage = errors.New("not imaged")

// imageEncoder builds the chunks of one layer's image of a version from its features in seq
// order. It is not safe for concurrent use.
type imageEncoder struct {
	layer   data.Layer
	strings map[string]uint64
	table   []byte // the strings so far, each as length and bytes
	nstr    uint64
	depts   map[data.Dept]uint64
	deptTab []byte
	ndept   uint64
	body    []byte
	lo, n   int      // the chunk's first seq and its features so far
	fids    []string // their fids
	off     bool     // a feature could not be imaged: no more chunks
	codes   codeCheck
	// recent is the last string written in each of a component's class, grid and source fields
	// and its index: a run of one grid or class writes the same text over and over, and these
	// skip the map for it (its four lookups were half of encoding a component).
	recent [4]struct {
		s string
		i uint64
	}
}

// imagePart is a finished chunk: features [lo, lo+n) of the layer, and a Bloom filter of their
// fids (fidFilter).
type imagePart struct {
	layer data.Layer
	lo, n int
	data  []byte
	fids  []byte
}

func newImageEncoder(l data.Layer) *imageEncoder {
	e := &imageEncoder{layer: l}
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
	e.fids = e.fids[:0]
	e.recent = [4]struct {
		s string
		i uint64
	}{}
}

// add appends feature seq (a *data.Component, *data.Address, *data.Building or *data.Grid), whose
// row fid and geometry are fid and geom, and returns the chunk it completes, if any. A feature
// that cannot be imaged (errNoImage) turns the encoder off: add returns the chunk of the features
// before it, if any, with the error, and does nothing more.
func (e *imageEncoder) add(seq int, fid string, f any, geom []byte) (*imagePart, error) {
	if e.off {
		return nil, nil
	}
	if seq != e.lo+e.n {
		return e.stop(fmt.Errorf("%s #%d after #%d: %w", e.layer, seq, e.lo+e.n-1, errNoImage))
	}
	body := len(e.body)
	var err error
	switch f := f.(type) {
	case *data.Component:
		err = e.component(f, geom)
	case *data.Address:
		err = e.address(f, geom)
	case *data.Building:
		err = e.building(f, geom)
	case *data.Grid:
		err = e.grid(f, geom)
	default:
		err = fmt.Errorf("%T: %w", f, errNoImage)
	}
	if err != nil {
		// The strings and departments the feature added stay in the tables: unused, harmless.
		e.body = e.body[:body]
		return e.stop(err)
	}
	e.fids = append(e.fids, fid)
	e.n++
	if e.n == imageChunk {
		return e.flush(), nil
	}
	return nil, nil
}

// stop turns the encoder off for err, returning the chunk of the features added so far.
func (e *imageEncoder) stop(err error) (*imagePart, error) {
	p := e.flush()
	e.off = true
	return p, err
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
	p := &imagePart{layer: e.layer, lo: e.lo, n: e.n, data: b, fids: fidFilter(e.fids)}
	e.reset(e.lo + e.n)
	return p
}

// fidFalsePositives is the share of the chunks not holding an id that LoadFeatures decodes all the
// same: the filter costs ~1.2 bytes a feature.
const fidFalsePositives = 0.01

// maxFidHashes bounds the hash functions of a filter mayHold trusts: fidFilter's false positive
// rate takes 7.
const maxFidHashes = 32

// fidFilter returns a Bloom filter of fids in its binary form (bits-and-blooms/bloom/v3): which
// chunks may hold an id. A layer's features need not come in id order (an import keeps its
// file's), so the least and greatest id of a chunk would take in nearly every chunk.
func fidFilter(fids []string) []byte {
	f := bloom.NewWithEstimates(uint(max(len(fids), 1)), fidFalsePositives)
	for _, id := range fids {
		f.AddString(id)
	}
	b, err := f.MarshalBinary()
	if err != nil {
		panic(err) // it writes to memory and cannot fail
	}
	return b
}

// mayHold reports whether the chunk whose fid filter is b may hold one of ids: true when b does
// not read as a filter fidFilter could have written (no bits, no or implausibly many hashes,
// fewer bits than it says), so that the chunk is decoded and looked at. A damaged filter must
// not hide a chunk: its ids would be taken for new ones.
func mayHold(b []byte, ids []string) (held bool) {
	defer func() {
		if recover() != nil {
			held = true // the library does not expect a damaged filter
		}
	}()
	var f bloom.BloomFilter
	if err := f.UnmarshalBinary(b); err != nil || f.Cap() == 0 || f.K() == 0 || f.K() > maxFidHashes || f.BitSet().Len() < f.Cap() {
		return true
	}
	for _, id := range ids {
		if f.TestString(id) {
			return true
		}
	}
	return false
}

// text appends each of texts as its length and bytes; text that is not UTF-8 is refused (see str).
func (e *imageEncoder) text(b []byte, texts ...string) ([]byte, error) {
	for _, s := range texts {
		if !utf8.ValidString(s) {
			return b, fmt.Errorf("text %q not UTF-8: %w", s, errNoImage)
		}
		b = appendBytes(b, s)
	}
	return b, nil
}

// strs appends the index of each of texts in the chunk's strings.
func (e *imageEncoder) strs(b []byte, texts ...string) ([]byte, error) {
	for _, s := range texts {
		i, err := e.str(s)
		if err != nil {
			return b, err
		}
		b = binary.AppendUvarint(b, i)
	}
	return b, nil
}

func (e *imageEncoder) component(c *data.Component, geom []byte) error {
	// The rows' attributes refuse a scheme, status or date they cannot write; so does the image,
	// so that the feature goes to a row and its error stops the save as before.
	if err := e.codes.check(c); err != nil {
		return fmt.Errorf("%w: %w", err, errNoImage)
	}
	if !jsonDate(c.InitDate) || !jsonDate(c.ChangeDate) {
		return fmt.Errorf("date out of 0000–9999: %w", errNoImage)
	}
	b := appendBytes(e.body, c.ID) // the fid column, stored as it is: no JSON
	b = append(b, byte(c.Scheme), byte(c.Status))
	for k, s := range [...]string{c.Major, c.Minor, c.Grid, c.Source} {
		r := &e.recent[k]
		if s != r.s {
			i, err := e.str(s)
			if err != nil {
				return err
			}
			r.s, r.i = s, i
		}
		b = binary.AppendUvarint(b, r.i)
	}
	b, err := e.text(b, c.Name, c.Note)
	if err != nil {
		return err
	}
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
		if b, err = e.strs(b, k, v); err != nil {
			return err
		}
	}
	e.body = appendBytes(b, geom)
	return nil
}

func (e *imageEncoder) address(a *data.Address, geom []byte) error {
	b := binary.AppendUvarint(e.body, a.ID)
	b, err := e.strs(b, a.Road, a.Section, a.Lane, a.Alley, a.Suffix, a.Community, a.Source)
	if err != nil {
		return err
	}
	b = binary.AppendVarint(b, int64(a.Number))
	if b, err = e.text(b, a.Full); err != nil {
		return err
	}
	e.body = appendBytes(b, geom)
	return nil
}

func (e *imageEncoder) building(x *data.Building, geom []byte) error {
	if !finite(x.Point[0]) || !finite(x.Point[1]) {
		return fmt.Errorf("point %v: %w", x.Point, errNoImage) // JSON has no NaN or infinity
	}
	b := binary.AppendUvarint(e.body, x.ID)
	b, err := e.strs(b, x.Compound)
	if err != nil {
		return err
	}
	if b, err = e.text(b, x.Name, x.Address); err != nil {
		return err
	}
	b = binary.LittleEndian.AppendUint64(b, math.Float64bits(x.Point[0]))
	b = binary.LittleEndian.AppendUint64(b, math.Float64bits(x.Point[1]))
	e.body = appendBytes(b, geom)
	return nil
}

func (e *imageEncoder) grid(g *data.Grid, geom []byte) error {
	if !finite(g.AreaM2) {
		return fmt.Errorf("area %v: %w", g.AreaM2, errNoImage)
	}
	b := appendBytes(e.body, g.Code) // the fid column
	b, err := e.strs(b, g.Community)
	if err != nil {
		return err
	}
	b = binary.LittleEndian.AppendUint64(b, math.Float64bits(g.AreaM2))
	derived := byte(0)
	if g.Derived {
		derived = 1
	}
	e.body = appendBytes(append(b, derived), geom)
	return nil
}

// finite reports whether JSON can write f.
func finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }

// jsonDate reports whether the rows' attributes can write d (appendDate): a year in 0–9999.
func jsonDate(d data.Date) bool {
	if d.IsZero() {
		return true
	}
	y := d.Time().Year()
	return y >= 0 && y <= 9999
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
		r.err = fmt.Errorf("%s at %d bytes from the end", what, len(r.b))
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

// text returns the next length-prefixed bytes as a string over the chunk: valid until the chunk
// is reused, so only for a value the caller copies (NewAddress, NewBuilding, NewGrid do).
func (r *imageReader) text(what string) string {
	b := r.bytes(what)
	return unsafe.String(unsafe.SliceData(b), len(b))
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

func (r *imageReader) float64(what string) float64 {
	if len(r.b) < 8 {
		r.fail(what)
		return 0
	}
	v := math.Float64frombits(binary.LittleEndian.Uint64(r.b))
	r.b = r.b[8:]
	return v
}

// imageTables are a chunk's strings, interned in the decoder's arena, and its departments.
type imageTables struct {
	strs  []string
	depts []data.Dept
}

func (t *imageTables) str(r *imageReader, what string) string {
	return t.strs[r.index(len(t.strs), what)]
}

func (t *imageTables) dept(r *imageReader, what string) data.Dept {
	return t.depts[r.index(len(t.depts), what)]
}

// decodeImage appends the want features of chunk b of layer l to the decoder's dataset, as
// decodeRow would have from their rows.
func (d *decoder) decodeImage(l data.Layer, b []byte, want int) error {
	r := &imageReader{b: b}
	var s *data.Strings
	switch l {
	case data.LayerComponent:
		s = d.comp.arena.Strings()
	case data.LayerAddress:
		s = d.addresses.Strings()
	case data.LayerBuilding:
		s = d.buildings.Strings()
	case data.LayerGrid:
		s = d.grids.Strings()
	default:
		return fmt.Errorf("%s image: layer not imaged", l)
	}
	var t imageTables
	n := r.uvarint("strings")
	if n == 0 || n > uint64(len(b)) { // each string takes at least a byte
		return fmt.Errorf("%s image: %d strings in %d bytes", l, n, len(b))
	}
	t.strs = make([]string, n)
	for i := range t.strs {
		t.strs[i] = s.Intern(r.bytes("string"))
	}
	if n = r.uvarint("departments"); n == 0 || n > uint64(len(b)) {
		return fmt.Errorf("%s image: %d departments in %d bytes", l, n, len(b))
	}
	t.depts = make([]data.Dept, n)
	for i := 1; i < len(t.depts); i++ {
		code, name := t.str(r, "department code"), t.str(r, "department name")
		t.depts[i] = s.Dept(data.DeptRef{Code: code, Name: name})
	}
	if n = r.uvarint("features"); r.err == nil && n != uint64(want) {
		return fmt.Errorf("%s image: %d features, want %d", l, n, want)
	}
	var codes codeCheck
	for range want {
		if r.err != nil {
			break
		}
		var err error
		switch l {
		case data.LayerComponent:
			err = d.imageComponent(r, &t, &codes)
		case data.LayerAddress:
			err = d.imageAddress(r, &t)
		case data.LayerBuilding:
			err = d.imageBuilding(r, &t)
		case data.LayerGrid:
			err = d.imageGrid(r, &t)
		}
		if err != nil {
			return fmt.Errorf("%s image: %w", l, err)
		}
	}
	if r.err == nil && len(r.b) > 0 {
		r.fail("trailing bytes")
	}
	if r.err != nil {
		return fmt.Errorf("%s image: %w", l, r.err)
	}
	return nil
}

func (d *decoder) imageComponent(r *imageReader, t *imageTables, codes *codeCheck) error {
	s := d.comp.arena.Strings()
	c := d.comp.arena.New()
	c.ID = s.Make(r.bytes("id"))
	c.Scheme, c.Status = data.Scheme(r.byte("scheme")), data.Status(r.byte("status"))
	c.Major, c.Minor, c.Grid, c.Source = t.str(r, "major"), t.str(r, "minor"), t.str(r, "grid"), t.str(r, "source")
	c.Name = s.Make(r.bytes("name"))
	c.Note = s.Make(r.bytes("note"))
	c.Owner, c.Property, c.Maintainer = t.dept(r, "owner"), t.dept(r, "property"), t.dept(r, "maintainer")
	c.InitDate, c.ChangeDate = data.Date(r.varint("init_date")), data.Date(r.varint("change_date"))
	if ne := r.uvarint("extra"); ne > 0 && ne <= uint64(len(r.b)) {
		m := make(map[string]string, ne)
		for range ne {
			k := t.str(r, "extra key")
			m[k] = t.str(r, "extra value")
		}
		c.Extra = d.comp.arena.Extra(m)
	} else if ne > 0 {
		r.fail("extra")
	}
	g, err := d.comp.geometry(r.bytes("geometry"))
	if err != nil {
		return fmt.Errorf("%s: geometry: %w", c.ID, err)
	}
	c.Geometry = g
	if r.err == nil {
		if err := codes.check(c); err != nil {
			return fmt.Errorf("%s: %w", c.ID, err)
		}
	}
	d.ds.Components = append(d.ds.Components, c)
	return nil
}

func (d *decoder) imageAddress(r *imageReader, t *imageTables) error {
	a := data.Address{ID: r.uvarint("id")}
	a.Road, a.Section, a.Lane, a.Alley = t.str(r, "road"), t.str(r, "section"), t.str(r, "lane"), t.str(r, "alley")
	a.Suffix, a.Community, a.Source = t.str(r, "suffix"), t.str(r, "community"), t.str(r, "source")
	a.Number, a.Full = int(r.varint("number")), r.text("full")
	g, err := decodeGeom(r.bytes("geometry"))
	if err != nil {
		return fmt.Errorf("#%d: geometry: %w", a.ID, err)
	}
	a.Point, _ = g.(orb.Point)
	d.ds.Addresses = append(d.ds.Addresses, data.NewAddress(&d.addresses, &a))
	return nil
}

func (d *decoder) imageBuilding(r *imageReader, t *imageTables) error {
	x := data.Building{ID: r.uvarint("id"), Compound: t.str(r, "compound"), Name: r.text("name"), Address: r.text("address")}
	x.Point = orb.Point{r.float64("point"), r.float64("point")}
	g, err := decodeGeom(r.bytes("footprint"))
	if err != nil {
		return fmt.Errorf("#%d: footprint: %w", x.ID, err)
	}
	x.Footprint, _ = g.(orb.Polygon)
	d.ds.Buildings = append(d.ds.Buildings, data.NewBuilding(&d.buildings, &x))
	return nil
}

func (d *decoder) imageGrid(r *imageReader, t *imageTables) error {
	g := data.Grid{Code: r.text("code"), Community: t.str(r, "community"), AreaM2: r.float64("area")}
	switch r.byte("derived") {
	case 0:
	case 1:
		g.Derived = true
	default:
		r.fail("derived")
	}
	geom, err := decodeGeom(r.bytes("polygon"))
	if err == nil {
		g.Polygon, err = geomAs[orb.Polygon](geom)
	}
	if err != nil {
		return fmt.Errorf("%s: polygon: %w", g.Code, err)
	}
	d.ds.Grids = append(d.ds.Grids, data.NewGrid(&d.grids, &g))
	return nil
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
