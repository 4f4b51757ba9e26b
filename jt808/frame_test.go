package jt808_test

import (
	"bytes"
	"encoding/hex"
	"errors"
	"slices"
	"strings"
	"testing"

	"citygeo/jt808"
)

// hexb decodes hex written with spaces and field separators ("|") for reading.
func hexb(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.NewReplacer(" ", "", "|", "", "\n", "", "\t", "").Replace(s))
	if err != nil {
		t.Fatalf("bad hex %q: %v", s, err)
	}
	return b
}

// Frames written byte by byte from the standard, with their check codes worked out by hand
// (XOR of header and body) and escaped after.
const (
	// A 2013 location report from terminal 013912345678, serial 0x007D (escaped as 7D 01),
	// alarm 0x48 chosen so that the check code is 0x7E (escaped as 7D 02): positioned + ACC,
	// 22.543210 N 114.057865 E, 20 m, 50.0 km/h, 90°, 2026-11-20 09:30:15 (GMT+8).
	frameLocation2013 = "7e | 0200 001c 013912345678 007d01 | 00000048 00000003 0157fb6a 06cc6289 0014 01f4 005a 261120093015 | 7d02 7e"
	// A 2013 heartbeat from the same terminal, serial 8.
	frameHeartbeat2013 = "7e | 0002 0000 013912345678 0008 | 3a 7e"
	// A 2013 registration: province 44, city 0303, maker ZX001, model ZX-T808 (padded to 20),
	// terminal T000001, plate colour 1 (blue), plate 粤B12345 in GBK.
	frameRegister2013 = "7e | 0100 002d 013912345678 0001 | 002c 012f 5a58303031 5a582d5438303800000000000000000000000000 54303030303031 01 d4c1423132333435 | 55 7e"
	// The same registration with the 2019 header (bit 14, version 1, 20-digit phone) and the
	// 2019 field lengths (maker 11, model 30, terminal 30), plate colour 2.
	frameRegister2019 = "7e | 0100 4054 01 00000000013912345678 0001 | 002c 012f 5a58303031000000000000 " +
		"5a582d543830382d32303139000000000000000000000000000000000000 " +
		"543030303030310000000000000000000000000000000000000000000000 02 d4c1423132333435 | 49 7e"
	// Two frames published by another implementation (the debug UI of the xtream-codec JT/T
	// 808 server): a 2019 location report with two extra items, and a 2019 batch upload.
	frameXtreamLocation = "7e02004026010000000001391234432900000000006f0000001601dc9a0707456246007b004200032501292233440202006401040000000c417e"
	frameXtreamBatch    = "7e0704403f01000000000139123443290000000200001c000000010000000101d907f2073d336c029a00210059241029213903001c000000010000000101d907f3073d336d03090043005a241029213903f87e"
)

func TestEscape(t *testing.T) {
	for _, tc := range []struct {
		name, raw, escaped string
	}{
		// The example of the standard: 30 7E 08 7D 55 is sent as 30 7D 02 08 7D 01 55.
		{"standard example", "30 7e 08 7d 55", "30 7d 02 08 7d 01 55"},
		{"nothing to escape", "01 02 03", "01 02 03"},
		{"only flags", "7e 7e", "7d 02 7d 02"},
		{"escape of escape", "7d 02", "7d 01 02"},
		{"empty", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			raw, esc := hexb(t, tc.raw), hexb(t, tc.escaped)
			if got := jt808.AppendEscaped(nil, raw); !bytes.Equal(got, esc) {
				t.Errorf("escape = % x, want % x", got, esc)
			}
			got, err := jt808.Unescape(nil, esc)
			if err != nil || !bytes.Equal(got, raw) {
				t.Errorf("unescape = % x, %v; want % x", got, err, raw)
			}
		})
	}
	for _, bad := range []string{"7d", "30 7d 03", "7d 7e"} {
		if _, err := jt808.Unescape(nil, hexb(t, bad)); !errors.Is(err, jt808.ErrEscape) {
			t.Errorf("unescape % s: err = %v, want ErrEscape", bad, err)
		}
	}
}

func TestChecksum(t *testing.T) {
	// The heartbeat's header XORs to 0x3A: 00^02^00^00^01^39^12^34^56^78^00^08.
	if got := jt808.Checksum(hexb(t, "0002 0000 013912345678 0008")); got != 0x3a {
		t.Errorf("Checksum = %#x, want 0x3a", got)
	}
}

// frames returns every frame a Splitter yields from the reads, copied.
func frames(s *jt808.Splitter, reads ...[]byte) [][]byte {
	var out [][]byte
	for _, r := range reads {
		s.Write(r)
		for f, ok := s.Next(); ok; f, ok = s.Next() {
			out = append(out, append([]byte(nil), f...))
		}
	}
	return out
}

func TestSplitter(t *testing.T) {
	loc, hb, reg := hexb(t, frameLocation2013), hexb(t, frameHeartbeat2013), hexb(t, frameRegister2013)
	inner := func(f []byte) []byte { return f[1 : len(f)-1] }
	all := bytes.Join([][]byte{reg, loc, hb}, nil)
	want := [][]byte{inner(reg), inner(loc), inner(hb)}

	t.Run("several frames in one read", func(t *testing.T) {
		if got := frames(&jt808.Splitter{}, all); !equalFrames(got, want) {
			t.Errorf("got %d frames %x, want %x", len(got), got, want)
		}
	})
	t.Run("split across reads at every byte", func(t *testing.T) {
		for cut := 1; cut < len(all); cut++ {
			if got := frames(&jt808.Splitter{}, all[:cut], all[cut:]); !equalFrames(got, want) {
				t.Fatalf("cut at %d: got %x, want %x", cut, got, want)
			}
		}
	})
	t.Run("one byte per read", func(t *testing.T) {
		var reads [][]byte
		for i := range all {
			reads = append(reads, all[i:i+1])
		}
		if got := frames(&jt808.Splitter{}, reads...); !equalFrames(got, want) {
			t.Errorf("got %x, want %x", got, want)
		}
	})
	t.Run("noise and a stream joined midway", func(t *testing.T) {
		// Bytes of a frame whose start was missed, its closing flag, then real frames.
		s := &jt808.Splitter{}
		joined := append(hexb(t, "01 02 03 7e"), all...)
		if got := frames(s, joined); !equalFrames(got, want) {
			t.Errorf("got %x, want %x", got, want)
		}
		if d := s.Dropped(); d != 4 {
			t.Errorf("Dropped = %d, want 4 (three noise bytes and the stray flag)", d)
		}
	})
	t.Run("an oversized frame is dropped and the stream recovers", func(t *testing.T) {
		s := &jt808.Splitter{}
		junk := append([]byte{jt808.Flag}, bytes.Repeat([]byte{0x55}, jt808.MaxFrame+1)...)
		if got := frames(s, junk); len(got) != 0 || s.Buffered() != 0 {
			t.Fatalf("got %d frames and %d buffered bytes from junk", len(got), s.Buffered())
		}
		if got := frames(s, hb); !equalFrames(got, [][]byte{inner(hb)}) {
			t.Errorf("after junk: got %x", got)
		}
	})
	t.Run("an oversized run closed in the same read", func(t *testing.T) {
		// The run's closing flag opens the next frame, as it does when the run is dropped
		// before that flag arrives: the frames do not depend on where the reads break.
		junk := append([]byte{jt808.Flag}, bytes.Repeat([]byte{0x11}, jt808.MaxFrame+43)...)
		stream := slices.Concat(junk, hb, loc)
		for _, cut := range []int{len(stream), len(junk), len(junk) + 1, 7} {
			s := &jt808.Splitter{}
			if got := frames(s, stream[:cut], stream[cut:]); !equalFrames(got, [][]byte{inner(hb), inner(loc)}) {
				t.Errorf("cut at %d: got %d frames, want the heartbeat and the location", cut, len(got))
			}
		}
	})
}

func equalFrames(a, b [][]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !bytes.Equal(a[i], b[i]) {
			return false
		}
	}
	return true
}
