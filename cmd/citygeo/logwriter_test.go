package main

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"
)

type lockedBuffer struct {
	mu     sync.Mutex
	b      bytes.Buffer
	writes int
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.writes++
	return l.b.Write(p)
}

func (l *lockedBuffer) String() (string, int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String(), l.writes
}

func TestLogWriter(t *testing.T) {
	t.Run("lines wait for the timer, then go in one write", func(t *testing.T) {
		var out lockedBuffer
		lw := newLogWriter(&out)
		defer lw.Close()
		lw.Write([]byte("a\n"))
		lw.Write([]byte("b\n"))
		if s, _ := out.String(); s != "" {
			t.Fatalf("written at once: %q", s)
		}
		deadline := time.Now().Add(5 * time.Second)
		for {
			s, n := out.String()
			if s == "a\nb\n" && n == 1 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("after the flush delay: %q in %d writes", s, n)
			}
			time.Sleep(10 * time.Millisecond)
		}
	})
	t.Run("a full buffer is written at once", func(t *testing.T) {
		var out lockedBuffer
		lw := newLogWriter(&out)
		defer lw.Close()
		line := strings.Repeat("x", 1023) + "\n"
		for range logFlushBytes / len(line) {
			lw.Write([]byte(line))
		}
		if s, n := out.String(); len(s) != logFlushBytes || n != 1 {
			t.Fatalf("%d bytes in %d writes, want %d in 1", len(s), n, logFlushBytes)
		}
	})
	t.Run("close writes the rest and lets later lines through", func(t *testing.T) {
		var out lockedBuffer
		lw := newLogWriter(&out)
		lw.Write([]byte("last\n"))
		lw.Close()
		lw.Write([]byte("after\n"))
		if s, _ := out.String(); s != "last\nafter\n" {
			t.Fatalf("%q", s)
		}
	})
}
