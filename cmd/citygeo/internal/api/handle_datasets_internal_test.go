package api

import (
	"context"
	"log/slog"
	"path/filepath"
	"testing"

	"citygeo/data"
	"citygeo/data/sample"
	"citygeo/data/store"
)

// TestServeCommittedAfterDisconnect reloads a committed version with the request context
// already cancelled (the client went away after the commit): the server must serve it anyway.
func TestServeCommittedAfterDisconnect(t *testing.T) {
	ctx := context.Background()
	st, ds, v1 := sampleStore(t, 3)
	srv := New(Options{Logger: slog.New(slog.DiscardHandler), Store: st})
	loaded, err := st.Load(ctx, v1)
	if err != nil {
		t.Fatal(err)
	}
	snap, err := NewSnapshot(loaded, SnapshotOptions{})
	if err != nil {
		t.Fatal(err)
	}
	srv.Swap(snap)
	v2, err := st.Save(ctx, ds, "second")
	if err != nil {
		t.Fatal(err)
	}
	gone, cancel := context.WithCancel(ctx)
	cancel()
	served, msg := srv.serveCommitted(gone, v2)
	if !served || msg != "" {
		t.Errorf("serveCommitted = %v, %q; want served", served, msg)
	}
	if got := srv.Current().Version(); got != v2 {
		t.Errorf("serving version %d after the reload, want %d", got, v2)
	}
}

// sampleStore is a store in a temporary file holding a small sample city as version v1.
func sampleStore(t *testing.T, seed int64) (st *store.Store, ds *data.Dataset, v1 int64) {
	t.Helper()
	ctx := context.Background()
	ds, err := sample.Generate(sample.Options{Grids: 500, Components: 1000, Seed: seed})
	if err != nil {
		t.Fatal(err)
	}
	st, err = store.Open(ctx, filepath.Join(t.TempDir(), "city.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if v1, err = st.Save(ctx, ds, "first"); err != nil {
		t.Fatal(err)
	}
	return st, ds, v1
}
