package postgis_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"sync"
	"testing"
	"time"

	"citygeo/data"
	"citygeo/data/postgis"
	"citygeo/data/postgis/pgtest"
	"citygeo/data/storetest"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
)

// testDB returns a connection string for a new, empty schema of the test database (pgtest.Schema).
func testDB(t testing.TB) string { return pgtest.Schema(t) }

func open(t testing.TB, dsn string) *postgis.Store {
	t.Helper()
	s, err := postgis.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// TestConformance runs the storage conformance suite: each subtest gets a schema of its own, and
// every Open of one opener is another pool on that schema, as another process would have.
func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Opener {
		dsn := testDB(t)
		return storetest.OpenerFunc(func(t *testing.T) data.Store {
			s, err := postgis.Open(context.Background(), dsn)
			if err != nil {
				t.Fatal(err)
			}
			return s
		})
	})
}

// TestChangesConformance runs the change-store suite: a schema per subtest, a pool per Open.
func TestChangesConformance(t *testing.T) {
	storetest.RunChanges(t, func(t *testing.T) storetest.Opener {
		dsn := testDB(t)
		return storetest.OpenerFunc(func(t *testing.T) data.Store {
			s, err := postgis.Open(context.Background(), dsn)
			if err != nil {
				t.Fatal(err)
			}
			return s
		})
	})
}

// TestEventsConformance runs the event store suite on dispatch_event.
func TestEventsConformance(t *testing.T) {
	dsn := testDB(t)
	storetest.RunEvents(t, func(t *testing.T) data.EventStore {
		s, err := postgis.OpenEvents(context.Background(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

// TestOpenConcurrently opens one new schema from several processes' worth of pools at once:
// the advisory lock must let exactly one create the tables and the others find them.
func TestOpenConcurrently(t *testing.T) {
	dsn := testDB(t)
	const n = 6
	var wg sync.WaitGroup
	errs := make(chan error, 2*n)
	for range n {
		wg.Go(func() {
			s, err := postgis.Open(context.Background(), dsn)
			if err == nil {
				s.Close()
			}
			errs <- err
		})
		wg.Go(func() {
			e, err := postgis.OpenEvents(context.Background(), dsn)
			if err == nil {
				e.Close()
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}

// TestConcurrentSaves imports from two handles at once: the second waits for the first's locks
// on the layer tables (ATTACH), never deadlocks, and both versions load in full.
func TestConcurrentSaves(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	dsn := testDB(t)
	a, b := open(t, dsn), open(t, dsn)
	ds := bigDataset(20000, -1)
	type result struct {
		v   int64
		err error
	}
	saved := make(chan result, 2)
	for _, s := range []*postgis.Store{a, b} {
		go func() {
			v, err := s.Save(ctx, ds, "concurrent")
			saved <- result{v, err}
		}()
	}
	for range 2 {
		r := <-saved
		if r.err != nil {
			t.Fatal(r.err)
		}
		v := r.v
		got, err := a.Load(ctx, v)
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Components) != len(ds.Components) || len(got.Grids) != len(ds.Grids) {
			t.Errorf("version %d: %d components, %d grids; want %d, %d", v, len(got.Components), len(got.Grids), len(ds.Components), len(ds.Grids))
		}
	}
}

// bigDataset is FullDataset with n more components, so that a COPY is well under way when
// component #bad (if ≥ 0) fails.
func bigDataset(n, bad int) *data.Dataset {
	ds := storetest.FullDataset()
	c := ds.Components[0]
	for i := range n {
		cc := *c
		cc.ID = fmt.Sprintf("44030301010%05d", i)
		if i == bad {
			// A ring that is not closed: orb writes it, PostGIS refuses it.
			cc.Geometry = orb.Polygon{{{114.1, 22.5}, {114.2, 22.5}, {114.2, 22.6}, {114.15, 22.7}}}
		}
		ds.Components = append(ds.Components, &cc)
	}
	return ds
}

// assertOnlyVersion checks that v is active and intact and that no row of another version is
// in any layer table.
func assertOnlyVersion(t *testing.T, s *postgis.Store, v int64, want *data.Dataset) {
	t.Helper()
	ctx := context.Background()
	if av, err := s.ActiveVersion(ctx); err != nil || av != v {
		t.Fatalf("active version = %d, %v; want %d", av, err, v)
	}
	vs, err := s.Versions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != 1 || vs[0].Version != v {
		t.Errorf("versions = %+v, want only %d", vs, v)
	}
	got, err := s.Load(ctx, v)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range data.Layers {
		if got.Count(l) != want.Count(l) {
			t.Errorf("version %d has %d %s, want %d", v, got.Count(l), l, want.Count(l))
		}
	}
	for _, l := range data.Layers {
		var n int
		if err := s.Pool().QueryRow(ctx, fmt.Sprintf(`SELECT count(*) FROM %s WHERE version <> $1`, l), v).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("%d rows of another version in %s", n, l)
		}
	}
	var parts int
	if err := s.Pool().QueryRow(ctx, `SELECT count(*) FROM pg_class WHERE relnamespace = current_schema()::regnamespace
		AND relname ~ '_v[0-9]+$' AND relname !~ ('_v' || $1::bigint || '$')`, v).Scan(&parts); err != nil {
		t.Fatal(err)
	}
	if parts != 0 {
		t.Errorf("%d tables of another version left behind", parts)
	}
}

// TestSaveFailsMidCopy makes a Save fail partway through the component COPY, once on a geometry
// the database rejects and once on a cancelled context: the previous version must stay active
// and intact, nothing of the failed one may be visible, and the next Save must work.
func TestSaveFailsMidCopy(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		ds   *data.Dataset
		ctx  func() (context.Context, context.CancelFunc)
	}{
		{"rejected geometry", bigDataset(5000, 3000), func() (context.Context, context.CancelFunc) { return ctx, func() {} }},
		{"cancelled", bigDataset(200000, -1), func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(ctx, 300*time.Millisecond)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t, testDB(t))
			first := storetest.FullDataset()
			v1, err := s.Save(ctx, first, "first")
			if err != nil {
				t.Fatal(err)
			}
			sctx, cancel := tc.ctx()
			_, err = s.Save(sctx, tc.ds, "second")
			cancel()
			if err == nil {
				t.Fatal("Save succeeded, want it to fail")
			}
			if sctx.Err() != nil && !errors.Is(err, sctx.Err()) {
				t.Errorf("Save = %v, want it to say %v", err, sctx.Err())
			}
			t.Logf("Save: %v", err)
			assertOnlyVersion(t, s, v1, first)
			v3, err := s.Save(ctx, bigDataset(100, -1), "third")
			if err != nil {
				t.Fatalf("save after the failure: %v", err)
			}
			if got, err := s.Load(ctx, v3); err != nil || len(got.Components) != 103 {
				t.Errorf("save after the failure: %v", err)
			}
		})
	}
}

// TestWatchNotified watches with an interval far beyond the test: another handle's Save and
// Activate can only arrive through LISTEN/NOTIFY.
func TestWatchNotified(t *testing.T) {
	dsn := testDB(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	a, b := open(t, dsn), open(t, dsn)
	v1, err := b.Save(ctx, storetest.FullDataset(), "x")
	if err != nil {
		t.Fatal(err)
	}
	seen := make(chan int64, 10)
	done := make(chan error, 1)
	go func() { done <- a.Watch(ctx, time.Hour, func(v int64) { seen <- v }, nil) }()
	expect(t, seen, v1, 2*time.Second)
	// Change nothing before the LISTEN is in place: the next value must come from a
	// notification, not from the read the listener makes when it connects.
	waitListening(ctx, t, b, dsn)
	v2, err := b.Save(ctx, storetest.FullDataset(), "y")
	if err != nil {
		t.Fatal(err)
	}
	expect(t, seen, v2, 2*time.Second)
	if err := b.Activate(ctx, v1); err != nil {
		t.Fatal(err)
	}
	expect(t, seen, v1, 2*time.Second)
	// An operator's rollback in SQL reaches the replicas too: the trigger notifies.
	if _, err := b.Pool().Exec(ctx, `UPDATE active SET version = $1`, v2); err != nil {
		t.Fatal(err)
	}
	expect(t, seen, v2, 2*time.Second)
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Watch after cancel = %v, want context.Canceled", err)
	}
}

// TestWatchReconnects kills the watch's LISTEN connection: onErr must be told, the listener
// must come back, and a change made after that must arrive without the (hour-long) poll.
func TestWatchReconnects(t *testing.T) {
	dsn := testDB(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	a, b := open(t, dsn), open(t, dsn)
	v1, err := b.Save(ctx, storetest.FullDataset(), "x")
	if err != nil {
		t.Fatal(err)
	}
	seen := make(chan int64, 10)
	failed := make(chan error, 10)
	go a.Watch(ctx, time.Hour, func(v int64) { seen <- v }, func(err error, _ time.Duration) { failed <- err })
	expect(t, seen, v1, 2*time.Second)
	waitListening(ctx, t, b, dsn)
	var killed int
	err = b.Pool().QueryRow(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE application_name = $1 AND query LIKE 'LISTEN%'`, appName(dsn)).Scan(&killed)
	if err != nil || killed == 0 {
		t.Fatalf("terminated %d listeners: %v", killed, err)
	}
	select {
	case err := <-failed:
		t.Logf("onErr: %v", err)
	case <-ctx.Done():
		t.Fatal("onErr not told of the dropped connection")
	}
	waitListening(ctx, t, b, dsn) // back
	v2, err := b.Save(ctx, storetest.FullDataset(), "y")
	if err != nil {
		t.Fatal(err)
	}
	expect(t, seen, v2, 5*time.Second)
}

// appName is the application_name testDB gave the connections of dsn.
func appName(dsn string) string {
	u, _ := url.Parse(dsn)
	return u.Query().Get("application_name")
}

// waitListening waits until a watch on dsn has its LISTEN connection in place.
func waitListening(ctx context.Context, t *testing.T, s *postgis.Store, dsn string) {
	t.Helper()
	for {
		var n int
		if err := s.Pool().QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity WHERE application_name = $1
			AND query LIKE 'LISTEN%'`, appName(dsn)).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatal("no LISTEN connection")
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// expect waits for want on seen, skipping repeats of earlier values.
func expect(t *testing.T, seen <-chan int64, want int64, within time.Duration) {
	t.Helper()
	deadline := time.After(within)
	var got []int64
	for {
		select {
		case v := <-seen:
			if v == want {
				return
			}
			got = append(got, v)
		case <-deadline:
			t.Fatalf("watch saw %v within %v, want %d", got, within, want)
		}
	}
}

// TestWatchEndsOnClose: Close ends a running watch with ErrClosed instead of leaving it polling
// a closed pool.
func TestWatchEndsOnClose(t *testing.T) {
	s, err := postgis.Open(context.Background(), testDB(t))
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Watch(context.Background(), time.Millisecond, func(int64) {}, nil) }()
	time.Sleep(50 * time.Millisecond)
	s.Close()
	select {
	case err := <-done:
		if !errors.Is(err, postgis.ErrClosed) {
			t.Errorf("Watch after Close = %v, want ErrClosed", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Watch did not return after Close")
	}
}

// TestTablesAreTyped reads a saved version with plain SQL, as a GIS user would: typed columns,
// geometry in EPSG:4490, a GiST index on every geometry column.
func TestTablesAreTyped(t *testing.T) {
	ctx := context.Background()
	s := open(t, testDB(t))
	v, err := s.Save(ctx, storetest.FullDataset(), "x")
	if err != nil {
		t.Fatal(err)
	}
	var id, owner string
	var srid int
	var init time.Time
	var material string
	err = s.Pool().QueryRow(ctx, `SELECT id, owner_name, ST_SRID(geom), init_date, extra->>'MATERIAL'
		FROM component WHERE version = $1 AND seq = 0`, v).Scan(&id, &owner, &srid, &init, &material)
	if err != nil {
		t.Fatal(err)
	}
	if id != "4403030101000001" || owner != "区水务局" || srid != postgis.SRID || init.Year() != 2019 || material != "铸铁" {
		t.Errorf("component row = %s %s %d %v %s", id, owner, srid, init, material)
	}
	var inside bool
	err = s.Pool().QueryRow(ctx, `SELECT ST_Contains(g.geom, c.geom) FROM grid g, component c
		WHERE g.version = $1 AND c.version = $1 AND g.seq = 0 AND c.seq = 0`, v).Scan(&inside)
	if err != nil || !inside {
		t.Errorf("grid contains component: %v, %v", inside, err)
	}
	var missing []string
	err = s.Pool().QueryRow(ctx, `SELECT coalesce(array_agg(c.relname || '.' || a.attname), '{}') FROM pg_attribute a
		JOIN pg_class c ON c.oid = a.attrelid
		WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'p' AND a.atttypid = 'geometry'::regtype
		AND NOT EXISTS (SELECT 1 FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_am am ON am.oid = ic.relam
			WHERE i.indrelid = c.oid AND am.amname = 'gist' AND a.attnum = ANY (i.indkey))`).Scan(&missing)
	if err != nil {
		t.Fatal(err)
	}
	if len(missing) > 0 {
		t.Errorf("geometry columns without a GiST index: %v", missing)
	}
}

func TestEventChangesConformance(t *testing.T) {
	storetest.RunEventChanges(t, func(t *testing.T) func(*testing.T) data.EventStore {
		dsn := testDB(t)
		return func(t *testing.T) data.EventStore {
			s, err := postgis.OpenEvents(context.Background(), dsn)
			if err != nil {
				t.Fatal(err)
			}
			return s
		}
	})
}

// TestEventsUpgrade opens an events table made before the change feed (no seq column, no
// trigger, no dispatched, address or history) with a row in it: the open adds them, and the old
// row is a change like any other, not dispatched and without history.
func TestEventsUpgrade(t *testing.T) {
	ctx := context.Background()
	dsn := testDB(t)
	s, err := postgis.OpenEvents(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	old := data.Event{ID: "OLD1", Point: orb.Point{114.1, 22.5}, Status: data.EventOpen, Reported: time.Now().UTC(), Updated: time.Now().UTC()}
	if err := s.Put(&old); err != nil {
		t.Fatal(err)
	}
	s.Close()
	c, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	if _, err := c.Exec(ctx, `DROP TRIGGER dispatch_event_written ON dispatch_event; ALTER TABLE dispatch_event DROP COLUMN seq;
		DROP SEQUENCE dispatch_event_seq;
		ALTER TABLE dispatch_event DROP COLUMN dispatched, DROP COLUMN address, DROP COLUMN history`); err != nil {
		t.Fatal(err)
	}
	s, err = postgis.OpenEvents(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var ids []string
	if _, err := s.Changes(ctx, 0, func(e *data.Event) {
		ids = append(ids, e.ID)
		if !e.Dispatched.IsZero() || e.History != nil || e.Address != "" || e.Seq == 0 {
			t.Errorf("older row read as %+v", e)
		}
	}); err != nil {
		t.Fatal(err)
	}
	if len(ids) != 1 || ids[0] != "OLD1" {
		t.Errorf("changes after the upgrade = %v, want [OLD1]", ids)
	}
}
