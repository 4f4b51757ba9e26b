package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"runtime"
	"strings"
	"time"
	"unsafe"

	"citygeo/data"
	"citygeo/internal/sqliteuri"

	"golang.org/x/sync/errgroup"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// DefaultBusyTimeout is how long a writer waits for another writer's lock.
const DefaultBusyTimeout = 10 * time.Second

const schema = `
CREATE TABLE IF NOT EXISTS dataset_version (
	version    INTEGER PRIMARY KEY AUTOINCREMENT,
	name       TEXT NOT NULL,
	created_at TEXT NOT NULL,
	source     TEXT NOT NULL,
	counts     TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS feature (
	id      INTEGER PRIMARY KEY, -- rowKey(version, layer, seq)
	version INTEGER NOT NULL REFERENCES dataset_version(version) ON DELETE CASCADE,
	layer   TEXT    NOT NULL,
	seq     INTEGER NOT NULL,
	fid     TEXT    NOT NULL,
	geom    BLOB,
	props   TEXT    NOT NULL
);
CREATE TABLE IF NOT EXISTS active (
	id         INTEGER PRIMARY KEY CHECK (id = 1),
	version    INTEGER NOT NULL REFERENCES dataset_version(version),
	changed_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS feature_fid ON feature(fid);
CREATE TABLE IF NOT EXISTS feature_change (
	seq     INTEGER PRIMARY KEY AUTOINCREMENT,
	base    INTEGER NOT NULL REFERENCES dataset_version(version),
	layer   TEXT    NOT NULL,
	fid     TEXT    NOT NULL,
	op      TEXT    NOT NULL,
	who     TEXT    NOT NULL,
	at      TEXT    NOT NULL,
	why     TEXT    NOT NULL,
	case_id TEXT    NOT NULL,
	fields  TEXT    NOT NULL,
	feature TEXT    NOT NULL
);
CREATE INDEX IF NOT EXISTS feature_change_fid ON feature_change(layer, fid, seq);
CREATE INDEX IF NOT EXISTS feature_change_base ON feature_change(base, seq);
CREATE TABLE IF NOT EXISTS version_delta (
	version  INTEGER PRIMARY KEY REFERENCES dataset_version(version),
	parent   INTEGER NOT NULL REFERENCES dataset_version(version),
	from_seq INTEGER NOT NULL,
	upto_seq INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS version_delta_parent ON version_delta(parent);
CREATE TABLE IF NOT EXISTS version_seq (
	version INTEGER PRIMARY KEY REFERENCES dataset_version(version),
	seq     INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS layer_image (
	version INTEGER NOT NULL REFERENCES dataset_version(version) ON DELETE CASCADE,
	layer   TEXT    NOT NULL,
	lo      INTEGER NOT NULL, -- seq of the chunk's first feature
	n       INTEGER NOT NULL, -- its features
	format  INTEGER NOT NULL, -- imageFormat
	data    BLOB    NOT NULL,
	PRIMARY KEY (version, layer, lo)
);
CREATE TABLE IF NOT EXISTS image_record (
	version INTEGER NOT NULL REFERENCES dataset_version(version) ON DELETE CASCADE,
	layer   TEXT    NOT NULL,
	lo      INTEGER NOT NULL, -- the layer_image chunk that is its features' only record
	fids    BLOB    NOT NULL, -- a Bloom filter of the fids it holds (fidFilter)
	PRIMARY KEY (version, layer, lo)
);`

var _ data.ChangeStore = (*Store)(nil)

// Store is an open dataset store file, the embedded data.Store. It is safe for concurrent use.
type Store struct {
	db   *sql.DB
	path string
	// partRows is how many rows of a layer a load worker reads in one go; 0 means loadPart.
	partRows int
	// rowsOnly reads every layer from its rows where the version's image is a copy of them
	// (an image that is the record is read all the same).
	rowsOnly bool
	// rowsToo writes every feature's row, the image chunks as a copy of them, as stores did
	// before the image became the record: for tests of such stores.
	rowsToo bool
}

// Open opens (creating if needed) the store file at path.
func Open(ctx context.Context, path string) (*Store, error) {
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", DefaultBusyTimeout.Milliseconds()))
	// 16 KiB pages (for a new file) and a 64 MiB cache: a million-feature version is written
	// with a quarter of the page writes, each page once at commit instead of on every spill.
	q.Add("_pragma", "page_size(16384)")
	q.Add("_pragma", "cache_size(-65536)")
	q.Add("_pragma", "foreign_keys(1)")
	// WAL through the driver's own key, which it applies after every _pragma: it runs those in
	// name order, and journal_mode(wal) before page_size(16384) writes the new file's header
	// with the default 4 KiB pages, which no later page_size can change.
	q.Set("_journal_mode", "wal")
	// FULL: a committed version or activation survives an OS crash or power loss, not only a
	// process kill. It costs one fsync of the log per commit, and commits here are rare (one per
	// import, activation or rollback), so the price is nothing.
	q.Set("_synchronous", "full")
	q.Set("_txlock", "immediate")
	db, err := sql.Open("sqlite", sqliteuri.File(path, q))
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	if err := createSchema(ctx, db); err != nil {
		db.Close()
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	return &Store{db: db, path: path}, nil
}

// ErrOldSchema is returned by Open for a store file written with the first schema, whose
// feature table is keyed WITHOUT ROWID by (version, layer, seq): its rows have no rowKey, so
// this code would not find them. Such a file is re-created by importing into a new store.
var ErrOldSchema = errors.New("store file has the old feature schema (WITHOUT ROWID); re-create it")

// schemaObjects names every table and index of schema.
var schemaObjects = func() []any {
	var names []any
	for _, m := range regexp.MustCompile(`(?:TABLE|INDEX) IF NOT EXISTS (\w+)`).FindAllStringSubmatch(schema, -1) {
		names = append(names, m[1])
	}
	return names
}()

// createSchema creates the tables of a new file and refuses a file with the old feature table,
// in one write transaction so that two processes opening one new file do not race. A file that
// has them all is only read: opening a store must not wait for an import writing a version.
func createSchema(ctx context.Context, db *sql.DB) error {
	var n int
	err := db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE name IN (?`+strings.Repeat(", ?", len(schemaObjects)-1)+`)
		AND NOT (name = 'feature' AND sql NOT LIKE '%id      INTEGER PRIMARY KEY%')`, schemaObjects...).Scan(&n)
	if err == nil && n == len(schemaObjects) {
		return nil
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var ddl string
	err = tx.QueryRowContext(ctx, `SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'feature'`).Scan(&ddl)
	switch {
	case err == nil && !strings.Contains(ddl, "id      INTEGER PRIMARY KEY"):
		return ErrOldSchema
	case err != nil && !errors.Is(err, sql.ErrNoRows):
		return err
	}
	if _, err := tx.ExecContext(ctx, schema); err != nil {
		return err
	}
	return tx.Commit()
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// Path returns the file the store was opened from.
func (s *Store) Path() string { return s.path }

func setActive(ctx context.Context, tx *sql.Tx, v int64) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO active(id, version, changed_at) VALUES (1, ?, ?)
		ON CONFLICT(id) DO UPDATE SET version = excluded.version, changed_at = excluded.changed_at`,
		v, time.Now().UTC().Format(time.RFC3339Nano))
	if err != nil {
		return fmt.Errorf("activate version %d: %w", v, err)
	}
	return nil
}

// Activate makes version v the one served (a rollback when v is older than the current one).
func (s *Store) Activate(ctx context.Context, v int64) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("activate version %d: %w", v, err)
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM dataset_version WHERE version = ?`, v).Scan(&n); err != nil {
		return fmt.Errorf("activate version %d: %w", v, err)
	}
	if n == 0 {
		return fmt.Errorf("activate version %d: %w", v, data.ErrNoVersion)
	}
	if err := setActive(ctx, tx, v); err != nil {
		return err
	}
	return tx.Commit()
}

// ActiveVersion returns the version being served; it is one indexed row read, cheap enough to
// poll. It returns data.ErrNoActive on an empty store.
func (s *Store) ActiveVersion(ctx context.Context) (int64, error) {
	var v int64
	err := s.db.QueryRowContext(ctx, `SELECT version FROM active WHERE id = 1`).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, data.ErrNoActive
	}
	if err != nil {
		return 0, fmt.Errorf("active version: %w", err)
	}
	return v, nil
}

// Watch implements data.Store by polling the active row (data.PollActive): another process's
// imports and rollbacks on the same file are seen within interval.
func (s *Store) Watch(ctx context.Context, interval time.Duration, fn func(version int64), onErr func(err error, retryIn time.Duration)) error {
	return data.PollActive(ctx, s.ActiveVersion, interval, fn, onErr)
}

// Versions lists every version, oldest first, with its per-layer counts.
func (s *Store) Versions(ctx context.Context) ([]data.Version, error) {
	active, err := s.ActiveVersion(ctx)
	if err != nil && !errors.Is(err, data.ErrNoActive) {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT version, name, created_at, source, counts FROM dataset_version ORDER BY version`)
	if err != nil {
		return nil, fmt.Errorf("list versions: %w", err)
	}
	defer rows.Close()
	var out []data.Version
	for rows.Next() {
		var v data.Version
		var created, counts string
		if err := rows.Scan(&v.Version, &v.Name, &created, &v.Source, &counts); err != nil {
			return nil, fmt.Errorf("list versions: %w", err)
		}
		v.CreatedAt, _ = time.Parse(time.RFC3339Nano, created)
		if err := json.Unmarshal([]byte(counts), &v.Counts); err != nil {
			return nil, fmt.Errorf("list versions: version %d counts: %w", v.Version, err)
		}
		v.Active = v.Version == active
		out = append(out, v)
	}
	return out, rows.Err()
}

// Load reads version v in full, in one read transaction.
func (s *Store) Load(ctx context.Context, v int64) (*data.Dataset, error) {
	return s.LoadLayers(ctx, v, nil)
}

// LoadLayers reads version v with only the listed layers (nil: all), for an import that is
// about to replace the others anyway.
func (s *Store) LoadLayers(ctx context.Context, v int64, layers []data.Layer) (*data.Dataset, error) {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("load version %d: %w", v, err)
	}
	defer conn.Close()
	// Reading a version fills the connection's page cache (64 MiB, kept for writes, in SQLite's
	// own allocator outside the Go heap) with pages no one reads again: a served city carried
	// them as RSS for as long as the connection lived. Best effort: the memory is all it costs.
	defer func() { _, _ = conn.ExecContext(context.WithoutCancel(ctx), "PRAGMA shrink_memory") }()
	tx, err := conn.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("load version %d: %w", v, err)
	}
	defer tx.Rollback()
	ds := &data.Dataset{Version: v}
	var created string
	err = tx.QueryRowContext(ctx, `SELECT name, created_at, source FROM dataset_version WHERE version = ?`, v).
		Scan(&ds.Name, &created, &ds.Source)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("load version %d: %w", v, data.ErrNoVersion)
	}
	if err != nil {
		return nil, fmt.Errorf("load version %d: %w", v, err)
	}
	ds.CreatedAt, _ = time.Parse(time.RFC3339Nano, created)
	if layers == nil {
		layers = data.Layers
	}
	return s.loadIn(ctx, tx, ds, layers)
}

// loadIn fills ds (version, name, source and time set) with its layers: read from the feature
// rows of a full version, or its parent's with its changes applied for a delta version.
func (s *Store) loadIn(ctx context.Context, tx *sql.Tx, ds *data.Dataset, layers []data.Layer) (*data.Dataset, error) {
	v := ds.Version
	var parent, from, upto int64
	err := tx.QueryRowContext(ctx, `SELECT parent, from_seq, upto_seq FROM version_delta WHERE version = ?`, v).Scan(&parent, &from, &upto)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		if err := s.loadLayers(ctx, tx, ds, v, layers); err != nil {
			return nil, err
		}
		return ds, nil
	case err != nil:
		return nil, fmt.Errorf("load version %d: %w", v, err)
	}
	base, err := s.loadIn(ctx, tx, &data.Dataset{Version: parent}, layers)
	if err != nil {
		return nil, err
	}
	cs, err := queryChanges(ctx, tx, `WHERE base = ? AND seq > ? AND seq <= ? ORDER BY seq`, parent, from, upto)
	if err != nil {
		return nil, fmt.Errorf("load version %d: %w", v, err)
	}
	return data.ApplyDelta(base, cs, ds, layers), nil
}

// loadPart is the most rows of a layer one load worker reads in one go: parts small enough
// that two workers finish together, large enough that starting a range scan is nothing.
const loadPart = 1 << 17

// part is a run of seq numbers of one layer and what they decode to.
type part struct {
	layer  data.Layer
	lo, hi int  // seq range [lo, hi)
	image  bool // read from the chunk of the layer's image that starts at lo
	record bool // that chunk is the features' record: they have no rows
	ds     *data.Dataset
}

// loadLayers reads the layers of version v into ds. Reading (SQLite's B-tree walk and row
// copies) and decoding (JSON attributes, WKB) are each seconds of a 2M-component start: one
// worker per CPU takes parts of the layers, reads each on a connection of its own, in a read
// transaction of its own, and decodes the rows as they come, with no copy and no garbage per
// row; the parts are merged in layer and seq order. The rows of a committed version are never
// changed or deleted, so the workers' transactions see the same rows as tx.
func (s *Store) loadLayers(ctx context.Context, tx *sql.Tx, ds *data.Dataset, v int64, layers []data.Layer) error {
	var cj string
	if err := tx.QueryRowContext(ctx, `SELECT counts FROM dataset_version WHERE version = ?`, v).Scan(&cj); err != nil {
		return fmt.Errorf("load version %d: %w", v, err)
	}
	var counts map[data.Layer]int
	if err := json.Unmarshal([]byte(cj), &counts); err != nil {
		// Unknown counts (a store older than them): one part a layer. A version whose image
		// is the record has them, and without them a lost chunk could not be told.
		var listed bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM image_record WHERE version = ?)`, v).Scan(&listed); err != nil {
			return fmt.Errorf("load version %d: %w", v, err)
		}
		if listed {
			return fmt.Errorf("load version %d: its feature counts do not read (%q) and its image is the record", v, cj)
		}
	}
	size := loadPart
	if s.partRows > 0 {
		size = s.partRows
	}
	var parts []*part
	for _, l := range layers {
		n, ok := counts[l]
		from := 0 // the rows start after the chunks
		if imaged[l] && ok && n > 0 {
			chunks, err := imageParts(ctx, tx, v, l, n)
			if err != nil {
				return fmt.Errorf("load version %d: %w", v, err)
			}
			if s.rowsOnly && len(chunks) > 0 && !chunks[0].record {
				chunks = nil
			}
			if len(chunks) > 0 {
				parts = append(parts, chunks...)
				if from = chunks[len(chunks)-1].hi; from == n {
					continue
				}
			}
		}
		if !ok || n < 0 || n > maxSeq {
			parts = append(parts, &part{layer: l, lo: 0, hi: maxSeq + 1})
			continue
		}
		// The last part runs to the end of the key range, so a row past the count is read too.
		for lo := from; ; lo += size {
			if lo+size >= n {
				parts = append(parts, &part{layer: l, lo: lo, hi: maxSeq + 1})
				break
			}
			parts = append(parts, &part{layer: l, lo: lo, hi: lo + size})
		}
	}
	todo := make(chan *part, len(parts))
	for _, p := range parts {
		todo <- p
	}
	close(todo)
	if len(parts) == len(layers) {
		// A small version: opening connections would cost more than reading it in tx.
		if err := readParts(ctx, tx, v, todo); err != nil {
			return err
		}
	} else {
		g, gctx := errgroup.WithContext(ctx)
		for range min(runtime.GOMAXPROCS(0), len(parts)) {
			g.Go(func() error { return s.loadParts(gctx, v, todo) })
		}
		if err := g.Wait(); err != nil {
			return err
		}
	}
	all := make([]*data.Dataset, len(parts))
	for i, p := range parts {
		all[i] = p.ds
	}
	ds.AppendAll(all)
	// A layer is whole only if it reads as many features as the version has: a row or a chunk
	// that went missing (or a damaged list of the chunks that are the record, which would read
	// them as a copy of rows that do not exist) would otherwise shorten it unseen.
	for _, l := range layers {
		if n, ok := counts[l]; ok && ds.Count(l) != n {
			return fmt.Errorf("load version %d: %d %s features read, the version has %d", v, ds.Count(l), l, n)
		}
	}
	return nil
}

// imageParts returns the chunks of layer l's image in version v that the load reads, in seq
// order from 0; the layer's features after the last one are in rows. Chunks that are the record
// are always read (an error when they cannot be: a gap, or a format this code does not read);
// chunks that copy rows only when they cover the layer's n features exactly in this code's format.
func imageParts(ctx context.Context, tx *sql.Tx, v int64, l data.Layer, n int) ([]*part, error) {
	rows, err := tx.QueryContext(ctx, `SELECT i.lo, i.n, i.format, r.lo IS NOT NULL FROM layer_image i
		LEFT JOIN image_record r ON r.version = i.version AND r.layer = i.layer AND r.lo = i.lo
		WHERE i.version = ? AND i.layer = ? ORDER BY i.lo`, v, string(l))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var parts []*part
	next, ok, records := 0, true, 0
	for rows.Next() {
		var lo, k, format int
		var record bool
		if err := rows.Scan(&lo, &k, &format, &record); err != nil {
			return nil, err
		}
		if record {
			records++
			switch {
			case format != imageFormat:
				return nil, fmt.Errorf("%s image from #%d: format %d, this binary reads %d", l, lo, format, imageFormat)
			case lo != next || k <= 0 || lo+k > n:
				return nil, fmt.Errorf("%s image: chunk of #%d–%d after #%d of %d", l, lo, lo+k-1, next-1, n)
			}
		}
		ok = ok && lo == next && k > 0 && format == imageFormat
		parts = append(parts, &part{layer: l, lo: lo, hi: lo + k, image: true, record: record})
		next = lo + k
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var listed int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM image_record WHERE version = ? AND layer = ?`, v, string(l)).Scan(&listed); err != nil {
		return nil, err
	}
	switch {
	case listed != records:
		// Chunks that were the record are gone: their features are nowhere else.
		return nil, fmt.Errorf("%s image: %d chunks listed as the record, %d found", l, listed, records)
	case records > 0 && records < len(parts):
		return nil, fmt.Errorf("%s image: %d of its %d chunks are the record", l, records, len(parts))
	case records == 0 && (!ok || next != n):
		return nil, nil
	}
	return parts, nil
}

// loadParts reads and decodes parts until there are none left, on a connection of its own.
func (s *Store) loadParts(ctx context.Context, v int64, todo <-chan *part) error {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("load version %d: %w", v, err)
	}
	defer conn.Close()
	// Reading a version fills the connection's page cache (64 MiB, kept for writes, in SQLite's
	// own allocator outside the Go heap) with pages no one reads again: a served city carried
	// them as RSS for as long as the connection lived. Best effort: the memory is all it costs.
	defer func() { _, _ = conn.ExecContext(context.WithoutCancel(ctx), "PRAGMA shrink_memory") }()
	tx, err := conn.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("load version %d: %w", v, err)
	}
	defer tx.Rollback()
	return readParts(ctx, tx, v, todo)
}

// readParts reads and decodes parts in tx until there are none left.
func readParts(ctx context.Context, tx *sql.Tx, v int64, todo <-chan *part) error {
	dec := &decoder{} // its slabs and string chunks serve every part it decodes
	for p := range todo {
		p.ds = &data.Dataset{}
		dec.ds = p.ds
		if p.image {
			if err := readImage(ctx, tx, v, p, dec); err == nil {
				continue
			} else if ctx.Err() != nil || p.record {
				return fmt.Errorf("load version %d: %w", v, err)
			}
			// A chunk that does not decode is only a lost shortcut: its rows are the record.
			p.ds = &data.Dataset{}
			dec.ds = p.ds
		}
		if err := readLayer(ctx, tx, v, p.layer, p.lo, p.hi, dec.decodeRow); err != nil {
			return err
		}
	}
	return nil
}

// readImage decodes the chunk of the image of p's layer that starts at p.lo.
func readImage(ctx context.Context, tx *sql.Tx, v int64, p *part, dec *decoder) error {
	rows, err := tx.QueryContext(ctx, `SELECT data FROM layer_image WHERE version = ? AND layer = ? AND lo = ?`, v, string(p.layer), p.lo)
	if err != nil {
		return err
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return err
		}
		return fmt.Errorf("%s image chunk from #%d: %w", p.layer, p.lo, sql.ErrNoRows)
	}
	var b sql.RawBytes
	if err := rows.Scan(&b); err != nil {
		return err
	}
	return dec.decodeImage(p.layer, b, p.hi-p.lo)
}

// readLayer calls fn with each row of layer l of version v whose seq is in [lo, hi): a range
// scan of the rowid, which is in seq order. The row's fid, geometry and attributes are valid
// until fn returns; its geometry is nil when NULL.
func readLayer(ctx context.Context, tx *sql.Tx, v int64, l data.Layer, lo, hi int, fn func(row) error) error {
	first, err := rowKey(v, l, lo)
	if err != nil {
		return fmt.Errorf("load version %d: %w", v, err)
	}
	rows, err := tx.QueryContext(ctx, `SELECT seq, fid, geom, props FROM feature WHERE id >= ? AND id < ? ORDER BY id`,
		first, first+int64(hi-lo))
	if err != nil {
		return fmt.Errorf("load version %d: %w", v, err)
	}
	defer rows.Close()
	var fid, geom, props sql.RawBytes
	r := row{layer: l}
	for rows.Next() {
		if err := rows.Scan(&r.seq, &fid, &geom, &props); err != nil {
			return fmt.Errorf("load version %d: %w", v, err)
		}
		// SAFETY: decodeRow reads the fid and copies what it keeps before the next row
		// overwrites these bytes.
		r.fid = unsafe.String(unsafe.SliceData(fid), len(fid))
		r.geom, r.props = geom, props
		if err := fn(r); err != nil {
			return fmt.Errorf("load version %d: %s #%d (%s): %w", v, l, r.seq, string(fid), err)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("load version %d: %w", v, err)
	}
	return nil
}

// DB returns the underlying database, for read-only inspection (tests, integrity checks).
func (s *Store) DB() *sql.DB { return s.db }
