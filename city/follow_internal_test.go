package city

import (
	"bytes"
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"citygeo/data"
	"citygeo/data/sample"
	"citygeo/data/sqlite"
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

// TestFollowSurvivesStoreErrors breaks the store under a following city (the active table
// renamed away): the failure must be logged, and once the store is back the server must still
// pick up a new version.
func TestFollowSurvivesStoreErrors(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	st, ds, v1 := sampleStore(t, 4)
	var logs lockedBuffer
	srv := New(st, Options{}, slog.New(slog.NewTextHandler(&logs, nil)))
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

// TestServeCommittedAfterDisconnect reloads a committed version with the request context
// already cancelled (the client went away after the commit): the city must serve it anyway.
func TestServeCommittedAfterDisconnect(t *testing.T) {
	ctx := context.Background()
	st, ds, v1 := sampleStore(t, 3)
	c := New(st, Options{}, slog.New(slog.DiscardHandler))
	loaded, err := st.Load(ctx, v1)
	if err != nil {
		t.Fatal(err)
	}
	snap, err := Build(loaded, Options{})
	if err != nil {
		t.Fatal(err)
	}
	c.Swap(snap)
	v2, err := st.Save(ctx, ds, "second")
	if err != nil {
		t.Fatal(err)
	}
	gone, cancel := context.WithCancel(ctx)
	cancel()
	if got := c.serveCommitted(gone, v2); !got.Served || got.Message != "" {
		t.Errorf("serveCommitted = %+v; want served", got)
	}
	if got := c.Current().Version(); got != v2 {
		t.Errorf("serving version %d after the reload, want %d", got, v2)
	}
}

// sampleStore is a store in a temporary file holding a small sample city as version v1.
func sampleStore(t *testing.T, seed int64) (st *sqlite.Store, ds *data.Dataset, v1 int64) {
	t.Helper()
	ctx := context.Background()
	ds, err := sample.Generate(sample.Options{Grids: 500, Components: 1000, Seed: seed})
	if err != nil {
		t.Fatal(err)
	}
	st, err = sqlite.Open(ctx, filepath.Join(t.TempDir(), "city.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if v1, err = st.Save(ctx, ds, "first"); err != nil {
		t.Fatal(err)
	}
	return st, ds, v1
}
