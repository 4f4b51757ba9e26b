package api

import (
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"runtime/debug"
	"strconv"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
)

// Context keys a request carries between the middlewares and the access log.
const (
	ctxToken = "citygeo.token" // TokenHash of an identified bearer token
	ctxError = "citygeo.error" // *Error the request was answered with
)

// RequestIDHeader carries a request's id: taken from the client when it sends a usable one (a
// gateway's trace id), made up otherwise, and always answered.
const RequestIDHeader = "X-Request-Id"

// requestID returns the client's id when it is short and plain (letters, digits, - _ . : / + =),
// so a log line never carries a client's control characters or a megabyte of header, and a
// fresh random one otherwise; as the header map holds it, a slice of one value. A fresh id
// comes from a block of ids made together (freshIDs), so the answer's X-Request-Id costs no
// allocation of its own.
func requestID(in string) []string {
	if n := len(in); n > 0 && n <= 128 {
		ok := true
		for i := 0; i < n && ok; i++ {
			b := in[i]
			ok = b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' ||
				b == '-' || b == '_' || b == '.' || b == ':' || b == '/' || b == '+' || b == '='
		}
		if ok {
			return []string{in}
		}
	}
	blk, _ := freshIDs.Get().(*idBlock)
	if blk == nil || blk.next == idsPerBlock {
		blk = newIDBlock()
	}
	v := blk.values[blk.next : blk.next+1 : blk.next+1] // capacity one: an Add copies
	blk.next++
	freshIDs.Put(blk)
	return v
}

const hexDigits = "0123456789abcdef"

// idsPerBlock is how many fresh request ids are made at once: two allocations (the text and
// the header values) for this many requests instead of two for each.
const idsPerBlock = 256

// idBlock is a run of fresh random request ids, 16 hex digits each, handed out in order. A
// block is used by one request at a time (freshIDs hands it out and takes it back); the ids
// it gave stay valid, as strings, however long their answers or log lines keep them.
type idBlock struct {
	values []string
	next   int
}

// freshIDs keeps the blocks being handed out, about one per processor.
var freshIDs sync.Pool

func newIDBlock() *idBlock {
	var text [idsPerBlock * 16]byte
	for i := 0; i < len(text); i += 16 {
		for j, v := 0, rand.Uint64(); j < 16; j, v = j+1, v>>4 {
			text[i+j] = hexDigits[v&0xF]
		}
	}
	all := string(text[:])
	blk := &idBlock{values: make([]string, idsPerBlock)}
	for i := range blk.values {
		blk.values[i] = all[i*16 : i*16+16]
	}
	return blk
}

// requestIDOf returns the id observe gave the request: the answer's X-Request-Id (kept there
// rather than in the context's keys, whose map gin would make for every request).
func requestIDOf(c *gin.Context) string { return c.Writer.Header().Get(RequestIDHeader) }

// observe gives every request an id (X-Request-Id, in and out), counts and times it for the
// metrics, and writes its access log line once it is answered — whatever answered it, an
// auth refusal, a rate limit or a panic included. Routes are labelled by pattern.
func (s *Server) observe() gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		idValue := requestID(c.Request.Header.Get(RequestIDHeader))
		id := idValue[0]
		c.Writer.Header()[RequestIDHeader] = idValue // canonical already: Set would check
		if s.draining.Load() {
			c.Header("Connection", "close") // net/http closes the connection after this answer
		}
		s.metrics.inFlight.Inc()
		c.Next()
		s.metrics.inFlight.Dec()
		dur := time.Since(start)
		route := c.FullPath()
		if route == "" {
			route = "unmatched"
		}
		st := refusedStatus(c)
		method := methodLabel(c.Request.Method)
		s.metrics.observe(method, route, st, dur.Seconds())

		level := slog.LevelInfo
		switch {
		case st >= 500 && st != http.StatusServiceUnavailable:
			level = slog.LevelError
		case st == http.StatusUnauthorized, st == http.StatusForbidden, st == http.StatusTooManyRequests, st == http.StatusServiceUnavailable:
			level = slog.LevelWarn // refusals are always logged, access log or not
		case !s.accessLog:
			return
		}
		if !s.log.Enabled(c.Request.Context(), level) {
			return // a handler that drops the level: build no record for it
		}
		if s.lines != nil {
			writeAccessLine(s.lines, level, c, id, method, route, st, float64(dur.Microseconds())/1e3)
			return
		}
		attrs := []slog.Attr{
			slog.String("request_id", id), slog.String("method", method), slog.String("route", route),
			slog.String("path", c.Request.URL.Path), slog.Int("status", st), slog.Int("bytes", max(c.Writer.Size(), 0)),
			slog.Float64("ms", float64(dur.Microseconds())/1e3), slog.String("remote", c.ClientIP()),
		}
		if v, ok := c.Get(ctxToken); ok {
			t := v.(TokenHash)
			attrs = append(attrs, slog.String("token", t.Name), slog.String("role", string(t.Role)))
		}
		if v, ok := c.Get(ctxError); ok {
			e := v.(*Error)
			attrs = append(attrs, slog.String("error", e.Code), slog.String("message", e.Message))
		}
		if len(c.Errors) > 0 {
			attrs = append(attrs, slog.String("cause", c.Errors.String()))
		}
		s.log.LogAttrs(c.Request.Context(), level, "request", attrs...)
	}
}

// recoverJSON turns a panic in a handler into a logged 500 with the JSON error body, so no
// panic (from a library, say) reaches a client as a dropped connection.
func (s *Server) recoverJSON() gin.HandlerFunc {
	return func(c *gin.Context) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.Error("panic in handler", "request_id", requestIDOf(c), "path", c.Request.URL.Path,
					"panic", fmt.Sprint(v), "stack", string(debug.Stack()))
				if !c.Writer.Written() {
					Fail(c, "", &Error{Status: http.StatusInternalServerError, Code: CodeInternal, Message: "internal error"})
				}
			}
		}()
		c.Next()
	}
}

// retryAfter formats a wait as a Retry-After value: whole seconds, rounded up, at least 1.
func retryAfter(d time.Duration) string {
	return strconv.FormatInt(max(int64((d+time.Second-1)/time.Second), 1), 10)
}
