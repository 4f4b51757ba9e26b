package mvtcheck_test

import (
	"encoding/binary"
	"strings"
	"testing"

	"citygeo/tiles/mvtcheck"
)

// pb helpers build hand-made tiles, so each strict rule is shown to catch its defect.
func key(field, wire int) []byte { return binary.AppendUvarint(nil, uint64(field<<3|wire)) }

func lenField(field int, b []byte) []byte {
	out := key(field, 2)
	out = binary.AppendUvarint(out, uint64(len(b)))
	return append(out, b...)
}

func varintField(field int, v uint64) []byte { return binary.AppendUvarint(key(field, 0), v) }

func packed(field int, vs ...uint32) []byte {
	var b []byte
	for _, v := range vs {
		b = binary.AppendUvarint(b, uint64(v))
	}
	return lenField(field, b)
}

func zz(n int32) uint32 { return uint32(n<<1) ^ uint32(n>>31) }

type feat struct {
	id   uint64
	noID bool
	typ  uint64
	geom []uint32
}

func tile(version, extent uint64, feats ...feat) []byte {
	var l []byte
	l = append(l, varintField(15, version)...)
	l = append(l, lenField(1, []byte("t"))...)
	for _, f := range feats {
		var fb []byte
		if !f.noID {
			fb = append(fb, varintField(1, f.id)...)
		}
		fb = append(fb, varintField(3, f.typ)...)
		fb = append(fb, packed(4, f.geom...)...)
		l = append(l, lenField(2, fb)...)
	}
	if extent > 0 {
		l = append(l, varintField(5, extent)...)
	}
	return lenField(3, l)
}

// square returns a polygon ring command stream; cw=true gives positive area (MVT exterior).
func square(cw bool) []uint32 {
	if cw { // (0,0) → (10,0) → (10,10) → (0,10): positive shoelace with y down
		return []uint32{9, zz(0), zz(0), 26, zz(10), zz(0), zz(0), zz(10), zz(-10), zz(0), 15}
	}
	return []uint32{9, zz(0), zz(0), 26, zz(0), zz(10), zz(10), zz(0), zz(0), zz(-10), 15}
}

func TestStrictRules(t *testing.T) {
	for name, tc := range map[string]struct {
		tile []byte
		want string // substring of a problem; "" = clean
	}{
		"clean polygon":      {tile(2, 4096, feat{id: 1, typ: 3, geom: square(true)}), ""},
		"clean point":        {tile(2, 4096, feat{id: 1, typ: 1, geom: []uint32{9, zz(5), zz(5)}}), ""},
		"wrong winding":      {tile(2, 4096, feat{id: 1, typ: 3, geom: square(false)}), "interior ring"},
		"version 1":          {tile(1, 4096, feat{id: 1, typ: 1, geom: []uint32{9, 2, 2}}), "version 1"},
		"no extent":          {tile(2, 0, feat{id: 1, typ: 1, geom: []uint32{9, 2, 2}}), "extent"},
		"no id":              {tile(2, 4096, feat{noID: true, typ: 1, geom: []uint32{9, 2, 2}}), "no id"},
		"duplicate id":       {tile(2, 4096, feat{id: 3, typ: 1, geom: []uint32{9, 2, 2}}, feat{id: 3, typ: 1, geom: []uint32{9, 4, 4}}), "duplicate id"},
		"id beyond 2^53":     {tile(2, 4096, feat{id: 1 << 60, typ: 1, geom: []uint32{9, 2, 2}}), "JavaScript"},
		"empty layer":        {tile(2, 4096), "empty layer"},
		"zero-length line":   {tile(2, 4096, feat{id: 1, typ: 2, geom: []uint32{9, 2, 2, 18, 0, 0, 4, 4}}), "zero-length"},
		"zero-area ring":     {tile(2, 4096, feat{id: 1, typ: 3, geom: []uint32{9, 0, 0, 18, zz(5), 0, zz(5), 0, 15}}), "zero area"},
		"repeated first":     {tile(2, 4096, feat{id: 1, typ: 3, geom: []uint32{9, 0, 0, 34, zz(10), 0, 0, zz(10), zz(-10), 0, 0, zz(-10), 15}}), "first point"},
		"outside the buffer": {tile(2, 4096, feat{id: 1, typ: 1, geom: []uint32{9, zz(5000), zz(5)}}), "outside"},
		"bow tie":            {tile(2, 4096, feat{id: 1, typ: 3, geom: []uint32{9, 0, 0, 26, zz(10), zz(10), zz(0), zz(-10), zz(-10), zz(10), 15}}), "crosses itself"},
		"huge count":         {tile(2, 4096, feat{id: 1, typ: 1, geom: []uint32{1 | 1000<<3, 2, 2}}), "exceeds"},
		"line with close":    {tile(2, 4096, feat{id: 1, typ: 2, geom: []uint32{9, 2, 2, 10, 4, 4, 15}}), "MoveTo"},
	} {
		t.Run(name, func(t *testing.T) {
			_, probs := mvtcheck.Check(tc.tile, mvtcheck.Strict)
			if tc.want == "" {
				if len(probs) > 0 {
					t.Errorf("clean tile: %v", probs)
				}
				return
			}
			for _, p := range probs {
				if strings.Contains(p.Msg, tc.want) {
					return
				}
			}
			t.Errorf("want a problem containing %q, got %v", tc.want, probs)
		})
	}
}

// FuzzCheck: the validator reads any bytes without panicking or allocating past its input.
func FuzzCheck(f *testing.F) {
	f.Add(tile(2, 4096, feat{id: 1, typ: 3, geom: square(true)}))
	f.Add(tile(2, 4096, feat{id: 1, typ: 2, geom: []uint32{9, 2, 2, 18, 0, 0, 4, 4}}))
	f.Add([]byte{0x1a, 0x02, 0x78})
	f.Fuzz(func(t *testing.T, b []byte) {
		tl, _ := mvtcheck.Check(b, mvtcheck.Strict)
		if tl == nil {
			t.Fatal("nil tile")
		}
	})
}
