package jt808

import (
	"encoding/binary"
	"fmt"
)

// MaxPackets is how many packets a split message may have here: enough for a 0x0704 of several
// thousand locations, and a bound on what one connection buffers (MaxPackets × MaxBody bytes).
const MaxPackets = 512

// ResendRequest is a 补传分包请求 (0x8003): the platform asks for the packets of a split
// message that did not arrive, naming the message by its first packet's serial.
type ResendRequest struct {
	Serial  uint16   // 原始消息流水号: the serial of the message's first packet
	Packets []uint16 // 重传包 ID 列表: the missing packets, numbered from 1
}

// AppendResendRequest appends r as a 0x8003 body: the count is a BYTE in the 2013 form and a
// WORD in the 2019 form, each packet number a WORD.
func AppendResendRequest(dst []byte, r ResendRequest, v2019 bool) ([]byte, error) {
	dst = binary.BigEndian.AppendUint16(dst, r.Serial)
	switch {
	case v2019:
		dst = binary.BigEndian.AppendUint16(dst, uint16(len(r.Packets)))
	case len(r.Packets) > 255:
		return dst, fmt.Errorf("resend request of %d packets: %w", len(r.Packets), ErrTooLong)
	default:
		dst = append(dst, byte(len(r.Packets)))
	}
	for _, p := range r.Packets {
		dst = binary.BigEndian.AppendUint16(dst, p)
	}
	return dst, nil
}

// ParseResendRequest reads a 0x8003 body in the 2013 or 2019 form.
func ParseResendRequest(b []byte, v2019 bool) (ResendRequest, error) {
	var r ResendRequest
	head := 3
	if v2019 {
		head = 4
	}
	if len(b) < head {
		return r, fmt.Errorf("resend request: %w", ErrShort)
	}
	r.Serial = binary.BigEndian.Uint16(b)
	n := int(b[2])
	if v2019 {
		n = int(binary.BigEndian.Uint16(b[2:]))
	}
	if len(b) != head+2*n {
		return r, fmt.Errorf("resend request of %d packets in %d bytes: %w", n, len(b), ErrLength)
	}
	for i := range n {
		r.Packets = append(r.Packets, binary.BigEndian.Uint16(b[head+2*i:]))
	}
	return r, nil
}

// splitMessage gathers the packets of a message sent in several (header bit 13).
type splitMessage struct {
	id, total uint16
	first     uint16 // the first packet's serial: the message's, for a resend request
	parts     [][]byte
	got       int
}

// addPacket files one packet of a split message. It returns the whole body once every packet
// is in, or, when the last packet came and others did not, the packets to ask for again; with
// neither, more are to come. A packet of another message than the one in progress (another id
// or count, or a first packet when the first is in) starts a new one, dropping the unfinished
// one: the terminal gave up on it. A later packet whose start this connection did not see is
// kept, and the resend request asks for the rest, first packet included.
func (s *Session) addPacket(h *Header, body []byte) (whole []byte, missing []uint16, err error) {
	switch {
	case h.Packets == 0 || h.Packet == 0 || h.Packet > h.Packets:
		return nil, nil, fmt.Errorf("packet %d of %d: %w", h.Packet, h.Packets, ErrLength)
	case h.Packets > MaxPackets:
		return nil, nil, fmt.Errorf("message of %d packets (at most %d): %w", h.Packets, MaxPackets, ErrTooLong)
	}
	m := s.split
	if m == nil || m.id != h.ID || m.total != h.Packets || (h.Packet == 1 && m.parts[0] != nil) {
		m = &splitMessage{id: h.ID, total: h.Packets, first: h.Serial - (h.Packet - 1), parts: make([][]byte, h.Packets)}
		s.split = m
	}
	if m.parts[h.Packet-1] == nil {
		m.got++
	}
	m.parts[h.Packet-1] = append(make([]byte, 0, len(body)), body...)
	if m.got == int(m.total) {
		for _, p := range m.parts {
			whole = append(whole, p...)
		}
		s.split = nil
		return whole, nil, nil
	}
	if h.Packet == m.total {
		for i, p := range m.parts {
			if p == nil {
				missing = append(missing, uint16(i+1))
			}
		}
	}
	return nil, missing, nil
}

// splitFirst returns the serial of the split message in progress (its first packet's).
func (s *Session) splitFirst() uint16 {
	if s.split == nil {
		return 0
	}
	return s.split.first
}
