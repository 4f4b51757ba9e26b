package dispatch_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"citygeo/data"
	"citygeo/dispatch"

	"github.com/paulmach/orb"
)

// sharedStore is a data.EventChanges in memory, standing for one database that several
// processes' feeds write to. Like PostgreSQL it keeps times to the microsecond.
type sharedStore struct {
	mu    sync.Mutex
	seq   int64
	rows  map[string]sharedRow
	wakes map[chan<- struct{}]bool
	fail  error // Changes fails with it while set
}

type sharedRow struct {
	e   data.Event
	seq int64
}

var _ data.EventChanges = (*sharedStore)(nil)

func newSharedStore() *sharedStore {
	return &sharedStore{rows: map[string]sharedRow{}, wakes: map[chan<- struct{}]bool{}}
}

func (s *sharedStore) Put(e *data.Event) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := e.Clone()
	for _, t := range []*time.Time{&c.Deadline, &c.Reported, &c.Updated, &c.Closed, &c.Dispatched} {
		*t = t.Truncate(time.Microsecond).UTC()
	}
	s.seq++
	c.Seq, e.Seq = s.seq, s.seq // a shared store numbers the writes itself
	s.rows[e.ID] = sharedRow{c, s.seq}
	for w := range s.wakes {
		select {
		case w <- struct{}{}:
		default:
		}
	}
	return nil
}

func (s *sharedStore) LoadAll() ([]*data.Event, error) {
	var out []*data.Event
	_, err := s.Changes(context.Background(), 0, func(e *data.Event) { out = append(out, e) })
	return out, err
}

func (s *sharedStore) Changes(_ context.Context, since int64, fn func(*data.Event)) (int64, error) {
	s.mu.Lock()
	if s.fail != nil {
		s.mu.Unlock()
		return since, s.fail
	}
	var rows []sharedRow
	for _, r := range s.rows {
		if r.seq > since {
			rows = append(rows, r)
		}
	}
	s.mu.Unlock()
	slices.SortFunc(rows, func(a, b sharedRow) int { return int(a.seq - b.seq) })
	for _, r := range rows {
		e := r.e.Clone()
		fn(&e)
		since = r.seq
	}
	return since, nil
}

func (s *sharedStore) Listen(ctx context.Context, wake chan<- struct{}, _ func(error, time.Duration)) {
	s.mu.Lock()
	s.wakes[wake] = true
	s.mu.Unlock()
	select { // as data.EventChanges says: once on listening
	case wake <- struct{}{}:
	default:
	}
	<-ctx.Done()
	s.mu.Lock()
	delete(s.wakes, wake)
	s.mu.Unlock()
}

// follower is a feed on a shared store, following it, with the changes its subscribers saw.
type follower struct {
	feed    *dispatch.Feed
	mu      sync.Mutex
	changes []dispatch.Change
	errs    []error
}

func follow(t *testing.T, st data.EventStore, interval time.Duration) *follower {
	t.Helper()
	feed, err := dispatch.NewFeed(st, dispatch.DupConfig{})
	if err != nil {
		t.Fatal(err)
	}
	f := &follower{feed: feed}
	feed.Subscribe(func(c dispatch.Change) {
		f.mu.Lock()
		f.changes = append(f.changes, c)
		f.mu.Unlock()
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- feed.Follow(ctx, interval, func(err error, _ time.Duration) {
			f.mu.Lock()
			f.errs = append(f.errs, err)
			f.mu.Unlock()
		})
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Errorf("Follow returned %v, want context.Canceled", err)
		}
	})
	return f
}

// seen returns the changes the follower's subscriber saw and the errors Follow reported.
func (f *follower) seen() ([]dispatch.Change, []error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.changes), slices.Clone(f.errs)
}

// eventually waits up to a second for cond, failing with what.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("not within 1 s: %s", what)
}

// TestFollowAppliesOtherWrites: what one feed writes reaches another feed on the same store,
// with the tile change its subscribers need, and a feed's own write is not applied to it twice.
func TestFollowAppliesOtherWrites(t *testing.T) {
	t0 := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name     string
		interval time.Duration // an hour: only the store's notification can bring the change
		quiet    bool          // the store never notifies: the poll must
	}{
		{"notified", time.Hour, false},
		{"polled", 20 * time.Millisecond, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := newSharedStore()
			var other data.EventStore = st
			if tc.quiet {
				other = quietStore{st}
			}
			a, b := follow(t, st, tc.interval), follow(t, other, tc.interval)
			p1, p2 := orb.Point{114.11, 22.55}, orb.Point{114.12, 22.56}
			if _, err := a.feed.Put(data.Event{ID: "F1", Class: evVendor, Point: p1}, t0); err != nil {
				t.Fatal(err)
			}
			eventually(t, "b holds F1", func() bool { _, ok := b.feed.Get("F1"); return ok })
			if _, err := a.feed.Put(data.Event{ID: "F1", Class: evVendor, Point: p2}, t0.Add(time.Minute)); err != nil {
				t.Fatal(err)
			}
			if _, err := a.feed.Close("F1", t0.Add(2*time.Minute)); err != nil {
				t.Fatal(err)
			}
			eventually(t, "b sees F1 closed", func() bool { e, _ := b.feed.Get("F1"); return !e.IsOpen() })
			want := []dispatch.Change{{ID: "F1", New: &p1}, {ID: "F1", Old: &p1, New: &p2}, {ID: "F1", Old: &p2}}
			gotB, errs := b.seen()
			if len(errs) > 0 {
				t.Errorf("b's Follow reported %v", errs)
			}
			// A poll may read the move and the close together, so b may see the last two as
			// one: from p1 straight to closed.
			if !slices.EqualFunc(gotB, want, sameChange) &&
				!slices.EqualFunc(gotB, []dispatch.Change{want[0], {ID: "F1", Old: &p1}}, sameChange) {
				t.Errorf("b's subscriber saw %s, want %s", fmtChanges(gotB), fmtChanges(want))
			}
			time.Sleep(50 * time.Millisecond) // a's own writes come back to it as changes
			if gotA, _ := a.seen(); !slices.EqualFunc(gotA, want, sameChange) {
				t.Errorf("a's subscriber saw %s, want its three writes once each: %s", fmtChanges(gotA), fmtChanges(want))
			}
			if all, open := b.feed.Len(); all != 1 || open != 0 {
				t.Errorf("b holds %d events, %d open; want 1, 0", all, open)
			}
		})
	}
}

// quietStore hides the shared store's notifications: Listen returns at once, as for a backend
// that can only be polled.
type quietStore struct{ *sharedStore }

func (quietStore) Listen(context.Context, chan<- struct{}, func(error, time.Duration)) {}

// TestFollowGoesOnAfterErrors: a store that cannot be read is reported and tried again, and the
// changes made meanwhile arrive once it can.
func TestFollowGoesOnAfterErrors(t *testing.T) {
	st := newSharedStore()
	a := follow(t, st, 10*time.Millisecond)
	other, err := dispatch.NewFeed(st, dispatch.DupConfig{})
	if err != nil {
		t.Fatal(err)
	}
	st.mu.Lock()
	st.fail = errors.New("connection refused")
	st.mu.Unlock()
	if _, err := other.Put(data.Event{ID: "F2", Class: evVendor, Point: orb.Point{114.1, 22.55}}, time.Now()); err != nil {
		t.Fatal(err)
	}
	eventually(t, "an error reported", func() bool { _, errs := a.seen(); return len(errs) > 0 })
	st.mu.Lock()
	st.fail = nil
	st.mu.Unlock()
	// The wait doubled at most to 20 ms, then 40 ms … : well inside a second.
	eventually(t, "F2 after the store came back", func() bool { _, ok := a.feed.Get("F2"); return ok })
}

func TestFollowNeedsASharedStore(t *testing.T) {
	feed, err := dispatch.NewFeed(dispatch.MemStore{}, dispatch.DupConfig{})
	if err != nil {
		t.Fatal(err)
	}
	if err := feed.Follow(context.Background(), time.Second, nil); !errors.Is(err, dispatch.ErrNotShared) {
		t.Errorf("Follow on a MemStore = %v, want ErrNotShared", err)
	}
}

func sameChange(a, b dispatch.Change) bool {
	eq := func(p, q *orb.Point) bool { return (p == nil) == (q == nil) && (p == nil || *p == *q) }
	return a.ID == b.ID && eq(a.Old, b.Old) && eq(a.New, b.New)
}

func fmtChanges(cs []dispatch.Change) string {
	var b strings.Builder
	for _, c := range cs {
		fmt.Fprintf(&b, "%s:%v→%v ", c.ID, c.Old, c.New)
	}
	return "[" + b.String() + "]"
}
