package city

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"citygeo/data"
)

// folding is a fold under way: the delta version it saved and the snapshot it was taken of.
// While it builds, edits to that snapshot are recorded against the new version (the store has
// moved the later ones there already) and served from the old snapshot's overlay.
type folding struct {
	of      *Snapshot
	version int64
}

// editBase returns the version an edit of snap is recorded against. Callers hold mu.
func (c *City) editBase(snap *Snapshot) int64 {
	if c.fold != nil && c.fold.of == snap {
		return c.fold.version
	}
	return snap.Version()
}

// foldDuty is the most of the time folds may take: after a fold that built for d, the next
// waits until (foldDuty⁻¹ − 1)·d has passed, so on a large city under a stream of edits the
// rebuilds take at most a fifth of the time and the overlay grows past FoldAfter meanwhile.
const foldDuty = 5

// maybeFold starts a fold in the background when the overlay has grown to FoldAfter changes or
// holds a change that only a rebuild serves (addresses, POIs, roads), and the last fold is
// far enough behind (foldDuty). Callers hold mu.
func (c *City) maybeFold() {
	o := c.Current().edits.Load()
	if o == nil || (len(o.changes) < FoldAfter && o.others == 0) || c.fold != nil {
		return
	}
	if time.Since(c.lastFold.end) < (foldDuty-1)*c.lastFold.took {
		return
	}
	go func() {
		switch err := c.Fold(context.Background()); {
		case foldRefused(err):
			c.log.Info("fold edits: another process made a new version first; it is served once loaded", "err", err)
		case err != nil:
			c.log.Error("fold edits", "err", err)
		}
	}()
}

// Fold makes the edits served over the current snapshot a version of their own and serves it
// with fresh indexes. The version is a delta (data.ChangeStore.SaveDelta: the parent plus its
// changes, kilobytes for a few edits) saved and activated at once; the indexes are built
// without holding the edit lock, so edits go on meanwhile, and those made during the build are
// carried over to the new snapshot's overlay. One fold runs at a time; with no edits it does
// nothing.
func (c *City) Fold(ctx context.Context) error {
	cs, ok := c.store.(data.ChangeStore)
	if !ok {
		return ErrNoChanges
	}
	c.mu.Lock()
	if c.fold != nil {
		c.mu.Unlock()
		return nil
	}
	release := c.quiesce()
	if c.resync {
		if err := c.resyncOverlay(ctx); err != nil {
			release()
			c.mu.Unlock()
			return err
		}
	}
	snap := c.Current()
	o := (*overlay)(nil)
	if snap != nil {
		o = snap.edits.Load()
	}
	if o == nil || len(o.changes) == 0 || c.fold != nil {
		release()
		c.mu.Unlock()
		return nil
	}
	ds := data.Apply(snap.Dataset, o.changes)
	counts := map[data.Layer]int{}
	for _, l := range data.Layers {
		counts[l] = ds.Count(l)
	}
	v, err := cs.SaveDelta(context.WithoutCancel(ctx), data.Delta{Parent: snap.Version(), Upto: o.seq,
		Source: fmt.Sprintf("%d edits over version %d", len(o.changes), snap.Version()), Counts: counts})
	if err != nil {
		release()
		c.mu.Unlock()
		return err
	}
	c.fold = &folding{of: snap, version: v}
	release()
	c.mu.Unlock()

	ds.Version, ds.Source = v, fmt.Sprintf("%d edits over version %d", len(o.changes), snap.Version())
	next, err := Build(ds, c.opts)

	c.mu.Lock()
	defer c.mu.Unlock()
	// Every edit staged against the old snapshot is published in its overlay before the carry
	// over reads it.
	defer c.quiesce()()
	return c.finishFold(ctx, snap, len(o.changes), v, next, err)
}

// finishFold serves next, version v built (or not: err) from snap with the first n changes of
// its overlay; the changes snap served after those (made while next was built, recorded against
// v) are carried over to next's overlay. Callers hold mu, with edits quiesced.
func (c *City) finishFold(ctx context.Context, snap *Snapshot, n int, v int64, next *Snapshot, err error) error {
	c.fold = nil
	if c.Current() != snap {
		return nil // an import or activation replaced the snapshot meanwhile
	}
	if err != nil {
		// The store holds version v, a valid delta; serve it as a restart would.
		c.log.Error("fold: building the folded version failed; loading it from the store", "version", v, "err", err)
		return c.reload(ctx, v)
	}
	next.logSeq = snap.logCursor()
	if cur := snap.edits.Load(); cur != nil {
		for _, ch := range cur.changes[n:] {
			ch.Base = v
			next.serve([]data.Change{ch}, []*data.Dataset{next.Feature(ch.Layer, ch.ID)})
		}
	}
	c.Swap(next)
	c.previous = snap
	c.lastFold.end, c.lastFold.took = time.Now(), next.BuildTime
	c.log.Info("edits folded", "version", v, "parent", snap.Version(), "changes", n, "build", next.BuildTime)
	return nil
}

// adoptFold serves version v when another process (a replica on the same store) made it as a
// fold of the version served here, of changes this process serves too: it builds v from the
// snapshot and those changes in the background, as its own fold would, instead of loading two
// million rows from the store; meanwhile the snapshot goes on serving, edits are recorded against
// v and served from its overlay, and are carried over. It reports false, having changed nothing,
// when v is no such fold or the overlay does not hold every change v holds. Only a City that
// follows the change log (FollowChanges) adopts: its overlay is a prefix of the log. Callers
// hold mu.
func (c *City) adoptFold(ctx context.Context, v int64) bool {
	cs, ok := c.store.(data.ChangeStore)
	snap := c.Current()
	if !ok || !c.followChanges || c.resync || c.fold != nil || snap == nil || snap.Version() == v {
		return false
	}
	parent, err := cs.DeltaParent(ctx, v)
	if err != nil || parent != snap.Version() {
		return false
	}
	upto, err := cs.VersionSeq(ctx, v)
	if err != nil {
		return false
	}
	// From here on the changes after upto are v's: serveLog takes them (editBase), and reads up
	// to upto the ones of the parent not yet held.
	c.fold = &folding{of: snap, version: v}
	for snap.logCursor() < upto {
		chs, err := cs.ChangesAfter(ctx, snap.logCursor(), changePage)
		if err != nil || len(chs) == 0 {
			c.fold = nil
			return false
		}
		c.serveLog(snap, chs)
	}
	o := snap.edits.Load()
	var held []data.Change
	if o != nil {
		held = o.changes
	}
	n, _ := slices.BinarySearchFunc(held, upto+1, func(ch data.Change, seq int64) int { return cmp.Compare(ch.Seq, seq) })
	go func() {
		ds := data.Apply(snap.Dataset, held[:n])
		ds.Version, ds.Source = v, fmt.Sprintf("%d edits over version %d", n, snap.Version())
		next, err := Build(ds, c.opts)
		c.mu.Lock()
		defer c.mu.Unlock()
		defer c.quiesce()()
		if err := c.finishFold(context.Background(), snap, n, v, next, err); err != nil {
			c.log.Error("serve another replica's fold", "version", v, "err", err)
		}
	}()
	c.log.Info("another replica folded the edits served here; building its version from them", "version", v, "changes", n)
	return true
}

// withPending returns snap serving the changes the store holds against its version and no
// delta version holds yet (a start, a rollback, another process's version): snap itself when
// its overlay already holds exactly those (a rollback to the snapshot served just before is a
// pointer swap), else a copy sharing its indexes with those changes served. Callers hold mu.
func (c *City) withPending(ctx context.Context, snap *Snapshot) (*Snapshot, error) {
	cs, ok := c.store.(data.ChangeStore)
	if !ok {
		return snap, nil
	}
	// The log is read from its end as Pending saw it: the changes of this version before it are
	// pending (served here) or sealed into a delta version rolled back from (never to serve).
	pending, from, err := cs.Pending(ctx, snap.Version())
	if err != nil {
		return nil, err
	}
	var held []data.Change
	if o := snap.edits.Load(); o != nil {
		held = o.changes
	}
	if slices.EqualFunc(pending, held, func(a, b data.Change) bool { return a.Seq == b.Seq }) {
		snap.logSeq = max(snap.logSeq, from)
		return snap, nil
	}
	if len(held) > 0 {
		snap = snap.fresh()
	}
	snap.logSeq = from
	for _, ch := range pending {
		snap.serve([]data.Change{ch}, []*data.Dataset{snap.Feature(ch.Layer, ch.ID)})
	}
	return snap, nil
}

// fresh returns a snapshot sharing s's base and indexes with no edits, for serving a version
// again with the overlay its store holds now.
func (s *Snapshot) fresh() *Snapshot {
	n := &Snapshot{Dataset: s.Dataset, Geo: s.Geo, Gazetteer: s.Gazetteer, Info: s.Info, LoadedAt: s.LoadedAt, BuildTime: s.BuildTime}
	n.Tiles = s.Tiles.WithOverlay(tileOverlay{n})
	return n
}
