package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"slices"
	"time"

	"citygeo/data"
	"citygeo/internal/sqliteuri"
)

// Tracks keeps the tracks of field devices (data.TrackStore) in a file of its own: by default
// <store>.tracks.db beside the dataset store file (the serve command's --tracks chooses
// another), apart for the reason events are (an import's long write transaction must never
// hold up a fix), and because positions are personal data with a retention of their own.
//
// Fixes are stored in chunks: one row per device per Append (per hour of fix time, see
// chunkSpan), holding that device's fixes of the call in a compact binary form
// (tracks_codec.go). An Append of 5,000 fixes from 200 devices
// writes 200 rows, not 5,000: with the pure-Go driver a row costs about 10 µs, so row-per-fix
// would cap ingest near 100k fixes/s on a whole core, where chunks measure ten times that. The
// price is paid on reads (a day's track decodes its chunks, dropping re-sent duplicates) and
// by Prune (a chunk straddling the cut is rewritten).
//
// Append is durable when it returns: WAL with synchronous=NORMAL survives a kill of the
// process (FULL would also survive a power loss, at a sync per commit).
type Tracks struct {
	db *sql.DB
}

var _ data.TrackStore = (*Tracks)(nil)

// chunkSpan is the longest stretch of fix time one chunk covers. Bounding it lets a track read
// find its chunks by t0 alone, in the index: a chunk holding fixes from t on starts after
// t - chunkSpan. A blind-area re-send of a day is cut into hourly chunks.
const chunkSpan = int64(time.Hour / time.Millisecond)

const trackSchema = `
CREATE TABLE IF NOT EXISTS track_chunk (
	device TEXT    NOT NULL,
	t0     INTEGER NOT NULL, -- earliest fix time in the chunk, Unix milliseconds
	t1     INTEGER NOT NULL, -- latest
	n      INTEGER NOT NULL, -- fixes in the chunk
	fixes  BLOB    NOT NULL  -- tracks_codec.go
);
CREATE INDEX IF NOT EXISTS track_chunk_device ON track_chunk(device, t0);
CREATE INDEX IF NOT EXISTS track_chunk_t1 ON track_chunk(t1);
CREATE TABLE IF NOT EXISTS track_latest (
	device TEXT PRIMARY KEY,
	t      INTEGER NOT NULL, -- the fix time, Unix milliseconds
	fix    BLOB    NOT NULL  -- one fix, tracks_codec.go
) WITHOUT ROWID;
`

// OpenTracks opens (or creates) the tracks file at path.
func OpenTracks(path string) (*Tracks, error) {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(5000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(NORMAL)")
	db, err := sql.Open("sqlite", sqliteuri.File(path, q))
	if err != nil {
		return nil, fmt.Errorf("open track store %s: %w", path, err)
	}
	if _, err := db.Exec(trackSchema); err != nil {
		db.Close()
		return nil, fmt.Errorf("create track tables in %s: %w", path, err)
	}
	return &Tracks{db: db}, nil
}

// TracksPath is where the tracks of the store file storePath live unless told otherwise:
// storePath + ".tracks.db", beside it.
func TracksPath(storePath string) string { return storePath + ".tracks.db" }

// Close releases the database.
func (s *Tracks) Close() error { return s.db.Close() }

// Append implements data.TrackStore: one transaction, one chunk per device.
func (s *Tracks) Append(ctx context.Context, fixes []data.Fix) error {
	if len(fixes) == 0 {
		return nil
	}
	// Group by device, keeping each device's fixes in arrival order: the order decides which of
	// two fixes with one time is kept (the first written).
	byDev := map[string][]data.Fix{}
	var order []string
	for _, f := range fixes {
		if _, ok := byDev[f.Device]; !ok {
			order = append(order, f.Device)
		}
		byDev[f.Device] = append(byDev[f.Device], f)
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("append fixes: %w", err)
	}
	defer tx.Rollback()
	chunk, err := tx.PrepareContext(ctx, `INSERT INTO track_chunk (device, t0, t1, n, fixes) VALUES (?,?,?,?,?)`)
	if err != nil {
		return fmt.Errorf("append fixes: %w", err)
	}
	defer chunk.Close()
	latest, err := tx.PrepareContext(ctx, `INSERT INTO track_latest (device, t, fix) VALUES (?,?,?)
		ON CONFLICT(device) DO UPDATE SET t = excluded.t, fix = excluded.fix WHERE excluded.t > track_latest.t`)
	if err != nil {
		return fmt.Errorf("append fixes: %w", err)
	}
	defer latest.Close()
	var buf []byte
	for _, dev := range order {
		fs := byDev[dev]
		// Stable: equal times keep their arrival order, so the first written stays first.
		slices.SortStableFunc(fs, func(a, b data.Fix) int { return a.Time.Compare(b.Time) })
		for len(fs) > 0 {
			t0 := fs[0].Time.UnixMilli()
			n, _ := slices.BinarySearchFunc(fs, t0+chunkSpan, func(f data.Fix, ms int64) int { return cmp.Compare(f.Time.UnixMilli(), ms) })
			run := fs[:n]
			fs = fs[n:]
			buf = appendChunk(buf[:0], t0, run)
			if _, err := chunk.ExecContext(ctx, dev, t0, run[n-1].Time.UnixMilli(), n, buf); err != nil {
				return fmt.Errorf("append fixes of %s: %w", dev, err)
			}
		}
		// The newest fix: the first written of the latest time.
		all := byDev[dev]
		newest := all[len(all)-1].Time.UnixMilli()
		first, _ := slices.BinarySearchFunc(all, newest, func(f data.Fix, ms int64) int { return cmp.Compare(f.Time.UnixMilli(), ms) })
		if _, err := latest.ExecContext(ctx, dev, newest, appendChunk(nil, newest, all[first:first+1])); err != nil {
			return fmt.Errorf("latest fix of %s: %w", dev, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("append fixes: %w", err)
	}
	return nil
}

// Track implements data.TrackStore.
func (s *Tracks) Track(ctx context.Context, device string, from, to time.Time) ([]data.Fix, error) {
	lo, hi := from.UnixMilli(), to.UnixMilli()
	// A chunk spans less than chunkSpan, so the index range on t0 finds every chunk that can
	// hold a fix in [lo, hi). rowid order is write order, which decides between two fixes with
	// one time.
	rows, err := s.db.QueryContext(ctx, `SELECT t0, fixes FROM track_chunk
		WHERE device = ? AND t0 > ? AND t0 < ? AND t1 >= ? ORDER BY rowid`, device, lo-chunkSpan, hi, lo)
	if err != nil {
		return nil, fmt.Errorf("track of %s: %w", device, err)
	}
	defer rows.Close()
	var out []data.Fix
	for rows.Next() {
		var t0 int64
		var blob []byte
		if err := rows.Scan(&t0, &blob); err != nil {
			return nil, fmt.Errorf("track of %s: %w", device, err)
		}
		out, err = decodeChunk(out, device, t0, blob, func(ms int64) bool { return ms >= lo && ms < hi })
		if err != nil {
			return nil, fmt.Errorf("track of %s: %w", device, err)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("track of %s: %w", device, err)
	}
	return firstPerTime(out), nil
}

// firstPerTime sorts fixes by time, keeping the first written of equal times.
func firstPerTime(fs []data.Fix) []data.Fix {
	slices.SortStableFunc(fs, func(a, b data.Fix) int { return a.Time.Compare(b.Time) })
	return slices.CompactFunc(fs, func(a, b data.Fix) bool { return a.Time.Equal(b.Time) })
}

// Latest implements data.TrackStore.
func (s *Tracks) Latest(ctx context.Context) ([]data.Fix, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT device, t, fix FROM track_latest`)
	if err != nil {
		return nil, fmt.Errorf("latest fixes: %w", err)
	}
	defer rows.Close()
	var out []data.Fix
	for rows.Next() {
		var dev string
		var t int64
		var blob []byte
		if err := rows.Scan(&dev, &t, &blob); err != nil {
			return nil, fmt.Errorf("latest fixes: %w", err)
		}
		if out, err = decodeChunk(out, dev, t, blob, nil); err != nil {
			return nil, fmt.Errorf("latest fix of %s: %w", dev, err)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("latest fixes: %w", err)
	}
	return out, nil
}

// Prune implements data.TrackStore: whole chunks older than before go, and the few chunks that
// straddle before are rewritten with their newer fixes only, in one transaction.
func (s *Tracks) Prune(ctx context.Context, before time.Time) (int64, error) {
	cut := before.UnixMilli()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("prune tracks: %w", err)
	}
	defer tx.Rollback()
	var n int64
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(sum(n), 0) FROM track_chunk WHERE t1 < ?`, cut).Scan(&n); err != nil {
		return 0, fmt.Errorf("prune tracks: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM track_chunk WHERE t1 < ?`, cut); err != nil {
		return 0, fmt.Errorf("prune tracks: %w", err)
	}
	type straddle struct {
		rowid int64
		dev   string
		t0    int64
		blob  []byte
	}
	var cuts []straddle
	// What is left older than cut straddles it: t1 ≥ cut and, as a chunk spans less than
	// chunkSpan, t1 < cut + chunkSpan, a range of the t1 index.
	rows, err := tx.QueryContext(ctx, `SELECT rowid, device, t0, fixes FROM track_chunk
		WHERE t1 >= ? AND t1 < ? AND t0 < ?`, cut, cut+chunkSpan, cut)
	if err != nil {
		return 0, fmt.Errorf("prune tracks: %w", err)
	}
	for rows.Next() {
		var c straddle
		if err := rows.Scan(&c.rowid, &c.dev, &c.t0, &c.blob); err != nil {
			rows.Close()
			return 0, fmt.Errorf("prune tracks: %w", err)
		}
		cuts = append(cuts, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("prune tracks: %w", err)
	}
	for _, c := range cuts {
		all, err := decodeChunk(nil, c.dev, c.t0, c.blob, nil)
		if err != nil {
			return 0, fmt.Errorf("prune tracks of %s: %w", c.dev, err)
		}
		keep := slices.DeleteFunc(slices.Clone(all), func(f data.Fix) bool { return f.Time.UnixMilli() < cut })
		n += int64(len(all) - len(keep))
		t0 := keep[0].Time.UnixMilli() // keep is never empty (the chunk's t1 ≥ cut) and in time order
		if _, err := tx.ExecContext(ctx, `UPDATE track_chunk SET t0 = ?, n = ?, fixes = ? WHERE rowid = ?`,
			t0, len(keep), appendChunk(nil, t0, keep), c.rowid); err != nil {
			return 0, fmt.Errorf("prune tracks of %s: %w", c.dev, err)
		}
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM track_latest WHERE t < ?`, cut); err != nil {
		return 0, fmt.Errorf("prune latest fixes: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("prune tracks: %w", err)
	}
	return n, nil
}
