package api

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"
)

// lockedBuffer is a log sink safe for the Follow goroutine and the test to share.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestFollowSurvivesStoreErrors breaks the store under a following server (the active table
// renamed away): the failure must be logged, and once the store is back the server must still
// pick up a new version.
func TestFollowSurvivesStoreErrors(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	st, ds, v1 := sampleStore(t, 4)
	var logs lockedBuffer
	srv := New(Options{Logger: slog.New(slog.NewTextHandler(&logs, nil)), Store: st})
	done := make(chan error, 1)
	go func() { done <- srv.Follow(ctx, 5*time.Millisecond) }()
	waitFor := func(what string, cond func() bool) {
		t.Helper()
		for !cond() {
			select {
			case err := <-done:
				t.Fatalf("Follow returned %v while waiting for %s", err, what)
			case <-ctx.Done():
				t.Fatalf("timed out waiting for %s; log:\n%s", what, logs.String())
			case <-time.After(5 * time.Millisecond):
			}
		}
	}
	waitFor("the first version", func() bool { c := srv.Current(); return c != nil && c.Version() == v1 })
	if _, err := st.DB().ExecContext(ctx, `ALTER TABLE active RENAME TO active_away`); err != nil {
		t.Fatal(err)
	}
	waitFor("the failure to be logged", func() bool { return strings.Contains(logs.String(), "level=ERROR msg=\"follow store") })
	if _, err := st.DB().ExecContext(ctx, `ALTER TABLE active_away RENAME TO active`); err != nil {
		t.Fatal(err)
	}
	v2, err := st.Save(ctx, ds, "second")
	if err != nil {
		t.Fatal(err)
	}
	waitFor("the version saved after the failure", func() bool { return srv.Current().Version() == v2 })
	cancel()
	if err := <-done; err != context.Canceled {
		t.Errorf("Follow after cancel = %v, want context.Canceled", err)
	}
}
