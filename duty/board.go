package duty

import (
	"fmt"
	"sync"
	"sync/atomic"

	"citygeo/data"
)

// Board keeps a deployment's current roster and its index for the dataset versions being
// served. The roster changes by Replace (an import); the dataset by the server's version swaps,
// after which the first lookup builds the index for the new version. Reads never lock when the
// index is built; a build is serialised.
type Board struct {
	opts   Options
	roster atomic.Pointer[Roster]

	mu    sync.Mutex               // one build at a time
	built [2]atomic.Pointer[Index] // the last two indexes, so a rollback to the version before costs no rebuild
}

// NewBoard returns a board holding r (nil: an empty roster), building indexes with opts.
func NewBoard(r *Roster, opts Options) *Board {
	if r == nil {
		r = NewRoster(&data.Roster{})
	}
	b := &Board{opts: opts}
	b.roster.Store(r)
	return b
}

// Roster returns the current roster.
func (b *Board) Roster() *Roster { return b.roster.Load() }

// cached returns the built index of the current roster for dataset ds, or nil.
func (b *Board) cached(ds *data.Dataset) *Index {
	r := b.roster.Load()
	for i := range b.built {
		if ix := b.built[i].Load(); ix != nil && ix.ds == ds && ix.roster == r {
			return ix
		}
	}
	return nil
}

// Index returns the index of the current roster for c's dataset, building it on first use.
// Records that no longer resolve against this version (a road renamed, a grid gone) are left
// out; Index.Findings lists them.
func (b *Board) Index(c City) *Index {
	if ix := b.cached(c.Dataset); ix != nil {
		return ix
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if ix := b.cached(c.Dataset); ix != nil {
		return ix
	}
	ix, _ := Build(b.roster.Load(), c, b.opts)
	b.keep(ix)
	return ix
}

// keep stores a built index, dropping the older of the two kept. Callers hold mu.
func (b *Board) keep(ix *Index) {
	b.built[1].Store(b.built[0].Load())
	b.built[0].Store(ix)
}

// Replace makes r the roster when it builds against c without an error finding and save (when
// not nil) keeps it, and returns the new index with every finding (warnings included). When any
// finding is an error, nothing changes and the error is a *RejectedError listing them; when save
// fails, nothing changes and its error is returned. save runs under the board's lock, so that
// two replacements are kept in the order they are served.
func (b *Board) Replace(r *Roster, c City, save func() error) (*Index, Findings, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	ix, fs := Build(r, c, b.opts)
	if err := fs.Err(); err != nil {
		return nil, fs, err
	}
	if save != nil {
		if err := save(); err != nil {
			return nil, fs, fmt.Errorf("duty lists not saved, nothing changed: %w", err)
		}
	}
	b.roster.Store(r)
	b.keep(ix)
	return ix, fs, nil
}

// Findings returns what Build found while resolving the roster against this dataset version.
func (ix *Index) Findings() Findings { return ix.findings }

// Roster returns the roster the index was built from.
func (ix *Index) Roster() *Roster { return ix.roster }
