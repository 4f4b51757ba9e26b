package api

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"sync"
	"time"
)

// jsonLines is a slog.JSONHandler that also takes the access log's lines whole (LineHandler),
// so a request's line is appended once instead of built as a slog.Record and marshalled. Both
// write the same bytes (TestAccessLineMatchesSlog).
type jsonLines struct {
	*slog.JSONHandler
	out    *lineOut
	prefix []byte // the attributes of WithAttrs, as the JSON handler writes them
}

// lineOut is what a jsonLines and the handlers derived from it share.
type lineOut struct {
	mu  sync.Mutex
	w   io.Writer
	buf []byte
}

var _ LineHandler = (*jsonLines)(nil)

// NewJSONLog returns the JSON log handler serve logs through: slog.NewJSONHandler(w, opts)'s
// lines, and the access log's written without building records.
func NewJSONLog(w io.Writer, opts *slog.HandlerOptions) slog.Handler { return newJSONLines(w, opts) }

func newJSONLines(w io.Writer, opts *slog.HandlerOptions) *jsonLines {
	return &jsonLines{JSONHandler: slog.NewJSONHandler(w, opts), out: &lineOut{w: w}}
}

// WithAttrs renders as once, by the JSON handler itself: a record with no time and no message
// carries them, and what it writes after the message is the prefix.
func (h *jsonLines) WithAttrs(as []slog.Attr) slog.Handler {
	var b bytes.Buffer
	_ = slog.NewJSONHandler(&b, nil).WithAttrs(as).Handle(context.Background(), slog.NewRecord(time.Time{}, slog.LevelInfo, "", 0))
	rendered := b.Bytes()
	const after = `"msg":""`
	i := bytes.Index(rendered, []byte(after))
	if i < 0 || !bytes.HasSuffix(rendered, []byte("}\n")) {
		return h.JSONHandler.WithAttrs(as) // not the form expected: lines go through slog
	}
	prefix := append(append([]byte{}, h.prefix...), rendered[i+len(after):len(rendered)-2]...)
	return &jsonLines{JSONHandler: h.JSONHandler.WithAttrs(as).(*slog.JSONHandler), out: h.out, prefix: prefix}
}

// WithGroup nests the attributes that follow, which a line does not: such a logger is a plain
// JSON handler, and its lines go through slog.
func (h *jsonLines) WithGroup(name string) slog.Handler { return h.JSONHandler.WithGroup(name) }

// WriteLine writes a record as the JSON handler would: time, level, message, the handler's
// attributes, then attrs.
func (h *jsonLines) WriteLine(level slog.Level, msg string, attrs []byte) {
	now := time.Now()
	o := h.out
	o.mu.Lock()
	defer o.mu.Unlock()
	b := append(o.buf[:0], `{"time":"`...)
	b = now.AppendFormat(b, time.RFC3339Nano)
	b = append(b, `","level":`...)
	b = AppendLogString(b, level.String())
	b = append(b, `,"msg":`...)
	b = AppendLogString(b, msg)
	b = append(b, h.prefix...)
	b = append(b, attrs...)
	b = append(b, '}', '\n')
	_, _ = o.w.Write(b) // as slog's handlers: a log that cannot be written has nowhere to say so
	o.buf = b
}
