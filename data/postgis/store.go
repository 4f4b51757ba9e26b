package postgis

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"time"

	"citygeo/data"

	json "github.com/goccy/go-json"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"
)

var _ data.ChangeStore = (*Store)(nil)

// ErrClosed is what a running Watch returns when Close ends it.
var ErrClosed = errors.New("postgis store is closed")

// Store is a dataset store in a PostgreSQL/PostGIS database, the scale-out data.Store. It is
// safe for concurrent use, and any number of processes may open the same database.
type Store struct {
	pool   *pgxpool.Pool
	schema string // where the tables are: the connection's current schema
	city   string // the key of the city the schema holds (CityURL), "" for none: Save checks it

	mu      sync.Mutex
	closed  bool
	stop    chan struct{}  // closed by Close: running watches end
	watches sync.WaitGroup // running watches, waited for by Close
}

// Open connects to the database at url (postgres://user:password@host:port/db?…, or any
// connection string pgx accepts; search_path=… picks the schema) and creates PostGIS and the
// tables when they are missing.
func Open(ctx context.Context, url string) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("open postgis store: %w", err)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open postgis store: %w", err)
	}
	schema, err := createSchema(ctx, pool)
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("open postgis store %s: %w", redact(cfg.ConnConfig), err)
	}
	key, err := cityKey(ctx, pool)
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("open postgis store %s: %w", redact(cfg.ConnConfig), err)
	}
	return &Store{pool: pool, schema: schema, city: key, stop: make(chan struct{})}, nil
}

// City returns the key of the city the store holds (CityURL), "" for a store that is no city's.
func (s *Store) City() string { return s.city }

// redact names a database for an error message without its password.
func redact(c *pgx.ConnConfig) string {
	return fmt.Sprintf("%s@%s:%d/%s", c.User, c.Host, c.Port, c.Database)
}

// Schema returns the schema the store's tables are in.
func (s *Store) Schema() string { return s.schema }

// Pool returns the connection pool, for read-only inspection (tests, integrity checks).
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// Close ends running watches and closes the connections.
func (s *Store) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	close(s.stop)
	s.mu.Unlock()
	s.watches.Wait()
	s.pool.Close()
	return nil
}

// Save writes ds as a new version, recorded as produced by source, and makes it the active one,
// in one transaction: each layer is one binary COPY into a new partition of its table, attached
// when full (its indexes are built then, in bulk), and the active row changes last. Until the
// commit nothing of the new version is visible; a failure or a cancelled ctx rolls it all back
// and leaves the previous version active. A failed Save still uses up its version number
// (sequences are not transactional). ds.Version and ds.CreatedAt are not read. The store of a
// city refuses a dataset with a district outside it (data.ErrOutsideCity).
func (s *Store) Save(ctx context.Context, ds *data.Dataset, source string) (int64, error) {
	if s.city != "" {
		if err := ds.CheckCity(s.city); err != nil {
			return 0, fmt.Errorf("save dataset: %w", err)
		}
	}
	counts := make(map[data.Layer]int, len(data.Layers))
	for _, l := range data.Layers {
		counts[l] = ds.Count(l)
	}
	cj, err := json.Marshal(counts)
	if err != nil {
		return 0, fmt.Errorf("save dataset: %w", err)
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return 0, fmt.Errorf("save dataset: %w", err)
	}
	defer rollback(ctx, tx)
	// Index builds at ATTACH sort in memory up to this much. With the default 64 MB the GiST
	// build of 2M components spills to disk and took 8–11 s here; with 256 MB, 4.7 s.
	if _, err := tx.Exec(ctx, `SET LOCAL maintenance_work_mem = '256MB'`); err != nil {
		return 0, fmt.Errorf("save dataset: %w", err)
	}
	var v int64
	err = tx.QueryRow(ctx, `INSERT INTO dataset_version(name, created_at, source, counts) VALUES ($1, $2, $3, $4) RETURNING version`,
		ds.Name, time.Now().UTC(), source, cj).Scan(&v)
	if err != nil {
		return 0, fmt.Errorf("save dataset: %w", err)
	}
	for _, t := range tables {
		if err := copyLayer(ctx, tx, t, v, ds); err != nil {
			return 0, fmt.Errorf("save dataset version %d: %s: %w", v, t.layer, err)
		}
	}
	if err := lockChanges(ctx, tx); err != nil {
		return 0, err
	}
	if _, err := tx.Exec(ctx, `INSERT INTO version_seq(version, seq) SELECT $1, coalesce(max(seq), 0) FROM feature_change`, v); err != nil {
		return 0, fmt.Errorf("save dataset version %d: %w", v, err)
	}
	if err := setActive(ctx, tx, v); err != nil {
		return 0, err
	}
	if err := tx.Commit(ctx); err != nil {
		return 0, fmt.Errorf("save dataset version %d: %w", v, err)
	}
	return v, nil
}

// rollback ends tx if it is still open. It runs even when ctx has been cancelled, so that the
// connection goes back to the pool clean, but gives up after a few seconds on a dead server: the
// server rolls back an open transaction when its connection drops anyway.
func rollback(ctx context.Context, tx pgx.Tx) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	_ = tx.Rollback(ctx) // after Commit, or on a broken connection: nothing to roll back here
}

// partition names the partition of table t holding version v.
func partition(t *table, v int64) string { return fmt.Sprintf("%s_v%d", t.name, v) }

// copyLayer writes layer t of ds as version v: a standalone table shaped like t, filled by one
// binary COPY, then attached as t's partition for v. The CHECK constraint lets ATTACH skip
// scanning the table to prove every row belongs to v.
func copyLayer(ctx context.Context, tx pgx.Tx, t *table, v int64, ds *data.Dataset) error {
	part := pgx.Identifier{partition(t, v)}.Sanitize()
	if _, err := tx.Exec(ctx, fmt.Sprintf(`CREATE TABLE %s (LIKE %s INCLUDING DEFAULTS, CHECK (version = %d))`, part, t.name, v)); err != nil {
		return fmt.Errorf("create partition: %w", err)
	}
	src := &copySource{t: t, ds: ds, n: ds.Count(t.layer), i: -1, geom: newGeomEncoder(),
		row: make([]any, 2+len(t.cols))}
	src.row[0] = v
	n, err := tx.CopyFrom(ctx, pgx.Identifier{partition(t, v)}, t.copyColumns(), src)
	if err != nil {
		if src.err != nil {
			return src.err // the encoder's error, not the aborted COPY it caused
		}
		if ctx.Err() != nil {
			// pgx reports the connection it closed; the caller wants to know why.
			return fmt.Errorf("copy: %w: %w", ctx.Err(), err)
		}
		return fmt.Errorf("copy: %w", err)
	}
	if n != int64(src.n) {
		return fmt.Errorf("copy: wrote %d rows of %d", n, src.n)
	}
	if _, err := tx.Exec(ctx, fmt.Sprintf(`ALTER TABLE %s ATTACH PARTITION %s FOR VALUES IN (%d)`, t.name, part, v)); err != nil {
		return fmt.Errorf("attach partition: %w", err)
	}
	return nil
}

// copySource is pgx's CopyFromSource over one layer of a dataset. pgx calls it from the
// goroutine that fills its send buffer, so encoding overlaps with the server's work. Values
// returns the same slice every time: pgx has encoded a row before it asks for the next one.
type copySource struct {
	t    *table
	ds   *data.Dataset
	n, i int
	row  []any // version, seq, then the table's columns
	geom *geomEncoder
	err  error
}

func (c *copySource) Next() bool {
	if c.err != nil {
		return false
	}
	c.i++
	return c.i < c.n
}

func (c *copySource) Values() ([]any, error) {
	c.row[1] = int32(c.i)
	if err := c.t.fill(c.ds, c.i, c.row[2:], c.geom); err != nil {
		c.err = fmt.Errorf("#%d: %w", c.i, err)
		return nil, c.err
	}
	return c.row, nil
}

func (c *copySource) Err() error { return c.err }

// setActive points the active row at v; the row's trigger notifies every listener at commit.
func setActive(ctx context.Context, tx pgx.Tx, v int64) error {
	tag, err := tx.Exec(ctx, `INSERT INTO active(id, version, changed_at)
		SELECT 1, version, now() FROM dataset_version WHERE version = $1
		ON CONFLICT (id) DO UPDATE SET version = excluded.version, changed_at = excluded.changed_at`, v)
	if err != nil {
		return fmt.Errorf("activate version %d: %w", v, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("activate version %d: %w", v, data.ErrNoVersion)
	}
	return nil
}

// Activate makes version v the one served (a rollback when v is older than the current one).
func (s *Store) Activate(ctx context.Context, v int64) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error { return setActive(ctx, tx, v) })
}

// ActiveVersion returns the version being served, one primary-key read: cheap enough to poll.
// It returns data.ErrNoActive on an empty store.
func (s *Store) ActiveVersion(ctx context.Context) (int64, error) {
	var v int64
	err := s.pool.QueryRow(ctx, `SELECT version FROM active WHERE id = 1`).Scan(&v)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, data.ErrNoActive
	}
	if err != nil {
		return 0, fmt.Errorf("read active version: %w", err)
	}
	return v, nil
}

// Versions lists every version, oldest first, with its per-layer counts.
func (s *Store) Versions(ctx context.Context) ([]data.Version, error) {
	rows, err := s.pool.Query(ctx, `SELECT d.version, d.name, d.created_at, d.source, d.counts, a.version IS NOT NULL
		FROM dataset_version d LEFT JOIN active a ON a.version = d.version ORDER BY d.version`)
	if err != nil {
		return nil, fmt.Errorf("list versions: %w", err)
	}
	defer rows.Close()
	var out []data.Version
	for rows.Next() {
		var v data.Version
		var counts []byte
		if err := rows.Scan(&v.Version, &v.Name, &v.CreatedAt, &v.Source, &counts, &v.Active); err != nil {
			return nil, fmt.Errorf("list versions: %w", err)
		}
		v.CreatedAt = v.CreatedAt.UTC()
		if err := json.Unmarshal(counts, &v.Counts); err != nil {
			return nil, fmt.Errorf("list versions: version %d counts: %w", v.Version, err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list versions: %w", err)
	}
	return out, nil
}

// Load reads version v in full.
func (s *Store) Load(ctx context.Context, v int64) (*data.Dataset, error) {
	return s.LoadLayers(ctx, v, nil)
}

// LoadLayers reads version v with only the listed layers (nil: all), each in seq order, in one
// read-only transaction.
func (s *Store) LoadLayers(ctx context.Context, v int64, layers []data.Layer) (*data.Dataset, error) {
	if layers == nil {
		layers = data.Layers
	}
	ds := &data.Dataset{Version: v}
	err := pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `SELECT name, created_at, source FROM dataset_version WHERE version = $1`, v).
			Scan(&ds.Name, &ds.CreatedAt, &ds.Source)
		if errors.Is(err, pgx.ErrNoRows) {
			return data.ErrNoVersion
		}
		if err != nil {
			return err
		}
		ds.CreatedAt = ds.CreatedAt.UTC()
		// A layer's rows lie in seq order (one COPY, in order), so its primary key reads them
		// in order with sequential I/O. Left alone, the planner prefers a parallel scan and a
		// sort that spills to disk: twice as slow on 100k components, and worse on millions.
		if _, err := tx.Exec(ctx, `SET LOCAL enable_sort = off`); err != nil {
			return err
		}
		ds, err = loadIn(ctx, tx, ds, layers)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("load version %d: %w", v, err)
	}
	return ds, nil
}

// loadIn fills ds (version, name, source and time set) with its layers: read from the layer
// tables for a full version, or its parent's with its changes applied for a delta version.
func loadIn(ctx context.Context, tx pgx.Tx, ds *data.Dataset, layers []data.Layer) (*data.Dataset, error) {
	v := ds.Version
	var parent, from, upto int64
	err := tx.QueryRow(ctx, `SELECT parent, from_seq, upto_seq FROM version_delta WHERE version = $1`, v).Scan(&parent, &from, &upto)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		if err := loadLayers(ctx, tx, v, ds, layers); err != nil {
			return nil, err
		}
		return ds, nil
	case err != nil:
		return nil, err
	}
	base, err := loadIn(ctx, tx, &data.Dataset{Version: parent}, layers)
	if err != nil {
		return nil, err
	}
	cs, err := queryChanges(ctx, tx, `WHERE base = $1 AND seq > $2 AND seq <= $3 ORDER BY seq`, parent, from, upto)
	if err != nil {
		return nil, err
	}
	return data.ApplyDelta(base, cs, ds, layers), nil
}

// loadBatch is how many rows one decoding job holds.
const loadBatch = 2048

// batch is a run of rows of one table and what they decode to.
type batch struct {
	t    *table
	rows []copiedRow
	vals [][]byte      // the rows' values, a run per row
	buf  []byte        // the bytes of vals, reused by a batch read later
	ds   *data.Dataset // the features of rows, in row order
	err  error
}

// add copies a row's raw values into the batch.
func (b *batch) add(fields []pgconn.FieldDescription, raw [][]byte) {
	n := 0
	for _, v := range raw {
		n += len(v)
	}
	if len(b.buf)+n > cap(b.buf) {
		// The rows already added point into the full buffer, which stays theirs: start another.
		b.buf = make([]byte, 0, max(loadBatch*512, n))
	}
	if len(b.vals)+len(raw) > cap(b.vals) {
		b.vals = make([][]byte, 0, max(loadBatch*len(raw), len(raw)))
	}
	at := len(b.vals)
	for _, v := range raw {
		var val []byte
		if v != nil {
			b.buf = append(b.buf, v...)
			val = b.buf[len(b.buf)-len(v) : len(b.buf) : len(b.buf)]
		}
		b.vals = append(b.vals, val)
	}
	b.rows = append(b.rows, copiedRow{fields: fields, vals: b.vals[at:len(b.vals):len(b.vals)]})
}

// loadLayers reads the layers of version v into ds. Decoding the rows (text, timestamps, WKB,
// interning) is most of a replica's start: this goroutine reads each table in seq order and
// copies its rows out in batches, one worker per CPU decodes each batch into a dataset of its
// own, and the batches are merged in the order they were read, so every layer keeps its order.
// A decoded batch's buffers are reused for a batch read later, so reading makes no garbage per
// row; what a decoder keeps it copies.
func loadLayers(ctx context.Context, tx pgx.Tx, v int64, ds *data.Dataset, layers []data.Layer) error {
	workers := runtime.GOMAXPROCS(0)
	jobs := make(chan *batch, workers)
	free := make(chan *batch, 2*workers+1)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			dec := &rowDecoder{m: pgtype.NewMap()}
			for b := range jobs {
				if dec.t != b.t { // the plans are per column of one table
					dec.t, dec.plans = b.t, nil
				}
				for i := range b.rows {
					b.rows[i].dec = dec
					if err := b.t.scan(&b.rows[i], b.ds); err != nil {
						b.err = fmt.Errorf("%s: %w", b.t.layer, err)
						break
					}
				}
				clear(b.vals) // no stale pointers into a buffer the next batch may not use
				select {
				case free <- &batch{rows: b.rows[:0], vals: b.vals[:0], buf: b.buf[:0]}:
				default:
				}
				b.rows, b.vals, b.buf = nil, nil, nil
			}
		})
	}
	var batches []*batch
	next := func(t *table) *batch {
		select {
		case b := <-free:
			b.t = t
			return b
		default:
			return &batch{t: t}
		}
	}
	send := func(cur *batch) {
		cur.ds = &data.Dataset{}
		batches = append(batches, cur)
		jobs <- cur
	}
	err := func() error {
		defer close(jobs)
		for _, l := range layers {
			t, err := tableOf(l)
			if err != nil {
				return err
			}
			rows, err := tx.Query(ctx, fmt.Sprintf(`SELECT %s FROM %s WHERE version = $1 ORDER BY seq`, t.selectList(), t.name), v)
			if err != nil {
				return fmt.Errorf("%s: %w", l, err)
			}
			// pgconn reuses its field descriptions for the next query; the workers may still
			// be decoding this one's rows then.
			fields := slices.Clone(rows.FieldDescriptions())
			cur := next(t)
			for rows.Next() {
				if cur.add(fields, rows.RawValues()); len(cur.rows) == loadBatch {
					send(cur)
					cur = next(t)
				}
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return fmt.Errorf("%s: %w", l, err)
			}
			if len(cur.rows) > 0 {
				send(cur)
			}
		}
		return nil
	}()
	wg.Wait()
	if err != nil {
		return err
	}
	parts := make([]*data.Dataset, len(batches))
	for i, b := range batches {
		if b.err != nil {
			return b.err
		}
		parts[i] = b.ds
	}
	ds.AppendAll(parts)
	return nil
}
