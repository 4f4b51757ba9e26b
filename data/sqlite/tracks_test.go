package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"citygeo/data"
	"citygeo/data/sqlite"
	"citygeo/data/storetest"
)

// compacting compacts after every Append, so the suite reads everything from chunks; the plain
// run reads mostly from the journal.
type compacting struct{ *sqlite.Tracks }

func (c compacting) Append(ctx context.Context, fs []data.Fix) error {
	if err := c.Tracks.Append(ctx, fs); err != nil {
		return err
	}
	return c.Compact(ctx)
}

func TestTracksConformanceCompacted(t *testing.T) {
	storetest.RunTracks(t, func(t *testing.T) func(t *testing.T) data.TrackStore {
		path := filepath.Join(t.TempDir(), "tracks.db")
		return func(t *testing.T) data.TrackStore {
			s, err := sqlite.OpenTracks(path)
			if err != nil {
				t.Fatal(err)
			}
			return compacting{s}
		}
	})
}

// TestTracksJournalAndChunks: a device's fixes split between chunks and the journal read as
// one track, and a re-send in the journal of a time already compacted keeps the first written.
func TestTracksJournalAndChunks(t *testing.T) {
	ctx := context.Background()
	s, err := sqlite.OpenTracks(filepath.Join(t.TempDir(), "tracks.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	t0 := time.Date(2026, 11, 20, 1, 0, 0, 0, time.UTC)
	fix := func(sec int, lon float64) data.Fix {
		return data.Fix{Device: "d", Time: t0.Add(time.Duration(sec) * time.Second), Point: orb.Point{lon, 22.5}}
	}
	if err := s.Append(ctx, []data.Fix{fix(0, 114.0), fix(10, 114.1)}); err != nil {
		t.Fatal(err)
	}
	if err := s.Compact(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.Append(ctx, []data.Fix{fix(10, 999), fix(20, 114.2), fix(5, 114.05)}); err != nil {
		t.Fatal(err)
	}
	got, err := s.Track(ctx, "d", t0, t0.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	var lons []float64
	for _, f := range got {
		lons = append(lons, f.Point[0])
	}
	if len(lons) != 4 || lons[0] != 114.0 || lons[1] != 114.05 || lons[2] != 114.1 || lons[3] != 114.2 {
		t.Errorf("track = %v; want 114, 114.05, 114.1 (the first written at 10 s), 114.2", lons)
	}
	latest, err := s.Latest(ctx)
	if err != nil || len(latest) != 1 || latest[0].Point[0] != 114.2 {
		t.Errorf("latest = %+v, %v", latest, err)
	}
}
