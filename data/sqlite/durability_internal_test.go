package sqlite

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
)

// TestSyncFull: every file commits with synchronous=FULL (2), so an acknowledged version,
// activation, event or fix survives an OS crash, not only a process kill.
func TestSyncFull(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st, err := Open(ctx, filepath.Join(dir, "city.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ev, err := OpenEvents(filepath.Join(dir, "city.db.events.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer ev.Close()
	tr, err := OpenTracks(filepath.Join(dir, "city.db.tracks.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	for name, db := range map[string]*sql.DB{"store": st.db, "events": ev.db, "tracks": tr.db} {
		var mode int
		if err := db.QueryRowContext(ctx, "PRAGMA synchronous").Scan(&mode); err != nil {
			t.Fatal(err)
		}
		if mode != 2 {
			t.Errorf("%s: synchronous = %d, want 2 (FULL)", name, mode)
		}
	}
}
