package api

import (
	"log/slog"
	"strconv"
	"sync"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"citygeo/internal/jsonenc"
)

// LineHandler is a slog.Handler that also takes a record already written: the access log hands
// it a request's attributes appended as JSON, and it writes them as it would write the record
// (its time, level, message and own attributes first), without a slog.Record being built. serve's
// JSON log is one (cmd/citygeo/logging.go). Through slog a request line cost ~2–5 µs, most of it
// json.Marshal of the one float (slog's JSONHandler marshals floats that way) and the record's
// attributes; appended here it is ~0.3 µs, the same bytes (TestAccessLineMatchesSlog).
type LineHandler interface {
	slog.Handler
	// WriteLine writes one record of msg at level whose attributes, after the handler's own,
	// are attrs: `,"key":value` pairs as slog.JSONHandler writes them.
	WriteLine(level slog.Level, msg string, attrs []byte)
}

// lineBufs are the buffers access lines are appended in.
var lineBufs = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

// writeAccessLine writes the access log line of c to h: the attributes observe's slog call
// gives, in the same order, as slog.JSONHandler writes them.
func writeAccessLine(h LineHandler, level slog.Level, c *gin.Context, id, method, route string, status int, ms float64) {
	bp := lineBufs.Get().(*[]byte)
	b := (*bp)[:0]
	b = appendLogAttr(b, "request_id", id)
	b = appendLogAttr(b, "method", method)
	b = appendLogAttr(b, "route", route)
	b = appendLogAttr(b, "path", c.Request.URL.Path)
	b = append(b, `,"status":`...)
	b = strconv.AppendInt(b, int64(status), 10)
	b = append(b, `,"bytes":`...)
	b = strconv.AppendInt(b, int64(max(c.Writer.Size(), 0)), 10)
	b = append(b, `,"ms":`...)
	b = jsonenc.AppendFloat(b, ms) // encoding/json's form, which slog's JSONHandler uses for floats
	b = appendLogAttr(b, "remote", c.ClientIP())
	if v, ok := c.Get(ctxToken); ok {
		t := v.(TokenHash)
		b = appendLogAttr(b, "token", t.Name)
		b = appendLogAttr(b, "role", string(t.Role))
	}
	if v, ok := c.Get(ctxError); ok {
		e := v.(*Error)
		b = appendLogAttr(b, "error", e.Code)
		b = appendLogAttr(b, "message", e.Message)
	}
	if len(c.Errors) > 0 {
		b = appendLogAttr(b, "cause", c.Errors.String())
	}
	h.WriteLine(level, "request", b)
	*bp = b
	lineBufs.Put(bp)
}

func appendLogAttr(b []byte, key, value string) []byte {
	b = append(b, ',', '"')
	b = append(b, key...)
	b = append(b, `":`...)
	return AppendLogString(b, value)
}

// AppendLogString appends s quoted as slog.JSONHandler writes a string, which is not quite
// encoding/json's (and so not jsonenc's): <, > and & stay as they are, and every control
// character but \n, \r and \t is \u00XX. Hand-written because slog keeps its own unexported;
// FuzzAppendLogString checks it against slog.
func AppendLogString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i++
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
