package tiles

import (
	"encoding/binary"
	"math"
)

// Extent is the tile coordinate range written in every layer.
const Extent = 4096

// Buffer is the clip buffer around each tile, in tile units.
const Buffer = 64

// Geometry types of MVT features.
const (
	typePoint   = 1
	typeLine    = 2
	typePolygon = 3
)

// Value is one typed attribute value; exactly one field is meaningful, chosen by Kind.
type Value struct {
	Kind ValueKind
	S    string
	I    int64
	F    float64
	B    bool
}

// ValueKind says which field of a Value is set.
type ValueKind uint8

// Value kinds, mapped to the MVT Value fields string_value, sint_value, double_value, bool_value.
const (
	KindString ValueKind = iota + 1
	KindInt
	KindDouble
	KindBool
)

// Tag is one attribute of a feature.
type Tag struct {
	Key string
	Val Value
}

// Str returns a string attribute.
func Str(k, v string) Tag { return Tag{k, Value{Kind: KindString, S: v}} }

// Int returns an integer attribute.
func Int(k string, v int64) Tag { return Tag{k, Value{Kind: KindInt, I: v}} }

// Double returns a floating-point attribute.
func Double(k string, v float64) Tag { return Tag{k, Value{Kind: KindDouble, F: v}} }

// Bool returns a boolean attribute.
func Bool(k string, v bool) Tag { return Tag{k, Value{Kind: KindBool, B: v}} }

// ipt is a point in integer tile coordinates.
type ipt struct{ X, Y int32 }

// feature is one clean feature ready to encode: for points parts holds one part with every
// point, for lines one part per line, for polygons rings in order (exterior, its holes, next
// exterior …) already wound by the MVT rule.
type feature struct {
	id    uint64
	typ   uint8
	parts [][]ipt
	geom  []byte // instead of parts: the geometry already encoded, packed (gridMemo)
	tags  []Tag
	prio  uint64 // thinning order: lower survives
}

// The encoder below is ours rather than orb/encoding/mvt (v0.14.0, read at marshal.go,
// geometry.go and layer.go) because of what each takes and does:
//   - Geometry: orb encodes float tile coordinates by truncating them (int32(x)), after
//     Layer.ProjectToTile has overwritten the features' geometry in place (so every feature
//     would be cloned per tile), and it neither rewinds rings nor defaults to layer version 2
//     (NewLayer sets 1). Our pipeline has already rounded, cleaned and rewound each part in
//     integer coordinates (ipt), and this encoder writes those parts as they are.
//   - Feature ids: orb takes an any and silently writes no id for a string that is not an
//     integer or for a negative number (convertID); every feature here carries its uint64 id
//     (FeatureID), which MapLibre needs to match features across tiles.
//   - Attributes: orb reads a geojson.Properties map per feature, sorts its keys for every
//     feature and fails on types it does not know; here a feature has typed Tags in a fixed
//     order (the first of a repeated key wins) and values dedupe by kind and value.
//   - Allocation: orb builds a gogo/protobuf message tree (a pointer per value) and then
//     marshals it; this appends wire bytes directly, which matters because encodeTile encodes
//     a tile again each time it thins an oversized layer. It also keeps the deprecated
//     gogo/protobuf out of the tile path.

// layerEnc accumulates one layer with de-duplicated keys and values. One encoder is reused
// layer after layer (reset), and it writes each feature and the layer straight into its
// output, sizes first: encodeTile runs once per uncached tile, so it allocates nothing once
// its buffers and maps have grown to a tile's size.
type layerEnc struct {
	name  string
	keys  []string // few per layer: found by a scan, cheaper than hashing
	vals  []Value
	strs  map[string]uint32 // index into vals of each string value
	ints  map[int64]uint32
	dbls  map[float64]uint32 // keyed by value, as Values compare: -0 is 0, NaN never equal
	bools [2]uint32          // index+1 of false and true; 0: not yet
	feats []byte
	tags  []uint32
	geom  []uint32
}

// maxKeptValues is the number of distinct values above which reset makes new maps rather than
// clearing them: clearing costs the map's capacity, which one big layer would leave behind for
// every small one after it.
const maxKeptValues = 4096

// reset empties l for a layer called name.
func (l *layerEnc) reset(name string) {
	l.name = name
	if l.strs == nil || len(l.vals) > maxKeptValues {
		l.strs, l.ints, l.dbls = map[string]uint32{}, map[int64]uint32{}, map[float64]uint32{}
	} else {
		clear(l.strs)
		clear(l.ints)
		clear(l.dbls)
	}
	l.bools = [2]uint32{}
	l.keys, l.vals, l.feats = l.keys[:0], l.vals[:0], l.feats[:0]
}

// forget drops l's references to the last layer's keys and values.
func (l *layerEnc) forget() {
	clear(l.keys)
	clear(l.vals)
	clear(l.strs)
	l.keys, l.vals = l.keys[:0], l.vals[:0]
}

// keyIndex returns the index of key k, adding it.
func (l *layerEnc) keyIndex(k string) uint32 {
	for i, have := range l.keys {
		if have == k {
			return uint32(i)
		}
	}
	l.keys = append(l.keys, k)
	return uint32(len(l.keys) - 1)
}

// valueIndex returns the index of v, adding it. Values of one kind dedupe by the field their
// kind names (the one an MVT Value carries); hashing a string or a number, rather than the
// whole Value, is most of what encoding a tile's attributes costs.
func (l *layerEnc) valueIndex(v Value) uint32 {
	next := uint32(len(l.vals))
	var i uint32
	var ok bool
	switch v.Kind {
	case KindString:
		if i, ok = l.strs[v.S]; !ok {
			l.strs[v.S] = next
		}
	case KindInt:
		if i, ok = l.ints[v.I]; !ok {
			l.ints[v.I] = next
		}
	case KindDouble:
		if i, ok = l.dbls[v.F]; !ok {
			l.dbls[v.F] = next
		}
	case KindBool:
		b := 0
		if v.B {
			b = 1
		}
		if i, ok = l.bools[b]-1, l.bools[b] != 0; !ok {
			l.bools[b] = next + 1
		}
	}
	if ok {
		return i
	}
	l.vals = append(l.vals, v)
	return next
}

func (l *layerEnc) add(f *feature) {
	l.tags = l.tags[:0]
	seen := 0
	for _, t := range f.tags {
		// A key is written once per feature: the first wins.
		dup := false
		for _, u := range f.tags[:seen] {
			if u.Key == t.Key {
				dup = true
				break
			}
		}
		seen++
		if dup {
			continue
		}
		l.tags = append(l.tags, l.keyIndex(t.Key), l.valueIndex(t.Val))
	}
	var geomLen int
	if f.geom != nil {
		geomLen = len(f.geom)
	} else {
		l.geom = encodeGeometry(l.geom[:0], f.typ, f.parts)
		geomLen = packedLen(l.geom)
	}
	tagsLen := packedLen(l.tags)
	n := 1 + uvarintLen(f.id) + 1 + uvarintLen(uint64(f.typ)) + 1 + uvarintLen(uint64(geomLen)) + geomLen
	if len(l.tags) > 0 {
		n += 1 + uvarintLen(uint64(tagsLen)) + tagsLen
	}
	b := appendTag(l.feats, 2, 2)
	b = binary.AppendUvarint(b, uint64(n))
	b = appendTag(b, 1, 0)
	b = binary.AppendUvarint(b, f.id)
	if len(l.tags) > 0 {
		b = appendPacked(b, 2, l.tags, tagsLen)
	}
	b = appendTag(b, 3, 0)
	b = binary.AppendUvarint(b, uint64(f.typ))
	if f.geom != nil {
		b = appendTag(b, 4, 2)
		b = binary.AppendUvarint(b, uint64(geomLen))
		l.feats = append(b, f.geom...)
		return
	}
	l.feats = appendPacked(b, 4, l.geom, geomLen)
}

// appendTo appends the layer as field 3 of a Tile message.
func (l *layerEnc) appendTo(dst []byte) []byte {
	n := 2 + 1 + uvarintLen(uint64(len(l.name))) + len(l.name) + len(l.feats) + 1 + uvarintLen(Extent)
	for _, k := range l.keys {
		n += 1 + uvarintLen(uint64(len(k))) + len(k)
	}
	for _, v := range l.vals {
		vn := valueLen(v)
		n += 1 + uvarintLen(uint64(vn)) + vn
	}
	dst = appendTag(dst, 3, 2)
	dst = binary.AppendUvarint(dst, uint64(n))
	dst = appendTag(dst, 15, 0)
	dst = binary.AppendUvarint(dst, 2)
	dst = appendString(dst, 1, l.name)
	dst = append(dst, l.feats...)
	for _, k := range l.keys {
		dst = appendString(dst, 3, k)
	}
	for _, v := range l.vals {
		dst = appendTag(dst, 4, 2)
		dst = binary.AppendUvarint(dst, uint64(valueLen(v)))
		dst = appendValue(dst, v)
	}
	dst = appendTag(dst, 5, 0)
	return binary.AppendUvarint(dst, Extent)
}

// valueLen is the encoded size of a Value message.
func valueLen(v Value) int {
	switch v.Kind {
	case KindString:
		return 1 + uvarintLen(uint64(len(v.S))) + len(v.S)
	case KindDouble:
		return 1 + 8
	case KindInt:
		return 1 + uvarintLen(zigzag64(v.I))
	case KindBool:
		return 2
	}
	return 0
}

// appendValue appends the fields of a Value message.
func appendValue(b []byte, v Value) []byte {
	switch v.Kind {
	case KindString:
		b = appendString(b, 1, v.S)
	case KindDouble:
		b = appendTag(b, 3, 1)
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v.F))
	case KindInt:
		b = appendTag(b, 6, 0)
		b = binary.AppendUvarint(b, zigzag64(v.I))
	case KindBool:
		b = appendTag(b, 7, 0)
		bv := uint64(0)
		if v.B {
			bv = 1
		}
		b = binary.AppendUvarint(b, bv)
	}
	return b
}

func appendTag(b []byte, field, wire int) []byte {
	return binary.AppendUvarint(b, uint64(field<<3|wire))
}

func appendString(b []byte, field int, s string) []byte {
	b = appendTag(b, field, 2)
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// packedLen is the encoded size of vs as packed varints.
func packedLen(vs []uint32) int {
	n := 0
	for _, v := range vs {
		n += uvarintLen(uint64(v))
	}
	return n
}

// appendPacked appends vs as a packed field whose payload, packedLen(vs), is n bytes.
func appendPacked(b []byte, field int, vs []uint32, n int) []byte {
	b = appendTag(b, field, 2)
	b = binary.AppendUvarint(b, uint64(n))
	return appendVarints(b, vs)
}

func uvarintLen(v uint64) int {
	n := 1
	for v >= 0x80 {
		v >>= 7
		n++
	}
	return n
}

func zigzag32(n int32) uint32 { return uint32(n<<1) ^ uint32(n>>31) }
func zigzag64(n int64) uint64 { return uint64(n<<1) ^ uint64(n>>63) }

func command(id, count int) uint32 { return uint32(id&7) | uint32(count)<<3 }

// encodeGeometry writes the command stream. The cursor starts at (0,0) and carries across parts.
func encodeGeometry(dst []uint32, typ uint8, parts [][]ipt) []uint32 {
	var cx, cy int32
	put := func(p ipt) {
		dst = append(dst, zigzag32(p.X-cx), zigzag32(p.Y-cy))
		cx, cy = p.X, p.Y
	}
	switch typ {
	case typePoint:
		for _, part := range parts {
			dst = append(dst, command(1, len(part)))
			for _, p := range part {
				put(p)
			}
		}
	case typeLine, typePolygon:
		for _, part := range parts {
			dst = append(dst, command(1, 1))
			put(part[0])
			dst = append(dst, command(2, len(part)-1))
			for _, p := range part[1:] {
				put(p)
			}
			if typ == typePolygon {
				dst = append(dst, command(7, 1))
			}
		}
	}
	return dst
}
