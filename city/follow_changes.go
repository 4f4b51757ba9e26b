package city

import (
	"context"
	"errors"
	"time"

	"citygeo/data"
)

// DefaultChangePoll is how often FollowChanges reads the change log when the server is not told
// otherwise: well inside the second in which an edit must reach every replica.
const DefaultChangePoll = 250 * time.Millisecond

// changePage is how many changes one read of the log returns at most.
const changePage = 1000

// Replicas on one store (PostgreSQL) share edits through its change log. The overlay of the
// snapshot served is kept a prefix of that log: the changes recorded against its version, in
// log order, up to its last one (overlay.seq). The store numbers changes in commit order (an
// advisory lock, see data/postgis), so a read of the log after overlay.seq misses nothing that
// an earlier read did not see. A follower reads the log every DefaultChangePoll, and this
// process's own edits are published through the same read, after the others' that committed
// before them; so a fold saves (Delta.Upto = overlay.seq) exactly what it serves. Should a read
// fail right after an edit was recorded, the edit is served at once all the same and the
// overlay is rebuilt from the store's pending changes at the next step (resync).

// FollowChanges serves, within about interval, the edits other processes record against the
// version served (replicas of one PostgreSQL store), and from its start publishes this
// process's own edits in the log's order. It returns ErrNoChanges when the store keeps no
// changes, else when ctx ends; a store that cannot be read is logged and read again at the next
// step.
func (c *City) FollowChanges(ctx context.Context, interval time.Duration) error {
	cs, ok := c.store.(data.ChangeStore)
	if !ok {
		return ErrNoChanges
	}
	c.mu.Lock()
	c.followChanges = true
	c.mu.Unlock()
	t := time.NewTicker(interval)
	defer t.Stop()
	failing := false
	for {
		err := c.catchUp(ctx, cs)
		switch {
		case err != nil && ctx.Err() == nil && !failing:
			c.log.Error("follow changes", "err", err)
			failing = true
		case err == nil && failing:
			c.log.Info("follow changes: the change log is read again")
			failing = false
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// catchUp serves the changes recorded against the current snapshot's version after those it
// holds.
func (c *City) catchUp(ctx context.Context, cs data.ChangeStore) error {
	c.mu.Lock()
	if c.resync && c.fold == nil {
		if err := c.resyncOverlay(ctx); err != nil {
			c.mu.Unlock()
			return err
		}
	}
	snap := c.Current()
	if snap == nil {
		c.mu.Unlock()
		return nil
	}
	after := snap.logCursor()
	c.mu.Unlock()
	for {
		chs, err := cs.ChangesAfter(ctx, after, changePage)
		if err != nil {
			return err
		}
		c.mu.Lock()
		c.serveLog(snap, chs)
		c.mu.Unlock()
		if len(chs) < changePage {
			return nil
		}
		after = chs[len(chs)-1].Seq
	}
}

// logCursor is the last change of the log the snapshot has read. Callers hold mu.
func (s *Snapshot) logCursor() int64 {
	if o := s.edits.Load(); o != nil {
		return max(s.logSeq, o.seq)
	}
	return s.logSeq
}

// serveLog serves, of chs (read from the log, in Seq order), the changes against the snapshot's
// version (or the version a fold of it is saved as) that it does not hold yet. Callers hold mu.
func (c *City) serveLog(snap *Snapshot, chs []data.Change) {
	if c.Current() != snap || len(chs) == 0 {
		return
	}
	from := snap.logCursor()
	var add []data.Change
	var olds []*data.Dataset
	before := map[featureKey]*data.Dataset{} // a feature as the changes before in chs left it
	for _, ch := range chs {
		if ch.Seq <= from || ch.Base != snap.Version() && ch.Base != c.editBase(snap) {
			continue
		}
		k := featureKey{ch.Layer, ch.ID}
		old, ok := before[k]
		if !ok {
			old = snap.Feature(ch.Layer, ch.ID)
		}
		add, olds = append(add, ch), append(olds, old)
		before[k] = ch.After
	}
	snap.logSeq = max(snap.logSeq, chs[len(chs)-1].Seq)
	if len(add) > 0 {
		snap.serve(add, olds)
	}
}

// publishOwn publishes a recorded group of this process's edits to snap. When following the
// log, the group is served through a read of it (log, read after the group was recorded: the
// others' changes that committed first come first); an edit the read did not bring is served
// directly, and the overlay is rebuilt from the store at the next step. Callers hold mu.
func (c *City) publishOwn(snap *Snapshot, chs []data.Change, olds []*data.Dataset, log []data.Change, logErr error) {
	if !c.followChanges {
		snap.serve(chs, olds)
		return
	}
	if logErr == nil {
		c.serveLog(snap, log)
	}
	held := snap.logCursor()
	var rest []data.Change
	var restOlds []*data.Dataset
	for i, ch := range chs {
		if ch.Seq > held {
			rest, restOlds = append(rest, ch), append(restOlds, olds[i])
		}
	}
	if len(rest) > 0 {
		if logErr != nil {
			c.log.Error("follow changes: reading the log after an edit", "err", logErr)
		}
		snap.serve(rest, restOlds)
		c.resync = true
	}
}

// resyncOverlay serves the current version with exactly the changes the store holds pending
// against it (the overlay may have skipped some: see publishOwn). Callers hold mu.
func (c *City) resyncOverlay(ctx context.Context) error {
	snap := c.Current()
	if snap == nil {
		return nil
	}
	fresh, err := c.withPending(ctx, snap)
	if err != nil {
		return err
	}
	c.resync = false
	if fresh != snap {
		c.Swap(fresh)
	}
	return nil
}

// foldRefused reports whether a fold failed because another process changed the active
// version first (a replica's fold of the same edits, an import): not an error of this one.
func foldRefused(err error) bool { return errors.Is(err, data.ErrStaleBase) }
