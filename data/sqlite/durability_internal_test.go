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

// TestStoreFileSettings: a new store file gets 16 KiB pages and the WAL journal. The driver runs
// its _pragma list in name order, and journal_mode before page_size left new files at 4 KiB.
func TestStoreFileSettings(t *testing.T) {
	ctx := context.Background()
	st, err := Open(ctx, filepath.Join(t.TempDir(), "city.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for _, tc := range []struct {
		pragma, want string
	}{
		{"page_size", "16384"},
		{"journal_mode", "wal"},
		{"foreign_keys", "1"},
		{"cache_size", "-65536"},
	} {
		t.Run(tc.pragma, func(t *testing.T) {
			var got string
			if err := st.db.QueryRowContext(ctx, "PRAGMA "+tc.pragma).Scan(&got); err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("PRAGMA %s = %s, want %s", tc.pragma, got, tc.want)
			}
		})
	}
}
