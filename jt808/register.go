package jt808

import (
	"bytes"
	"encoding/binary"
	"fmt"

	"golang.org/x/text/encoding/simplifiedchinese"
)

// Register is a terminal registration (终端注册, 0x0100).
type Register struct {
	Province   uint16 // 省域 ID: the first two digits of the GB/T 2260 code
	City       uint16 // 市县域 ID: its last four digits
	Maker      string // 制造商 ID
	Model      string // 终端型号
	TerminalID string // 终端 ID
	PlateColor byte   // 车牌颜色 (JT/T 415); 0 when the vehicle has no plate and Plate is its VIN
	Plate      string // 车辆标识: the plate (GBK on the wire), or the VIN
}

// The fixed field lengths of a registration: maker, model, terminal id.
var (
	registerFields2011 = [3]int{5, 8, 7} // JT/T 808-2011 terminals, still in service
	registerFields2013 = [3]int{5, 20, 7}
	registerFields2019 = [3]int{11, 30, 30}
)

// ParseRegister reads a 0x0100 body. The 2019 header means the 2019 field lengths; otherwise
// the 2013 ones, or the 2011 ones (a model of 8 bytes) when the body is too short for 2013: a
// 2011 body with a plate of up to eleven bytes is shorter than the 37 fixed bytes of 2013.
func ParseRegister(h *Header, b []byte) (Register, error) {
	var r Register
	lens := registerFields2013
	switch fixed := 4 + 20 + 7 + 5 + 1; {
	case h.V2019:
		lens = registerFields2019
	case len(b) < fixed:
		lens = registerFields2011
	}
	need := 4 + lens[0] + lens[1] + lens[2] + 1
	if len(b) < need {
		return r, fmt.Errorf("register of %d bytes, want at least %d: %w", len(b), need, ErrShort)
	}
	r.Province, r.City = binary.BigEndian.Uint16(b), binary.BigEndian.Uint16(b[2:])
	p := b[4:]
	for i, dst := range []*string{&r.Maker, &r.Model, &r.TerminalID} {
		*dst = fixedString(p[:lens[i]])
		p = p[lens[i]:]
	}
	r.PlateColor = p[0]
	plate, err := gbk(p[1:])
	if err != nil {
		return r, fmt.Errorf("register plate: %w", err)
	}
	r.Plate = plate
	return r, nil
}

// AppendRegister appends r as a 0x0100 body in the form of the header's version (2019 or 2013).
func AppendRegister(dst []byte, h *Header, r *Register) ([]byte, error) {
	lens := registerFields2013
	if h.V2019 {
		lens = registerFields2019
	}
	dst = binary.BigEndian.AppendUint16(dst, r.Province)
	dst = binary.BigEndian.AppendUint16(dst, r.City)
	for i, s := range []string{r.Maker, r.Model, r.TerminalID} {
		if len(s) > lens[i] {
			return dst, fmt.Errorf("register field %q longer than %d bytes: %w", s, lens[i], ErrTooLong)
		}
		dst = append(dst, s...)
		dst = append(dst, make([]byte, lens[i]-len(s))...) // padded with 0x00 (位数不足时后补 0x00)
	}
	dst = append(dst, r.PlateColor)
	plate, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(r.Plate))
	if err != nil {
		return dst, fmt.Errorf("register plate %q: %w", r.Plate, err)
	}
	return append(dst, plate...), nil
}

// Register results (0x8100), as the standard numbers them.
const (
	RegisterOK             byte = 0
	RegisterVehicleTaken   byte = 1 // 车辆已被注册
	RegisterNoVehicle      byte = 2 // 数据库中无该车辆
	RegisterTerminalTaken  byte = 3 // 终端已被注册
	RegisterNoSuchTerminal byte = 4 // 数据库中无该终端
)

// registerResponseMinimum is a 0x8100 body without a code: serial WORD and result BYTE.
const registerResponseMinimum = 3

// AppendRegisterResponse appends a 0x8100 body: the registration's serial, the result and, on
// success only, the authentication code the terminal must present from now on.
func AppendRegisterResponse(dst []byte, serial uint16, result byte, code string) []byte {
	dst = binary.BigEndian.AppendUint16(dst, serial)
	dst = append(dst, result)
	if result == RegisterOK {
		dst = append(dst, code...)
	}
	return dst
}

// ParseRegisterResponse reads a 0x8100 body (terminal simulators and tests read it).
func ParseRegisterResponse(b []byte) (serial uint16, result byte, code string, err error) {
	if len(b) < registerResponseMinimum {
		return 0, 0, "", fmt.Errorf("register response: %w", ErrShort)
	}
	return binary.BigEndian.Uint16(b), b[2], string(b[3:]), nil
}

// Auth is a terminal authentication (终端鉴权, 0x0102).
type Auth struct {
	Code     string // the code the platform gave at registration
	IMEI     string // 2019 only
	Software string // software version, 2019 only
}

// ParseAuth reads a 0x0102 body: in 2013 the whole body is the code; in 2019 a length byte,
// the code, IMEI BYTE[15] and the software version BYTE[20].
func ParseAuth(h *Header, b []byte) (Auth, error) {
	if !h.V2019 {
		return Auth{Code: string(b)}, nil
	}
	if len(b) < 1 || len(b) < 1+int(b[0])+15+20 {
		return Auth{}, fmt.Errorf("auth of %d bytes: %w", len(b), ErrShort)
	}
	n := int(b[0])
	return Auth{Code: string(b[1 : 1+n]), IMEI: fixedString(b[1+n : 16+n]), Software: fixedString(b[16+n : 36+n])}, nil
}

// AppendAuth appends a as a 0x0102 body in the form of the header's version.
func AppendAuth(dst []byte, h *Header, a *Auth) ([]byte, error) {
	if !h.V2019 {
		return append(dst, a.Code...), nil
	}
	if len(a.Code) > 255 || len(a.IMEI) > 15 || len(a.Software) > 20 {
		return dst, fmt.Errorf("auth fields: %w", ErrTooLong)
	}
	dst = append(dst, byte(len(a.Code)))
	dst = append(dst, a.Code...)
	dst = append(dst, a.IMEI...)
	dst = append(dst, make([]byte, 15-len(a.IMEI))...)
	dst = append(dst, a.Software...)
	return append(dst, make([]byte, 20-len(a.Software))...), nil
}

// Results of a general response (0x8001 from the platform, 0x0001 from the terminal).
const (
	ResultOK          byte = 0 // 成功/确认
	ResultFailed      byte = 1 // 失败
	ResultBadMessage  byte = 2 // 消息有误
	ResultUnsupported byte = 3 // 不支持
	ResultAlarmAck    byte = 4 // 报警处理确认 (platform only)
)

// Response is a general response: which message it answers and how.
type Response struct {
	Serial uint16 // the answered message's serial (应答流水号)
	ID     uint16 // the answered message's id (应答 ID)
	Result byte
}

// AppendResponse appends r as a 0x8001 (or 0x0001) body.
func AppendResponse(dst []byte, r Response) []byte {
	dst = binary.BigEndian.AppendUint16(dst, r.Serial)
	dst = binary.BigEndian.AppendUint16(dst, r.ID)
	return append(dst, r.Result)
}

// ParseResponse reads a 0x8001 or 0x0001 body.
func ParseResponse(b []byte) (Response, error) {
	if len(b) < 5 {
		return Response{}, fmt.Errorf("general response: %w", ErrShort)
	}
	return Response{Serial: binary.BigEndian.Uint16(b), ID: binary.BigEndian.Uint16(b[2:]), Result: b[4]}, nil
}

// fixedString returns a fixed-length ASCII field without its 0x00 (and space) padding.
func fixedString(b []byte) string {
	return string(bytes.TrimRight(b, "\x00 "))
}

// gbk decodes a GBK string field (plates such as 粤B12345), dropping 0x00 padding.
func gbk(b []byte) (string, error) {
	out, err := simplifiedchinese.GBK.NewDecoder().Bytes(bytes.TrimRight(b, "\x00"))
	if err != nil {
		return "", err
	}
	return string(out), nil
}
