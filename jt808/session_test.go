package jt808_test

import (
	"encoding/binary"
	"testing"
	"time"

	"citygeo/jt808"
)

// reply decodes the one frame a session answered with.
func reply(t *testing.T, b []byte) jt808.Message {
	t.Helper()
	var s jt808.Splitter
	s.Write(b)
	f, ok := s.Next()
	if !ok {
		t.Fatalf("no reply frame in % x", b)
	}
	m, err := jt808.Decode(f)
	if err != nil {
		t.Fatalf("reply % x: %v", b, err)
	}
	if _, more := s.Next(); more {
		t.Fatalf("more than one reply frame in % x", b)
	}
	return m
}

// inner returns a test frame without its flags, as Splitter.Next does.
func inner(t *testing.T, frame string) []byte {
	b := hexb(t, frame)
	return b[1 : len(b)-1]
}

// build encodes a message as a terminal would send it.
func build(t *testing.T, h jt808.Header, body []byte) []byte {
	t.Helper()
	f, err := jt808.AppendFrame(nil, h, body)
	if err != nil {
		t.Fatal(err)
	}
	return f[1 : len(f)-1]
}

func TestSessionFlow(t *testing.T) {
	auth := jt808.KeyedAuth{Key: []byte("test key")}
	s := &jt808.Session{Auth: auth}
	general := func(t *testing.T, in jt808.Inbound, stored bool, serial, id uint16, result byte) {
		t.Helper()
		m := reply(t, s.AppendReply(nil, &in, stored))
		r, err := jt808.ParseResponse(m.Body)
		if m.Header.ID != jt808.MsgPlatformResponse || err != nil {
			t.Fatalf("reply %+v, %v: want a 0x8001", m.Header, err)
		}
		if r != (jt808.Response{Serial: serial, ID: id, Result: result}) {
			t.Errorf("0x8001 = %+v, want serial %d id %#04x result %d", r, serial, id, result)
		}
		if m.Header.Phone != in.Header.Phone || m.Header.V2019 != in.Header.V2019 {
			t.Errorf("reply header %+v does not address the terminal %+v", m.Header, in.Header)
		}
	}

	t.Run("location before authentication is refused", func(t *testing.T) {
		in := s.Handle(inner(t, frameLocation2013))
		if len(in.Locations) != 0 || in.Seen {
			t.Fatalf("unauthenticated report gave %d locations, seen=%v", len(in.Locations), in.Seen)
		}
		general(t, in, true, 0x7d, jt808.MsgLocation, jt808.ResultFailed)
	})
	var code string
	t.Run("registration answers 0x8100 with a code", func(t *testing.T) {
		in := s.Handle(inner(t, frameRegister2013))
		m := reply(t, s.AppendReply(nil, &in, false))
		serial, result, c, err := jt808.ParseRegisterResponse(m.Body)
		if m.Header.ID != jt808.MsgRegisterResponse || err != nil || serial != 1 || result != jt808.RegisterOK || c == "" {
			t.Fatalf("0x8100 = id %#04x serial %d result %d code %q (%v)", m.Header.ID, serial, result, c, err)
		}
		code = c
	})
	hdr := jt808.Header{ID: jt808.MsgAuth, Phone: "013912345678", Serial: 2}
	t.Run("a wrong code fails", func(t *testing.T) {
		in := s.Handle(build(t, hdr, []byte("nope")))
		general(t, in, false, 2, jt808.MsgAuth, jt808.ResultFailed)
		if s.Terminal() != "" {
			t.Errorf("authenticated %q with a wrong code", s.Terminal())
		}
	})
	t.Run("the right code authenticates", func(t *testing.T) {
		hdr.Serial = 3
		in := s.Handle(build(t, hdr, []byte(code)))
		general(t, in, false, 3, jt808.MsgAuth, jt808.ResultOK)
		if s.Terminal() != "13912345678" {
			t.Errorf("Terminal() = %q", s.Terminal())
		}
	})
	t.Run("a stored location is acknowledged ok, an unstored one failed", func(t *testing.T) {
		in := s.Handle(inner(t, frameLocation2013))
		if len(in.Locations) != 1 || !in.Seen || in.Err != nil {
			t.Fatalf("%d locations, seen %v, err %v", len(in.Locations), in.Seen, in.Err)
		}
		fix := in.Locations[0].Fix(s.Terminal())
		if fix.Device != "13912345678" || fix.Point[1] != 22.54321 || fix.Speed != float32(50/3.6) || fix.Heading != 90 ||
			!fix.Time.Equal(time.Date(2026, 11, 20, 1, 30, 15, 0, time.UTC)) {
			t.Errorf("fix = %+v", fix)
		}
		general(t, in, true, 0x7d, jt808.MsgLocation, jt808.ResultOK)
		general(t, in, false, 0x7d, jt808.MsgLocation, jt808.ResultFailed)
		in.Reject()
		general(t, in, true, 0x7d, jt808.MsgLocation, jt808.ResultBadMessage)
	})
	t.Run("a bad checksum gets message error and the session goes on", func(t *testing.T) {
		in := s.Handle(inner(t, "7e | 0002 0000 013912345678 0008 | 3b 7e"))
		general(t, in, false, 8, jt808.MsgHeartbeat, jt808.ResultBadMessage)
		in = s.Handle(inner(t, frameHeartbeat2013))
		if !in.Seen {
			t.Error("heartbeat after a bad frame: not seen")
		}
		general(t, in, false, 8, jt808.MsgHeartbeat, jt808.ResultOK)
	})
	t.Run("an unknown message is unsupported", func(t *testing.T) {
		in := s.Handle(build(t, jt808.Header{ID: 0x0900, Phone: "013912345678", Serial: 9}, []byte{1, 2}))
		general(t, in, false, 9, 0x0900, jt808.ResultUnsupported)
	})
	t.Run("a split message other than a location is unsupported", func(t *testing.T) {
		in := s.Handle(build(t, jt808.Header{ID: 0x0900, Phone: "013912345678", Serial: 10, Split: true, Packets: 2, Packet: 1}, []byte{1}))
		general(t, in, false, 10, 0x0900, jt808.ResultUnsupported)
	})
	t.Run("a terminal's general response is not answered", func(t *testing.T) {
		body := jt808.AppendResponse(nil, jt808.Response{Serial: 0, ID: jt808.MsgPlatformResponse})
		in := s.Handle(build(t, jt808.Header{ID: jt808.MsgTerminalResponse, Phone: "013912345678", Serial: 11}, body))
		if out := s.AppendReply(nil, &in, true); len(out) != 0 {
			t.Errorf("answered a 0x0001 with % x", out)
		}
	})
	t.Run("another terminal on the same connection is not authenticated", func(t *testing.T) {
		loc := inner(t, frameXtreamLocation) // terminal 13912344329, positioned
		in := s.Handle(loc)
		if len(in.Locations) != 0 {
			t.Fatal("stored locations of a terminal that did not authenticate")
		}
		general(t, in, true, 0, jt808.MsgLocation, jt808.ResultFailed)
	})
	t.Run("logout ends the authentication", func(t *testing.T) {
		in := s.Handle(build(t, jt808.Header{ID: jt808.MsgLogout, Phone: "013912345678", Serial: 12}, nil))
		general(t, in, false, 12, jt808.MsgLogout, jt808.ResultOK)
		if s.Terminal() != "" {
			t.Errorf("still authenticated as %q after logout", s.Terminal())
		}
	})
	t.Run("garbage too short for a header gets no answer", func(t *testing.T) {
		in := s.Handle([]byte{1, 2, 3})
		if in.Err == nil || len(s.AppendReply(nil, &in, false)) != 0 {
			t.Errorf("err %v; answered garbage", in.Err)
		}
	})
}

func TestSession2019AndUnknownTerminal(t *testing.T) {
	known := map[string]bool{"13912345678": true}
	s := &jt808.Session{Auth: jt808.KeyedAuth{Key: []byte("k"), Known: func(id string) bool { return known[id] }}}
	in := s.Handle(inner(t, frameRegister2019))
	m := reply(t, s.AppendReply(nil, &in, false))
	if _, result, _, _ := jt808.ParseRegisterResponse(m.Body); result != jt808.RegisterOK || !m.Header.V2019 || m.Header.Phone != "00000000013912345678" {
		t.Errorf("2019 register: result %d, reply header %+v", result, m.Header)
	}
	delete(known, "13912345678")
	in = s.Handle(inner(t, frameRegister2019))
	m = reply(t, s.AppendReply(nil, &in, false))
	if _, result, code, _ := jt808.ParseRegisterResponse(m.Body); result != jt808.RegisterNoSuchTerminal || code != "" {
		t.Errorf("unknown terminal: result %d code %q, want 4 and no code", result, code)
	}
}

func TestSessionBatchKeepsPositionedOnly(t *testing.T) {
	auth := jt808.KeyedAuth{Key: []byte("k")}
	s := &jt808.Session{Auth: auth}
	_, code := auth.Register("13912345678", nil)
	s.Handle(build(t, jt808.Header{ID: jt808.MsgAuth, V2019: true, Protocol: 1, Phone: "13912345678"},
		must(jt808.AppendAuth(nil, &jt808.Header{V2019: true}, &jt808.Auth{Code: code, IMEI: "861234567890123"}))))
	if s.Terminal() != "13912345678" {
		t.Fatal("2019 authentication failed")
	}
	at := time.Date(2026, 11, 20, 8, 0, 0, 0, jt808.CST)
	b := jt808.Batch{Blind: true, Locations: []jt808.Location{
		{Status: jt808.StatusPositioned, Lat: 22.55, Lon: 114.12, Time: at.Add(time.Minute)},
		{Status: 0, Time: at}, // no fix: acknowledged, not stored
		{Status: jt808.StatusPositioned, Lat: 22.54, Lon: 114.11, Time: at},
	}}
	in := s.Handle(build(t, jt808.Header{ID: jt808.MsgBatch, V2019: true, Protocol: 1, Phone: "13912345678", Serial: 5}, must(jt808.AppendBatch(nil, &b))))
	if in.Err != nil || len(in.Locations) != 2 || in.Locations[1].Lat != 22.54 {
		t.Errorf("batch: err %v, locations %+v", in.Err, in.Locations)
	}
}

// TestSessionBatchNoFixWithoutTime: a report without a fix whose time is zeros (a terminal with
// neither a fix nor a clock) is acknowledged and dropped, and the batch's positioned reports
// are stored; a positioned report with such a time is a damaged message.
func TestSessionBatchNoFixWithoutTime(t *testing.T) {
	auth := jt808.KeyedAuth{Key: []byte("k")}
	s := &jt808.Session{Auth: auth}
	_, code := auth.Register("13912345678", nil)
	s.Handle(build(t, jt808.Header{ID: jt808.MsgAuth, Protocol: 1, Phone: "13912345678"}, must(jt808.AppendAuth(nil, &jt808.Header{}, &jt808.Auth{Code: code}))))
	at := time.Date(2026, 11, 20, 8, 0, 0, 0, jt808.CST)
	item := func(status uint32, zeroTime bool) []byte {
		b := must(jt808.AppendLocation(nil, &jt808.Location{Status: status, Lat: 22.55, Lon: 114.12, Time: at}))
		if zeroTime {
			clear(b[22:28])
		}
		return b
	}
	batch := func(items ...[]byte) []byte {
		b := binary.BigEndian.AppendUint16(nil, uint16(len(items)))
		b = append(b, 1)
		for _, it := range items {
			b = binary.BigEndian.AppendUint16(b, uint16(len(it)))
			b = append(b, it...)
		}
		return b
	}
	for _, tc := range []struct {
		name   string
		body   []byte
		stored int
		err    bool
	}{
		{"no fix, no time", batch(item(jt808.StatusPositioned, false), item(0, true)), 1, false},
		{"a fix without a time", batch(item(jt808.StatusPositioned, false), item(jt808.StatusPositioned, true)), 0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := s.Handle(build(t, jt808.Header{ID: jt808.MsgBatch, Protocol: 1, Phone: "13912345678", Serial: 9}, tc.body))
			if (in.Err != nil) != tc.err || len(in.Locations) != tc.stored {
				t.Errorf("err %v, %d locations; want error %v, %d", in.Err, len(in.Locations), tc.err, tc.stored)
			}
		})
	}
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}

// TestSessionCountsUnreadableFrames: frames without a readable header (too short, a bad
// escape, a wrong check code over bytes that hold no phone) are counted in a row and get no
// answer; any frame with a header, a bad one included, ends the run.
func TestSessionCountsUnreadableFrames(t *testing.T) {
	s := &jt808.Session{Auth: jt808.KeyedAuth{Key: []byte("k")}}
	heartbeat := inner(t, frameHeartbeat2013)
	badSum := append([]byte(nil), heartbeat...)
	badSum[len(badSum)-1] ^= 0xff                                                                   // the header is readable: answered "message error"
	noPhone := []byte{0x00, 0x02, 0x00, 0x00, 0xab, 0xcd, 0xef, 0xab, 0xcd, 0xef, 0x00, 0x01, 0x55} // BCD nibbles > 9, wrong check code
	for _, step := range []struct {
		name       string
		frame      []byte
		unreadable int
		answered   bool
	}{
		{"too short", []byte{1, 2, 3}, 1, false},
		{"bad escape", []byte{0x7d, 0x05, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13}, 2, false},
		{"no phone, wrong check code", noPhone, 3, false},
		{"a heartbeat ends the run", heartbeat, 0, true},
		{"garbage again", []byte{9}, 1, false},
		{"a readable header with a bad check code ends it too", badSum, 0, true},
	} {
		in := s.Handle(append([]byte(nil), step.frame...))
		answered := len(s.AppendReply(nil, &in, true)) > 0
		if s.Unreadable() != step.unreadable || answered != step.answered {
			t.Errorf("%s: unreadable %d answered %v, want %d %v", step.name, s.Unreadable(), answered, step.unreadable, step.answered)
		}
	}
}
