package city

import (
	"context"
	"fmt"

	"citygeo/data"
)

// Edits are committed in groups: each is checked and staged under mu, then one committer
// records every edit staged meanwhile in a single store transaction (one fsync for the group,
// as field.Force does for fixes) and publishes them in order. An editor waits for its group's
// commit, so an edit is durable when Edit returns; a group whose commit fails fails as a whole,
// with the edits staged after it (they were checked against it).

// staged is an edit checked and waiting for its group commit.
type staged struct {
	ch   data.Change
	old  *data.Dataset // the feature before the edit, nil when created
	snap *Snapshot     // the snapshot the edit was checked against and is served by
	done chan error    // the commit's outcome
}

type featureKey struct {
	l  data.Layer
	id string
}

// stagedFeature is the feature as served with the staged edits applied. Callers hold mu.
func (c *City) stagedFeature(snap *Snapshot, l data.Layer, id string) *data.Dataset {
	if f, ok := c.staging[featureKey{l, id}]; ok && f.snap == snap {
		return f.ch.After
	}
	return snap.Feature(l, id)
}

// stageEdit queues st for the committer, starting one when none runs. Callers hold mu.
func (c *City) stageEdit(cs data.ChangeStore, st *staged) {
	if c.staging == nil {
		c.staging = map[featureKey]*staged{}
	}
	c.stage = append(c.stage, st)
	c.staging[featureKey{st.ch.Layer, st.ch.ID}] = st
	if !c.committing {
		c.committing = true
		go c.commitLoop(cs)
	}
}

// commitLoop records and publishes the staged edits, a group at a time, until none is left.
func (c *City) commitLoop(cs data.ChangeStore) {
	ctx := context.Background()
	for {
		c.mu.Lock()
		batch := c.stage
		c.stage = nil
		if len(batch) == 0 {
			c.committing = false
			c.idle.Broadcast()
			c.mu.Unlock()
			return
		}
		changes := make([]data.Change, len(batch))
		for i, st := range batch {
			changes[i] = st.ch
			changes[i].Base = c.editBase(st.snap)
		}
		following, cursor := c.followChanges, int64(0)
		if cur := c.Current(); following && cur != nil {
			cursor = cur.logCursor()
		}
		c.mu.Unlock()

		err := checkActive(ctx, cs, changes)
		if err == nil {
			err = cs.Record(ctx, changes)
		}
		// Following the log (replicas): the group is published through a read of it, after
		// the others' changes that committed first (follow_changes.go).
		var log []data.Change
		var logErr error
		if err == nil && following {
			log, logErr = cs.ChangesAfter(ctx, cursor, changePage)
		}

		c.mu.Lock()
		failed := batch
		if err != nil {
			// The edits staged meanwhile were checked against this group: they fail with it.
			failed = append(failed, c.stage...)
			c.stage = nil
		} else {
			var chs []data.Change
			var olds []*data.Dataset
			for i, st := range batch {
				st.ch = changes[i]
				if st.snap == c.Current() {
					chs, olds = append(chs, st.ch), append(olds, st.old)
				}
			}
			if len(chs) > 0 {
				c.publishOwn(c.Current(), chs, olds, log, logErr)
			}
			c.maybeFold()
		}
		// Published (or failed): the overlay answers for these features now.
		for _, st := range append(batch, failed[len(batch):]...) {
			k := featureKey{st.ch.Layer, st.ch.ID}
			if c.staging[k] == st {
				delete(c.staging, k)
			}
		}
		c.mu.Unlock()
		for _, st := range batch {
			st.done <- err
		}
		for _, st := range failed[len(batch):] {
			st.done <- fmt.Errorf("an edit staged before this one failed: %w", err)
		}
	}
}

// checkActive refuses a group whose base is not the store's active version: an edit recorded
// against a version another process has replaced would be served by nobody.
func checkActive(ctx context.Context, cs data.ChangeStore, changes []data.Change) error {
	active, err := cs.ActiveVersion(ctx)
	if err != nil {
		return err
	}
	for _, ch := range changes {
		if ch.Base != active {
			return fmt.Errorf("version %d is active, %d served: %w", active, ch.Base, data.ErrStaleBase)
		}
	}
	return nil
}

// quiesce waits until no edit is staged or being recorded and holds new ones back until
// release: a fold or an upsert then sees every edit in the store and the overlay alike.
// Callers hold mu; it may release and retake it while waiting.
func (c *City) quiesce() (release func()) {
	for c.quiescing {
		c.idle.Wait()
	}
	c.quiescing = true
	for c.committing {
		c.idle.Wait()
	}
	return func() {
		c.quiescing = false
		c.idle.Broadcast()
	}
}
