package main

import (
	"io"
	"sync"
	"time"
)

// Log batching: with the access log on (the default) every request writes a line, and a
// write(2) per line costs a loaded one-core server about as much as a grid lookup. Lines are
// gathered and written together when logFlushBytes have gathered or logFlushAfter after the
// first one, whichever comes first, and at exit (Close). A kill -9 can lose the lines of the
// last logFlushAfter; the audit trail of writes is a file of its own, synced line by line.
const (
	logFlushBytes = 32 << 10
	logFlushAfter = 100 * time.Millisecond
)

// logWriter is an io.Writer that batches writes to w.
type logWriter struct {
	w io.Writer

	mu      sync.Mutex
	buf     []byte
	pending bool // a flush is scheduled
	timer   *time.Timer
	closed  bool
}

func newLogWriter(w io.Writer) *logWriter {
	lw := &logWriter{w: w, buf: make([]byte, 0, logFlushBytes)}
	lw.timer = time.AfterFunc(time.Hour, lw.flush)
	lw.timer.Stop()
	return lw
}

// Write takes one log line (slog handlers write a record at a time).
func (lw *logWriter) Write(p []byte) (int, error) {
	lw.mu.Lock()
	defer lw.mu.Unlock()
	if lw.closed {
		return lw.w.Write(p)
	}
	lw.buf = append(lw.buf, p...)
	if len(lw.buf) >= logFlushBytes {
		return len(p), lw.flushLocked()
	}
	if !lw.pending {
		lw.pending = true
		lw.timer.Reset(logFlushAfter)
	}
	return len(p), nil
}

func (lw *logWriter) flush() {
	lw.mu.Lock()
	defer lw.mu.Unlock()
	_ = lw.flushLocked() // a log that cannot be written has nowhere to say so
}

func (lw *logWriter) flushLocked() error {
	lw.pending = false
	if len(lw.buf) == 0 {
		return nil
	}
	_, err := lw.w.Write(lw.buf)
	lw.buf = lw.buf[:0]
	return err
}

// Close writes what is gathered; later writes go straight through.
func (lw *logWriter) Close() error {
	lw.timer.Stop()
	lw.mu.Lock()
	defer lw.mu.Unlock()
	lw.closed = true
	return lw.flushLocked()
}
