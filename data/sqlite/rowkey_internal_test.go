package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"citygeo/data"

	_ "modernc.org/sqlite"
)

// TestRowKeyOrder checks that row keys sort like (version, layer position, seq), so that one
// version's layers are disjoint rowid ranges appended in order, and that out-of-range parts are
// refused instead of colliding with another row's key.
func TestRowKeyOrder(t *testing.T) {
	type part struct {
		v   int64
		l   data.Layer
		seq int
	}
	ordered := []part{
		{1, data.LayerArea, 0}, {1, data.LayerArea, 1}, {1, data.LayerArea, maxSeq}, {1, data.LayerGrid, 0},
		{1, data.LayerComponent, 7}, {1, data.LayerPOI, maxSeq}, {2, data.LayerArea, 0}, {maxVersion, data.LayerPOI, maxSeq},
	}
	prev := int64(-1)
	for _, p := range ordered {
		k, err := rowKey(p.v, p.l, p.seq)
		if err != nil {
			t.Fatalf("rowKey%v: %v", p, err)
		}
		if k <= prev {
			t.Errorf("rowKey%v = %d, not after the previous key %d", p, k, prev)
		}
		prev = k
	}
	for _, p := range []part{{1, "event", 0}, {1, data.LayerArea, -1}, {1, data.LayerArea, maxSeq + 1}, {-1, data.LayerArea, 0}, {maxVersion + 1, data.LayerArea, 0}} {
		if k, err := rowKey(p.v, p.l, p.seq); err == nil {
			t.Errorf("rowKey%v = %d, want an error", p, k)
		}
	}
}

// TestLoadScansRowid checks the query plan of a layer load: a range search on the rowid, with
// no sort step and no full scan.
func TestLoadScansRowid(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "city.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	rows, err := s.DB().QueryContext(ctx, `EXPLAIN QUERY PLAN SELECT layer, seq, fid, geom, props FROM feature
		WHERE id >= ? AND id < ? ORDER BY id`, 0, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	got := strings.Join(plan, "; ")
	if !strings.Contains(got, "USING INTEGER PRIMARY KEY (rowid>? AND rowid<?)") || strings.Contains(got, "TEMP B-TREE") {
		t.Errorf("query plan %q, want a rowid range search without a sort", got)
	}
}

// TestOpenOldSchema checks that a file from the first schema (feature WITHOUT ROWID, keyed by
// (version, layer, seq)) is refused with ErrOldSchema and left as it was, not silently read as empty.
func TestOpenOldSchema(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `CREATE TABLE feature (version INTEGER NOT NULL, layer TEXT NOT NULL,
		seq INTEGER NOT NULL, fid TEXT NOT NULL, geom BLOB, props TEXT NOT NULL,
		PRIMARY KEY (version, layer, seq)) WITHOUT ROWID`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if s, err := Open(ctx, path); !errors.Is(err, ErrOldSchema) {
		if err == nil {
			s.Close()
		}
		t.Fatalf("Open(old schema) = %v, want ErrOldSchema", err)
	}
	// A new-schema file opens again.
	for range 2 {
		s, err := Open(ctx, filepath.Join(filepath.Dir(path), "new.db"))
		if err != nil {
			t.Fatalf("Open(new schema): %v", err)
		}
		s.Close()
	}
}
