package city_test

import (
	"context"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"citygeo/city"
	"citygeo/data"
	"citygeo/data/postgis"
	"citygeo/data/postgis/pgtest"
	"citygeo/data/sample"

	"github.com/paulmach/orb"
)

// countingStore counts the versions loaded from the store.
type countingStore struct {
	*postgis.Store
	loads atomic.Int32
}

func (s *countingStore) Load(ctx context.Context, v int64) (*data.Dataset, error) {
	s.loads.Add(1)
	return s.Store.Load(ctx, v)
}

// replicaCity serves the active version of the PostgreSQL store at dsn as one replica does:
// its own connections, following versions and the change log.
func replicaCity(t *testing.T, ctx context.Context, dsn string) (*city.City, *countingStore) {
	t.Helper()
	pg, err := postgis.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pg.Close() })
	st := &countingStore{Store: pg}
	c := city.New(st, city.Options{}, slog.New(slog.DiscardHandler))
	if err := c.Load(ctx); err != nil {
		t.Fatal(err)
	}
	go c.Follow(ctx, 100*time.Millisecond)
	go c.FollowChanges(ctx, 50*time.Millisecond)
	return c, st
}

// waitFor polls cond until it holds or limit passes, and returns how long it took.
func waitFor(t *testing.T, limit time.Duration, what string, cond func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for !cond() {
		if time.Since(start) > limit {
			t.Fatalf("%s: not within %v", what, limit)
		}
		time.Sleep(5 * time.Millisecond)
	}
	return time.Since(start)
}

func statusOf(c *city.City, id string) data.Status {
	if cp := c.Current().Component(id); cp != nil {
		return cp.Status
	}
	return 0
}

// TestReplicasShareEdits: two Cities on one PostgreSQL store, as two replicas. An edit taken by
// one is served by the other within a second; edits taken by both at once end in the same
// overlay on both, in the log's order; after one folds them into a version, the other serves
// that version and the edits that follow.
func TestReplicasShareEdits(t *testing.T) {
	dsn := pgtest.Schema(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ds, err := sample.Generate(sample.Options{Grids: 500, Components: 2000, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	st, err := postgis.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.Save(ctx, ds, "seed"); err != nil {
		t.Fatal(err)
	}
	a, _ := replicaCity(t, ctx, dsn)
	b, bStore := replicaCity(t, ctx, dsn)

	var pts []*data.Component
	for _, cp := range ds.Components {
		if _, ok := cp.Geometry.(orb.Point); ok {
			pts = append(pts, cp)
		}
	}
	edit := func(c *city.City, cp *data.Component, s data.Status) {
		t.Helper()
		n := *cp
		n.Status = s
		if _, err := c.Edit(ctx, city.Edit{Layer: data.LayerComponent, ID: cp.ID, Op: data.OpUpdate, IfMatch: "*",
			After: &data.Dataset{Components: []*data.Component{&n}}, Who: "gis"}); err != nil {
			t.Fatal(err)
		}
	}

	edit(a, pts[0], data.StatusLost)
	took := waitFor(t, time.Second, "an edit on A served by B", func() bool { return statusOf(b, pts[0].ID) == data.StatusLost })
	t.Logf("edit on A: served by B after %v", took.Round(time.Millisecond))
	edit(b, pts[1], data.StatusDamaged)
	took = waitFor(t, time.Second, "an edit on B served by A", func() bool { return statusOf(a, pts[1].ID) == data.StatusDamaged })
	t.Logf("edit on B: served by A after %v", took.Round(time.Millisecond))

	// Both take edits at once, some of the same components.
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 2; i < 40; i += 2 {
			edit(a, pts[i], data.StatusLost)
		}
	}()
	for i := 3; i < 40; i += 2 {
		edit(b, pts[i], data.StatusLost)
	}
	edit(b, pts[2], data.StatusDamaged)
	<-done
	same := func() bool {
		na, sa := a.Current().Edits()
		nb, sb := b.Current().Edits()
		return na == nb && sa == sb
	}
	waitFor(t, time.Second, "A and B hold the same edits", same)
	if n, _ := a.Current().Edits(); n != 41 {
		t.Errorf("A serves %d edits, want 41", n)
	}
	for i := 0; i < 40; i++ {
		if sa, sb := statusOf(a, pts[i].ID), statusOf(b, pts[i].ID); sa != sb {
			t.Errorf("component %s: A serves %q, B %q", pts[i].ID, sa, sb)
		}
	}
	// pts[2]: edited on A then on B; both serve the later one in the log, whichever it was.
	h, err := st.History(ctx, data.LayerComponent, pts[2].ID)
	if err != nil || len(h) != 2 {
		t.Fatalf("history of %s: %v, %v", pts[2].ID, h, err)
	}
	if last := h[1].After.Components[0].Status; statusOf(a, pts[2].ID) != last {
		t.Errorf("component %s: served %q, the log's last change says %q", pts[2].ID, statusOf(a, pts[2].ID), last)
	}

	// A folds; B serves the folded version, built from the edits it serves (no load from the
	// store), then an edit on A after it.
	loads := bStore.loads.Load()
	v0 := a.Current().Version()
	if err := a.Fold(ctx); err != nil {
		t.Fatal(err)
	}
	v1 := a.Current().Version()
	if v1 == v0 {
		t.Fatal("fold made no version")
	}
	waitFor(t, 5*time.Second, "B serves the folded version", func() bool { return b.Current().Version() == v1 })
	if statusOf(b, pts[0].ID) != data.StatusLost || b.Current().Geo.Component(pts[0].ID).Status != data.StatusLost {
		t.Errorf("B after the fold serves %s as %q", pts[0].ID, statusOf(b, pts[0].ID))
	}
	if n := bStore.loads.Load() - loads; n != 0 {
		t.Errorf("B loaded %d versions from the store to serve A's fold, want 0 (built from its edits)", n)
	}
	// B's fold of the same edits, late: refused, A's version stays.
	if err := b.Fold(ctx); err != nil {
		t.Fatalf("B's fold with nothing to fold: %v", err)
	}
	edit(a, pts[50], data.StatusLost)
	took = waitFor(t, time.Second, "an edit on A after the fold served by B", func() bool { return statusOf(b, pts[50].ID) == data.StatusLost })
	t.Logf("edit on A after a fold: served by B after %v", took.Round(time.Millisecond))
	if n, _ := b.Current().Edits(); n != 1 {
		t.Errorf("B serves %d edits over version %d, want 1", n, v1)
	}

	// A rolls back to the version before the fold: both serve it without the folded edits, and
	// go on doing so after the log has been read a few times (the edits sealed in the fold are
	// not served again from the log).
	if _, err := a.Activate(ctx, v0); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 5*time.Second, "B serves the version rolled back to", func() bool { return b.Current().Version() == v0 })
	time.Sleep(300 * time.Millisecond) // six reads of the log
	for name, c := range map[string]*city.City{"A": a, "B": b} {
		if got, want := statusOf(c, pts[0].ID), pts[0].Status; got != want {
			t.Errorf("%s after the rollback serves %s as %q, want %q as version %d has it", name, pts[0].ID, got, want, v0)
		}
	}
}
