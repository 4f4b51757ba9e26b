package city

import (
	"context"

	"citygeo/data"
	importer "citygeo/import"
)

// Count returns the number of features of layer l as served now (edits applied).
func (s *Snapshot) Count(l data.Layer) int {
	n := s.Dataset.Count(l)
	if o := s.edits.Load(); o != nil {
		for _, c := range o.changes {
			if c.Layer != l {
				continue
			}
			switch c.Op {
			case data.OpCreate:
				n++
			case data.OpDelete:
				n--
			}
		}
	}
	return n
}

// upsertBase is the served snapshot as an upsert's base: its features as served, its version
// the one edits are recorded against.
type upsertBase struct {
	*Snapshot
	version int64
}

func (b upsertBase) Version() int64 { return b.version }

var _ importer.Base = upsertBase{}

// Upsert imports files by id (importer.Upsert) against the version served, edits included, and
// serves the version it makes: the parent plus the served edits plus the upsert's changes. Like
// Import it refuses a second import at once (ErrImportBusy) and writes nothing on a validation
// error.
func (c *City) Upsert(ctx context.Context, files []string, deletes map[data.Layer][]string, opts importer.Options) (Committed, *importer.Report, error) {
	if c.store == nil {
		return Committed{}, nil, ErrNoStore
	}
	cs, ok := c.store.(data.ChangeStore)
	if !ok {
		return Committed{}, nil, ErrNoChanges
	}
	if !c.importing.CompareAndSwap(false, true) {
		return Committed{}, nil, ErrImportBusy
	}
	defer c.importing.Store(false)
	c.mu.Lock()
	defer c.mu.Unlock()
	defer c.quiesce()()
	snap := c.Current()
	if snap == nil {
		return Committed{}, nil, data.ErrNoActive
	}
	v, rep, err := importer.Upsert(ctx, cs, upsertBase{snap, c.editBase(snap)}, files, deletes, opts)
	if err != nil {
		return Committed{}, rep, err
	}
	return c.serveCommitted(ctx, v), rep, nil
}
