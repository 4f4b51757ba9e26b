package jt808

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
)

// Authenticator decides a platform's answers to registration and authentication.
type Authenticator interface {
	// Register answers the registration of terminal (its phone without leading zeros): a
	// Register… result and, with RegisterOK, the authentication code to hand out.
	Register(terminal string, r *Register) (result byte, code string)
	// Authenticate reports whether code is the one terminal was given.
	Authenticate(terminal, code string) bool
}

// KeyedAuth hands out codes derived from a secret key (HMAC-SHA256 of the terminal's id), so
// the platform stores nothing per terminal and a restart with the same key keeps every code
// valid; a new key makes terminals register again, which they do on their own.
type KeyedAuth struct {
	Key []byte
	// Known, when set, refuses the registration of terminals it does not know (result 4, no
	// such terminal) and their authentication.
	Known func(terminal string) bool
}

var _ Authenticator = KeyedAuth{}

// Register implements Authenticator.
func (a KeyedAuth) Register(terminal string, _ *Register) (byte, string) {
	if a.Known != nil && !a.Known(terminal) {
		return RegisterNoSuchTerminal, ""
	}
	return RegisterOK, a.code(terminal)
}

// Authenticate implements Authenticator.
func (a KeyedAuth) Authenticate(terminal, code string) bool {
	if a.Known != nil && !a.Known(terminal) {
		return false
	}
	return hmac.Equal([]byte(code), []byte(a.code(terminal)))
}

func (a KeyedAuth) code(terminal string) string {
	m := hmac.New(sha256.New, a.Key)
	m.Write([]byte(terminal))
	return hex.EncodeToString(m.Sum(nil)[:12]) // 24 characters: short for the terminal's flash, 96 bits
}

// Session is the platform side of one terminal connection. It keeps what the connection has
// established (which terminal authenticated) and the platform's own serial numbers, and turns
// each frame into what it carries (Inbound) and then into the answer (AppendReply). A location
// report's answer waits for the caller to store it: the terminal deletes a report once it is
// acknowledged, so an acknowledgement must mean stored. A Session is not safe for concurrent use.
type Session struct {
	Auth Authenticator

	terminal   string        // the authenticated terminal's id, "" before authentication
	serial     uint16        // the platform's next serial
	unreadable int           // frames in a row without a readable header
	split      *splitMessage // the packets of a split message so far
}

// Inbound is what one frame brought and how to answer it.
type Inbound struct {
	Header Header
	// Err is why the frame could not be used; the reply then says so when the header is known.
	Err error
	// Locations are the positioned locations of a 0x0200 or 0x0704 from the authenticated
	// terminal; the answer depends on whether the caller stored them.
	Locations []Location
	// Seen is true for any message of the authenticated terminal: it is online.
	Seen bool

	reply    uint16        // message id of the reply; 0: none
	result   byte          // general response result, register result
	code     string        // register: the auth code
	resend   ResendRequest // 0x8003: the packets of a split message to send again
	awaits   bool          // the result depends on storing Locations
	unnamed  bool          // the header could not be read: nobody to answer
	rejected bool          // the caller refused a location as data (Reject)
}

// Reject marks a location message whose data the platform refuses (a fix time far in the
// future, a position off the globe): it is answered "message error" rather than "failed", so the
// terminal does not send it again and again.
func (in *Inbound) Reject() { in.rejected = true }

// Terminal returns the id of the terminal authenticated on this connection, or "".
func (s *Session) Terminal() string { return s.terminal }

// Unreadable returns how many frames in a row, up to the last one handled, had no readable
// header (no phone and serial to answer): 0 after any frame that had one, even a bad one. A
// terminal speaks in headers; a run of frames without any is a peer that does not speak JT/T
// 808, which the caller may hang up on rather than hold until it falls idle.
func (s *Session) Unreadable() int { return s.unreadable }

// Handle decodes one frame from Splitter.Next and applies it to the session.
func (s *Session) Handle(frame []byte) Inbound {
	m, err := Decode(frame)
	in := Inbound{Header: m.Header, reply: MsgPlatformResponse}
	if err != nil {
		in.Err, in.result = err, ResultBadMessage
		// Without a header there is no serial to answer; a checksum or length error still has
		// the header the terminal sent (Decode returns it) and gets "message error" — when
		// that header got as far as the phone: garbage with a wrong check code has none.
		if !errors.Is(err, ErrChecksum) && !errors.Is(err, ErrLength) || m.Header.Phone == "" {
			in.unnamed = true
			s.unreadable++
			return in
		}
		s.unreadable = 0
		return in
	}
	s.unreadable = 0
	h := &in.Header
	id := h.Terminal()
	authed := s.terminal != "" && s.terminal == id
	in.Seen = authed
	body := m.Body
	switch {
	case h.Encrypt != 0:
		in.result = ResultUnsupported // RSA-encrypted messages: not needed for positions
		return in
	case h.Split && h.ID != MsgLocation && h.ID != MsgBatch:
		in.result = ResultUnsupported // only a location batch is long enough to need packets
		return in
	case h.Split && !authed:
		in.result = ResultFailed // as for an unsplit report: nothing kept, the terminal keeps it
		return in
	case h.Split:
		// A blind-area batch longer than a frame comes in packets. Each is answered as it
		// arrives (the terminal sends the next on that answer), the last one once the whole
		// batch is stored; packets that did not come are asked for again (0x8003). The packets
		// before the last are held in memory only: a crash before the last loses them.
		whole, missing, err := s.addPacket(h, m.Body)
		switch {
		case err != nil:
			in.Err, in.result = err, ResultBadMessage
			return in
		case missing != nil:
			in.reply, in.resend = MsgResendPackets, ResendRequest{Serial: s.splitFirst(), Packets: missing}
			return in
		case whole == nil:
			in.result = ResultOK
			return in
		}
		body = whole
	}
	switch h.ID {
	case MsgTerminalResponse:
		in.reply = 0 // an answer to the platform is not answered
	case MsgRegister:
		r, err := ParseRegister(h, m.Body)
		if err != nil {
			in.Err, in.result = err, ResultBadMessage
			return in
		}
		in.reply = MsgRegisterResponse
		in.result, in.code = s.Auth.Register(id, &r)
	case MsgAuth:
		a, err := ParseAuth(h, m.Body)
		switch {
		case err != nil:
			in.Err, in.result = err, ResultBadMessage
		case s.Auth.Authenticate(id, a.Code):
			s.terminal, in.Seen, in.result = id, true, ResultOK
		default:
			in.result = ResultFailed
		}
	case MsgHeartbeat:
		in.result = ResultOK
	case MsgLogout:
		if authed {
			s.terminal = ""
		}
		in.result = ResultOK
	case MsgLocation, MsgBatch:
		if !authed {
			in.result = ResultFailed // not authenticated: nothing is stored, the terminal keeps it
			return in
		}
		locs, err := parseLocations(h.ID, body)
		if err != nil {
			in.Err, in.result = err, ResultBadMessage
			return in
		}
		in.Locations, in.awaits = locs, true
	default:
		in.result = ResultUnsupported
	}
	return in
}

// parseLocations returns the positioned locations of a 0x0200 or 0x0704 body. A report without
// a fix (status bit 1 clear) carries no position: it is acknowledged and not stored.
func parseLocations(id uint16, body []byte) ([]Location, error) {
	var locs []Location
	if id == MsgLocation {
		l, err := ParseLocation(body)
		if err != nil {
			return nil, err
		}
		locs = []Location{l}
	} else {
		b, err := ParseBatch(body)
		if err != nil {
			return nil, err
		}
		locs = b.Locations
	}
	out := locs[:0]
	for _, l := range locs {
		if l.Positioned() {
			out = append(out, l)
		}
	}
	return out, nil
}

// AppendReply appends the frame answering in to dst, or nothing when in needs no answer.
// stored says whether in.Locations were stored durably; it is read only for location reports,
// which are acknowledged "ok" when stored, "message error" when rejected (Reject) and "failed"
// otherwise, so the terminal sends them again.
func (s *Session) AppendReply(dst []byte, in *Inbound, stored bool) []byte {
	if in.reply == 0 || in.unnamed {
		return dst
	}
	h := Header{ID: in.reply, V2019: in.Header.V2019, Protocol: in.Header.Protocol, Phone: in.Header.Phone, Serial: s.serial}
	s.serial++
	var body [64]byte
	var b []byte
	switch in.reply {
	case MsgRegisterResponse:
		b = AppendRegisterResponse(body[:0], in.Header.Serial, in.result, in.code)
	case MsgResendPackets:
		var err error
		if b, err = AppendResendRequest(body[:0], in.resend, in.Header.V2019); err != nil {
			// More than a 2013 request can name: ask for the first 255, the rest after.
			in.resend.Packets = in.resend.Packets[:255]
			b, _ = AppendResendRequest(body[:0], in.resend, false)
		}
	default:
		r := in.result
		switch {
		case in.awaits && in.rejected:
			r = ResultBadMessage
		case in.awaits && !stored:
			r = ResultFailed
		}
		b = AppendResponse(body[:0], Response{Serial: in.Header.Serial, ID: in.Header.ID, Result: r})
	}
	out, err := AppendFrame(dst, h, b)
	if err != nil {
		// Only a phone the header decoder produced can reach here, and it always re-encodes.
		return dst
	}
	return out
}
