package jt808

import (
	"encoding/binary"
	"fmt"
)

// Message ids citygeo reads (terminal → platform) and writes (platform → terminal).
const (
	MsgTerminalResponse uint16 = 0x0001 // 终端通用应答
	MsgHeartbeat        uint16 = 0x0002 // 终端心跳
	MsgLogout           uint16 = 0x0003 // 终端注销
	MsgRegister         uint16 = 0x0100 // 终端注册
	MsgAuth             uint16 = 0x0102 // 终端鉴权
	MsgLocation         uint16 = 0x0200 // 位置信息汇报
	MsgBatch            uint16 = 0x0704 // 定位数据批量上传
	MsgPlatformResponse uint16 = 0x8001 // 平台通用应答
	MsgResendPackets    uint16 = 0x8003 // 补传分包请求
	MsgRegisterResponse uint16 = 0x8100 // 终端注册应答
)

// Bits of the body attributes word (消息体属性).
const (
	attrLength  = 0x03ff // bits 0–9: body length
	attrEncrypt = 0x1c00 // bits 10–12: encryption (bit 10: RSA)
	attrSplit   = 0x2000 // bit 13: the message is one packet of several
	attrV2019   = 0x4000 // bit 14: the 2019 header (protocol version byte, 10-byte phone)
)

// MaxBody is the largest body one frame carries: ten bits of length.
const MaxBody = attrLength

// Header lengths without and with the packet fields, and the BCD phone lengths.
const (
	header2013 = 12
	header2019 = 17
	phone2013  = 6 // BCD[6]: 12 digits
	phone2019  = 10
)

// Header is a message header (消息头), 2013 or 2019.
type Header struct {
	ID uint16 // message id
	// V2019 marks the 2019 header: bit 14 of the attributes, a protocol version byte and a
	// 20-digit phone. A platform answers a terminal in the form it used.
	V2019    bool
	Protocol byte   // protocol version (2019 only; 1 for JT/T 808-2019)
	Phone    string // terminal phone number as its BCD digits: 12 (2013) or 20 (2019)
	Serial   uint16 // message serial number (流水号)
	Encrypt  uint8  // bits 10–12 of the attributes; 0 is plain
	// Split (bit 13) marks one packet of a message sent in several; Packets and Packet are then
	// the total and the 1-based index of this one.
	Split           bool
	Packets, Packet uint16
	BodyLen         int // body length from the attributes
}

// Len returns the encoded length of the header.
func (h *Header) Len() int {
	n := header2013
	if h.V2019 {
		n = header2019
	}
	if h.Split {
		n += 4
	}
	return n
}

// Terminal returns the phone without its leading zeros: the same terminal has one id whether
// it speaks the 12-digit 2013 header or the 20-digit 2019 one. An all-zero phone is "0".
func (h *Header) Terminal() string {
	for i := 0; i < len(h.Phone); i++ {
		if h.Phone[i] != '0' {
			return h.Phone[i:]
		}
	}
	return "0"
}

// parseHeader reads a header from the start of b (unescaped, without flags).
func parseHeader(b []byte) (Header, error) {
	var h Header
	if len(b) < 4 {
		return h, fmt.Errorf("header: %w", ErrShort)
	}
	h.ID = binary.BigEndian.Uint16(b)
	attr := binary.BigEndian.Uint16(b[2:])
	h.BodyLen = int(attr & attrLength)
	h.Encrypt = uint8((attr & attrEncrypt) >> 10)
	h.V2019 = attr&attrV2019 != 0
	p, phoneLen := b[4:], phone2013
	if h.V2019 {
		if len(p) < 1 {
			return h, fmt.Errorf("header: %w", ErrShort)
		}
		h.Protocol, p, phoneLen = p[0], p[1:], phone2019
	}
	if len(p) < phoneLen+2 {
		return h, fmt.Errorf("header: %w", ErrShort)
	}
	phone, err := bcdDigits(p[:phoneLen])
	if err != nil {
		return h, fmt.Errorf("header phone: %w", err)
	}
	h.Phone = phone
	h.Serial = binary.BigEndian.Uint16(p[phoneLen:])
	if h.Split = attr&attrSplit != 0; h.Split {
		p = p[phoneLen+2:]
		if len(p) < 4 {
			return h, fmt.Errorf("header packets: %w", ErrShort)
		}
		h.Packets, h.Packet = binary.BigEndian.Uint16(p), binary.BigEndian.Uint16(p[2:])
	}
	return h, nil
}

// appendHeader appends h with body length n to dst.
func appendHeader(dst []byte, h *Header, n int) ([]byte, error) {
	if n > MaxBody {
		return dst, fmt.Errorf("body of %d bytes: %w", n, ErrTooLong)
	}
	attr := uint16(n) | uint16(h.Encrypt&7)<<10
	if h.Split {
		attr |= attrSplit
	}
	phoneLen := phone2013
	if h.V2019 {
		attr |= attrV2019
		phoneLen = phone2019
	}
	dst = binary.BigEndian.AppendUint16(dst, h.ID)
	dst = binary.BigEndian.AppendUint16(dst, attr)
	if h.V2019 {
		dst = append(dst, h.Protocol)
	}
	dst, err := appendBCDDigits(dst, h.Phone, phoneLen)
	if err != nil {
		return dst, fmt.Errorf("header phone: %w", err)
	}
	dst = binary.BigEndian.AppendUint16(dst, h.Serial)
	if h.Split {
		dst = binary.BigEndian.AppendUint16(dst, h.Packets)
		dst = binary.BigEndian.AppendUint16(dst, h.Packet)
	}
	return dst, nil
}
