package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"citygeo/data"
)

// Tracks keeps the tracks of field devices (data.TrackStore) in a file of its own: by default
// <store>.tracks.db beside the dataset store file (the serve command's --tracks chooses
// another), apart for the reason events are (an import's long write transaction must never
// hold up a fix), and because positions are personal data with a retention of their own.
//
// An Append is one row: the call's fixes, whatever their devices, as one blob in the journal
// (track_journal). That is the whole cost on the path to an acknowledgement. With the pure-Go
// driver a row costs about 10 µs, so a row per fix would cap ingest near 100k fixes/s on a
// whole core, and a row per device per Append would make 200 terminals each waiting for its
// acknowledgement cost 200 rows a group. Every CompactEvery, and before a Prune and at Close, a
// compaction moves the journal into chunks (track_chunk): one row per device per compaction
// (and per hour of fix time), holding its fixes in time order, plus the newest fix of each
// device (track_latest). Reads take both, in one snapshot: the chunks, then the journal's few
// seconds, in write order, so the first written of two fixes with one time is the one kept.
//
// Append is durable when it returns: WAL with synchronous=FULL survives a kill of the process
// and an OS crash (one fsync per commit, which the field ingest's group commit amortises).
type Tracks struct {
	db *sql.DB
	// wmu serialises write transactions in Go: a writer waiting on SQLite's busy handler sleeps
	// in steps of up to 100 ms, which an Append waiting behind a compaction must not.
	wmu  sync.Mutex
	stop chan struct{}
	done chan struct{}
	lerr error // the last compaction error, reported by Close; guarded by wmu
}

var _ data.TrackStore = (*Tracks)(nil)

// CompactEvery is how often the journal is moved into chunks. It bounds the journal a read
// decodes whole: a second of the heaviest ingest.
const CompactEvery = time.Second

// chunkSpan is the longest stretch of fix time one chunk covers. Bounding it lets a track read
// find its chunks by t0 alone, in the index: a chunk holding fixes from t on starts after
// t - chunkSpan. A blind-area re-send of a day is cut into hourly chunks.
const chunkSpan = int64(time.Hour / time.Millisecond)

const trackSchema = `
CREATE TABLE IF NOT EXISTS track_journal (
	seq   INTEGER PRIMARY KEY, -- write order
	fixes BLOB    NOT NULL     -- one Append, any devices (tracks_codec.go)
);
CREATE TABLE IF NOT EXISTS track_chunk (
	device TEXT    NOT NULL,
	t0     INTEGER NOT NULL, -- earliest fix time in the chunk, Unix milliseconds
	t1     INTEGER NOT NULL, -- latest
	n      INTEGER NOT NULL, -- fixes in the chunk
	fixes  BLOB    NOT NULL  -- one device, in time order (tracks_codec.go)
);
CREATE INDEX IF NOT EXISTS track_chunk_device ON track_chunk(device, t0);
CREATE INDEX IF NOT EXISTS track_chunk_t1 ON track_chunk(t1);
CREATE TABLE IF NOT EXISTS track_latest (
	device TEXT PRIMARY KEY,
	t      INTEGER NOT NULL, -- the fix time, Unix milliseconds
	fix    BLOB    NOT NULL  -- one fix (tracks_codec.go)
) WITHOUT ROWID;
`

// OpenTracks opens (or creates) the tracks file at path and starts its compaction.
func OpenTracks(path string) (*Tracks, error) {
	db, err := openWAL(path)
	if err != nil {
		return nil, fmt.Errorf("open track store %s: %w", path, err)
	}
	if _, err := db.Exec(trackSchema); err != nil {
		db.Close()
		return nil, fmt.Errorf("create track tables in %s: %w", path, err)
	}
	s := &Tracks{db: db, stop: make(chan struct{}), done: make(chan struct{})}
	go s.compactLoop()
	return s, nil
}

// TracksPath is where the tracks of the store file storePath live unless told otherwise:
// storePath + ".tracks.db", beside it.
func TracksPath(storePath string) string { return storePath + ".tracks.db" }

// Close compacts the journal a last time and releases the database. It returns the error of
// that compaction or of the last failed one.
func (s *Tracks) Close() error {
	close(s.stop)
	<-s.done
	err := s.Compact(context.Background())
	s.wmu.Lock()
	if err == nil {
		err = s.lerr
	}
	s.wmu.Unlock()
	return errors.Join(err, s.db.Close())
}

func (s *Tracks) compactLoop() {
	defer close(s.done)
	t := time.NewTicker(CompactEvery)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
			s.Compact(context.Background()) // a failure is kept for Close; the next tick retries
		}
	}
}

// Append implements data.TrackStore: one journal row.
func (s *Tracks) Append(ctx context.Context, fixes []data.Fix) error {
	if len(fixes) == 0 {
		return nil
	}
	blob := appendJournal(make([]byte, 0, 48*len(fixes)), fixes)
	s.wmu.Lock()
	defer s.wmu.Unlock()
	if _, err := s.db.ExecContext(ctx, `INSERT INTO track_journal (fixes) VALUES (?)`, blob); err != nil {
		return fmt.Errorf("append %d fixes: %w", len(fixes), err)
	}
	return nil
}

// Compact moves the journal into chunks and the latest fixes, in one transaction. The store
// calls it every CompactEvery; it is exported for tests and tools.
func (s *Tracks) Compact(ctx context.Context) (err error) {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	defer func() {
		if err != nil {
			s.lerr = err
		}
	}()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("compact tracks: %w", err)
	}
	defer tx.Rollback()
	var last int64
	byDev := map[string][]data.Fix{}
	var order []string
	if err := readJournal(ctx, tx, func(seq int64, f data.Fix) {
		last = seq
		if _, ok := byDev[f.Device]; !ok {
			order = append(order, f.Device)
		}
		byDev[f.Device] = append(byDev[f.Device], f)
	}); err != nil {
		return fmt.Errorf("compact tracks: %w", err)
	}
	if len(order) == 0 {
		return nil
	}
	chunk, err := tx.PrepareContext(ctx, `INSERT INTO track_chunk (device, t0, t1, n, fixes) VALUES (?,?,?,?,?)`)
	if err != nil {
		return fmt.Errorf("compact tracks: %w", err)
	}
	defer chunk.Close()
	latest, err := tx.PrepareContext(ctx, `INSERT INTO track_latest (device, t, fix) VALUES (?,?,?)
		ON CONFLICT(device) DO UPDATE SET t = excluded.t, fix = excluded.fix WHERE excluded.t > track_latest.t`)
	if err != nil {
		return fmt.Errorf("compact tracks: %w", err)
	}
	defer latest.Close()
	byTime := func(f data.Fix, ms int64) int { return cmp.Compare(f.Time.UnixMilli(), ms) }
	var buf []byte
	for _, dev := range order {
		fs := byDev[dev]
		// Stable: equal times keep their write order, so the first written stays first.
		slices.SortStableFunc(fs, func(a, b data.Fix) int { return a.Time.Compare(b.Time) })
		for rest := fs; len(rest) > 0; {
			t0 := rest[0].Time.UnixMilli()
			n, _ := slices.BinarySearchFunc(rest, t0+chunkSpan, byTime)
			buf = appendChunk(buf[:0], t0, rest[:n])
			if _, err := chunk.ExecContext(ctx, dev, t0, rest[n-1].Time.UnixMilli(), n, buf); err != nil {
				return fmt.Errorf("compact fixes of %s: %w", dev, err)
			}
			rest = rest[n:]
		}
		// The newest fix: the first written of the latest time.
		newest := fs[len(fs)-1].Time.UnixMilli()
		i, _ := slices.BinarySearchFunc(fs, newest, byTime)
		if _, err := latest.ExecContext(ctx, dev, newest, appendChunk(nil, newest, fs[i:i+1])); err != nil {
			return fmt.Errorf("latest fix of %s: %w", dev, err)
		}
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM track_journal WHERE seq <= ?`, last); err != nil {
		return fmt.Errorf("compact tracks: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("compact tracks: %w", err)
	}
	return nil
}

// querier is what reads need of a *sql.DB or *sql.Tx.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// readJournal calls fn with every fix of the journal in write order.
func readJournal(ctx context.Context, q querier, fn func(seq int64, f data.Fix)) error {
	rows, err := q.QueryContext(ctx, `SELECT seq, fixes FROM track_journal ORDER BY seq`)
	if err != nil {
		return err
	}
	defer rows.Close()
	var fs []data.Fix
	for rows.Next() {
		var seq int64
		var blob []byte
		if err := rows.Scan(&seq, &blob); err != nil {
			return err
		}
		if fs, err = decodeJournal(fs[:0], blob); err != nil {
			return fmt.Errorf("journal row %d: %w", seq, err)
		}
		for _, f := range fs {
			fn(seq, f)
		}
	}
	return rows.Err()
}

// snapshot runs fn in a read transaction: every query of fn sees the same state of the file,
// so a compaction between reading the chunks and reading the journal cannot hide fixes.
func (s *Tracks) snapshot(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return err
	}
	defer tx.Rollback()
	return fn(tx)
}

// Track implements data.TrackStore.
func (s *Tracks) Track(ctx context.Context, device string, from, to time.Time) ([]data.Fix, error) {
	lo, hi := from.UnixMilli(), to.UnixMilli()
	in := func(ms int64) bool { return ms >= lo && ms < hi }
	var out []data.Fix
	err := s.snapshot(ctx, func(tx *sql.Tx) error {
		// A chunk spans less than chunkSpan, so the index range on t0 finds every chunk that can
		// hold a fix in [lo, hi). rowid order is write order.
		rows, err := tx.QueryContext(ctx, `SELECT t0, fixes FROM track_chunk
			WHERE device = ? AND t0 > ? AND t0 < ? AND t1 >= ? ORDER BY rowid`, device, lo-chunkSpan, hi, lo)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var t0 int64
			var blob []byte
			if err := rows.Scan(&t0, &blob); err != nil {
				return err
			}
			if out, err = decodeChunk(out, device, t0, blob, in); err != nil {
				return err
			}
		}
		if err := rows.Err(); err != nil {
			return err
		}
		return readJournal(ctx, tx, func(_ int64, f data.Fix) {
			if f.Device == device && in(f.Time.UnixMilli()) {
				out = append(out, f)
			}
		})
	})
	if err != nil {
		return nil, fmt.Errorf("track of %s: %w", device, err)
	}
	// Sort by time keeping write order among equal times, then keep the first of each time.
	slices.SortStableFunc(out, func(a, b data.Fix) int { return a.Time.Compare(b.Time) })
	return slices.CompactFunc(out, func(a, b data.Fix) bool { return a.Time.Equal(b.Time) }), nil
}

// Latest implements data.TrackStore.
func (s *Tracks) Latest(ctx context.Context) ([]data.Fix, error) {
	newest := map[string]data.Fix{}
	keep := func(f data.Fix) { // written in order: a later write wins only with a later time
		if old, ok := newest[f.Device]; !ok || f.Time.After(old.Time) {
			newest[f.Device] = f
		}
	}
	err := s.snapshot(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT device, t, fix FROM track_latest`)
		if err != nil {
			return err
		}
		defer rows.Close()
		var fs []data.Fix
		for rows.Next() {
			var dev string
			var t int64
			var blob []byte
			if err := rows.Scan(&dev, &t, &blob); err != nil {
				return err
			}
			if fs, err = decodeChunk(fs[:0], dev, t, blob, nil); err != nil {
				return err
			}
			for _, f := range fs {
				keep(f)
			}
		}
		if err := rows.Err(); err != nil {
			return err
		}
		return readJournal(ctx, tx, func(_ int64, f data.Fix) { keep(f) })
	})
	if err != nil {
		return nil, fmt.Errorf("latest fixes: %w", err)
	}
	out := make([]data.Fix, 0, len(newest))
	for _, f := range newest {
		out = append(out, f)
	}
	return out, nil
}

// Prune implements data.TrackStore: after a compaction, whole chunks older than before go, and
// the few chunks that straddle before are rewritten with their newer fixes only, in one
// transaction.
func (s *Tracks) Prune(ctx context.Context, before time.Time) (int64, error) {
	if err := s.Compact(ctx); err != nil {
		return 0, err
	}
	cut := before.UnixMilli()
	s.wmu.Lock()
	defer s.wmu.Unlock()
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
