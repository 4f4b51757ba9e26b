package jt808_test

import (
	"fmt"
	"time"

	"citygeo/jt808"
)

// A platform answers a terminal: register, authenticate, then a location report that is
// acknowledged once stored.
func ExampleSession() {
	auth := jt808.KeyedAuth{Key: []byte("platform key")}
	s := &jt808.Session{Auth: auth}
	send := func(h jt808.Header, body []byte) jt808.Inbound {
		f, _ := jt808.AppendFrame(nil, h, body)
		return s.Handle(f[1 : len(f)-1]) // what Splitter.Next yields: no flags
	}
	answer := func(in jt808.Inbound, stored bool) {
		var sp jt808.Splitter
		sp.Write(s.AppendReply(nil, &in, stored))
		f, _ := sp.Next()
		m, _ := jt808.Decode(f)
		if m.Header.ID == jt808.MsgRegisterResponse {
			_, result, code, _ := jt808.ParseRegisterResponse(m.Body)
			fmt.Printf("0x8100 result %d, code of %d characters\n", result, len(code))
			return
		}
		r, _ := jt808.ParseResponse(m.Body)
		fmt.Printf("0x8001 to %#04x serial %d: result %d\n", r.ID, r.Serial, r.Result)
	}
	phone := "013912345678"
	reg, _ := jt808.AppendRegister(nil, &jt808.Header{}, &jt808.Register{Province: 44, City: 303, Plate: "粤B12345", PlateColor: 1})
	answer(send(jt808.Header{ID: jt808.MsgRegister, Phone: phone, Serial: 1}, reg), false)
	_, code := auth.Register("13912345678", nil)
	answer(send(jt808.Header{ID: jt808.MsgAuth, Phone: phone, Serial: 2}, []byte(code)), false)
	loc, _ := jt808.AppendLocation(nil, &jt808.Location{Status: jt808.StatusPositioned, Lat: 22.5432, Lon: 114.0579,
		Speed: 36, Time: time.Date(2026, 11, 20, 9, 30, 0, 0, jt808.CST)})
	in := send(jt808.Header{ID: jt808.MsgLocation, Phone: phone, Serial: 3}, loc)
	fix := in.Locations[0].Fix(s.Terminal())
	fmt.Println(fix.Device, fix.Point, fix.Speed, "m/s", fix.Time.UTC().Format(time.RFC3339))
	answer(in, true)
	// Output:
	// 0x8100 result 0, code of 24 characters
	// 0x8001 to 0x0102 serial 2: result 0
	// 13912345678 [114.0579 22.5432] 10 m/s 2026-11-20T01:30:00Z
	// 0x8001 to 0x0200 serial 3: result 0
}
