package dispatch

import (
	"context"
	"errors"
	"reflect"
	"sync"
	"time"

	"citygeo/data"
)

// ErrNotShared is what Follow returns at once for a feed whose store has no change feed
// (data.EventChanges): no other process writes to it, so there is nothing to follow.
var ErrNotShared = errors.New("event store is not shared between processes")

// DefaultFollowInterval is how often Follow reads the store's changes when no notification came:
// the bound on how late another replica's event shows here if notifications are lost.
const DefaultFollowInterval = time.Second

// Follow keeps the feed up to date with the events other processes write to its store (the
// replicas of one city on one PostgreSQL database), until ctx ends, and returns ctx.Err(). It
// reads the store's changes whenever the store's Listen says there may be some, and every
// interval regardless, which covers a lost notification. Each change is applied as a local
// write is, subscribers included (the events tiles drop exactly what moved), except that an
// event this feed wrote itself and holds already is not applied twice. A failed read doubles the
// wait, up to data.MaxWatchBackoff, and is told to onErr (when not nil); following goes on.
func (f *Feed) Follow(ctx context.Context, interval time.Duration, onErr func(err error, retryIn time.Duration)) error {
	ch, ok := f.store.(data.EventChanges)
	if !ok {
		return ErrNotShared
	}
	if interval <= 0 {
		interval = DefaultFollowInterval
	}
	report := func(err error, retryIn time.Duration) {
		if onErr != nil && ctx.Err() == nil {
			onErr(err, retryIn)
		}
	}
	wake := make(chan struct{}, 1)
	var listener sync.WaitGroup
	lctx, stop := context.WithCancel(ctx)
	defer func() { stop(); listener.Wait() }()
	listener.Go(func() { ch.Listen(lctx, wake, report) })
	wait := interval
	t := time.NewTimer(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		case <-wake:
		}
		if err := f.sync(ctx, ch); err != nil {
			wait = min(max(2*wait, interval), max(data.MaxWatchBackoff, interval))
			report(err, wait)
		} else {
			wait = interval
		}
		t.Reset(wait)
	}
}

// sync reads the store's changes after the feed's cursor and applies them. It holds wmu from the
// read to the last apply: a local write then lands either wholly before the read (which sees it
// stored) or wholly after the applies, so a change read before a local write can never be
// applied over it.
func (f *Feed) sync(ctx context.Context, ch data.EventChanges) error {
	f.wmu.Lock()
	defer f.wmu.Unlock()
	return f.syncLocked(ctx, ch)
}

// syncLocked is sync for a caller that holds wmu. Every change read enters the change log in
// the store's order, a write of this feed's own too (applied already, it is only numbered).
func (f *Feed) syncLocked(ctx context.Context, ch data.EventChanges) error {
	var evs []*data.Event
	next, err := ch.Changes(ctx, f.cursor, func(e *data.Event) { evs = append(evs, e) })
	if err != nil {
		return err
	}
	for _, e := range evs {
		f.mu.Lock()
		old := f.events[e.ID]
		if old != nil && sameEvent(old, e) {
			old.Seq = max(old.Seq, e.Seq) // readers copy under mu: changing it in place is safe
			f.log.add(old)
			f.mu.Unlock()
			continue
		}
		c := f.replace(old, e)
		f.log.add(e)
		subs := f.subs
		f.mu.Unlock()
		notify(subs, c)
	}
	f.cursor = next
	f.mu.Lock()
	f.log.head = max(f.log.head, next)
	f.mu.Unlock()
	return nil
}

// sameEvent reports whether a and b are one version of an event. Times count as equal within a
// microsecond: a store may keep no finer (PostgreSQL's timestamptz), and this feed's own write
// read back must not count as a change.
// The change number and the history's times are left out of the field comparison: the
// number is the store's, and the history is compared step by step.
func sameEvent(a, b *data.Event) bool {
	x, y := *a, *b
	near := func(s, t time.Time) bool { return s.Sub(t).Abs() < time.Microsecond }
	for _, p := range [][2]*time.Time{{&x.Deadline, &y.Deadline}, {&x.Reported, &y.Reported},
		{&x.Updated, &y.Updated}, {&x.Closed, &y.Closed}, {&x.Dispatched, &y.Dispatched}} {
		if !near(*p[0], *p[1]) {
			return false
		}
		*p[0], *p[1] = time.Time{}, time.Time{}
	}
	if len(x.History) != len(y.History) {
		return false
	}
	for i, s := range x.History {
		t := y.History[i]
		if !near(s.At, t.At) || s.Status != t.Status || s.Action != t.Action || s.By != t.By || s.Note != t.Note {
			return false
		}
	}
	x.History, y.History, x.Seq, y.Seq = nil, nil, 0, 0
	return reflect.DeepEqual(x, y)
}
