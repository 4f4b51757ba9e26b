package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"citygeo/data"
	"citygeo/field"
	"citygeo/jt808"
)

// terminal is jt808.Terminal over a TCP connection, failing the test on errors.
type terminal struct {
	*jt808.Terminal
	t    testing.TB
	conn net.Conn
}

func dialTerminal(t testing.TB, addr, phone string, v2019 bool) *terminal {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &terminal{Terminal: jt808.NewTerminal(c, phone, v2019), t: t, conn: c}
}

// frame encodes a message from this terminal with the next serial.
func (tm *terminal) frame(id uint16, body []byte) []byte {
	tm.t.Helper()
	f, err := tm.Frame(id, body)
	if err != nil {
		tm.t.Fatal(err)
	}
	return f
}

func (tm *terminal) send(b []byte) {
	tm.t.Helper()
	if _, err := tm.conn.Write(b); err != nil {
		tm.t.Fatal(err)
	}
}

// response reads a 0x8001 and returns it.
func (tm *terminal) response() jt808.Response {
	tm.t.Helper()
	r, ok := tryResponse(tm)
	if !ok {
		tm.t.Fatal("no general response from the platform")
	}
	return r
}

// login registers and authenticates.
func (tm *terminal) login() {
	tm.t.Helper()
	tm.conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	if err := tm.Login(&jt808.Register{Province: 44, City: 303, Maker: "ZX001", Model: "T808", TerminalID: "T1", PlateColor: 1, Plate: "粤B12345"}, "861234567890123"); err != nil {
		tm.t.Fatal(err)
	}
}

// tryResponse reads a 0x8001, reporting a dead connection (the server was killed) instead of
// failing.
func tryResponse(tm *terminal) (jt808.Response, bool) {
	tm.conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	r, err := tm.Response()
	return r, err == nil
}

// location encodes a positioned 0x0200 body.
func location(at time.Time, lon, lat float64) []byte {
	b, err := jt808.AppendLocation(nil, &jt808.Location{Status: jt808.StatusPositioned | jt808.StatusACC, Lat: lat, Lon: lon, Speed: 36, Direction: 90, Time: at})
	if err != nil {
		panic(err)
	}
	return b
}

// startJT808 serves JT/T 808 on a free port for a force over st.
func startJT808(t testing.TB, st data.TrackStore, now func() time.Time) (addr string, f *field.Force) {
	t.Helper()
	f, err := field.Open(context.Background(), st, field.Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return serveJT808(t, f), f
}

// serveJT808 serves JT/T 808 for f on a free port until the test ends.
func serveJT808(t testing.TB, f *field.Force) string {
	t.Helper()
	return serveJT808Log(t, f, slog.New(slog.NewTextHandler(io.Discard, nil)))
}

// serveJT808Log is serveJT808 logging to log.
func serveJT808Log(t testing.TB, f *field.Force, log *slog.Logger) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := newJT808Server(f, jt808.KeyedAuth{Key: []byte("test")}, log)
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	})
	return ln.Addr().String()
}

// TestJT808OverTCP drives the listener as terminals do: register, authenticate, heartbeat,
// location reports (one split across writes, several in one write, a batch upload), a frame
// with a bad checksum among them, and checks every answer and what was stored.
func TestJT808OverTCP(t *testing.T) {
	now := time.Date(2026, 11, 20, 2, 0, 0, 0, time.UTC)
	st := &field.MemTracks{}
	addr, f := startJT808(t, st, func() time.Time { return now })
	for _, v2019 := range []bool{false, true} {
		phone := "013912345678"
		if v2019 {
			phone = "00000000013800000001"
		}
		dev := (&jt808.Header{Phone: phone}).Terminal()
		tm := dialTerminal(t, addr, phone, v2019)

		// Before authentication a report is refused and nothing is stored.
		tm.send(tm.frame(jt808.MsgLocation, location(now, 114.1, 22.5)))
		if r := tm.response(); r.Result != jt808.ResultFailed {
			t.Fatalf("2019=%v: unauthenticated report answered %d", v2019, r.Result)
		}
		tm.login()
		tm.send(tm.frame(jt808.MsgHeartbeat, nil))
		if r := tm.response(); r.ID != jt808.MsgHeartbeat || r.Result != jt808.ResultOK {
			t.Fatalf("heartbeat: %+v", r)
		}

		// One report split across two writes, with a pause between them.
		one := tm.frame(jt808.MsgLocation, location(now.Add(-50*time.Second), 114.10, 22.55))
		tm.send(one[:len(one)/2])
		time.Sleep(20 * time.Millisecond)
		tm.send(one[len(one)/2:])
		if r := tm.response(); r.Result != jt808.ResultOK || r.Serial != tm.Serial()-1 {
			t.Fatalf("split report: %+v", r)
		}

		// Three frames in one write: a report, a frame with a broken check code, a report.
		a := tm.frame(jt808.MsgLocation, location(now.Add(-40*time.Second), 114.11, 22.55))
		bad := tm.frame(jt808.MsgLocation, location(now.Add(-35*time.Second), 0, 0))
		bad[len(bad)-2] ^= 0x01 // the check code (0x7E/0x7D never sit there for this body)
		c := tm.frame(jt808.MsgLocation, location(now.Add(-30*time.Second), 114.12, 22.55))
		tm.send(append(append(append([]byte{}, a...), bad...), c...))
		want := []byte{jt808.ResultOK, jt808.ResultBadMessage, jt808.ResultOK}
		for i, w := range want {
			if r := tm.response(); r.Result != w || r.Serial != tm.Serial()-3+uint16(i) {
				t.Errorf("frame %d of three in one write: %+v, want result %d", i, r, w)
			}
		}

		// A blind-area batch, out of time order, after the bad frame: the connection lives on.
		body, _ := jt808.AppendBatch(nil, &jt808.Batch{Blind: true, Locations: []jt808.Location{
			{Status: jt808.StatusPositioned, Lat: 22.56, Lon: 114.13, Time: now.Add(-10 * time.Second)},
			{Status: jt808.StatusPositioned, Lat: 22.54, Lon: 114.09, Time: now.Add(-60 * time.Second)},
		}})
		tm.send(tm.frame(jt808.MsgBatch, body))
		if r := tm.response(); r.ID != jt808.MsgBatch || r.Result != jt808.ResultOK {
			t.Fatalf("batch: %+v", r)
		}

		// A blind-area batch longer than a frame, in packets: each answered, the last once stored.
		var long jt808.Batch
		for i := range 60 {
			long.Locations = append(long.Locations, jt808.Location{Status: jt808.StatusPositioned, Lat: 22.5, Lon: 114.0 + float64(i)*1e-4, Time: now.Add(-2*time.Hour + time.Duration(i)*time.Second)})
		}
		body, _ = jt808.AppendBatch(nil, &long)
		packets, err := tm.FramePackets(jt808.MsgBatch, body, 1000)
		if err != nil || len(packets) != 2 {
			t.Fatalf("%d packets (%v), want 2", len(packets), err)
		}
		for i, p := range packets {
			tm.send(p)
			if r := tm.response(); r.ID != jt808.MsgBatch || r.Result != jt808.ResultOK || r.Serial != tm.Serial()-2+uint16(i) {
				t.Fatalf("packet %d: %+v", i+1, r)
			}
		}
		if tr, _ := st.Track(context.Background(), dev, now.Add(-3*time.Hour), now.Add(-time.Hour)); len(tr) != 60 {
			t.Errorf("2019=%v: the batch in packets stored %d fixes, want 60", v2019, len(tr))
		}

		tr, err := st.Track(context.Background(), dev, now.Add(-time.Hour), now)
		if err != nil {
			t.Fatal(err)
		}
		if len(tr) != 5 || tr[0].Point[0] != 114.09 || tr[4].Point[0] != 114.13 || tr[1].Source != data.SourceJT808 || tr[1].Speed != 10 {
			t.Errorf("2019=%v: track of %s = %+v", v2019, dev, tr)
		}
		if pos, ok := f.Position(dev); !ok || pos.Fix.Point[0] != 114.13 {
			t.Errorf("latest of %s = %+v", dev, pos)
		}
	}
}

// syncBuffer is a bytes.Buffer safe for the connection handlers' concurrent log writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// closedSoon reports whether the server closed c within a few seconds (the idle timeout is
// minutes away), reading and dropping whatever it answered before.
func closedSoon(c net.Conn) bool {
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, err := io.Copy(io.Discard, c)
	var ne net.Error
	return !(errors.As(err, &ne) && ne.Timeout())
}

// TestJT808ClosesOnGarbage: a peer that sends frames without a readable header, or bytes
// outside any frame, is cut off after DefaultJT808Unreadable frames' worth instead of being
// held until it falls idle, and logged once however many such peers come within a minute;
// a terminal whose good frames come between bad ones keeps its connection.
func TestJT808ClosesOnGarbage(t *testing.T) {
	now := time.Date(2026, 11, 20, 2, 0, 0, 0, time.UTC)
	f, err := field.Open(context.Background(), &field.MemTracks{}, field.Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	var logged syncBuffer
	addr := serveJT808Log(t, f, slog.New(slog.NewTextHandler(&logged, nil)))
	garbage := bytes.Repeat([]byte{0x7e, 0x01, 0x02, 0x03, 0x7e}, DefaultJT808Unreadable)

	t.Run("unreadable frames", func(t *testing.T) {
		tm := dialTerminal(t, addr, "013912345678", false)
		tm.send(garbage)
		if !closedSoon(tm.conn) {
			t.Fatal("connection held after frames without a header")
		}
	})
	t.Run("bytes outside frames", func(t *testing.T) {
		tm := dialTerminal(t, addr, "013912345679", false)
		tm.send(make([]byte, DefaultJT808Unreadable*jt808.MaxFrame))
		if !closedSoon(tm.conn) {
			t.Fatal("connection held after bytes outside any frame")
		}
	})
	t.Run("good frames between bad ones", func(t *testing.T) {
		tm := dialTerminal(t, addr, "013912345670", false)
		tm.login()
		for range 3 {
			tm.send(garbage[:5*(DefaultJT808Unreadable-1)])
			tm.send(tm.frame(jt808.MsgHeartbeat, nil))
			if r := tm.response(); r.ID != jt808.MsgHeartbeat || r.Result != jt808.ResultOK {
				t.Fatalf("heartbeat after garbage: %+v", r)
			}
		}
		tm.send(tm.frame(jt808.MsgLocation, location(now.Add(-time.Minute), 114.1, 22.5)))
		if r := tm.response(); r.Result != jt808.ResultOK {
			t.Fatalf("report after garbage: %+v", r)
		}
	})
	if n := strings.Count(logged.String(), "no readable JT/T 808 frames"); n != 1 {
		t.Errorf("%d log lines for two garbage connections within a minute, want 1:\n%s", n, logged.String())
	}
}
