package field

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"time"

	"github.com/paulmach/orb"

	"citygeo/data"
)

// DefaultRetentionDays is how long tracks are kept when Options.RetentionDays is 0.
const DefaultRetentionDays = 30

// DefaultMaxCommit bounds the fixes one store append takes when Options.MaxCommit is 0.
const DefaultMaxCommit = 50_000

// Errors of a Force.
var (
	ErrClosed = errors.New("field: closed")                            // Ingest after Close
	ErrNoDuty = errors.New("field: no on-duty information configured") // a nearest search asked for OnDuty without Options.Duty
)

// CST is the day of a track (a patrol day in China, GMT+8).
var CST = time.FixedZone("CST", 8*3600)

// Options configures a Force. The zero value keeps tracks 30 days and accepts every device.
type Options struct {
	RetentionDays int       // tracks older than this many days are pruned; 0: DefaultRetentionDays
	Devices       *Registry // nil: open (any device, no roles)
	// Duty is who is on duty where, from the people and zones model; nil: the on-duty filter is
	// not available (Force.HasDuty reports which).
	Duty      Duty
	MaxCommit int              // fixes per store append; 0: DefaultMaxCommit
	Now       func() time.Time // the clock; nil: time.Now
}

// Force is the field force live: the latest position of every device in memory, every fix
// stored through a data.TrackStore before it is acknowledged, and the queries over both. It is
// safe for concurrent use.
//
// Appends are group-committed: one goroutine writes whatever fixes are waiting in one store
// append, so many small concurrent ingests (200 terminals each waiting for its ack) cost one
// transaction, not one each, and the store's durability is paid once per group.
type Force struct {
	opts  Options
	store data.TrackStore
	pos   *positions

	mu     sync.RWMutex // guards closed and the send on queue
	closed bool
	queue  chan *pending
	done   chan struct{}

	smu   sync.Mutex
	subs  []func([]Move)
	fsubs []func([]data.Fix)
}

// maxYields bounds how often the committer yields to let a group grow before it commits.
const maxYields = 4

type pending struct {
	fixes    []data.Fix
	err      chan error
	observed bool      // stored by another process: shown, not stored (Observe)
	forget   time.Time // not zero: no fixes, but every position older than this goes (Prune)
}

// aside reports whether p is not a group of fixes to store: the committer handles it on its own.
func (p *pending) aside() bool { return p.observed || !p.forget.IsZero() }

// Open loads the latest fix of every device from store and starts the committer. Close stops
// it; the store stays the caller's to close.
func Open(ctx context.Context, store data.TrackStore, opts Options) (*Force, error) {
	if opts.RetentionDays <= 0 {
		opts.RetentionDays = DefaultRetentionDays
	}
	if opts.MaxCommit <= 0 {
		opts.MaxCommit = DefaultMaxCommit
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	f := &Force{opts: opts, store: store, pos: newPositions(), queue: make(chan *pending, 1024), done: make(chan struct{})}
	latest, err := store.Latest(ctx)
	if err != nil {
		return nil, fmt.Errorf("load latest positions: %w", err)
	}
	// Restored positions count as last heard at their fix time: nobody is online after a
	// restart until they report again. One older than the retention is not shown (Prune).
	cutoff := f.cutoff()
	for _, fx := range latest {
		if !fx.Time.Before(cutoff) {
			f.pos.update([]data.Fix{fx}, opts.Devices, fx.Time, nil)
		}
	}
	go f.commit()
	return f, nil
}

// Close stops accepting fixes, waits for the ones queued to be stored and stops the committer.
func (f *Force) Close() error {
	f.mu.Lock()
	if !f.closed {
		f.closed = true
		close(f.queue)
	}
	f.mu.Unlock()
	<-f.done
	return nil
}

// Options returns the options in effect (defaults filled in).
func (f *Force) Options() Options { return f.opts }

// HasDuty reports whether an on-duty filter is available.
func (f *Force) HasDuty() bool { return f.opts.Duty != nil }

// Subscribe registers fn to be called with the moves of every stored group of fixes. It runs
// in the committer's goroutine, after the positions show the moves and before the group is
// acknowledged; it must be quick and must not ingest.
func (f *Force) Subscribe(fn func([]Move)) {
	f.smu.Lock()
	f.subs = append(f.subs, fn)
	f.smu.Unlock()
}

// SubscribeFixes registers fn to be called with every stored group of fixes, in arrival
// order, right after the moves' subscribers and before the group is acknowledged. fn must be
// quick, must not keep the slice and must not ingest.
func (f *Force) SubscribeFixes(fn func([]data.Fix)) {
	f.smu.Lock()
	f.fsubs = append(f.fsubs, fn)
	f.smu.Unlock()
}

// Report says what became of a batch of fixes.
type Report struct {
	Accepted int       `json:"accepted"` // stored: durable, acknowledged
	Rejected []Problem `json:"rejected"` // refused, by index in the batch; never stored
}

// Ingest checks fixes, stores the acceptable ones durably and shows them as the devices'
// latest positions, then returns. When it returns a nil error every accepted fix survives a
// kill of the process. Times are kept to the millisecond. A fix older than its device's latest
// (a blind-area re-send) is stored in the track without moving the device.
//
// When ctx ends before the store answers, Ingest returns ctx.Err() and the fixes may or may
// not be stored; sending them again is harmless (a re-send is kept once).
func (f *Force) Ingest(ctx context.Context, fixes []data.Fix) (Report, error) {
	now := f.opts.Now()
	oldest := f.cutoff()
	rep := Report{Rejected: []Problem{}}
	ok := make([]data.Fix, 0, len(fixes))
	for i := range fixes {
		fx := fixes[i]
		fx.Time = fx.Time.Truncate(time.Millisecond)
		if fx.Heading == 360 {
			fx.Heading = 0
		}
		if p := f.check(&fx, i, now, oldest); p != nil {
			rep.Rejected = append(rep.Rejected, *p)
			continue
		}
		ok = append(ok, fx)
	}
	if len(ok) == 0 {
		return rep, nil
	}
	if err := f.append(ctx, ok); err != nil {
		return Report{}, err
	}
	rep.Accepted = len(ok)
	return rep, nil
}

// append hands fixes to the committer and waits for the group they went in.
func (f *Force) append(ctx context.Context, fixes []data.Fix) error {
	p := &pending{fixes: fixes, err: make(chan error, 1)}
	f.mu.RLock()
	if f.closed {
		f.mu.RUnlock()
		return ErrClosed
	}
	select {
	case f.queue <- p:
	case <-ctx.Done():
		f.mu.RUnlock()
		return ctx.Err()
	}
	f.mu.RUnlock()
	select {
	case err := <-p.err:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// commit is the committer: it takes whatever is queued (up to MaxCommit fixes), stores it in one
// append, updates the positions, tells the subscribers and acknowledges every waiter.
func (f *Force) commit() {
	defer close(f.done)
	var group []*pending
	var all []data.Fix
	var moves []Move
	for p := range f.queue {
		if p.aside() {
			moves = f.handleAside(p, moves[:0])
			continue
		}
		var held *pending // an Observe or a Prune that came while a group grew: after the group
		group, all = append(group[:0], p), append(all[:0], p.fixes...)
		yields := 0
	more:
		for len(all) < f.opts.MaxCommit {
			select {
			case q, ok := <-f.queue:
				if !ok {
					break more
				}
				if q.aside() {
					held = q
					break more
				}
				group, all = append(group, q), append(all, q.fixes...)
			default:
				// Nothing queued: let the ingesters that are runnable (a connection that just
				// read a report) queue theirs first. A commit costs the same for one fix or a
				// thousand, so a few yields that join them are far cheaper than a commit each.
				if yields++; yields > maxYields {
					break more
				}
				runtime.Gosched()
			}
		}
		// The store gets no deadline of a request: a group mixes requests, and a stored group
		// must not be reported failed because one waiter gave up.
		err := f.store.Append(context.Background(), all)
		if err == nil {
			moves = f.tell(all, moves[:0])
		} else {
			err = fmt.Errorf("store %d fixes: %w", len(all), err)
		}
		for _, q := range group {
			q.err <- err
		}
		clear(group) // drop the references to the batches until the next group
		if held != nil {
			moves = f.handleAside(held, moves[:0])
		}
	}
}

// tell shows stored fixes as the devices' positions and tells the subscribers. Only the
// committer calls it, so subscribers see one group at a time.
func (f *Force) tell(fixes []data.Fix, moves []Move) []Move {
	moves = f.pos.update(fixes, f.opts.Devices, f.opts.Now(), moves)
	f.smu.Lock()
	subs, fsubs := f.subs, f.fsubs
	f.smu.Unlock()
	for _, fn := range subs {
		fn(moves)
	}
	for _, fn := range fsubs {
		fn(fixes)
	}
	return moves
}

// handleAside applies an Observe or a Prune's forgetting in the committer, so subscribers
// still see one change at a time.
func (f *Force) handleAside(p *pending, moves []Move) []Move {
	if p.observed {
		return f.show(p, moves)
	}
	moves = f.pos.forget(p.forget, moves)
	if len(moves) > 0 {
		f.smu.Lock()
		subs := f.subs
		f.smu.Unlock()
		for _, fn := range subs {
			fn(moves)
		}
	}
	p.err <- nil
	return moves
}

// show applies an Observe: the fixes newer than their device's position, as tell does.
func (f *Force) show(p *pending, moves []Move) []Move {
	fresh := p.fixes[:0:0]
	for _, fx := range p.fixes {
		if pos, ok := f.pos.get(fx.Device); !ok || fx.Time.After(pos.Fix.Time) {
			fresh = append(fresh, fx)
		}
	}
	if len(fresh) > 0 {
		moves = f.tell(fresh, moves)
	}
	p.err <- nil
	return moves
}

// Observe shows fixes another process stored — a replica of the same database — as the
// devices' latest positions and tells the subscribers (tiles, geofences) as for a stored group,
// without storing them again. Fixes not newer than their device's latest position (this
// process's own, read back) change nothing. It returns once they are shown; ErrClosed after
// Close.
func (f *Force) Observe(fixes []data.Fix) error {
	if len(fixes) == 0 {
		return nil
	}
	p := &pending{fixes: fixes, err: make(chan error, 1), observed: true}
	f.mu.RLock()
	if f.closed {
		f.mu.RUnlock()
		return ErrClosed
	}
	f.queue <- p
	f.mu.RUnlock()
	return <-p.err
}

// Seen records that device was heard from now without a position (a JT/T 808 heartbeat).
func (f *Force) Seen(device string) { f.pos.touch(device, f.opts.Now()) }

// Position returns the latest position of device.
func (f *Force) Position(device string) (Position, bool) { return f.pos.get(device) }

// Count returns the number of devices with a position.
func (f *Force) Count() int { return f.pos.len() }

// In calls fn with the latest position of every device inside b (lon/lat) until fn returns
// false. fn must not call back into the Force.
func (f *Force) In(b orb.Bound, fn func(*Position) bool) { f.pos.in(b, fn) }

// Nearest appends to buf[:0] the q.K devices nearest q.Point that pass q's filters, nearest
// first; q.Now defaults to the Force's clock. It fails only with ErrNoDuty.
func (f *Force) Nearest(q NearestQuery, buf []Neighbor) ([]Neighbor, error) {
	if q.Now.IsZero() {
		q.Now = f.opts.Now()
	}
	var duty Duty
	if q.OnDuty {
		if duty = q.Duty; duty == nil {
			duty = f.opts.Duty
		}
		if duty == nil {
			return buf[:0], ErrNoDuty
		}
	}
	return f.pos.nearest(q, duty, buf), nil
}

// Track returns the stored fixes of device with from ≤ time < to, in time order.
func (f *Force) Track(ctx context.Context, device string, from, to time.Time) ([]data.Fix, error) {
	return f.store.Track(ctx, device, from, to)
}

// Day returns the bounds of the patrol day (GMT+8) that holds t.
func Day(t time.Time) (from, to time.Time) {
	y, m, d := t.In(CST).Date()
	from = time.Date(y, m, d, 0, 0, 0, 0, CST)
	return from, from.AddDate(0, 0, 1)
}

// Prune deletes the fixes older than the retention and returns how many went. A device whose
// latest fix is that old is no longer shown either (positions, nearest, tiles): positions are
// personal data, kept no longer than the retention anywhere.
func (f *Force) Prune(ctx context.Context) (int64, error) {
	cutoff := f.cutoff()
	n, err := f.store.Prune(ctx, cutoff)
	if err != nil {
		return n, err
	}
	p := &pending{err: make(chan error, 1), forget: cutoff}
	f.mu.RLock()
	if f.closed {
		f.mu.RUnlock()
		return n, nil // nothing is shown after Close
	}
	select {
	case f.queue <- p:
	case <-ctx.Done():
		f.mu.RUnlock()
		return n, ctx.Err()
	}
	f.mu.RUnlock()
	return n, <-p.err
}

// cutoff returns the time before which fixes are past the retention.
func (f *Force) cutoff() time.Time { return f.opts.Now().AddDate(0, 0, -f.opts.RetentionDays) }

// KeepRetention prunes every interval until ctx ends, telling onErr (when not nil) of
// failures; the next round tries again.
func (f *Force) KeepRetention(ctx context.Context, every time.Duration, onErr func(error)) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if _, err := f.Prune(ctx); err != nil && onErr != nil && ctx.Err() == nil {
			onErr(err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
