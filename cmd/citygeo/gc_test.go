package main

import (
	"bytes"
	"log/slog"
	"runtime/debug"
	"strings"
	"testing"
)

// TestServeGCPolicy: GOGC in the environment wins; GOMEMLIMIT alone turns the percentage off so
// the budget decides; neither gives serveGCPercent. tuneServeGC applies it to the runtime and
// logs it.
func TestServeGCPolicy(t *testing.T) {
	for _, tc := range []struct {
		name             string
		gogc, memlimit   string
		wantPercent      int // what the runtime has afterwards; 0: what it had before
		wantLog, wantWhy string
	}{
		{"neither", "", "", serveGCPercent, `GOGC=8`, "default"},
		{"GOMEMLIMIT", "", "3GiB", -1, `GOGC=off GOMEMLIMIT=3GiB`, "collect only as the heap nears it"},
		{"GOGC", "150", "", 0, `GOGC=150`, "GOGC from the environment"},
		{"both", "150", "3GiB", 0, `GOGC=150 GOMEMLIMIT=3GiB`, "GOGC from the environment"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("GOGC", tc.gogc)
			t.Setenv("GOMEMLIMIT", tc.memlimit)
			before := debug.SetGCPercent(123)
			t.Cleanup(func() { debug.SetGCPercent(before) })
			var buf bytes.Buffer
			tuneServeGC(slog.New(slog.NewTextHandler(&buf, nil)))
			want := tc.wantPercent
			if want == 0 {
				want = 123
			}
			if got := debug.SetGCPercent(before); got != want {
				t.Errorf("GC percent %d, want %d", got, want)
			}
			if line := buf.String(); !strings.Contains(line, tc.wantLog) || !strings.Contains(line, tc.wantWhy) || !strings.Contains(line, "live_heap_mb=") {
				t.Errorf("log %q, want %q and %q", line, tc.wantLog, tc.wantWhy)
			}
		})
	}
}
