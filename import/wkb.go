package importer

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/paulmach/orb"
)

// This decoder is hand-written rather than go-geom's encoding/wkb (v1.7.0, already a
// dependency) followed by fromGeom, for three reasons, measured or read in its source:
//   - Speed: BenchmarkDecodeWKB (wkb_test.go) decodes the sample city's community polygons,
//     unit grids, components and roads both ways:
//
//     go test ./import -run '^$' -bench DecodeWKB -benchtime 1s -count 5
//
//     On the project's 2-core Xeon, shared with other work (load average 8–12), so comparing
//     the process's CPU time per op, medians of 5, in one run: go-geom + fromGeom took 4.3–6.3×
//     the CPU of decodeWKB (area 532 against 109 µs, grid 2182 against 459, component 1433
//     against 227, road 300 against 71), allocated 5.5–9.4× the bytes and 6.7–16× the
//     objects. go-geom alone, before any copy into orb types, took 1.5–5.5× the CPU.
//   - Allocation caps: go-geom sizes its slices from the counts in the input before reading a
//     coordinate (make([]float64, n*stride) in wkbcommon.ReadFlatCoords1), so a 9-byte line
//     can ask for 64 GiB; its only limit is the package variable
//     wkbcommon.MaxGeometryElements, -1 (none) unless a program changes it for everyone.
//   - EWKB: go-geom's wkb package rejects the EWKB Z, M and SRID flags, its ewkb package the
//     ISO 1000/2000/3000 type codes; decodeWKB reads both.

// decodeWKB reads ISO WKB or EWKB with optional Z and M (dropped) into a 2D orb geometry.
// Every count is checked against the bytes left before anything is allocated, so hostile input
// cannot ask for gigabytes (FuzzDecodeWKB checks what it returns against its input).
func decodeWKB(b []byte) (orb.Geometry, error) {
	d := wkbDecoder{b: b}
	g := d.geometry(0)
	if d.err != nil {
		return nil, fmt.Errorf("wkb: %v: %w", d.err, ErrFormat)
	}
	return g, nil
}

type wkbDecoder struct {
	b   []byte
	off int
	err error
}

func (d *wkbDecoder) fail(format string, args ...any) {
	if d.err == nil {
		d.err = fmt.Errorf(format+" (at byte %d)", append(args, d.off)...)
	}
}

func (d *wkbDecoder) take(n int) []byte {
	if d.err != nil || n < 0 || d.off+n > len(d.b) {
		d.fail("truncated")
		return nil
	}
	s := d.b[d.off : d.off+n]
	d.off += n
	return s
}

func (d *wkbDecoder) geometry(depth int) orb.Geometry {
	if depth > 8 {
		d.fail("nested too deep")
		return nil
	}
	bo := d.take(1)
	if bo == nil {
		return nil
	}
	var order binary.ByteOrder
	switch bo[0] {
	case 0:
		order = binary.BigEndian
	case 1:
		order = binary.LittleEndian
	default:
		d.fail("byte order %d", bo[0])
		return nil
	}
	u32 := func() int {
		s := d.take(4)
		if s == nil {
			return 0
		}
		return int(order.Uint32(s))
	}
	t := uint32(u32())
	dims := 2
	if t&0x80000000 != 0 { // EWKB Z
		dims++
	}
	if t&0x40000000 != 0 { // EWKB M
		dims++
	}
	if t&0x20000000 != 0 { // EWKB SRID
		u32()
	}
	t &= 0x0fffffff
	switch t / 1000 {
	case 1, 2:
		dims++
	case 3:
		dims += 2
	}
	kind := t % 1000
	stride := 8 * dims
	count := func(each int) int {
		n := u32()
		if d.err == nil && n*each > len(d.b)-d.off {
			d.fail("count %d exceeds the data", n)
			return 0
		}
		return n
	}
	point := func() orb.Point {
		s := d.take(stride)
		if s == nil {
			return orb.Point{}
		}
		return orb.Point{math.Float64frombits(order.Uint64(s)), math.Float64frombits(order.Uint64(s[8:]))}
	}
	line := func() orb.LineString {
		n := count(stride)
		l := make(orb.LineString, 0, n)
		for i := 0; i < n && d.err == nil; i++ {
			l = append(l, point())
		}
		return l
	}
	poly := func() orb.Polygon {
		n := count(4)
		p := make(orb.Polygon, 0, n)
		for i := 0; i < n && d.err == nil; i++ {
			p = append(p, orb.Ring(line()))
		}
		return p
	}
	switch kind {
	case 1:
		p := point()
		if math.IsNaN(p[0]) && math.IsNaN(p[1]) {
			return nil // empty point
		}
		return p
	case 2:
		return line()
	case 3:
		return poly()
	case 4, 5, 6, 7:
		n := count(5)
		var out []orb.Geometry
		for i := 0; i < n && d.err == nil; i++ {
			out = append(out, d.geometry(depth+1))
		}
		if d.err != nil {
			return nil
		}
		switch kind {
		case 4:
			mp := make(orb.MultiPoint, 0, len(out))
			for _, g := range out {
				if p, ok := g.(orb.Point); ok {
					mp = append(mp, p)
				}
			}
			return mp
		case 5:
			ml := make(orb.MultiLineString, 0, len(out))
			for _, g := range out {
				l, ok := g.(orb.LineString)
				if !ok {
					d.fail("multilinestring member is not a linestring")
					return nil
				}
				ml = append(ml, l)
			}
			return ml
		case 6:
			mp := make(orb.MultiPolygon, 0, len(out))
			for _, g := range out {
				p, ok := g.(orb.Polygon)
				if !ok {
					d.fail("multipolygon member is not a polygon")
					return nil
				}
				mp = append(mp, p)
			}
			return mp
		default:
			return orb.Collection(out)
		}
	}
	d.fail("geometry type %d", t)
	return nil
}
