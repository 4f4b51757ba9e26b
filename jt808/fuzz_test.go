package jt808_test

import (
	"bytes"
	"testing"

	"citygeo/jt808"
)

// FuzzDecode feeds arbitrary bytes, cut at an arbitrary point, through the Splitter, the
// decoder, the body parsers and a Session. Nothing may panic; the Splitter must yield the same
// frames whatever the cut; and every frame that decodes must encode back to a frame that
// decodes to the same header and body.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{frameLocation2013, frameHeartbeat2013, frameRegister2013, frameRegister2019, frameXtreamLocation, frameXtreamBatch} {
		b := hexb(f, s)
		f.Add(b, uint16(len(b)/2))
	}
	f.Add([]byte{0x7e, 0x7d, 0x7e, 0x7e}, uint16(1))
	f.Fuzz(func(t *testing.T, data []byte, cut uint16) {
		c := int(cut) % (len(data) + 1)
		whole := frames(&jt808.Splitter{}, data)
		split := frames(&jt808.Splitter{}, data[:c], data[c:])
		if !equalFrames(whole, split) {
			t.Fatalf("cut at %d changes the frames: %x vs %x", c, whole, split)
		}
		s := &jt808.Session{Auth: jt808.KeyedAuth{Key: []byte("k")}}
		for _, fr := range whole {
			in := s.Handle(append([]byte(nil), fr...))
			s.AppendReply(nil, &in, true)

			m, err := jt808.Decode(fr)
			if err != nil {
				continue
			}
			h := m.Header
			jt808.ParseLocation(m.Body)
			jt808.ParseBatch(m.Body)
			jt808.ParseRegister(&h, m.Body)
			jt808.ParseAuth(&h, m.Body)
			again, err := jt808.AppendFrame(nil, h, m.Body)
			if err != nil {
				t.Fatalf("re-encode %+v: %v", h, err)
			}
			m2, err := jt808.Decode(again[1 : len(again)-1])
			if err != nil || m2.Header != h || !bytes.Equal(m2.Body, m.Body) {
				t.Fatalf("round trip: %+v %x (%v), want %+v %x", m2.Header, m2.Body, err, h, m.Body)
			}
		}
	})
}
