package importer

import (
	"encoding/binary"
	"os"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
)

func FuzzDecodeGPKG(f *testing.F) {
	pt, _ := wkb.Marshal(orb.Point{114.1, 22.5})
	poly, _ := wkb.Marshal(orb.Polygon{{{0, 0}, {1, 0}, {1, 1}, {0, 0}}})
	f.Add(append([]byte{'G', 'P', 0, 1, 0xe6, 0x10, 0, 0}, pt...))
	f.Add(append([]byte{'G', 'P', 0, 3, 0xe6, 0x10, 0, 0}, append(make([]byte, 32), poly...)...))
	f.Add([]byte{'G', 'P', 0, 0x0f, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _, _ = decodeGPKG(b)
	})
}

// FuzzDecodeWKB feeds decodeWKB WKB and EWKB of every type, Z and M, and lies about counts.
// Whatever it decodes must encode back (2D) in no more bytes than it read, so a hostile count
// cannot make it allocate more than the input allows.
func FuzzDecodeWKB(f *testing.F) {
	for _, g := range []orb.Geometry{
		orb.Point{114.1, 22.5}, orb.LineString{{1, 2}, {3, 4}}, orb.Polygon{{{0, 0}, {1, 0}, {1, 1}, {0, 0}}},
		orb.MultiPoint{{1, 1}}, orb.MultiLineString{{{1, 1}, {2, 2}}},
		orb.MultiPolygon{{{{0, 0}, {1, 0}, {1, 1}, {0, 0}}}}, orb.Collection{orb.Point{1, 2}},
	} {
		b, _ := wkb.Marshal(g, binary.BigEndian)
		f.Add(b)
	}
	f.Add([]byte{1, 0xe9, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f, 0, 0, 0, 0, 0, 0, 0, 0x40, 0, 0, 0, 0, 0, 0, 0x08, 0x40}) // ISO Point Z
	f.Add([]byte{1, 1, 0, 0, 0x20, 0xe6, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f, 0, 0, 0, 0, 0, 0, 0, 0x40})             // EWKB Point, SRID 4326
	f.Add([]byte{1, 2, 0, 0, 0, 0xff, 0xff, 0xff, 0x7f})                                                                   // a line of 2^31 points in 9 bytes
	f.Fuzz(func(t *testing.T, b []byte) {
		g, err := decodeWKB(b)
		if err != nil || g == nil {
			return
		}
		if back, err := wkb.Marshal(g, binary.BigEndian); err != nil || len(back) > len(b) {
			t.Fatalf("%d bytes decoded into %d bytes of WKB (%v)", len(b), len(back), err)
		}
	})
}

func TestDecodeWKBMatchesOrb(t *testing.T) {
	for _, g := range []orb.Geometry{
		orb.Point{1, 2}, orb.LineString{{1, 2}, {3, 4}}, orb.Polygon{{{0, 0}, {1, 0}, {1, 1}, {0, 0}}},
		orb.MultiPolygon{{{{0, 0}, {1, 0}, {1, 1}, {0, 0}}}, {{{5, 5}, {6, 5}, {6, 6}, {5, 5}}}},
		orb.MultiPoint{{1, 1}, {2, 2}}, orb.MultiLineString{{{1, 1}, {2, 2}}},
	} {
		b, _ := wkb.Marshal(g)
		got, err := decodeWKB(b)
		if err != nil || !orb.Equal(got, g) {
			t.Errorf("decodeWKB(%v) = %v, %v", g, got, err)
		}
	}
	// ISO WKB Point Z (1001): z dropped.
	z := []byte{1, 0xe9, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f, 0, 0, 0, 0, 0, 0, 0, 0x40, 0, 0, 0, 0, 0, 0, 0x08, 0x40}
	if got, err := decodeWKB(z); err != nil || got != (orb.Point{1, 2}) {
		t.Errorf("point Z = %v, %v", got, err)
	}
	// A count far beyond the data must fail, not allocate.
	huge := []byte{1, 2, 0, 0, 0, 0xff, 0xff, 0xff, 0x7f}
	if _, err := decodeWKB(huge); err == nil {
		t.Error("huge count accepted")
	}
	_ = os.Stdout
}
