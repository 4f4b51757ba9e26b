package postgis

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"citygeo/data"
)

// changeLockClass is the first key of the advisory lock that orders change writes (the second
// is the schema's hash). An identity number is taken at insert but becomes visible at commit, so
// without the lock a poller of ChangesAfter that has seen seq 11 could miss 10 committed after
// it; holding the lock from the first insert to the commit makes numbers and commits agree.
const changeLockClass = 0x63_6867 // "chg"

func lockChanges(ctx context.Context, tx pgx.Tx) error {
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1, hashtext(current_schema()))`, changeLockClass); err != nil {
		return fmt.Errorf("lock change log: %w", err)
	}
	return nil
}

// Record implements data.ChangeStore in one transaction, durable at commit.
func (s *Store) Record(ctx context.Context, changes []data.Change) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if err := lockChanges(ctx, tx); err != nil {
			return err
		}
		return insertChanges(ctx, tx, changes, 0)
	})
}

// insertChanges inserts changes, against base when base is not 0, and sets their Seq and At.
func insertChanges(ctx context.Context, tx pgx.Tx, changes []data.Change, base int64) error {
	bases := map[int64]bool{}
	for i := range changes {
		c := &changes[i]
		if base != 0 {
			c.Base = base
		}
		if !bases[c.Base] {
			var ok bool
			if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM dataset_version WHERE version = $1)`, c.Base).Scan(&ok); err != nil {
				return fmt.Errorf("record changes: %w", err)
			}
			if !ok {
				return fmt.Errorf("record change of %s %s: base version %d: %w", c.Layer, c.ID, c.Base, data.ErrNoVersion)
			}
			bases[c.Base] = true
		}
		fields, feat, err := c.Stored()
		if err != nil {
			return err
		}
		err = tx.QueryRow(ctx, `INSERT INTO feature_change(base, layer, fid, op, who, at, why, case_id, fields, feature)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING seq`,
			c.Base, string(c.Layer), c.ID, string(c.Op), c.Who, c.At, c.Why, c.Case, fields, feat).Scan(&c.Seq)
		if err != nil {
			return fmt.Errorf("record change of %s %s: %w", c.Layer, c.ID, err)
		}
	}
	return nil
}

// SaveDelta implements data.ChangeStore.
func (s *Store) SaveDelta(ctx context.Context, d data.Delta) (int64, error) {
	cj, err := json.Marshal(d.Counts)
	if err != nil {
		return 0, fmt.Errorf("save delta of version %d: %w", d.Parent, err)
	}
	var v int64
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if err := lockChanges(ctx, tx); err != nil {
			return err
		}
		var name string
		err := tx.QueryRow(ctx, `SELECT name FROM dataset_version WHERE version = $1`, d.Parent).Scan(&name)
		if errors.Is(err, pgx.ErrNoRows) {
			return data.ErrNoVersion
		}
		if err != nil {
			return err
		}
		if d.Name != "" {
			name = d.Name
		}
		// The active row locked: an activation waits for this delta, and a second fold of the
		// same parent (another replica's) sees the first one's version active.
		var active int64
		err = tx.QueryRow(ctx, `SELECT version FROM active WHERE id = 1 FOR UPDATE`).Scan(&active)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		if active != d.Parent {
			return fmt.Errorf("version %d is active: %w", active, data.ErrStaleBase)
		}
		if err := insertChanges(ctx, tx, d.Changes, d.Parent); err != nil {
			return err
		}
		upto := d.Upto
		if upto == 0 {
			if err := tx.QueryRow(ctx, `SELECT coalesce(max(seq), 0) FROM feature_change`).Scan(&upto); err != nil {
				return err
			}
		}
		from, err := sealedUpto(ctx, tx, d.Parent)
		if err != nil {
			return err
		}
		err = tx.QueryRow(ctx, `INSERT INTO dataset_version(name, created_at, source, counts) VALUES ($1, $2, $3, $4) RETURNING version`,
			name, time.Now().UTC(), d.Source, cj).Scan(&v)
		if err != nil {
			return err
		}
		for _, q := range []struct {
			sql  string
			args []any
		}{
			{`INSERT INTO version_delta(version, parent, from_seq, upto_seq) VALUES ($1, $2, $3, $4)`, []any{v, d.Parent, from, upto}},
			{`INSERT INTO version_seq(version, seq) VALUES ($1, $2)`, []any{v, upto}},
			// Edits made against the parent after upto (while a fold was being built) belong
			// to the new version now: it is what they were served over.
			{`UPDATE feature_change SET base = $1 WHERE base = $2 AND seq > $3`, []any{v, d.Parent, upto}},
		} {
			if _, err := tx.Exec(ctx, q.sql, q.args...); err != nil {
				return err
			}
		}
		return setActive(ctx, tx, v)
	})
	if err != nil {
		return 0, fmt.Errorf("save delta of version %d: %w", d.Parent, err)
	}
	return v, nil
}

// sealedUpto returns the last change of base that a delta version of it holds (0: none).
func sealedUpto(ctx context.Context, q queryRower, base int64) (int64, error) {
	var upto int64
	if err := q.QueryRow(ctx, `SELECT coalesce(max(upto_seq), 0) FROM version_delta WHERE parent = $1`, base).Scan(&upto); err != nil {
		return 0, fmt.Errorf("changes of version %d: %w", base, err)
	}
	return upto, nil
}

// Pending implements data.ChangeStore.
func (s *Store) Pending(ctx context.Context, base int64) ([]data.Change, int64, error) {
	var out []data.Change
	var end int64
	err := pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		from, err := sealedUpto(ctx, tx, base)
		if err != nil {
			return err
		}
		if out, err = queryChanges(ctx, tx, `WHERE base = $1 AND seq > $2 ORDER BY seq`, base, from); err != nil {
			return err
		}
		return tx.QueryRow(ctx, `SELECT coalesce(max(seq), 0) FROM feature_change`).Scan(&end)
	})
	if err != nil {
		return nil, 0, fmt.Errorf("pending changes of version %d: %w", base, err)
	}
	return out, end, nil
}

// History implements data.ChangeStore.
func (s *Store) History(ctx context.Context, l data.Layer, id string) ([]data.Change, error) {
	return queryChanges(ctx, s.pool, `WHERE layer = $1 AND fid = $2 ORDER BY seq`, string(l), id)
}

// ChangesAfter implements data.ChangeStore.
func (s *Store) ChangesAfter(ctx context.Context, after int64, limit int) ([]data.Change, error) {
	return queryChanges(ctx, s.pool, `WHERE seq > $1 ORDER BY seq LIMIT $2`, after, limit)
}

// VersionSeq implements data.ChangeStore.
func (s *Store) VersionSeq(ctx context.Context, v int64) (int64, error) {
	return s.ofVersion(ctx, `SELECT coalesce((SELECT seq FROM version_seq WHERE version = $1), 0)
		FROM dataset_version WHERE version = $1`, v)
}

// DeltaParent implements data.ChangeStore.
func (s *Store) DeltaParent(ctx context.Context, v int64) (int64, error) {
	return s.ofVersion(ctx, `SELECT coalesce((SELECT parent FROM version_delta WHERE version = $1), 0)
		FROM dataset_version WHERE version = $1`, v)
}

// ofVersion reads one number about version v: query takes v as $1 and has a row only when v
// exists (data.ErrNoVersion otherwise).
func (s *Store) ofVersion(ctx context.Context, query string, v int64) (int64, error) {
	var n int64
	err := s.pool.QueryRow(ctx, query, v).Scan(&n)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, fmt.Errorf("version %d: %w", v, data.ErrNoVersion)
	}
	if err != nil {
		return 0, fmt.Errorf("version %d: %w", v, err)
	}
	return n, nil
}

// rowQuerier is what queryChanges needs of a pool or a transaction.
type rowQuerier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

func queryChanges(ctx context.Context, q rowQuerier, where string, args ...any) ([]data.Change, error) {
	rows, err := q.Query(ctx, `SELECT seq, base, layer, fid, op, who, at, why, case_id, fields, feature FROM feature_change `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("read changes: %w", err)
	}
	defer rows.Close()
	var out []data.Change
	for rows.Next() {
		var c data.Change
		var layer, op string
		var fields, feat []byte
		if err := rows.Scan(&c.Seq, &c.Base, &layer, &c.ID, &op, &c.Who, &c.At, &c.Why, &c.Case, &fields, &feat); err != nil {
			return nil, fmt.Errorf("read changes: %w", err)
		}
		c.Layer, c.Op, c.At = data.Layer(layer), data.Op(op), c.At.UTC()
		if err := json.Unmarshal(fields, &c.Fields); err != nil {
			return nil, fmt.Errorf("read change %d: %w", c.Seq, err)
		}
		if c.After, err = data.UnmarshalFeature(feat); err != nil {
			return nil, fmt.Errorf("read change %d: %w", c.Seq, err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// LoadFeatures implements data.ChangeStore: the layer's partition filtered by its id column for
// a full version, the delta's changes then its parent for a delta.
func (s *Store) LoadFeatures(ctx context.Context, v int64, l data.Layer, ids []string) (*data.Dataset, error) {
	t, err := tableOf(l)
	if err != nil {
		return nil, err
	}
	ds := &data.Dataset{Version: v}
	err = pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		var ok bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM dataset_version WHERE version = $1)`, v).Scan(&ok); err != nil {
			return err
		}
		if !ok {
			return data.ErrNoVersion
		}
		return featuresIn(ctx, tx, ds, t, v, ids)
	})
	if err != nil {
		return nil, fmt.Errorf("load features of version %d: %w", v, err)
	}
	return ds, nil
}

func featuresIn(ctx context.Context, tx pgx.Tx, ds *data.Dataset, t *table, v int64, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	var parent, from, upto int64
	err := tx.QueryRow(ctx, `SELECT parent, from_seq, upto_seq FROM version_delta WHERE version = $1`, v).Scan(&parent, &from, &upto)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		rows, err := tx.Query(ctx, fmt.Sprintf(`SELECT %s FROM %s WHERE version = $1 AND %s::text = ANY($2) ORDER BY seq`,
			t.selectList(), t.name, t.cols[0].name), v, ids)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			if err := t.scan(rows, ds); err != nil {
				return err
			}
		}
		return rows.Err()
	case err != nil:
		return err
	}
	cs, err := queryChanges(ctx, tx, `WHERE base = $1 AND seq > $2 AND seq <= $3 AND layer = $4 AND fid = ANY($5) ORDER BY seq`, parent, from, upto, string(t.layer), ids)
	if err != nil {
		return err
	}
	rest, changed := data.SplitByChanges(ids, cs)
	if err := featuresIn(ctx, tx, ds, t, parent, rest); err != nil {
		return err
	}
	*ds = *data.Apply(ds, changed)
	return nil
}
