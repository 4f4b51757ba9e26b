package jt808_test

import (
	"slices"
	"testing"
	"time"

	"citygeo/jt808"
)

// TestSessionSplitBatch: a 0x0704 longer than a frame arrives in packets. Each packet but the
// last is answered at once; the last carries the whole batch's locations and is answered once
// they are stored; packets that did not come are asked for again (0x8003) naming the first
// packet's serial, and the batch completes when they come.
func TestSessionSplitBatch(t *testing.T) {
	at := time.Date(2026, 11, 20, 8, 0, 0, 0, jt808.CST)
	var b jt808.Batch
	for i := range 70 {
		b.Locations = append(b.Locations, jt808.Location{Status: jt808.StatusPositioned, Lat: 22.5 + float64(i)*1e-4, Lon: 114.1, Time: at.Add(time.Duration(i) * time.Second)})
	}
	b.Blind = true
	body := must(jt808.AppendBatch(nil, &b))
	const size = 800
	var packets [][]byte
	for off := 0; off < len(body); off += size {
		packets = append(packets, body[off:min(off+size, len(body))])
	}
	if len(packets) != 3 {
		t.Fatalf("%d packets, want 3", len(packets))
	}
	login := func(t *testing.T, v2019 bool) *jt808.Session {
		auth := jt808.KeyedAuth{Key: []byte("k")}
		s := &jt808.Session{Auth: auth}
		_, code := auth.Register("13912345678", nil)
		h := jt808.Header{ID: jt808.MsgAuth, V2019: v2019, Phone: "13912345678"}
		if v2019 {
			h.Protocol = 1
		}
		s.Handle(build(t, h, must(jt808.AppendAuth(nil, &jt808.Header{V2019: v2019}, &jt808.Auth{Code: code}))))
		if s.Terminal() == "" {
			t.Fatal("authentication failed")
		}
		return s
	}
	send := func(t *testing.T, s *jt808.Session, v2019 bool, n int) (jt808.Inbound, jt808.Message) {
		h := jt808.Header{ID: jt808.MsgBatch, V2019: v2019, Phone: "13912345678", Serial: uint16(40 + n), Split: true, Packets: 3, Packet: uint16(n)}
		if v2019 {
			h.Protocol = 1
		}
		in := s.Handle(build(t, h, packets[n-1]))
		return in, reply(t, s.AppendReply(nil, &in, true))
	}
	general := func(t *testing.T, m jt808.Message, serial uint16, result byte) {
		t.Helper()
		r, err := jt808.ParseResponse(m.Body)
		if m.Header.ID != jt808.MsgPlatformResponse || err != nil || r.Serial != serial || r.ID != jt808.MsgBatch || r.Result != result {
			t.Errorf("reply %#04x %+v (%v), want 0x8001 to serial %d, result %d", m.Header.ID, r, err, serial, result)
		}
	}
	for _, v2019 := range []bool{false, true} {
		t.Run(map[bool]string{false: "2013", true: "2019"}[v2019], func(t *testing.T) {
			s := login(t, v2019)
			for _, n := range []int{1, 2} {
				in, m := send(t, s, v2019, n)
				if in.Err != nil || len(in.Locations) != 0 {
					t.Fatalf("packet %d: %v, %d locations", n, in.Err, len(in.Locations))
				}
				general(t, m, uint16(40+n), jt808.ResultOK)
			}
			in, m := send(t, s, v2019, 3)
			if in.Err != nil || len(in.Locations) != 70 || in.Locations[69].Lat != b.Locations[69].Lat {
				t.Fatalf("last packet: %v, %d locations, want the batch's 70", in.Err, len(in.Locations))
			}
			general(t, m, 43, jt808.ResultOK)

			// Packet 2 lost: the last one asks for it again; when it comes, the batch is whole.
			s = login(t, v2019)
			send(t, s, v2019, 1)
			in, m = send(t, s, v2019, 3)
			if len(in.Locations) != 0 || m.Header.ID != jt808.MsgResendPackets {
				t.Fatalf("last packet with one missing: %d locations, reply %#04x, want a resend request", len(in.Locations), m.Header.ID)
			}
			rr, err := jt808.ParseResendRequest(m.Body, v2019)
			if err != nil || rr.Serial != 41 || !slices.Equal(rr.Packets, []uint16{2}) {
				t.Errorf("resend request %+v (%v), want serial 41, packet 2", rr, err)
			}
			if in, m = send(t, s, v2019, 2); len(in.Locations) != 70 {
				t.Errorf("the resent packet: %d locations, want 70", len(in.Locations))
			}
			general(t, m, 42, jt808.ResultOK)
		})
	}
}

// TestSessionSplitRefused: packets with impossible numbers are damaged messages; packets of
// other messages than a location report or batch are not supported; before authentication a
// packet is not kept.
func TestSessionSplitRefused(t *testing.T) {
	auth := jt808.KeyedAuth{Key: []byte("k")}
	s := &jt808.Session{Auth: auth}
	_, code := auth.Register("13912345678", nil)
	h := jt808.Header{ID: jt808.MsgBatch, Phone: "13912345678", Split: true, Packets: 2, Packet: 1}
	if in := s.Handle(build(t, h, []byte{0, 1, 1})); s.AppendReply(nil, &in, false) == nil {
		t.Fatal("no answer before authentication")
	} else if r, _ := jt808.ParseResponse(reply(t, s.AppendReply(nil, &in, false)).Body); r.Result != jt808.ResultFailed {
		t.Errorf("packet before authentication: result %d, want failed", r.Result)
	}
	s.Handle(build(t, jt808.Header{ID: jt808.MsgAuth, Phone: "13912345678"}, must(jt808.AppendAuth(nil, &jt808.Header{}, &jt808.Auth{Code: code}))))
	for _, tc := range []struct {
		name           string
		id             uint16
		packets, index uint16
		result         byte
	}{
		{"packet 0", jt808.MsgBatch, 2, 0, jt808.ResultBadMessage},
		{"packet past the count", jt808.MsgBatch, 2, 3, jt808.ResultBadMessage},
		{"too many packets", jt808.MsgBatch, jt808.MaxPackets + 1, 1, jt808.ResultBadMessage},
		{"a split heartbeat", jt808.MsgHeartbeat, 2, 1, jt808.ResultUnsupported},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := s.Handle(build(t, jt808.Header{ID: tc.id, Phone: "13912345678", Serial: 7, Split: true, Packets: tc.packets, Packet: tc.index}, []byte{0, 1, 1}))
			r, err := jt808.ParseResponse(reply(t, s.AppendReply(nil, &in, false)).Body)
			if err != nil || r.Result != tc.result || r.Serial != 7 {
				t.Errorf("answer %+v (%v), want result %d to serial 7", r, err, tc.result)
			}
		})
	}
}

func TestResendRequestRoundTrip(t *testing.T) {
	for _, v2019 := range []bool{false, true} {
		r := jt808.ResendRequest{Serial: 513, Packets: []uint16{2, 5, 300}}
		b, err := jt808.AppendResendRequest(nil, r, v2019)
		if err != nil {
			t.Fatal(err)
		}
		got, err := jt808.ParseResendRequest(b, v2019)
		if err != nil || got.Serial != r.Serial || !slices.Equal(got.Packets, r.Packets) {
			t.Errorf("v2019=%v: %+v (%v), want %+v", v2019, got, err, r)
		}
	}
	if _, err := jt808.AppendResendRequest(nil, jt808.ResendRequest{Packets: make([]uint16, 256)}, false); err == nil {
		t.Error("a 2013 request of 256 packets encoded")
	}
	if _, err := jt808.ParseResendRequest([]byte{0, 1, 2, 0, 1}, false); err == nil {
		t.Error("a request shorter than its count parsed")
	}
}
