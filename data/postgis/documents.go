package postgis

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Documents keeps a deployment's lists that are not dataset layers — the duty lists, whose
// codec is the domain's — as whole documents by name in the table citygeo_document, so that
// every replica of a database serves the same ones. Each write of a document gives it the next
// number of one sequence: a replica that polls Seq learns that a document changed with one
// indexed read, and reads it only then.
type Documents struct {
	pool *pgxpool.Pool
}

const documentSchema = `
CREATE SEQUENCE IF NOT EXISTS citygeo_document_seq;
CREATE TABLE IF NOT EXISTS citygeo_document (
	name     text PRIMARY KEY,
	doc      bytea       NOT NULL,
	seq      bigint      NOT NULL,
	saved_at timestamptz NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS citygeo_document_seq_key ON citygeo_document (seq);
`

// OpenDocuments connects to the database at url (as Open) and creates the documents table when
// it is missing.
func OpenDocuments(ctx context.Context, url string) (*Documents, error) {
	pool, _, err := openTables(ctx, url, "document store", "citygeo_document_seq_key", "", documentSchema)
	if err != nil {
		return nil, err
	}
	return &Documents{pool: pool}, nil
}

// Close closes the connections.
func (s *Documents) Close() error {
	s.pool.Close()
	return nil
}

// Put stores doc under name, replacing what was there, durably when it returns, and returns
// the document's new sequence number.
func (s *Documents) Put(ctx context.Context, name string, doc []byte) (int64, error) {
	var seq int64
	err := s.pool.QueryRow(ctx, `INSERT INTO citygeo_document (name, doc, seq, saved_at)
		VALUES ($1, $2, nextval('citygeo_document_seq'), now())
		ON CONFLICT (name) DO UPDATE SET doc = excluded.doc, seq = excluded.seq, saved_at = excluded.saved_at
		RETURNING seq`, name, doc).Scan(&seq)
	if err != nil {
		return 0, fmt.Errorf("save document %s: %w", name, err)
	}
	return seq, nil
}

// Get returns the document stored under name with its sequence number; nil and 0 when there is
// none.
func (s *Documents) Get(ctx context.Context, name string) ([]byte, int64, error) {
	var doc []byte
	var seq int64
	err := s.pool.QueryRow(ctx, `SELECT doc, seq FROM citygeo_document WHERE name = $1`, name).Scan(&doc, &seq)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, 0, nil
	}
	if err != nil {
		return nil, 0, fmt.Errorf("read document %s: %w", name, err)
	}
	return doc, seq, nil
}

// Seq returns the sequence number of the document stored under name, 0 when there is none.
func (s *Documents) Seq(ctx context.Context, name string) (int64, error) {
	var seq int64
	err := s.pool.QueryRow(ctx, `SELECT seq FROM citygeo_document WHERE name = $1`, name).Scan(&seq)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read document %s: %w", name, err)
	}
	return seq, nil
}
