package postgis

import (
	"context"
	"fmt"
	"time"

	"citygeo/data"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Tracks keeps the field force's tracks (data.TrackStore) in the table field_fix of the store's
// database, where every replica reads them: one row per (device, time), the position as a
// geometry(Point, 4490) with a GiST index, so GIS staff can query patrol tracks in psql or QGIS.
// Append is durable when it returns (synchronous commit, as for events).
type Tracks struct {
	pool *pgxpool.Pool
}

var _ data.TrackChanges = (*Tracks)(nil)

// trackLockClass is the first key of the advisory lock that orders appends (the second is the
// schema's hash): 0x63676678, "cgfx". It makes seq numbers and commits agree, as for events.
const trackLockClass = "1667720824"

// trackSchema is the DDL of the tracks table. The primary key (device, t) is the order Track
// reads in and what keeps a terminal's re-send once; the index on t alone serves Prune, the one
// on seq the followers (FixesAfter).
//
// seq numbers fixes in commit order: an append takes a transaction-scoped advisory lock before
// it draws its numbers, so appends of one schema commit one at a time in number order and a
// follower that has read up to n never later finds a fix numbered below n. Appends are
// group-committed batches (field.Force), a few per second, so the order costs little.
const trackSchema = `
CREATE SEQUENCE IF NOT EXISTS field_fix_seq;
CREATE TABLE IF NOT EXISTS field_fix (
	device   text             NOT NULL,
	t        timestamptz      NOT NULL,
	geom     geometry(Point, 4490) NOT NULL,
	speed    real             NOT NULL,
	heading  real             NOT NULL,
	accuracy real             NOT NULL,
	status   text             NOT NULL,
	alarm    bigint           NOT NULL,
	source   smallint         NOT NULL,
	seq      bigint           NOT NULL,
	PRIMARY KEY (device, t)
);
CREATE INDEX IF NOT EXISTS field_fix_t ON field_fix (t);
CREATE INDEX IF NOT EXISTS field_fix_geom_gist ON field_fix USING gist (geom);
CREATE UNIQUE INDEX IF NOT EXISTS field_fix_seq_key ON field_fix (seq);
`

// OpenTracks connects to the database at url (as Open) and creates the tracks table when it is
// missing.
func OpenTracks(ctx context.Context, url string) (*Tracks, error) {
	pool, _, err := openTables(ctx, url, "track store", "field_fix_seq_key", "", trackSchema)
	if err != nil {
		return nil, err
	}
	return &Tracks{pool: pool}, nil
}

// Close closes the connections.
func (s *Tracks) Close() error {
	s.pool.Close()
	return nil
}

// Append stores fixes in one transaction: a binary COPY into a temporary table, then one INSERT
// that keeps the first of every (device, time) — the stored one, or the earliest in fixes.
func (s *Tracks) Append(ctx context.Context, fixes []data.Fix) error {
	if len(fixes) == 0 {
		return nil
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `CREATE TEMP TABLE field_fix_in (
			ord integer, device text, t timestamptz, lng float8, lat float8, speed real, heading real,
			accuracy real, status text, alarm bigint, source smallint) ON COMMIT DROP`); err != nil {
			return err
		}
		rows := pgx.CopyFromSlice(len(fixes), func(i int) ([]any, error) {
			f := &fixes[i]
			return []any{int32(i), f.Device, f.Time, f.Point[0], f.Point[1], f.Speed, f.Heading, f.Accuracy,
				f.Status, int64(f.Alarm), int16(f.Source)}, nil
		})
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"field_fix_in"}, []string{"ord", "device", "t", "lng", "lat",
			"speed", "heading", "accuracy", "status", "alarm", "source"}, rows); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(`+trackLockClass+`, hashtext(current_schema()))`); err != nil {
			return err
		}
		// ON CONFLICT DO NOTHING also skips a row that conflicts with one inserted earlier by
		// the same statement, and rows go in in ord order: the first written wins.
		_, err := tx.Exec(ctx, `INSERT INTO field_fix (device, t, geom, speed, heading, accuracy, status, alarm, source, seq)
			SELECT device, t, ST_SetSRID(ST_MakePoint(lng, lat), 4490), speed, heading, accuracy, status, alarm, source,
			       nextval('field_fix_seq')
			FROM field_fix_in ORDER BY ord
			ON CONFLICT (device, t) DO NOTHING`)
		return err
	})
	if err != nil {
		return fmt.Errorf("append %d fixes: %w", len(fixes), err)
	}
	return nil
}

// fixColumns is the select list scanFixes reads.
const fixColumns = `device, t, ST_X(geom), ST_Y(geom), speed, heading, accuracy, status, alarm, source`

// Track returns the fixes of device with from ≤ Time < to, in time order.
func (s *Tracks) Track(ctx context.Context, device string, from, to time.Time) ([]data.Fix, error) {
	out, err := s.scanFixes(ctx, `SELECT `+fixColumns+` FROM field_fix WHERE device = $1 AND t >= $2 AND t < $3 ORDER BY t`,
		device, from, to)
	if err != nil {
		return nil, fmt.Errorf("track %s: %w", device, err)
	}
	return out, nil
}

// Latest returns the newest fix of every device.
func (s *Tracks) Latest(ctx context.Context) ([]data.Fix, error) {
	out, err := s.scanFixes(ctx, `SELECT DISTINCT ON (device) `+fixColumns+` FROM field_fix ORDER BY device, t DESC`)
	if err != nil {
		return nil, fmt.Errorf("latest fixes: %w", err)
	}
	return out, nil
}

// Prune deletes every fix older than before.
func (s *Tracks) Prune(ctx context.Context, before time.Time) (int64, error) {
	tag, err := s.pool.Exec(ctx, `DELETE FROM field_fix WHERE t < $1`, before)
	if err != nil {
		return 0, fmt.Errorf("prune fixes: %w", err)
	}
	return tag.RowsAffected(), nil
}

// TrackCursor returns the number of the newest fix appended.
func (s *Tracks) TrackCursor(ctx context.Context) (int64, error) {
	var seq int64
	if err := s.pool.QueryRow(ctx, `SELECT coalesce(max(seq), 0) FROM field_fix`).Scan(&seq); err != nil {
		return 0, fmt.Errorf("track cursor: %w", err)
	}
	return seq, nil
}

// FixesAfter returns up to limit fixes appended after cursor, in commit order.
func (s *Tracks) FixesAfter(ctx context.Context, cursor int64, limit int) ([]data.Fix, int64, error) {
	rows, err := s.pool.Query(ctx, `SELECT seq, `+fixColumns+` FROM field_fix WHERE seq > $1 ORDER BY seq LIMIT $2`, cursor, limit)
	if err != nil {
		return nil, cursor, fmt.Errorf("fixes after %d: %w", cursor, err)
	}
	var out []data.Fix
	var seq int64
	next := cursor
	var f data.Fix
	var alarm int64
	var source int16
	_, err = pgx.ForEachRow(rows, []any{&seq, &f.Device, &f.Time, &f.Point[0], &f.Point[1], &f.Speed, &f.Heading,
		&f.Accuracy, &f.Status, &alarm, &source}, func() error {
		f.Alarm, f.Source = uint32(alarm), data.FixSource(source)
		out = append(out, f)
		next = seq
		return nil
	})
	if err != nil {
		return nil, cursor, fmt.Errorf("fixes after %d: %w", cursor, err)
	}
	return out, next, nil
}

func (s *Tracks) scanFixes(ctx context.Context, sql string, args ...any) ([]data.Fix, error) {
	rows, err := s.pool.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	var out []data.Fix
	var f data.Fix
	var alarm int64
	var source int16
	_, err = pgx.ForEachRow(rows, []any{&f.Device, &f.Time, &f.Point[0], &f.Point[1], &f.Speed, &f.Heading,
		&f.Accuracy, &f.Status, &alarm, &source}, func() error {
		f.Alarm, f.Source = uint32(alarm), data.FixSource(source)
		out = append(out, f)
		return nil
	})
	return out, err
}
