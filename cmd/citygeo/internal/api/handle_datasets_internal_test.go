package api

import (
	"context"
	"log/slog"
	"path/filepath"
	"testing"

	"citygeo/data/sample"
	"citygeo/data/store"
)

// TestServeCommittedAfterDisconnect reloads a committed version with the request context
// already cancelled (the client went away after the commit): the server must serve it anyway.
func TestServeCommittedAfterDisconnect(t *testing.T) {
	ctx := context.Background()
	ds, err := sample.Generate(sample.Options{Grids: 500, Components: 1000, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "city.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	v1, err := st.Save(ctx, ds, "first")
	if err != nil {
		t.Fatal(err)
	}
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
