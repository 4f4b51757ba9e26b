package city

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"citygeo/data"
	importer "citygeo/import"
)

// ErrNoStore is returned by the operations that need a store when the City has none (the
// built-in sample city).
var ErrNoStore = errors.New("no dataset store")

// ErrImportBusy is returned by Import while another import runs: imports are refused, not
// queued, because each one validates against the version active when it starts, and a
// client waiting minutes behind another's upload is better told at once.
var ErrImportBusy = errors.New("another import is running")

// City is the city a server answers for: the current Snapshot behind an atomic pointer, and
// the store its versions come from. Reads never lock; imports, activations and the follower
// that picks up other processes' changes are serialised, and every swap loads the version that
// is active in the store at that moment, so a version once served is never replaced by an
// older one that nobody activated.
type City struct {
	snap  atomic.Pointer[Snapshot]
	store data.Store // nil: a fixed dataset (the sample city)
	opts  Options
	log   *slog.Logger

	mu        sync.Mutex  // one import, activation or follow step at a time
	importing atomic.Bool // true for the whole of an import; a second one is refused
	previous  *Snapshot   // the snapshot the last swap replaced, for an instant rollback; guarded by mu
	fold      *folding    // the fold being built, nil when none; guarded by mu
	lastFold  struct {
		end  time.Time
		took time.Duration
	} // guarded by mu

	// The group commit of edits (commit.go), guarded by mu.
	stage      []*staged              // checked, waiting for the committer
	staging    map[featureKey]*staged // by feature, the last edit staged and not yet published
	committing bool                   // a committer runs
	quiescing  bool                   // a fold or upsert holds new edits back
	idle       *sync.Cond             // on mu: the committer stopped, or quiescing ended

	// Following the store's change log (FollowChanges, follow_changes.go), guarded by mu.
	followChanges bool // edits are published through the log, other processes' with them
	resync        bool // the overlay may lack a change of the log: rebuild it from the store
}

// New returns a City reading versions from st (nil for a fixed dataset given to Swap), building
// snapshots with opts. It serves nothing until Swap or Reload.
func New(st data.Store, opts Options, log *slog.Logger) *City {
	if log == nil {
		log = slog.Default()
	}
	c := &City{store: st, opts: opts, log: log}
	c.idle = sync.NewCond(&c.mu)
	return c
}

// Current returns the snapshot being served, or nil before the first one.
func (c *City) Current() *Snapshot { return c.snap.Load() }

// Swap makes snap the one served and returns the one it replaces (nil at first). Requests in
// flight finish on the snapshot they started with.
func (c *City) Swap(snap *Snapshot) *Snapshot { return c.snap.Swap(snap) }

// Store returns the dataset store, nil for a fixed dataset.
func (c *City) Store() data.Store { return c.store }

// Options returns the options snapshots are built with.
func (c *City) Options() Options { return c.opts }

// Committed says what became of a version committed to the store: whether this process now
// serves it, and if not, why.
type Committed struct {
	Version int64  `json:"version"`
	Served  bool   `json:"served"`            // false: stored and active, not yet answered from (see Message)
	Message string `json:"message,omitempty"` // why the version is not served yet
}

// Import validates files against the active version and, when nothing is an error, stores
// them as a new active version and serves it. A validation failure returns the report and an
// *importer.ValidationError; nothing is stored. While another import runs it returns
// ErrImportBusy at once.
func (c *City) Import(ctx context.Context, files []string, opts importer.Options) (Committed, *importer.Report, error) {
	if c.store == nil {
		return Committed{}, nil, ErrNoStore
	}
	if !c.importing.CompareAndSwap(false, true) {
		return Committed{}, nil, ErrImportBusy
	}
	defer c.importing.Store(false)
	c.mu.Lock()
	defer c.mu.Unlock()
	v, rep, err := importer.Import(ctx, c.store, files, opts)
	if err != nil {
		return Committed{}, rep, err
	}
	return c.serveCommitted(ctx, v), rep, nil
}

// Importing reports whether an import is running now, so that a caller can refuse a second
// upload before receiving its body; Import itself is the authoritative check.
func (c *City) Importing() bool { return c.importing.Load() }

// Activate makes stored version v the active one (a rollback when older) and serves it.
// data.ErrNoVersion when there is no such version.
func (c *City) Activate(ctx context.Context, v int64) (Committed, error) {
	if c.store == nil {
		return Committed{}, ErrNoStore
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.store.Activate(ctx, v); err != nil {
		return Committed{}, err
	}
	return c.serveCommitted(ctx, v), nil
}

// serveCommitted swaps in version v, just committed as the store's active version. The store has
// changed whatever happens to the caller now, so a cancelled request must not cancel the reload
// (context.WithoutCancel). A reload that fails all the same is logged and said in Message: the
// version is stored and active, and this process serves it once a later reload succeeds
// (Follow, restart). Callers hold mu.
func (c *City) serveCommitted(ctx context.Context, v int64) Committed {
	err := c.reload(context.WithoutCancel(ctx), v)
	if err == nil {
		return Committed{Version: v, Served: true}
	}
	c.log.Error("reload after commit", "version", v, "err", err)
	prev := "no version"
	if cur := c.Current(); cur != nil {
		prev = fmt.Sprintf("version %d", cur.Version())
	}
	return Committed{Version: v, Message: fmt.Sprintf("version %d is stored and active in the store but not yet served: loading it failed (%v); this server still answers from %s", v, err, prev)}
}

// writeImage has a store that keeps version images (data.ImageStore) write the image of ds, just
// loaded, when its version was stored without one: a store written by an older citygeo then
// starts in seconds from its second start on, with no re-import. It costs this load a few
// seconds once (2M components: 3.3 s on one core) and any later load a few queries. A failure
// only keeps the version loading from its rows: it is logged, never the load's error.
func (c *City) writeImage(ctx context.Context, ds *data.Dataset) {
	st, ok := c.store.(data.ImageStore)
	if !ok {
		return
	}
	start := time.Now()
	layers, err := st.WriteImage(ctx, ds)
	switch {
	case err != nil:
		c.log.Warn("writing the version's image failed: its loads read the rows, which is slower", "version", ds.Version, "err", err)
	case len(layers) > 0:
		c.log.Info("wrote the image of the version (or of the one it was edited from), which later loads read instead of its rows", "version", ds.Version,
			"layers", layers, "seconds", time.Since(start).Seconds())
	}
}

// reload loads version v and swaps it in. The snapshot it replaces is kept, so rolling back to
// the version served just before is a pointer swap, not a rebuild (a stored version never
// changes, so its snapshot stays valid). Callers hold mu.
func (c *City) reload(ctx context.Context, v int64) error {
	cur := c.Current()
	if cur != nil && cur.Version() == v || c.fold != nil && c.fold.version == v {
		return nil // served, or a fold of this process is building it and will serve it
	}
	snap := c.previous
	if snap == nil || snap.Version() != v {
		ds, err := c.store.Load(ctx, v)
		if err != nil {
			return err
		}
		c.writeImage(ctx, ds)
		// A load leaves about as much garbage as it keeps (decoded rows); collected before
		// the indexes are built on top, it does not add to the peak (100k grids, 2M
		// components: 3.0 → ~2 GB peak RSS at start).
		runtime.GC()
		if snap, err = Build(ds, c.opts); err != nil {
			return err
		}
	}
	snap, err := c.withPending(ctx, snap)
	if err != nil {
		return err
	}
	c.Swap(snap)
	c.previous = cur
	c.log.Info("dataset swapped", "version", v, "grids", len(snap.Dataset.Grids), "components", len(snap.Dataset.Components))
	return nil
}

// Follow keeps the City on the store's active version: the store's Watch reports changes made
// by other processes (citygeo import, rollback, another replica) and each is swapped in. A
// report can be stale by the time it is handled — an import in this process may have
// committed and served a newer version meanwhile — so each step serves the version active in
// the store now, never the reported one. A store that cannot be read is logged and tried again
// (the store's backoff), so a transient failure never ends following. It returns when ctx ends.
func (c *City) Follow(ctx context.Context, interval time.Duration) error {
	if c.store == nil {
		return nil
	}
	return c.store.Watch(ctx, interval, func(int64) {
		c.mu.Lock()
		defer c.mu.Unlock()
		v, err := c.store.ActiveVersion(ctx)
		if err == nil && !c.adoptFold(ctx, v) {
			err = c.reload(ctx, v)
		}
		if err != nil && ctx.Err() == nil && !errors.Is(err, data.ErrNoActive) {
			c.log.Error("follow store", "version", v, "err", err)
		}
	}, func(err error, retryIn time.Duration) {
		c.log.Error("follow store: reading the active version", "err", err, "retry_in", retryIn)
	})
}

// Load serves the store's active version (a server's start).
func (c *City) Load(ctx context.Context) error {
	if c.store == nil {
		return ErrNoStore
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	v, err := c.store.ActiveVersion(ctx)
	if err != nil {
		return err
	}
	return c.reload(ctx, v)
}
