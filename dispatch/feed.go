package dispatch

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	"citygeo/data"

	"github.com/paulmach/orb"
	"github.com/tidwall/rtree"
)

// MemStore is a data.EventStore that keeps nothing across restarts (tests, demos).
type MemStore struct{}

// Put implements data.EventStore.
func (MemStore) Put(*data.Event) error { return nil }

// LoadAll implements data.EventStore.
func (MemStore) LoadAll() ([]*data.Event, error) { return nil, nil }

var _ data.EventStore = MemStore{}

// Errors of the feed's writes.
var (
	// ErrUnknownEvent is returned when closing an event id the feed does not hold.
	ErrUnknownEvent = errors.New("unknown event")
	// ErrStore wraps a failed write to the event store (the database is down, the disk is
	// full): nothing was changed, in memory or stored, and the same write may be tried again.
	ErrStore = errors.New("event store unavailable")
)

// Change tells a listener that an event moved on the map: Old is where it was shown (nil when it
// was not open), New where it is shown now (nil when it is no longer open). The tiles covering
// Old and New are exactly the ones to invalidate.
type Change struct {
	ID       string
	Old, New *orb.Point
}

// Feed is the live events feed: every event in memory, the open ones indexed for duplicate
// search and for the map, each write persisted to the store first. It is safe for concurrent
// use and lives beside the dataset snapshots: a dataset swap does not touch it.
type Feed struct {
	wmu    sync.Mutex   // serialises writers, so the store write can happen outside mu
	mu     sync.RWMutex // guards the maps and indexes
	store  data.EventStore
	shared bool // store is a data.EventChanges: it numbers the changes, and the log follows it
	dup    DupConfig
	events map[string]*data.Event
	index  *dupIndex
	open   rtree.RTreeG[*data.Event]
	due    openDeadlines // the deadlines of the open events, for the count of those overdue now
	days   dayIndex      // every event by report day: statistics and queries
	subs   []func(Change)
	cursor int64 // the store's change cursor read up to (data.EventChanges); guarded by wmu
	log    changeLog
}

// NewFeed loads the store's events into a feed. From a store shared by processes
// (data.EventChanges) it reads them as changes from the beginning, which also gives the cursor
// Follow goes on from.
func NewFeed(store data.EventStore, dup DupConfig) (*Feed, error) {
	if store == nil {
		store = MemStore{}
	}
	f := &Feed{store: store, dup: dup, events: map[string]*data.Event{}, index: newDupIndex(), days: newDayIndex()}
	f.log.init(f.events)
	var evs []*data.Event
	var err error
	if ch, ok := store.(data.EventChanges); ok {
		f.shared = true
		f.cursor, err = ch.Changes(context.Background(), 0, func(e *data.Event) { evs = append(evs, e) })
	} else {
		evs, err = store.LoadAll()
	}
	if err != nil {
		return nil, fmt.Errorf("load events: %w", err)
	}
	// Change order, so that the log is in it too; a one-process store's events of an older
	// citygeo are not numbered (0) and come first, outside the log.
	sort.SliceStable(evs, func(i, j int) bool { return evs[i].Seq < evs[j].Seq })
	for _, e := range evs { // each id once: LoadAll and Changes give every event as it is now
		f.insert(e)
		f.log.add(e)
	}
	f.log.head = max(f.log.head, f.cursor)
	return f, nil
}

// Subscribe registers fn to be called after every change of an event's shown position. fn runs
// in the writer's goroutine, in write order, after readers can see the change; it must not
// write to the feed.
func (f *Feed) Subscribe(fn func(Change)) {
	f.mu.Lock()
	f.subs = append(f.subs, fn)
	f.mu.Unlock()
}

// Author says who made a write and why, for the event's history.
type Author struct {
	By   string // the token's name, a desk, a handset
	Note string
}

// Put creates or replaces an event by id, as PutAs with no author.
func (f *Feed) Put(e data.Event, now time.Time) (*data.Event, error) {
	return f.PutAs(e, now, Author{})
}

// PutAs creates or replaces an event by id. Missing times are filled: Reported from an earlier
// version or now, Dispatched from an earlier version or, once the event has a department, now
// (not before Reported), Updated with now, Closed with now when the status is closed. The
// history is the feed's: the earlier version's, with a step for this write by who appended
// (e.History as given is ignored).
func (f *Feed) PutAs(e data.Event, now time.Time, who Author) (*data.Event, error) {
	if e.ID == "" {
		return nil, inputErr("id", ErrBadInput, "missing event id")
	}
	if e.Status == "" {
		e.Status = data.EventOpen
	}
	f.wmu.Lock()
	defer f.wmu.Unlock()
	f.mu.RLock()
	old := f.events[e.ID]
	f.mu.RUnlock()
	return f.putLocked(old, e, now, who)
}

// putLocked fills the times of e, persists it and swaps it for old (the version held now).
// The caller holds wmu from reading old until putLocked returns, so no other write can slip
// in between and be overwritten.
func (f *Feed) putLocked(old *data.Event, e data.Event, now time.Time, who Author) (*data.Event, error) {
	if e.Reported.IsZero() {
		if old != nil {
			e.Reported = old.Reported
		} else {
			e.Reported = now
		}
	}
	if e.Updated.IsZero() || (old != nil && !e.Updated.After(old.Updated)) {
		e.Updated = now
	}
	if e.Status == data.EventClosed && e.Closed.IsZero() {
		e.Closed = now
	}
	if e.Status == data.EventOpen {
		e.Closed = time.Time{}
	}
	if old != nil {
		// An update that does not say them keeps what the report said.
		e.Address = cmp.Or(e.Address, old.Address)
		e.Source = cmp.Or(e.Source, old.Source)
		e.Description = cmp.Or(e.Description, old.Description)
	}
	wasDispatched := old != nil && !old.Dispatched.IsZero()
	if e.Dispatched.IsZero() {
		switch {
		case wasDispatched:
			e.Dispatched = old.Dispatched
		case !e.Department.IsZero():
			e.Dispatched = now
			if now.Before(e.Reported) {
				e.Dispatched = e.Reported
			}
		}
	}
	e.History = appendStep(old, &e, who, wasDispatched)
	e.Seq = f.log.head + 1 // a shared store replaces it with its own number
	ne := &e
	// Persist first, outside mu: readers (dispatch, tiles) are not held up by the disk.
	if err := f.store.Put(ne); err != nil {
		return nil, fmt.Errorf("store event %s: %w: %w", e.ID, ErrStore, err)
	}
	f.mu.Lock()
	ch := f.replace(old, ne)
	if !f.shared {
		f.log.add(ne)
	}
	subs := f.subs
	f.mu.Unlock()
	notify(subs, ch)
	if f.shared {
		// Number the write in the log now, with the other processes' writes it follows: a
		// failure here only delays that to Follow's next read.
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		_ = f.syncLocked(ctx, f.store.(data.EventChanges))
		cancel()
	}
	c := ne.Clone()
	return &c, nil
}

// appendStep returns old's history (none for a new event) with a step for the write of e.
func appendStep(old, e *data.Event, who Author, wasDispatched bool) []data.EventStep {
	action := data.StepUpdated
	var hist []data.EventStep
	switch {
	case old == nil:
		action = data.StepCreated
	case old.IsOpen() && !e.IsOpen():
		action = data.StepClosed
	case !old.IsOpen() && e.IsOpen():
		action = data.StepReopened
	case !wasDispatched && !e.Dispatched.IsZero():
		action = data.StepDispatched
	}
	if old != nil {
		hist = make([]data.EventStep, len(old.History), len(old.History)+1)
		copy(hist, old.History)
	}
	at := e.Updated
	if action == data.StepClosed {
		at = e.Closed
	}
	return append(hist, data.EventStep{At: at, Status: e.Status, Action: action, By: who.By, Note: who.Note})
}

// Close closes an open event at the given time, as CloseAs with no author.
func (f *Feed) Close(id string, at time.Time) (*data.Event, error) {
	return f.CloseAs(id, at, Author{})
}

// CloseAs closes an open event at the given time. Closing twice keeps the first closing time.
func (f *Feed) CloseAs(id string, at time.Time, who Author) (*data.Event, error) {
	// Hold wmu from the read to the write: an update between them would otherwise be
	// overwritten by the stale copy closed here.
	f.wmu.Lock()
	defer f.wmu.Unlock()
	f.mu.RLock()
	old, ok := f.events[id]
	var e data.Event
	if ok {
		e = old.Clone()
	}
	f.mu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("close event %q: %w", id, ErrUnknownEvent)
	}
	if !e.IsOpen() {
		return &e, nil
	}
	e.Status, e.Closed, e.Updated = data.EventClosed, at, at
	return f.putLocked(old, e, at, who)
}

func notify(subs []func(Change), ch *Change) {
	if ch == nil {
		return
	}
	for _, fn := range subs {
		fn(*ch)
	}
}

// replace swaps old for ne in memory and the indexes, returning the map change (nil if none).
func (f *Feed) replace(old, ne *data.Event) *Change {
	ch := &Change{ID: ne.ID}
	if old != nil && old.IsOpen() {
		f.open.Delete(old.Point, old.Point, old)
		f.due.remove(old.Deadline)
		p := old.Point
		ch.Old = &p
	}
	if old != nil {
		f.days.remove(old)
	}
	f.index.remove(ne.ID)
	f.insert(ne)
	if ne.IsOpen() {
		p := ne.Point
		ch.New = &p
	}
	if ch.Old == nil && ch.New == nil {
		return nil
	}
	return ch
}

func (f *Feed) insert(e *data.Event) {
	f.events[e.ID] = e
	f.days.add(e)
	if e.IsOpen() {
		f.index.add(e)
		f.open.Insert(e.Point, e.Point, e)
		f.due.add(e.Deadline)
	}
}

// Get returns a copy of an event.
func (f *Feed) Get(id string) (data.Event, bool) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	e, ok := f.events[id]
	if !ok {
		return data.Event{}, false
	}
	return e.Clone(), true
}

// Len returns the number of events held and of those open.
func (f *Feed) Len() (all, open int) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	return len(f.events), f.index.len()
}

// OpenIn calls iter with a copy of every open event inside the bound (for the events tile
// layer) until iter returns false. iter runs under the feed's read lock: it must not call the
// feed, and should be quick (writers wait for it).
func (f *Feed) OpenIn(b orb.Bound, iter func(e data.Event) bool) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	f.open.Search(b.Min, b.Max, func(_, _ [2]float64, e *data.Event) bool {
		return iter(*e)
	})
}

// DupQuery asks for earlier reports of the same thing.
type DupQuery struct {
	Point     orb.Point
	Class     data.ClassRef
	Component string    // bound component id, "" when none
	At        time.Time // report time
	Exclude   string    // an event id to leave out (the event itself)
}

// Duplicates appends the duplicate candidates for q to buf, ranked same component first, then
// by distance, then by time apart; at most DupConfig.Limit.
func (f *Feed) Duplicates(q DupQuery, buf []Duplicate) []Duplicate {
	f.mu.RLock()
	defer f.mu.RUnlock()
	return f.index.find(dupQuery{P: q.Point, Class: q.Class, Component: q.Component, At: q.At,
		Rule: f.dup.For(q.Class), Exclude: q.Exclude, Limit: f.dup.limit()}, buf)
}

// Each calls fn with every event (open and closed) under the read lock until fn returns false.
// fn must not call back into the feed.
func (f *Feed) Each(fn func(e *data.Event) bool) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	for _, e := range f.events {
		if !fn(e) {
			return
		}
	}
}

// Prune drops from memory the events closed before the given time and returns how many. They
// stay in the store; statistics over the feed then cover what is kept. Open events are never
// pruned.
func (f *Feed) Prune(closedBefore time.Time) int {
	f.wmu.Lock()
	defer f.wmu.Unlock()
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for id, e := range f.events {
		if !e.IsOpen() && e.Closed.Before(closedBefore) {
			delete(f.events, id)
			f.days.remove(e)
			// A client that has not seen this change can no longer be told of it.
			f.log.floor = max(f.log.floor, e.Seq)
			n++
		}
	}
	return n
}
