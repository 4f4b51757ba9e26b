package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unsafe"

	"citygeo/data"
)

var _ data.StreamStore = (*Store)(nil)

// Save writes ds as a new version, recorded as produced by source (Dataset.Source on Load), and
// makes it the active one, all in one transaction: a crash at any point leaves the previous
// version active and intact. ds.Version and ds.CreatedAt are not read; the new version number
// is returned.
func (s *Store) Save(ctx context.Context, ds *data.Dataset, source string) (int64, error) {
	w, err := s.BeginVersion(ctx)
	if err != nil {
		return 0, err
	}
	return w.Commit(ctx, ds, source)
}

// BeginVersion implements data.StreamStore: it opens the write transaction the version is
// written in (other writers of the file wait for it, readers do not) and starts the goroutines
// that encode and insert its parts.
func (s *Store) BeginVersion(ctx context.Context) (data.VersionWriter, error) {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("save dataset: %w", err)
	}
	// The feature rows reference their version, which this transaction has just created: the
	// foreign key check SQLite would make on each of millions of rows (a lookup, and a
	// statement journal per INSERT in case one fails) cannot fail. The setting is the
	// connection's, so it is turned back on before the connection goes back to the pool.
	if _, err := conn.ExecContext(ctx, "PRAGMA foreign_keys = OFF"); err != nil {
		conn.Close()
		return nil, fmt.Errorf("save dataset: %w", err)
	}
	w := &versionWriter{conn: conn, written: map[data.Layer]int{}, parts: make(chan savePart, 2),
		stop: make(chan struct{}), done: make(chan error, 1), record: !s.rowsToo}
	w.tx, err = conn.BeginTx(ctx, nil)
	if err != nil {
		w.release()
		return nil, fmt.Errorf("save dataset: %w", err)
	}
	// Name, source and counts are known at Commit.
	res, err := w.tx.ExecContext(ctx, `INSERT INTO dataset_version(name, created_at, source, counts) VALUES ('', ?, '', '{}')`,
		time.Now().UTC().Format(time.RFC3339Nano))
	if err == nil {
		w.v, err = res.LastInsertId()
	}
	if err == nil && (w.v < 0 || w.v > maxVersion) {
		err = fmt.Errorf("version %d out of the row key's range 0..%d", w.v, maxVersion)
	}
	if err != nil {
		w.rollback()
		return nil, fmt.Errorf("save dataset: %w", err)
	}
	go w.run(ctx)
	return w, nil
}

// release turns foreign keys back on and gives the connection back to the pool; a connection
// whose setting could not be restored is discarded instead.
func (w *versionWriter) release() {
	if _, err := w.conn.ExecContext(context.Background(), "PRAGMA foreign_keys = ON"); err != nil {
		_ = w.conn.Raw(func(any) error { return driver.ErrBadConn })
	}
	w.conn.Close()
}

// versionWriter is the SQLite data.VersionWriter: parts go to an encoding goroutine, which
// hands rows in batches to an inserting one; both run until parts is closed.
type versionWriter struct {
	conn    *sql.Conn // the transaction's, with foreign keys off
	tx      *sql.Tx
	v       int64
	written map[data.Layer]int // features sent per layer
	parts   chan savePart
	stop    chan struct{} // closed when the inserter failed: the encoder gives up
	done    chan error    // the pipeline's outcome once parts is closed
	ended   bool          // parts closed
	over    bool          // committed or rolled back
	// record: the image chunks are their features' record, and those features get no rows;
	// false (Store.rowsToo) writes every row and the chunks as a copy of them.
	record bool
	// noImage lists, before done is sent, the layers whose copy of the rows could not be imaged
	// whole: the chunks inserted before that are deleted at commit (a partial copy is never read).
	noImage []data.Layer
}

// savePart is features to write, with the seq of each layer's first.
type savePart struct {
	ds   *data.Dataset
	from map[data.Layer]int
}

func (w *versionWriter) Write(p *data.Dataset) error {
	if w.ended {
		return errors.New("save dataset: write after commit or abort")
	}
	select {
	case <-w.stop:
		return errStopped
	default:
	}
	from := make(map[data.Layer]int, len(data.Layers))
	for _, l := range data.Layers {
		from[l] = w.written[l]
		w.written[l] += p.Count(l)
	}
	select {
	case w.parts <- savePart{ds: p, from: from}:
		return nil
	case <-w.stop:
		return errStopped
	}
}

func (w *versionWriter) Commit(ctx context.Context, ds *data.Dataset, source string) (int64, error) {
	if w.ended {
		return 0, errors.New("save dataset: commit after commit or abort")
	}
	for _, l := range data.Layers {
		if w.written[l] > ds.Count(l) {
			w.Abort()
			return 0, fmt.Errorf("save dataset: %d %s features written, the dataset has %d", w.written[l], l, ds.Count(l))
		}
	}
	if err := w.Write(ds.From(w.written)); err != nil && !errors.Is(err, errStopped) {
		w.Abort()
		return 0, err
	}
	w.ended = true
	close(w.parts)
	if err := <-w.done; err != nil {
		w.rollback()
		return 0, fmt.Errorf("save dataset version %d: %w", w.v, err)
	}
	defer w.rollback() // after a failure below
	for _, l := range w.noImage {
		if _, err := w.tx.ExecContext(ctx, `DELETE FROM layer_image WHERE version = ? AND layer = ?`, w.v, string(l)); err != nil {
			return 0, fmt.Errorf("save dataset version %d: %w", w.v, err)
		}
	}
	cj, _ := json.Marshal(layerCounts(ds))
	if _, err := w.tx.ExecContext(ctx, `UPDATE dataset_version SET name = ?, created_at = ?, source = ?, counts = ? WHERE version = ?`,
		ds.Name, time.Now().UTC().Format(time.RFC3339Nano), source, string(cj), w.v); err != nil {
		return 0, fmt.Errorf("save dataset version %d: %w", w.v, err)
	}
	if _, err := w.tx.ExecContext(ctx, `INSERT INTO version_seq(version, seq) SELECT ?, coalesce(max(seq), 0) FROM feature_change`, w.v); err != nil {
		return 0, fmt.Errorf("save dataset version %d: %w", w.v, err)
	}
	if err := setActive(ctx, w.tx, w.v); err != nil {
		return 0, err
	}
	if err := w.tx.Commit(); err != nil {
		return 0, fmt.Errorf("save dataset: %w", err)
	}
	w.over = true
	w.release()
	return w.v, nil
}

func (w *versionWriter) Abort() error {
	if !w.ended {
		w.ended = true
		close(w.parts)
		<-w.done // the goroutines read the caller's features: wait until they stop
	}
	return w.rollback()
}

func (w *versionWriter) rollback() error {
	if w.over {
		return nil
	}
	w.over = true
	err := w.tx.Rollback()
	w.release()
	return err
}

// run encodes the parts in one goroutine while this one inserts the rows, and sends the
// outcome on w.done once parts is closed and both have stopped.
func (w *versionWriter) run(ctx context.Context) {
	batches := make(chan batch, 4)
	encErr := make(chan error, 1)
	img := newImageEncoders()
	go func() {
		defer close(batches)
		encErr <- encodeParts(w.parts, batches, w.stop, img, w.record)
	}()
	err := w.insert(ctx, batches)
	if err != nil {
		close(w.stop)
		for range batches { // until the encoder has seen stop
		}
	}
	if e := <-encErr; err == nil {
		err = e
	}
	if !w.record { // a record's chunks hold the features before the one that ended its image
		w.noImage = img.off()
	}
	w.done <- err
}

// insertBatch is the number of rows per INSERT: one statement per row spends most of its time
// in per-call overhead of database/sql and the driver.
const insertBatch = 64

func insertSQL(n int) string {
	// OR FAIL: a failing row fails the statement without undoing its earlier rows, so SQLite
	// keeps no statement journal of the pages each 64-row statement changes (with OR ABORT it
	// copied every page it spilled mid-statement to a temporary file). The whole version's
	// transaction is rolled back on any error, so nothing of a failed statement stays.
	return "INSERT OR FAIL INTO feature(id, version, layer, seq, fid, geom, props) VALUES " +
		strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?, ?, ?), ", n), ", ")
}

// layerArgs are the layer names as statement arguments, boxed once instead of once a row.
var layerArgs = func() map[data.Layer]any {
	m := map[data.Layer]any{}
	for _, l := range data.Layers {
		m[l] = string(l)
	}
	return m
}()

// batch is what the encoder hands the inserter: feature rows, or a chunk of a layer's image.
type batch struct {
	rows  []row
	image *imagePart
}

// insertImageSQL inserts a chunk of a layer's image.
const insertImageSQL = `INSERT INTO layer_image(version, layer, lo, n, format, data) VALUES (?, ?, ?, ?, ?, ?)`

// insertRecordSQL lists a chunk as its features' record.
const insertRecordSQL = `INSERT INTO image_record(version, layer, lo, fids) VALUES (?, ?, ?, ?)`

// insert inserts the batches until batches is closed or an insert fails. It talks to the
// driver's statement directly, through the transaction's connection (nothing else uses it
// until the pipeline is done): database/sql would allocate and convert a new argument list
// for each of the ~40,000 statements of a 2M-feature version.
func (w *versionWriter) insert(ctx context.Context, batches <-chan batch) error {
	const cols = 7
	return w.conn.Raw(func(dc any) error {
		prep, ok := dc.(driver.ConnPrepareContext)
		if !ok {
			return fmt.Errorf("driver connection %T cannot prepare", dc)
		}
		full, err := prep.PrepareContext(ctx, insertSQL(insertBatch))
		if err != nil {
			return err
		}
		defer full.Close()
		var version any = w.v
		args := make([]driver.NamedValue, insertBatch*cols)
		for i := range args {
			args[i].Ordinal = i + 1
		}
		for b := range batches {
			if b.image != nil {
				if err := w.insertImage(ctx, prep, b.image); err != nil {
					return err
				}
				continue
			}
			batch := b.rows
			for i, r := range batch {
				k, err := rowKey(w.v, r.layer, r.seq)
				if err != nil {
					return fmt.Errorf("%s #%d (%s): %w", r.layer, r.seq, r.fid, err)
				}
				// SAFETY: r.props is the encoder's own slice, never written again; the
				// string lives only until the statement has bound it (the driver copies it).
				props := unsafe.String(unsafe.SliceData(r.props), len(r.props))
				a := args[i*cols : (i+1)*cols]
				a[0].Value, a[1].Value, a[2].Value, a[3].Value = k, version, layerArgs[r.layer], int64(r.seq)
				a[4].Value, a[5].Value, a[6].Value = r.fid, r.geom, props
			}
			st := full
			if len(batch) < insertBatch {
				if st, err = prep.PrepareContext(ctx, insertSQL(len(batch))); err != nil {
					return err
				}
			}
			_, err := st.(driver.StmtExecContext).ExecContext(ctx, args[:len(batch)*cols])
			if st != full {
				st.Close()
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
}

// insertImage inserts chunk p of a layer's image, listed as the record of its features when the
// version's chunks are.
func (w *versionWriter) insertImage(ctx context.Context, prep driver.ConnPrepareContext, p *imagePart) error {
	exec := func(query string, args ...any) error {
		st, err := prep.PrepareContext(ctx, query)
		if err != nil {
			return err
		}
		defer st.Close()
		named := make([]driver.NamedValue, len(args))
		for i, a := range args {
			named[i] = driver.NamedValue{Ordinal: i + 1, Value: a}
		}
		_, err = st.(driver.StmtExecContext).ExecContext(ctx, named)
		return err
	}
	err := exec(insertImageSQL, w.v, string(p.layer), int64(p.lo), int64(p.n), int64(imageFormat), p.data)
	if err == nil && w.record {
		err = exec(insertRecordSQL, w.v, string(p.layer), int64(p.lo), p.fids)
	}
	if err != nil {
		return fmt.Errorf("%s image from #%d: %w", p.layer, p.lo, err)
	}
	return nil
}

// errStopped ends the encoder when the inserter has failed and reads no more batches.
var errStopped = errors.New("store: insert stopped")

// encodeParts encodes the parts into batches of insertBatch rows sent on out (a batch may hold
// rows of two parts; the last one is shorter), and the imaged layers into img's chunks, each
// sent as it fills. It returns errStopped as soon as stop is closed, so that a failed insert
// does not leave it encoding features into a batch nobody reads; it still takes the parts sent
// until parts is closed, so a writer never blocks. A feature that cannot be imaged turns its
// layer's image off, and is no error: it and the layer's later features get rows. When record,
// an imaged feature gets no row (the chunk is its record); otherwise every feature gets one.
func encodeParts(parts <-chan savePart, out chan<- batch, stop <-chan struct{}, img imageEncoders, record bool) error {
	rows := make([]row, 0, insertBatch)
	send := func(b batch) error {
		select {
		case out <- b:
			return nil
		case <-stop:
			return errStopped
		}
	}
	sendRows := func() error {
		err := send(batch{rows: rows})
		rows = make([]row, 0, insertBatch)
		return err
	}
	var err error
	comp := newComponentEncoder()
	for p := range parts {
		if err != nil {
			continue
		}
		image := func(l data.Layer, seq int, fid string, geom []byte) (bool, error) {
			e := img[l]
			if e == nil || e.off || seq > maxSeq { // past maxSeq: the row's key refuses it
				return false, nil
			}
			// The error only says why the layer's image ends here.
			chunk, noImage := e.add(seq, fid, featureAt(p.ds, l, seq-p.from[l]), geom)
			if chunk != nil {
				if err := send(batch{image: chunk}); err != nil {
					return false, err
				}
			}
			return noImage == nil && record, nil
		}
		err = encodeDataset(p.ds, p.from, comp, image, func(r row) error {
			rows = append(rows, r)
			if len(rows) == insertBatch {
				return sendRows()
			}
			return nil
		})
	}
	if err == nil && len(rows) > 0 {
		err = sendRows()
	}
	for _, l := range data.Layers {
		if e := img[l]; e != nil && err == nil {
			if chunk := e.flush(); chunk != nil {
				err = send(batch{image: chunk})
			}
		}
	}
	return err
}

// imageEncoders are a version's image encoders, one per imaged layer.
type imageEncoders map[data.Layer]*imageEncoder

func newImageEncoders() imageEncoders {
	m := imageEncoders{}
	for l := range imaged {
		m[l] = newImageEncoder(l)
	}
	return m
}

// off returns the layers whose image was given up.
func (m imageEncoders) off() []data.Layer {
	var ls []data.Layer
	for _, l := range data.Layers {
		if e := m[l]; e != nil && e.off {
			ls = append(ls, l)
		}
	}
	return ls
}

// featureAt returns feature i of an imaged layer of ds.
func featureAt(ds *data.Dataset, l data.Layer, i int) any {
	switch l {
	case data.LayerComponent:
		return ds.Components[i]
	case data.LayerAddress:
		return ds.Addresses[i]
	case data.LayerBuilding:
		return ds.Buildings[i]
	case data.LayerGrid:
		return ds.Grids[i]
	}
	return nil
}
