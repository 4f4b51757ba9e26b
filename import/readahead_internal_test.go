package importer

import (
	"database/sql/driver"
	"errors"
	"io"
	"testing"
)

// countRows are n rows of two columns (the row number and its text), then failErr or io.EOF.
type countRows struct {
	n, next int
	failErr error
	closed  bool
}

func (r *countRows) Columns() []string { return []string{"i", "s"} }
func (r *countRows) Close() error      { r.closed = true; return nil }
func (r *countRows) Next(dest []driver.Value) error {
	if r.closed {
		return errors.New("Next after Close")
	}
	if r.next == r.n {
		if r.failErr != nil {
			return r.failErr
		}
		return io.EOF
	}
	dest[0], dest[1] = int64(r.next), string(rune('a'+r.next%26))
	r.next++
	return nil
}

// TestReadAhead checks that the rows come through in order, whole, with the error that ended
// them, and that stopping midway leaves the rows untouched once stop returns.
func TestReadAhead(t *testing.T) {
	broken := errors.New("disk I/O error")
	tests := []struct {
		name     string
		rows     int
		failErr  error
		stopAt   int // stop after this many rows were taken; -1: read to the end
		wantRows int
	}{
		{"no rows", 0, nil, -1, 0},
		{"less than a batch", 3, nil, -1, 3},
		{"exactly a batch", readAheadRows, nil, -1, readAheadRows},
		{"many batches", 5*readAheadRows + 17, nil, -1, 5*readAheadRows + 17},
		{"a read error ends them", 2*readAheadRows + 5, broken, -1, 2*readAheadRows + 5},
		{"stopped after the first batch", 10 * readAheadRows, nil, readAheadRows, readAheadRows},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows := &countRows{n: tt.rows, failErr: tt.failErr}
			ahead := readAhead(rows, 2)
			got := 0
			var err error
			for b := ahead.next(); b != nil; b = ahead.next() {
				for k := range b.n {
					v := b.row(k, 2)
					if v[0] != int64(got) || v[1] != string(rune('a'+got%26)) {
						t.Fatalf("row %d read as %v", got, v)
					}
					got++
				}
				err = b.err
				ahead.recycle(b)
				if got == tt.stopAt {
					break
				}
			}
			ahead.stop()
			rows.Close() // what the caller does next: the reader must be done with the rows
			if got != tt.wantRows {
				t.Errorf("%d rows, want %d", got, tt.wantRows)
			}
			if !errors.Is(err, tt.failErr) {
				t.Errorf("error %v, want %v", err, tt.failErr)
			}
			ahead.stop() // twice is harmless
		})
	}
}
