package importer

import (
	"database/sql/driver"
	"io"
)

// readAheadRows is how many rows one batch of readAhead carries: enough that handing a batch
// over costs nothing beside reading it, few enough that the reader never holds much.
const readAheadRows = 256

// rowBatch is up to readAheadRows rows of a query, their values one row after another.
type rowBatch struct {
	vals []driver.Value // n rows of the query's columns
	n    int
	err  error // the read error that ended the rows after these (not io.EOF)
}

// row returns the values of row i of b, of cols columns each.
func (b *rowBatch) row(i, cols int) []driver.Value { return b.vals[i*cols : (i+1)*cols] }

// rowReader reads a query's rows on a goroutine of its own, a batch ahead of the one
// converting them. Stepping SQLite through a GeoPackage is about a third of an import's
// reading (modernc's VM and its copies of each value); on a machine with a second core it then
// runs beside the conversion instead of before it. The driver copies every value it returns
// (text into a fresh string, a blob into a fresh slice), so a batch's values stay valid after
// the next row is read.
type rowReader struct {
	batches <-chan *rowBatch
	free    chan *rowBatch // converted batches, for the reader to fill again
	done    chan struct{}  // closed by stop: read no more
	stopped chan struct{}  // closed when the reading goroutine has returned
}

// readAhead starts reading rows, of cols columns, in batches. The caller takes the batches from
// next, gives each back with recycle, and must call stop before it uses or closes rows again.
func readAhead(rows driver.Rows, cols int) *rowReader {
	out := make(chan *rowBatch, 2)
	r := &rowReader{batches: out, free: make(chan *rowBatch, 4), done: make(chan struct{}), stopped: make(chan struct{})}
	go func() {
		defer close(r.stopped)
		defer close(out)
		for {
			var b *rowBatch
			select {
			case b = <-r.free:
				b.n, b.err = 0, nil
			default:
				b = &rowBatch{vals: make([]driver.Value, readAheadRows*max(cols, 1))}
			}
			end := false
			for b.n < readAheadRows {
				err := rows.Next(b.row(b.n, cols))
				if err != nil {
					if err != io.EOF {
						b.err = err
					}
					end = true
					break
				}
				b.n++
			}
			select {
			case out <- b:
			case <-r.done:
				return
			}
			if end {
				return
			}
		}
	}()
	return r
}

// next returns the next batch, or nil once the rows are read.
func (r *rowReader) next() *rowBatch { return <-r.batches }

// recycle gives a converted batch back to be filled again.
func (r *rowReader) recycle(b *rowBatch) {
	select {
	case r.free <- b:
	default:
	}
}

// stop ends the reading, at once or after the batch being read, and waits until the reading
// goroutine no longer touches the rows.
func (r *rowReader) stop() {
	select {
	case <-r.done:
	default:
		close(r.done)
	}
	<-r.stopped
}
