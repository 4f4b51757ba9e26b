package jt808_test

import (
	"bytes"
	"errors"
	"reflect"
	"testing"
	"time"

	"citygeo/jt808"
)

// decode decodes a whole frame as written in the tests (flags included).
func decode(t *testing.T, frame string) (jt808.Message, error) {
	t.Helper()
	b := hexb(t, frame)
	return jt808.Decode(b[1 : len(b)-1])
}

func TestDecodeLocation(t *testing.T) {
	cst := jt808.CST
	for _, tc := range []struct {
		name   string
		frame  string
		header jt808.Header
		loc    jt808.Location
		items  int
	}{
		{"2013, escaped serial and check code", frameLocation2013,
			jt808.Header{ID: 0x0200, Phone: "013912345678", Serial: 0x7d, BodyLen: 28},
			jt808.Location{Alarm: 0x48, Status: 3, Lat: 22.54321, Lon: 114.057865, Altitude: 20, Speed: 50, Direction: 90,
				Time: time.Date(2026, 11, 20, 9, 30, 15, 0, cst)}, 0},
		{"2019 from another implementation, south latitude", frameXtreamLocation,
			jt808.Header{ID: 0x0200, V2019: true, Protocol: 1, Phone: "00000000013912344329", BodyLen: 38},
			jt808.Location{Alarm: 111, Status: 0x16, Lat: -31.234567, Lon: 121.987654, Altitude: 123, Speed: 6.6, Direction: 3,
				Time: time.Date(2025, 1, 29, 22, 33, 44, 0, cst)}, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := decode(t, tc.frame)
			if err != nil {
				t.Fatal(err)
			}
			if m.Header != tc.header {
				t.Errorf("header = %+v, want %+v", m.Header, tc.header)
			}
			l, err := jt808.ParseLocation(m.Body)
			if err != nil {
				t.Fatal(err)
			}
			if len(l.Extra) != tc.items {
				t.Errorf("%d extra items, want %d", len(l.Extra), tc.items)
			}
			l.Extra = nil
			if !l.Time.Equal(tc.loc.Time) {
				t.Errorf("time = %v, want %v", l.Time, tc.loc.Time)
			}
			l.Time = tc.loc.Time
			if !reflect.DeepEqual(l, tc.loc) {
				t.Errorf("location = %+v, want %+v", l, tc.loc)
			}
		})
	}
	// The extra items of the 2019 frame: 0x02 fuel 100 (1/10 L), 0x01 mileage 12 (1/10 km).
	m, _ := decode(t, frameXtreamLocation)
	l, _ := jt808.ParseLocation(m.Body)
	if l.Extra[0].ID != 0x02 || !bytes.Equal(l.Extra[0].Value, []byte{0, 100}) || l.Extra[1].ID != 0x01 || !bytes.Equal(l.Extra[1].Value, []byte{0, 0, 0, 12}) {
		t.Errorf("extra items = %+v", l.Extra)
	}
	if m.Header.Terminal() != "13912344329" {
		t.Errorf("Terminal() = %q, want the phone without leading zeros", m.Header.Terminal())
	}
}

func TestDecodeBatch(t *testing.T) {
	m, err := decode(t, frameXtreamBatch)
	if err != nil {
		t.Fatal(err)
	}
	if m.Header.ID != jt808.MsgBatch || !m.Header.V2019 {
		t.Fatalf("header = %+v", m.Header)
	}
	b, err := jt808.ParseBatch(m.Body)
	if err != nil {
		t.Fatal(err)
	}
	if b.Blind || len(b.Locations) != 2 {
		t.Fatalf("batch = blind %v, %d locations; want normal, 2", b.Blind, len(b.Locations))
	}
	want := []struct {
		lat, lon float64
		alt      int
		speed    float64
		dir      int
	}{{31.000562, 121.451372, 666, 3.3, 89}, {31.000563, 121.451373, 777, 6.7, 90}}
	at := time.Date(2024, 10, 29, 21, 39, 3, 0, jt808.CST)
	for i, w := range want {
		l := b.Locations[i]
		if l.Lat != w.lat || l.Lon != w.lon || l.Altitude != w.alt || l.Speed != w.speed || l.Direction != w.dir || !l.Time.Equal(at) {
			t.Errorf("item %d = %+v, want %+v at %v", i, l, w, at)
		}
		if l.Positioned() {
			t.Errorf("item %d: status 1 is ACC only, not positioned", i)
		}
	}
}

func TestDecodeRegister(t *testing.T) {
	for _, tc := range []struct {
		name, frame string
		want        jt808.Register
	}{
		{"2013", frameRegister2013, jt808.Register{Province: 44, City: 303, Maker: "ZX001", Model: "ZX-T808", TerminalID: "T000001", PlateColor: 1, Plate: "粤B12345"}},
		{"2019", frameRegister2019, jt808.Register{Province: 44, City: 303, Maker: "ZX001", Model: "ZX-T808-2019", TerminalID: "T000001", PlateColor: 2, Plate: "粤B12345"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := decode(t, tc.frame)
			if err != nil {
				t.Fatal(err)
			}
			r, err := jt808.ParseRegister(&m.Header, m.Body)
			if err != nil || r != tc.want {
				t.Errorf("register = %+v, %v; want %+v", r, err, tc.want)
			}
			// Written back in the header's form, it is the same body.
			b, err := jt808.AppendRegister(nil, &m.Header, &r)
			if err != nil || !bytes.Equal(b, m.Body) {
				t.Errorf("re-encoded body differs:\n got % x\nwant % x (%v)", b, m.Body, err)
			}
		})
	}
	t.Run("2011 layout (model of 8 bytes)", func(t *testing.T) {
		body := hexb(t, "002c 012f 5a58303031 5a582d5438303800 54303030303031 01 d4c1423132333435")
		r, err := jt808.ParseRegister(&jt808.Header{}, body)
		if err != nil || r.Model != "ZX-T808" || r.TerminalID != "T000001" || r.Plate != "粤B12345" {
			t.Errorf("register = %+v, %v", r, err)
		}
	})
}

func TestAuthRoundTrip(t *testing.T) {
	for _, h := range []jt808.Header{{ID: jt808.MsgAuth}, {ID: jt808.MsgAuth, V2019: true, Protocol: 1}} {
		a := jt808.Auth{Code: "a1b2c3"}
		if h.V2019 {
			a.IMEI, a.Software = "861234567890123", "V1.2.3"
		}
		b, err := jt808.AppendAuth(nil, &h, &a)
		if err != nil {
			t.Fatal(err)
		}
		got, err := jt808.ParseAuth(&h, b)
		if err != nil || got != a {
			t.Errorf("2019=%v: auth = %+v, %v; want %+v", h.V2019, got, err, a)
		}
	}
	if _, err := jt808.ParseAuth(&jt808.Header{V2019: true}, []byte{6, 'a'}); !errors.Is(err, jt808.ErrShort) {
		t.Errorf("short 2019 auth: err = %v, want ErrShort", err)
	}
}

func TestDecodeErrors(t *testing.T) {
	for _, tc := range []struct {
		name, frame string
		err         error
		serial      uint16 // the header still read, for the error response
	}{
		{"bad checksum", "7e | 0002 0000 013912345678 0008 | 3b 7e", jt808.ErrChecksum, 8},
		{"body shorter than the header says", "7e | 0002 0005 013912345678 0009 | 3e 7e", jt808.ErrLength, 9},
		{"too short for a header", "7e | 0002 0000 0139 | 3a 7e", jt808.ErrShort, 0},
		{"bad escape", "7e | 0002 0000 013912345678 7d05 | 3a 7e", jt808.ErrEscape, 0},
		{"phone not BCD", "7e | 0002 0000 0139123456a8 0008 | ea 7e", jt808.ErrBCD, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := decode(t, tc.frame)
			if !errors.Is(err, tc.err) {
				t.Fatalf("err = %v, want %v", err, tc.err)
			}
			if m.Header.Serial != tc.serial {
				t.Errorf("serial = %d, want %d", m.Header.Serial, tc.serial)
			}
		})
	}
}

func TestFrameRoundTrip(t *testing.T) {
	at := time.Date(2026, 11, 20, 23, 59, 59, 0, time.UTC) // 2026-11-21 07:59:59 in GMT+8
	loc := jt808.Location{Status: jt808.StatusPositioned, Lat: 22.5, Lon: -0.000001, Altitude: -5, Speed: 12.3, Direction: 359, Time: at,
		Extra: []jt808.Item{{ID: 0x31, Value: []byte{9}}}}
	body, err := jt808.AppendLocation(nil, &loc)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range []jt808.Header{
		{ID: jt808.MsgLocation, Phone: "013912345678", Serial: 0x7e7d},
		{ID: jt808.MsgLocation, V2019: true, Protocol: 1, Phone: "12345678901234567890", Serial: 1},
		{ID: jt808.MsgLocation, Phone: "7", Serial: 2, Split: true, Packets: 3, Packet: 2},
	} {
		f, err := jt808.AppendFrame(nil, h, body)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Count(f, []byte{jt808.Flag}) != 2 {
			t.Fatalf("frame % x has flags inside", f)
		}
		m, err := jt808.Decode(f[1 : len(f)-1])
		if err != nil {
			t.Fatal(err)
		}
		h.BodyLen = len(body)
		if len(h.Phone) < 12 {
			h.Phone = "00000000000" + h.Phone // padded to BCD[6]
		}
		if m.Header != h {
			t.Errorf("header = %+v, want %+v", m.Header, h)
		}
		got, err := jt808.ParseLocation(m.Body)
		if err != nil || !got.Time.Equal(at) || got.Lat != 22.5 || got.Lon != -0.000001 || got.Altitude != -5 || got.Speed != 12.3 || got.Direction != 359 || len(got.Extra) != 1 {
			t.Errorf("location = %+v, %v", got, err)
		}
	}
	if _, err := jt808.AppendFrame(nil, jt808.Header{Phone: "1234567890123"}, nil); !errors.Is(err, jt808.ErrTooLong) {
		t.Errorf("13-digit phone in a 2013 header: err = %v, want ErrTooLong", err)
	}
	if _, err := jt808.AppendFrame(nil, jt808.Header{}, make([]byte, jt808.MaxBody+1)); !errors.Is(err, jt808.ErrTooLong) {
		t.Errorf("body over 1023 bytes: err = %v, want ErrTooLong", err)
	}
}

func TestBadTime(t *testing.T) {
	m, _ := decode(t, frameLocation2013)
	body := append([]byte(nil), m.Body...)
	copy(body[22:], hexb(t, "260231093015")) // 31 February
	if _, err := jt808.ParseLocation(body); !errors.Is(err, jt808.ErrTime) {
		t.Errorf("31 February: err = %v, want ErrTime", err)
	}
}
