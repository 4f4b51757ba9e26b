package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"

	"citygeo/internal/sqliteuri"
)

// ErrExists is returned by Backup and Restore rather than overwrite a file.
var ErrExists = errors.New("file exists")

// Backup copies the store file at storePath to dst, and its events file (EventsPath) to
// EventsPath(dst) when there is one, while servers and imports go on using them. Each copy is one
// VACUUM INTO, which SQLite documents as a consistent snapshot of the database taken in one read
// transaction: a version being imported meanwhile is either wholly in it or not at all, and no
// writer waits for the copy (WAL). The two files are copied one after the other, each
// consistent; events and dataset versions are independent of each other. It returns the files
// written. dst and its events file must not exist.
func Backup(ctx context.Context, storePath, dst string) ([]string, error) {
	if _, err := os.Stat(storePath); err != nil {
		return nil, fmt.Errorf("back up %s: %w", storePath, err)
	}
	pairs := [][2]string{{storePath, dst}}
	if _, err := os.Stat(EventsPath(storePath)); err == nil {
		pairs = append(pairs, [2]string{EventsPath(storePath), EventsPath(dst)})
	}
	var written []string
	for _, p := range pairs {
		if err := vacuumInto(ctx, p[0], p[1]); err != nil {
			return written, fmt.Errorf("back up %s: %w", p[0], err)
		}
		written = append(written, p[1])
	}
	return written, nil
}

// Restore makes the backup src (with EventsPath(src) when there is one) the store file at
// storePath (and its events file). Servers on storePath must be stopped first: a server holds the
// old file open. The backup is checked (PRAGMA quick_check, and a citygeo store's tables) before
// anything is touched; each file is then copied beside its target and renamed over it, so a
// failure leaves the old file whole. An existing store is replaced only when replace is set. It
// returns the files written.
func Restore(ctx context.Context, src, storePath string, replace bool) ([]string, error) {
	pairs := [][2]string{{src, storePath}}
	if _, err := os.Stat(EventsPath(src)); err == nil {
		pairs = append(pairs, [2]string{EventsPath(src), EventsPath(storePath)})
	}
	for _, p := range pairs {
		if err := checkBackup(ctx, p[0], p[0] == src); err != nil {
			return nil, fmt.Errorf("restore %s: %w", p[0], err)
		}
		if _, err := os.Stat(p[1]); err == nil && !replace {
			return nil, fmt.Errorf("restore to %s: %w (stop the servers using it and restore with replace, or restore to a new path)", p[1], ErrExists)
		}
	}
	var written []string
	for _, p := range pairs {
		tmp := p[1] + ".restoring"
		os.Remove(tmp) // left by an earlier restore that failed
		if err := vacuumInto(ctx, p[0], tmp); err != nil {
			os.Remove(tmp)
			return written, fmt.Errorf("restore %s: %w", p[0], err)
		}
		// The old file's WAL and shared-memory index belong to it: left beside the new file,
		// SQLite would replay the old WAL into it.
		for _, side := range []string{"-wal", "-shm"} {
			if err := os.Remove(p[1] + side); err != nil && !errors.Is(err, os.ErrNotExist) {
				os.Remove(tmp)
				return written, fmt.Errorf("restore to %s: %w", p[1], err)
			}
		}
		if err := os.Rename(tmp, p[1]); err != nil {
			os.Remove(tmp)
			return written, fmt.Errorf("restore to %s: %w", p[1], err)
		}
		written = append(written, p[1])
	}
	return written, nil
}

// openFile opens an existing SQLite file as it is, creating nothing.
func openFile(path string) (*sql.DB, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, err
	}
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", DefaultBusyTimeout.Milliseconds()))
	return sql.Open("sqlite", sqliteuri.File(path, q))
}

// vacuumInto writes a consistent copy of the database at src to dst, which must not exist.
func vacuumInto(ctx context.Context, src, dst string) error {
	if _, err := os.Stat(dst); err == nil {
		return fmt.Errorf("%s: %w", dst, ErrExists)
	}
	abs, err := filepath.Abs(dst)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o755); err != nil {
		return err
	}
	db, err := openFile(src)
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `VACUUM INTO ?`, abs); err != nil {
		return fmt.Errorf("vacuum into %s: %w", dst, err)
	}
	return nil
}

// checkBackup checks that path is a sound SQLite file holding a citygeo store (store) or events
// file (not store).
func checkBackup(ctx context.Context, path string, store bool) error {
	db, err := openFile(path)
	if err != nil {
		return err
	}
	defer db.Close()
	var check string
	if err := db.QueryRowContext(ctx, `PRAGMA quick_check`).Scan(&check); err != nil {
		return err
	}
	if check != "ok" {
		return fmt.Errorf("damaged: quick_check says %s", check)
	}
	want := "dispatch_event"
	if store {
		want = "dataset_version"
	}
	var n int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?`, want).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("not a citygeo backup: no table %s", want)
	}
	return nil
}
