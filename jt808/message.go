package jt808

import "fmt"

// Message is one decoded frame: its header and its body bytes.
type Message struct {
	Header Header
	// Body is the message body, unescaped. It shares the buffer the frame was decoded in, so it
	// is only valid until that buffer is reused.
	Body []byte
}

// Decode decodes one frame as Splitter.Next returns it (escaped, without its flags): it undoes
// the escaping in place, checks the check code and reads the header. On ErrChecksum and
// ErrLength the returned header is what the frame claimed, so the platform can still answer
// "message error" to the terminal's serial; on other errors it may be empty.
func Decode(frame []byte) (Message, error) {
	b, err := Unescape(frame[:0], frame)
	if err != nil {
		return Message{}, err
	}
	if len(b) < header2013+1 {
		return Message{}, fmt.Errorf("frame of %d bytes: %w", len(b), ErrShort)
	}
	sum, b := b[len(b)-1], b[:len(b)-1]
	h, herr := parseHeader(b)
	if Checksum(b) != sum {
		return Message{Header: h}, ErrChecksum
	}
	if herr != nil {
		return Message{}, herr
	}
	body := b[h.Len():]
	if len(body) != h.BodyLen {
		return Message{Header: h}, fmt.Errorf("%d body bytes, header says %d: %w", len(body), h.BodyLen, ErrLength)
	}
	return Message{Header: h, Body: body}, nil
}

// AppendFrame appends the complete frame of a message with header h and body to dst: flag,
// escaped header, body and check code, flag. h.BodyLen is ignored; the body's length is written.
func AppendFrame(dst []byte, h Header, body []byte) ([]byte, error) {
	var raw [header2019 + 4 + MaxBody + 1]byte
	b, err := appendHeader(raw[:0], &h, len(body))
	if err != nil {
		return dst, err
	}
	b = append(b, body...)
	b = append(b, Checksum(b))
	dst = append(dst, Flag)
	dst = AppendEscaped(dst, b)
	return append(dst, Flag), nil
}
