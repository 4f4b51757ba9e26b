package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/paulmach/orb"

	"citygeo/data"
)

// Record implements data.ChangeStore: one transaction, durable at commit (synchronous=FULL).
func (s *Store) Record(ctx context.Context, changes []data.Change) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("record changes: %w", err)
	}
	defer tx.Rollback()
	if err := insertChanges(ctx, tx, changes, 0); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("record changes: %w", err)
	}
	return nil
}

// insertChanges inserts changes, against base when base is not 0, and sets their Seq and At.
func insertChanges(ctx context.Context, tx *sql.Tx, changes []data.Change, base int64) error {
	if len(changes) == 0 {
		return nil
	}
	st, err := tx.PrepareContext(ctx, `INSERT INTO feature_change(base, layer, fid, op, who, at, why, case_id, fields, feature)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return fmt.Errorf("record changes: %w", err)
	}
	defer st.Close()
	bases := map[int64]bool{}
	for i := range changes {
		c := &changes[i]
		if base != 0 {
			c.Base = base
		}
		if !bases[c.Base] {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM dataset_version WHERE version = ?`, c.Base).Scan(&n); err != nil {
				return fmt.Errorf("record changes: %w", err)
			}
			if n == 0 {
				return fmt.Errorf("record change of %s %s: base version %d: %w", c.Layer, c.ID, c.Base, data.ErrNoVersion)
			}
			bases[c.Base] = true
		}
		fields, feat, err := c.Stored()
		if err != nil {
			return err
		}
		res, err := st.ExecContext(ctx, c.Base, string(c.Layer), c.ID, string(c.Op), c.Who, c.At.Format(time.RFC3339Nano), c.Why, c.Case, string(fields), string(feat))
		if err != nil {
			return fmt.Errorf("record change of %s %s: %w", c.Layer, c.ID, err)
		}
		if c.Seq, err = res.LastInsertId(); err != nil {
			return fmt.Errorf("record change of %s %s: %w", c.Layer, c.ID, err)
		}
	}
	return nil
}

// SaveDelta implements data.ChangeStore.
func (s *Store) SaveDelta(ctx context.Context, d data.Delta) (int64, error) {
	cj, _ := json.Marshal(d.Counts)
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("save delta of version %d: %w", d.Parent, err)
	}
	defer tx.Rollback()
	var name string
	err = tx.QueryRowContext(ctx, `SELECT name FROM dataset_version WHERE version = ?`, d.Parent).Scan(&name)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("save delta of version %d: %w", d.Parent, data.ErrNoVersion)
	}
	if err != nil {
		return 0, fmt.Errorf("save delta of version %d: %w", d.Parent, err)
	}
	if d.Name != "" {
		name = d.Name
	}
	var active int64
	err = tx.QueryRowContext(ctx, `SELECT version FROM active WHERE id = 1`).Scan(&active)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("save delta of version %d: %w", d.Parent, err)
	}
	if active != d.Parent {
		return 0, fmt.Errorf("save delta of version %d: version %d is active: %w", d.Parent, active, data.ErrStaleBase)
	}
	if err := insertChanges(ctx, tx, d.Changes, d.Parent); err != nil {
		return 0, err
	}
	upto := d.Upto
	if upto == 0 {
		if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(seq), 0) FROM feature_change`).Scan(&upto); err != nil {
			return 0, fmt.Errorf("save delta of version %d: %w", d.Parent, err)
		}
	}
	from, err := sealedUpto(ctx, tx, d.Parent)
	if err != nil {
		return 0, err
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO dataset_version(name, created_at, source, counts) VALUES (?, ?, ?, ?)`,
		name, time.Now().UTC().Format(time.RFC3339Nano), d.Source, string(cj))
	if err != nil {
		return 0, fmt.Errorf("save delta of version %d: %w", d.Parent, err)
	}
	v, err := res.LastInsertId()
	if err != nil {
		return 0, fmt.Errorf("save delta of version %d: %w", d.Parent, err)
	}
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO version_delta(version, parent, from_seq, upto_seq) VALUES (?, ?, ?, ?)`, []any{v, d.Parent, from, upto}},
		{`INSERT INTO version_seq(version, seq) VALUES (?, ?)`, []any{v, upto}},
		// Edits made against the parent after upto (while a fold was being built) belong to
		// the new version now: it is what they were served over.
		{`UPDATE feature_change SET base = ? WHERE base = ? AND seq > ?`, []any{v, d.Parent, upto}},
	} {
		if _, err := tx.ExecContext(ctx, q.sql, q.args...); err != nil {
			return 0, fmt.Errorf("save delta version %d: %w", v, err)
		}
	}
	if err := setActive(ctx, tx, v); err != nil {
		return 0, err
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("save delta version %d: %w", v, err)
	}
	return v, nil
}

// sealedUpto returns the last change of base that a delta version of it holds (0: none).
func sealedUpto(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, base int64) (int64, error) {
	var upto int64
	if err := q.QueryRowContext(ctx, `SELECT coalesce(max(upto_seq), 0) FROM version_delta WHERE parent = ?`, base).Scan(&upto); err != nil {
		return 0, fmt.Errorf("changes of version %d: %w", base, err)
	}
	return upto, nil
}

// Pending implements data.ChangeStore.
func (s *Store) Pending(ctx context.Context, base int64) ([]data.Change, int64, error) {
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, 0, fmt.Errorf("pending changes of version %d: %w", base, err)
	}
	defer tx.Rollback()
	from, err := sealedUpto(ctx, tx, base)
	if err != nil {
		return nil, 0, err
	}
	out, err := queryChanges(ctx, tx, `WHERE base = ? AND seq > ? ORDER BY seq`, base, from)
	if err != nil {
		return nil, 0, err
	}
	var end int64
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(seq), 0) FROM feature_change`).Scan(&end); err != nil {
		return nil, 0, fmt.Errorf("pending changes of version %d: %w", base, err)
	}
	return out, end, nil
}

// History implements data.ChangeStore.
func (s *Store) History(ctx context.Context, l data.Layer, id string) ([]data.Change, error) {
	return queryChanges(ctx, s.db, `WHERE layer = ? AND fid = ? ORDER BY seq`, string(l), id)
}

// ChangesAfter implements data.ChangeStore.
func (s *Store) ChangesAfter(ctx context.Context, after int64, limit int) ([]data.Change, error) {
	return queryChanges(ctx, s.db, `WHERE seq > ? ORDER BY seq LIMIT ?`, after, limit)
}

// VersionSeq implements data.ChangeStore.
func (s *Store) VersionSeq(ctx context.Context, v int64) (int64, error) {
	return s.ofVersion(ctx, `SELECT coalesce((SELECT seq FROM version_seq WHERE version = ?1), 0)
		FROM dataset_version WHERE version = ?1`, v)
}

// DeltaParent implements data.ChangeStore.
func (s *Store) DeltaParent(ctx context.Context, v int64) (int64, error) {
	return s.ofVersion(ctx, `SELECT coalesce((SELECT parent FROM version_delta WHERE version = ?1), 0)
		FROM dataset_version WHERE version = ?1`, v)
}

// ofVersion reads one number about version v: query takes v as ?1 and has a row only when v
// exists (data.ErrNoVersion otherwise).
func (s *Store) ofVersion(ctx context.Context, query string, v int64) (int64, error) {
	var n int64
	err := s.db.QueryRowContext(ctx, query, v).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("version %d: %w", v, data.ErrNoVersion)
	}
	if err != nil {
		return 0, fmt.Errorf("version %d: %w", v, err)
	}
	return n, nil
}

func queryChanges(ctx context.Context, q querier, where string, args ...any) ([]data.Change, error) {
	rows, err := q.QueryContext(ctx, `SELECT seq, base, layer, fid, op, who, at, why, case_id, fields, feature FROM feature_change `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("read changes: %w", err)
	}
	defer rows.Close()
	var out []data.Change
	for rows.Next() {
		var c data.Change
		var layer, op, at, fields, feat string
		if err := rows.Scan(&c.Seq, &c.Base, &layer, &c.ID, &op, &c.Who, &at, &c.Why, &c.Case, &fields, &feat); err != nil {
			return nil, fmt.Errorf("read changes: %w", err)
		}
		c.Layer, c.Op = data.Layer(layer), data.Op(op)
		c.At, _ = time.Parse(time.RFC3339Nano, at)
		if err := json.Unmarshal([]byte(fields), &c.Fields); err != nil {
			return nil, fmt.Errorf("read change %d: %w", c.Seq, err)
		}
		if c.After, err = data.UnmarshalFeature([]byte(feat)); err != nil {
			return nil, fmt.Errorf("read change %d: %w", c.Seq, err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// recordFeaturesIn appends to dec's dataset the features with ids that layer l of full version v
// holds in the image chunks that are their record: each chunk whose fid filter may hold one of
// the ids is decoded once, and its features with those ids are kept.
func recordFeaturesIn(ctx context.Context, tx *sql.Tx, dec *decoder, v int64, l data.Layer, ids []string) error {
	if !imaged[l] {
		return nil
	}
	rows, err := tx.QueryContext(ctx, `SELECT r.lo, i.n, i.format, r.fids FROM image_record r
		LEFT JOIN layer_image i ON i.version = r.version AND i.layer = r.layer AND i.lo = r.lo
		WHERE r.version = ? AND r.layer = ? ORDER BY r.lo`, v, string(l))
	if err != nil {
		return err
	}
	defer rows.Close() // closed below before the chunks are read; this covers the early returns
	var chunks []*part
	for rows.Next() {
		var lo int
		var n, format sql.NullInt64
		var fids sql.RawBytes
		if err := rows.Scan(&lo, &n, &format, &fids); err != nil {
			return err
		}
		// An id such a chunk held would be taken for a new one: fail as Load does.
		switch {
		case !n.Valid:
			return fmt.Errorf("%s image chunk from #%d: listed as the record, not found", l, lo)
		case format.Int64 != imageFormat:
			return fmt.Errorf("%s image chunk from #%d: format %d, this binary reads %d", l, lo, format.Int64, imageFormat)
		}
		if mayHold(fids, ids) {
			chunks = append(chunks, &part{layer: l, lo: lo, hi: lo + int(n.Int64), image: true, record: true})
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(chunks) == 0 {
		return err
	}
	want := make(map[string]bool, len(ids))
	for _, id := range ids {
		want[id] = true
	}
	out := dec.ds
	defer func() { dec.ds = out }()
	for _, p := range chunks {
		dec.ds = &data.Dataset{}
		if err := readImage(ctx, tx, v, p, dec); err != nil {
			return err
		}
		keepFeatures(out, dec.ds, l, want)
	}
	return nil
}

// keepFeatures appends to dst the features of imaged layer l of src whose fid (as encodeLayer
// gives it to their rows) is in want.
func keepFeatures(dst, src *data.Dataset, l data.Layer, want map[string]bool) {
	_ = encodeLayer(src, l, func(_ data.Layer, i int, fid string, _ orb.Geometry, _ any) error {
		if !want[fid] {
			return nil
		}
		switch f := featureAt(src, l, i).(type) {
		case *data.Component:
			dst.Components = append(dst.Components, f)
		case *data.Grid:
			dst.Grids = append(dst.Grids, f)
		case *data.Address:
			dst.Addresses = append(dst.Addresses, f)
		case *data.Building:
			dst.Buildings = append(dst.Buildings, f)
		}
		return nil
	})
}

// inBatch is how many ids one IN list of LoadFeatures holds.
const inBatch = 500

// LoadFeatures implements data.ChangeStore: by the fid index for a full version, the delta's
// changes then its parent for a delta.
func (s *Store) LoadFeatures(ctx context.Context, v int64, l data.Layer, ids []string) (*data.Dataset, error) {
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("load features of version %d: %w", v, err)
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM dataset_version WHERE version = ?`, v).Scan(&n); err != nil {
		return nil, fmt.Errorf("load features of version %d: %w", v, err)
	}
	if n == 0 {
		return nil, fmt.Errorf("load features of version %d: %w", v, data.ErrNoVersion)
	}
	ds := &data.Dataset{Version: v}
	if err := featuresIn(ctx, tx, ds, v, l, ids); err != nil {
		return nil, fmt.Errorf("load features of version %d: %w", v, err)
	}
	return ds, nil
}

func featuresIn(ctx context.Context, tx *sql.Tx, ds *data.Dataset, v int64, l data.Layer, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	var parent, from, upto int64
	err := tx.QueryRowContext(ctx, `SELECT parent, from_seq, upto_seq FROM version_delta WHERE version = ?`, v).Scan(&parent, &from, &upto)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		dec := &decoder{ds: ds}
		// The record chunks hold a layer's first features and rows its last (seq order), so
		// that a duplicated id ends with its last feature, as Load gives it.
		if err := recordFeaturesIn(ctx, tx, dec, v, l, ids); err != nil {
			return err
		}
		for i := 0; i < len(ids); i += inBatch {
			part := ids[i:min(i+inBatch, len(ids))]
			args := []any{v, string(l)}
			for _, id := range part {
				args = append(args, id)
			}
			rows, err := tx.QueryContext(ctx, `SELECT layer, seq, fid, geom, props FROM feature WHERE version = ? AND layer = ? AND fid IN (?`+
				strings.Repeat(", ?", len(part)-1)+`) ORDER BY id`, args...)
			if err != nil {
				return err
			}
			for rows.Next() {
				var r row
				var layer, props string
				if err := rows.Scan(&layer, &r.seq, &r.fid, &r.geom, &props); err != nil {
					rows.Close()
					return err
				}
				r.layer, r.props = data.Layer(layer), []byte(props)
				if err := dec.decodeRow(r); err != nil {
					rows.Close()
					return fmt.Errorf("%s #%d (%s): %w", layer, r.seq, r.fid, err)
				}
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
		}
		return nil
	case err != nil:
		return err
	}
	// A delta: the last change of each id it holds decides; the others are the parent's.
	cs, err := queryChanges(ctx, tx, `WHERE base = ? AND seq > ? AND seq <= ? AND layer = ? ORDER BY seq`, parent, from, upto, string(l))
	if err != nil {
		return err
	}
	rest, changed := data.SplitByChanges(ids, cs)
	if err := featuresIn(ctx, tx, ds, parent, l, rest); err != nil {
		return err
	}
	*ds = *data.Apply(ds, changed)
	return nil
}
