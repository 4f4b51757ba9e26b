package main

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"citygeo/data"
	"citygeo/data/postgis"
	"citygeo/data/postgis/pgtest"
	"citygeo/data/sqlite"
)

// TestFieldTracksFollowTheStore: with no --tracks, the tracks go where the store is — a file
// beside an SQLite store, the store's own database for PostgreSQL (where every replica reads
// them) — and a fix ingested before a restart is the device's position after it.
func TestFieldTracksFollowTheStore(t *testing.T) {
	tests := map[string]struct {
		store func(t *testing.T) string
		want  func(data.TrackStore) bool
	}{
		"sqlite": {
			store: func(t *testing.T) string { return filepath.Join(t.TempDir(), "city.db") },
			want:  func(s data.TrackStore) bool { _, ok := s.(*sqlite.Tracks); return ok },
		},
		"postgres": {
			store: func(t *testing.T) string { return pgtest.Schema(t) },
			want:  func(s data.TrackStore) bool { _, ok := s.(*postgis.Tracks); return ok },
		},
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			store := tc.store(t)
			ff := fieldFlags{retention: 7}
			f, err := newField(ctx, ff, store, log)
			if err != nil {
				t.Fatal(err)
			}
			if !tc.want(f.store) {
				f.Close()
				t.Fatalf("tracks in %T, not beside the %s store", f.store, name)
			}
			fix := data.Fix{Device: "h-1", Time: time.Now().Add(-time.Minute).Truncate(time.Millisecond),
				Point: orb.Point{114.12, 22.55}, Source: data.SourceHTTP}
			if rep, err := f.Ingest(ctx, []data.Fix{fix}); err != nil || rep.Accepted != 1 {
				f.Close()
				t.Fatalf("ingest: %+v, %v", rep, err)
			}
			if err := f.Close(); err != nil {
				t.Fatal(err)
			}
			f, err = newField(ctx, ff, store, log)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			p, ok := f.Position("h-1")
			if !ok || !p.Fix.Time.Equal(fix.Time) || p.Fix.Point != fix.Point {
				t.Fatalf("after restart h-1 is %+v (%v), want the fix %+v", p, ok, fix)
			}
		})
	}
}
