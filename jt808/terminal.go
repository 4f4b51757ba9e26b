package jt808

import (
	"fmt"
	"io"
)

// Terminal is the terminal side of a connection, for simulators, load generators and tests: it
// numbers and frames its messages and reads the platform's answers. It does its I/O through
// the io.ReadWriter it is given (a net.Conn in practice); read deadlines are the caller's.
type Terminal struct {
	Phone string // BCD digits of the header (padded to 12 or 20)
	V2019 bool   // the 2019 header and body forms

	rw     io.ReadWriter
	serial uint16
	sp     Splitter
	buf    []byte
}

// NewTerminal returns a terminal speaking over rw.
func NewTerminal(rw io.ReadWriter, phone string, v2019 bool) *Terminal {
	return &Terminal{Phone: phone, V2019: v2019, rw: rw, buf: make([]byte, 4096)}
}

// Serial returns the serial the next message will carry.
func (t *Terminal) Serial() uint16 { return t.serial }

// Frame returns the frame of message id with body, numbered with the next serial.
func (t *Terminal) Frame(id uint16, body []byte) ([]byte, error) {
	h := Header{ID: id, V2019: t.V2019, Phone: t.Phone, Serial: t.serial}
	if t.V2019 {
		h.Protocol = 1
	}
	f, err := AppendFrame(nil, h, body)
	if err != nil {
		return nil, err
	}
	t.serial++
	return f, nil
}

// FramePackets returns the frames of message id with body cut into packets of at most size
// bytes (header bit 13), numbered with consecutive serials, as a terminal sends a message
// longer than a frame: the platform answers each, the last once the whole message is used.
func (t *Terminal) FramePackets(id uint16, body []byte, size int) ([][]byte, error) {
	if size <= 0 || size > MaxBody {
		return nil, fmt.Errorf("packet size %d: want 1–%d", size, MaxBody)
	}
	n := (len(body) + size - 1) / size
	if n == 0 || n > MaxPackets {
		return nil, fmt.Errorf("%d bytes in packets of %d: %d packets: %w", len(body), size, n, ErrTooLong)
	}
	out := make([][]byte, 0, n)
	for i := range n {
		h := Header{ID: id, V2019: t.V2019, Phone: t.Phone, Serial: t.serial, Split: true, Packets: uint16(n), Packet: uint16(i + 1)}
		if t.V2019 {
			h.Protocol = 1
		}
		f, err := AppendFrame(nil, h, body[i*size:min((i+1)*size, len(body))])
		if err != nil {
			return nil, err
		}
		t.serial++
		out = append(out, f)
	}
	return out, nil
}

// Send frames and writes one message.
func (t *Terminal) Send(id uint16, body []byte) error {
	f, err := t.Frame(id, body)
	if err != nil {
		return err
	}
	_, err = t.rw.Write(f)
	return err
}

// Next reads the platform's next frame. The body is the terminal's own copy.
func (t *Terminal) Next() (Message, error) {
	for {
		if f, ok := t.sp.Next(); ok {
			m, err := Decode(f)
			if err != nil {
				return m, fmt.Errorf("platform frame: %w", err)
			}
			m.Body = append([]byte(nil), m.Body...)
			return m, nil
		}
		n, err := t.rw.Read(t.buf)
		if n > 0 {
			t.sp.Write(t.buf[:n])
		}
		if err != nil && n == 0 {
			return Message{}, err
		}
	}
}

// Response reads the platform's next frame as a general response (0x8001).
func (t *Terminal) Response() (Response, error) {
	m, err := t.Next()
	if err != nil {
		return Response{}, err
	}
	if m.Header.ID != MsgPlatformResponse {
		return Response{}, fmt.Errorf("got message %#04x, want 0x8001", m.Header.ID)
	}
	return ParseResponse(m.Body)
}

// Login registers (0x0100) and authenticates (0x0102) with the code the platform gives.
func (t *Terminal) Login(r *Register, imei string) error {
	h := Header{V2019: t.V2019}
	body, err := AppendRegister(nil, &h, r)
	if err != nil {
		return err
	}
	if err := t.Send(MsgRegister, body); err != nil {
		return err
	}
	m, err := t.Next()
	if err != nil {
		return err
	}
	_, result, code, err := ParseRegisterResponse(m.Body)
	if m.Header.ID != MsgRegisterResponse || err != nil || result != RegisterOK {
		return fmt.Errorf("register: message %#04x, result %d (%v)", m.Header.ID, result, err)
	}
	if body, err = AppendAuth(nil, &h, &Auth{Code: code, IMEI: imei, Software: "citygeo"}); err != nil {
		return err
	}
	if err := t.Send(MsgAuth, body); err != nil {
		return err
	}
	resp, err := t.Response()
	if err != nil {
		return err
	}
	if resp.ID != MsgAuth || resp.Result != ResultOK {
		return fmt.Errorf("authenticate: %+v", resp)
	}
	return nil
}
