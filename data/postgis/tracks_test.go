package postgis_test

import (
	"context"
	"testing"

	"citygeo/data"
	"citygeo/data/postgis"
	"citygeo/data/storetest"
)

// TestTracksConformance runs the track store suite on field_fix: each subtest gets a new schema,
// and each open is another pool on it, as after a restart.
func TestTracksConformance(t *testing.T) {
	storetest.RunTracks(t, func(t *testing.T) func(t *testing.T) data.TrackStore {
		dsn := testDB(t)
		return func(t *testing.T) data.TrackStore {
			s, err := postgis.OpenTracks(context.Background(), dsn)
			if err != nil {
				t.Fatal(err)
			}
			return s
		}
	})
}

// TestTrackChangesConformance runs the shared-store suite: two pools on one schema stand for
// two replicas.
func TestTrackChangesConformance(t *testing.T) {
	storetest.RunTrackChanges(t, func(t *testing.T) func(t *testing.T) data.TrackChanges {
		dsn := testDB(t)
		return func(t *testing.T) data.TrackChanges {
			s, err := postgis.OpenTracks(context.Background(), dsn)
			if err != nil {
				t.Fatal(err)
			}
			return s
		}
	})
}
