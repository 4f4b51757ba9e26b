package sqliteuri_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"citygeo/internal/sqliteuri"

	_ "modernc.org/sqlite"
)

// TestFileNames opens files whose names hold URI syntax and checks that exactly the named file
// is created (no stray file cut at '?' or '#') and that options after the path still apply.
func TestFileNames(t *testing.T) {
	names := []string{"a?b.gpkg", "c#d.gpkg", "with space.db", "数字城管 城市.db", "p%41q.db", "x?y#z&mode=ro.db"}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, name)
			db, err := sql.Open("sqlite", sqliteuri.File(path, nil))
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			if _, err := db.ExecContext(ctx, `CREATE TABLE t(x); INSERT INTO t VALUES (42)`); err != nil {
				t.Fatal(err)
			}
			db.Close()
			if got := dirNames(t, dir); !slices.Equal(got, []string{name}) {
				t.Fatalf("files in dir = %q, want only %q", got, name)
			}

			q := url.Values{}
			q.Set("mode", "ro")
			q.Add("_pragma", "busy_timeout(1000)")
			ro, err := sql.Open("sqlite", sqliteuri.File(path, q))
			if err != nil {
				t.Fatal(err)
			}
			defer ro.Close()
			var x int
			if err := ro.QueryRowContext(ctx, `SELECT x FROM t`).Scan(&x); err != nil || x != 42 {
				t.Fatalf("read back = %d, %v; want 42", x, err)
			}
			if _, err := ro.ExecContext(ctx, `INSERT INTO t VALUES (1)`); err == nil {
				t.Error("insert through mode=ro succeeded: the query was lost")
			}
			var timeout int
			if err := ro.QueryRowContext(ctx, `PRAGMA busy_timeout`).Scan(&timeout); err != nil || timeout != 1000 {
				t.Errorf("busy_timeout = %d, %v; want 1000", timeout, err)
			}
			if got := dirNames(t, dir); !slices.Equal(got, []string{name}) {
				t.Errorf("files in dir after read-only open = %q, want only %q", got, name)
			}
		})
	}
}

func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		out = append(out, e.Name())
	}
	return out
}

func ExampleFile() {
	q := url.Values{}
	q.Set("mode", "ro")
	fmt.Println(sqliteuri.File("data/城市 a?b#c.gpkg", q))
	// Output:
	// file:data%2F%E5%9F%8E%E5%B8%82%20a%3Fb%23c.gpkg?mode=ro
}
