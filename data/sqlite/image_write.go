package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/paulmach/orb"

	"citygeo/data"
)

var _ data.ImageStore = (*Store)(nil)

// WriteImage writes the image of the imaged layers that version ds.Version has none of (a
// version stored by a citygeo older than images, or one whose image was lost), from ds as Load
// read it from the rows, so that the next load of the version reads the image. A delta version
// (edits folded into a version) is loaded from the full version it was edited from, so that
// version's image is written, from its rows read again (once: ds holds the edited features). It
// returns the layers written: none when the image is there, or ds does not hold those layers
// whole. A layer with a value the image cannot hold stays without one, as when it was saved.
//
// The layers are encoded and inserted in one write transaction, chunk by chunk, so a stop at any
// point leaves the version as it was; the missing layers are found again inside it, so two
// processes starting on the same store write the image once.
func (s *Store) WriteImage(ctx context.Context, ds *data.Dataset) ([]data.Layer, error) {
	root, err := s.fullVersion(ctx, ds.Version)
	if err != nil {
		return nil, err
	}
	if root != ds.Version {
		missing, err := s.unimaged(ctx, root, nil)
		if err != nil || len(missing) == 0 {
			return nil, err
		}
		if ds, err = s.LoadLayers(ctx, root, missing); err != nil {
			return nil, fmt.Errorf("image of version %d: %w", root, err)
		}
	}
	missing, err := s.unimaged(ctx, ds.Version, ds)
	if err != nil || len(missing) == 0 {
		return nil, err
	}
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("image of version %d: %w", ds.Version, err)
	}
	defer conn.Close()
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("image of version %d: %w", ds.Version, err)
	}
	defer tx.Rollback()
	if missing, err = unimagedIn(ctx, tx, ds.Version, ds); err != nil || len(missing) == 0 {
		return nil, err
	}
	var written []data.Layer
	for _, l := range missing {
		ok, err := writeLayerImage(ctx, tx, ds, l)
		if err != nil {
			return nil, fmt.Errorf("image of version %d: %s: %w", ds.Version, l, err)
		}
		if ok {
			written = append(written, l)
		}
	}
	if len(written) == 0 {
		return nil, nil
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("image of version %d: %w", ds.Version, err)
	}
	return written, nil
}

// fullVersion returns the full version that version v is loaded from: v itself, or for a delta
// version the first full version up its chain of parents.
func (s *Store) fullVersion(ctx context.Context, v int64) (int64, error) {
	for range maxDeltaChain {
		p, err := s.DeltaParent(ctx, v)
		if err != nil || p == 0 {
			return v, err
		}
		v = p
	}
	return 0, fmt.Errorf("image of version %d: more than %d delta versions above it", v, maxDeltaChain)
}

// maxDeltaChain bounds the walk up a chain of delta versions, which a store's writes keep
// acyclic; a bound turns a damaged file into an error instead of a hang.
const maxDeltaChain = 1 << 20

// unimaged returns the layers WriteImage would write, from a read transaction: the check every
// load of an imaged version makes, so it takes no write lock.
func (s *Store) unimaged(ctx context.Context, v int64, ds *data.Dataset) ([]data.Layer, error) {
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("image of version %d: %w", v, err)
	}
	defer tx.Rollback()
	return unimagedIn(ctx, tx, v, ds)
}

// unimagedIn returns the imaged layers of full version v that have features but no whole image
// in this code's format, and, when ds is not nil, that ds holds whole.
func unimagedIn(ctx context.Context, tx *sql.Tx, v int64, ds *data.Dataset) ([]data.Layer, error) {
	var delta int
	var cj string
	err := tx.QueryRowContext(ctx, `SELECT counts, (SELECT count(*) FROM version_delta WHERE version = ?) FROM dataset_version WHERE version = ?`, v, v).Scan(&cj, &delta)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("image of version %d: %w", v, data.ErrNoVersion)
	}
	if err != nil {
		return nil, fmt.Errorf("image of version %d: %w", v, err)
	}
	if delta > 0 {
		return nil, nil
	}
	var counts map[data.Layer]int
	if err := json.Unmarshal([]byte(cj), &counts); err != nil {
		return nil, nil // counts unknown: the loads read rows, and so does this
	}
	var missing []data.Layer
	for _, l := range data.Layers {
		n := counts[l]
		if !imaged[l] || n == 0 || ds != nil && ds.Count(l) != n {
			continue
		}
		parts, err := imageParts(ctx, tx, v, l, n)
		if err != nil {
			return nil, fmt.Errorf("image of version %d: %w", v, err)
		}
		if parts == nil {
			missing = append(missing, l)
		}
	}
	return missing, nil
}

// writeLayerImage replaces whatever chunks layer l of ds's version has by its whole image. It
// reports false, writing nothing, when a feature cannot be imaged.
func writeLayerImage(ctx context.Context, tx *sql.Tx, ds *data.Dataset, l data.Layer) (bool, error) {
	if _, err := tx.ExecContext(ctx, `DELETE FROM layer_image WHERE version = ? AND layer = ?`, ds.Version, string(l)); err != nil {
		return false, err
	}
	e := newImageEncoder(l)
	insert := func(p *imagePart) error {
		_, err := tx.ExecContext(ctx, insertImageSQL, ds.Version, string(p.layer), int64(p.lo), int64(p.n), int64(imageFormat), p.data)
		return err
	}
	err := encodeLayer(ds, l, func(_ data.Layer, i int, fid string, g orb.Geometry, _ any) error {
		gb, err := encodeGeom(g)
		if err != nil {
			return err
		}
		p, err := e.add(i, fid, featureAt(ds, l, i), gb)
		if err != nil {
			return err
		}
		if p != nil {
			return insert(p)
		}
		return ctx.Err()
	})
	if errors.Is(err, errNoImage) {
		return false, nil // the deleted chunks were partial or of another format: never read
	}
	if err != nil {
		return false, err
	}
	if p := e.flush(); p != nil {
		return true, insert(p)
	}
	return true, nil
}
