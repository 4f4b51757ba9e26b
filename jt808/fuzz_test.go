package jt808_test

import (
	"bytes"
	"testing"
	"time"

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

// FuzzSplitPackets feeds an authenticated Session packets of split location batches with
// arbitrary counts, numbers and bodies (each packet: count, number, length, body bytes).
// Nothing may panic, and a message that completes is one the batch parser read.
func FuzzSplitPackets(f *testing.F) {
	at := jt808.Location{Status: jt808.StatusPositioned, Lat: 22.5, Lon: 114.1, Time: time.Date(2026, 11, 20, 8, 0, 0, 0, jt808.CST)}
	batch := must(jt808.AppendBatch(nil, &jt808.Batch{Locations: []jt808.Location{at, at}}))
	seed := []byte{2, 1, byte(len(batch) / 2)}
	seed = append(seed, batch[:len(batch)/2]...)
	seed = append(seed, 2, 2, byte(len(batch)-len(batch)/2))
	seed = append(seed, batch[len(batch)/2:]...)
	f.Add(seed)
	f.Add([]byte{3, 3, 0, 3, 1, 1, 0, 0, 2, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		auth := jt808.KeyedAuth{Key: []byte("k")}
		s := &jt808.Session{Auth: auth}
		_, code := auth.Register("13912345678", nil)
		s.Handle(build(t, jt808.Header{ID: jt808.MsgAuth, Phone: "13912345678"}, must(jt808.AppendAuth(nil, &jt808.Header{}, &jt808.Auth{Code: code}))))
		for serial := uint16(0); len(data) >= 3; serial++ {
			n := min(int(data[2]), len(data)-3)
			h := jt808.Header{ID: jt808.MsgBatch, Phone: "13912345678", Serial: serial, Split: true, Packets: uint16(data[0]), Packet: uint16(data[1])}
			in := s.Handle(build(t, h, data[3:3+n]))
			s.AppendReply(nil, &in, true)
			if len(in.Locations) > 0 && in.Err != nil {
				t.Fatalf("locations with an error: %v", in.Err)
			}
			data = data[3+n:]
		}
	})
}
