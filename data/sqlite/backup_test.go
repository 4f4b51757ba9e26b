package sqlite_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"citygeo/data/sqlite"
	"citygeo/data/storetest"
)

// TestRestoreGuards: a restore checks the backup first and replaces a store only when told, and
// then serves the backup's versions, not the replaced store's.
func TestRestoreGuards(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db := filepath.Join(dir, "city.db")
	st, err := sqlite.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	v1, err := st.Save(ctx, storetest.FullDataset(), "one")
	if err != nil {
		t.Fatal(err)
	}
	backup := filepath.Join(dir, "b", "city.backup")
	if _, err := sqlite.Backup(ctx, db, backup); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Save(ctx, storetest.FullDataset(), "two"); err != nil { // after the backup
		t.Fatal(err)
	}
	st.Close()
	notStore := filepath.Join(dir, "events-only.db")
	if _, err := sqlite.OpenEvents(notStore); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, src string
		replace   bool
		want      error // nil: a non-nil error is enough
		ok        bool
	}{
		{"backup again to an existing file", "", false, sqlite.ErrExists, false},
		{"not a store", notStore, true, nil, false},
		{"over a store without replace", backup, false, sqlite.ErrExists, false},
		{"over a store with replace", backup, true, nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			if tc.src == "" {
				_, err = sqlite.Backup(ctx, db, backup)
			} else {
				_, err = sqlite.Restore(ctx, tc.src, db, tc.replace)
			}
			switch {
			case tc.ok && err != nil:
				t.Fatalf("err = %v, want none", err)
			case !tc.ok && err == nil:
				t.Fatal("no error")
			case tc.want != nil && !errors.Is(err, tc.want):
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
	for _, side := range []string{"-wal", "-shm"} {
		if _, err := os.Stat(db + side); err == nil {
			t.Errorf("the replaced store's %s file is still there", side)
		}
	}
	st, err = sqlite.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	vs, err := st.Versions(ctx)
	if err != nil || len(vs) != 1 || vs[0].Version != v1 || !vs[0].Active {
		t.Errorf("versions after the restore = %+v, %v; want version %d alone, active", vs, err, v1)
	}
}
