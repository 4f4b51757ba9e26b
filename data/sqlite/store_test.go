package sqlite_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"citygeo/data"
	"citygeo/data/sqlite"
	"citygeo/data/storetest"
)

// TestConformance runs the storage conformance suite on the SQLite backend: every Open of one
// opener is a new connection to the same file, as another process would have.
func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Opener {
		path := filepath.Join(t.TempDir(), "city.db")
		return storetest.OpenerFunc(func(t *testing.T) data.Store {
			s, err := sqlite.Open(context.Background(), path)
			if err != nil {
				t.Fatal(err)
			}
			return s
		})
	})
}

// TestChangesConformance runs the change-store suite on the store file.
func TestChangesConformance(t *testing.T) {
	storetest.RunChanges(t, func(t *testing.T) storetest.Opener {
		path := filepath.Join(t.TempDir(), "store.db")
		return storetest.OpenerFunc(func(t *testing.T) data.Store {
			st, err := sqlite.Open(context.Background(), path)
			if err != nil {
				t.Fatal(err)
			}
			return st
		})
	})
}

// TestEventsConformance runs the event store suite on the events file.
func TestEventsConformance(t *testing.T) {
	path := filepath.Join(t.TempDir(), sqlite.EventsPath("city.db"))
	storetest.RunEvents(t, func(t *testing.T) data.EventStore {
		s, err := sqlite.OpenEvents(path)
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

// TestEventChangesConformance runs the change-feed suite, which skips: the events file keeps
// one-process semantics (several replicas share events through PostgreSQL, not a file).
func TestEventChangesConformance(t *testing.T) {
	storetest.RunEventChanges(t, func(t *testing.T) func(*testing.T) data.EventStore {
		path := filepath.Join(t.TempDir(), sqlite.EventsPath("city.db"))
		return func(t *testing.T) data.EventStore {
			s, err := sqlite.OpenEvents(path)
			if err != nil {
				t.Fatal(err)
			}
			return s
		}
	})
}

func open(t testing.TB) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "city.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// TestOpenFileNames opens stores whose paths hold URI syntax, spaces and Chinese: the data must
// land in exactly that file, and a second Open must find it there.
func TestOpenFileNames(t *testing.T) {
	ctx := context.Background()
	for _, name := range []string{"a?b.db", "c#d.db", "城市 数据.db"} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, name)
			s, err := sqlite.Open(ctx, path)
			if err != nil {
				t.Fatal(err)
			}
			v, err := s.Save(ctx, storetest.FullDataset(), "test")
			s.Close()
			if err != nil {
				t.Fatal(err)
			}
			if _, err := os.Stat(path); err != nil {
				t.Fatalf("store file: %v", err)
			}
			s, err = sqlite.Open(ctx, path)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if got, err := s.ActiveVersion(ctx); err != nil || got != v {
				t.Errorf("reopened active version = %d, %v; want %d", got, err, v)
			}
		})
	}
}

// TestSaveInsertFails makes the version's writing fail partway (a trigger aborts the insert of
// the components' image chunk, after the rows and chunks of the layers before it): Save
// must return that error, leave the previous version active and intact, and the store must
// take the next Save.
func TestSaveInsertFails(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	v1, err := s.Save(ctx, storetest.FullDataset(), "first")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.DB().ExecContext(ctx, `CREATE TRIGGER fail_insert BEFORE INSERT ON layer_image
		WHEN NEW.layer = 'component' BEGIN SELECT RAISE(ABORT, 'injected failure'); END`); err != nil {
		t.Fatal(err)
	}
	big := storetest.FullDataset()
	c := big.Components[0]
	for i := range 5000 {
		cc := *c
		cc.ID = fmt.Sprintf("44030301010%05d", i)
		big.Components = append(big.Components, &cc)
	}
	_, err = s.Save(ctx, big, "second")
	if err == nil || !strings.Contains(err.Error(), "injected failure") {
		t.Fatalf("Save = %v, want the injected failure", err)
	}
	if av, err := s.ActiveVersion(ctx); err != nil || av != v1 {
		t.Fatalf("active version after failed save = %d, %v; want %d", av, err, v1)
	}
	got, err := s.Load(ctx, v1)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(got.Components); n != len(storetest.FullDataset().Components) {
		t.Errorf("version %d has %d components after a failed save, want %d", v1, n, len(storetest.FullDataset().Components))
	}
	if _, err := s.DB().ExecContext(ctx, `DROP TRIGGER fail_insert`); err != nil {
		t.Fatal(err)
	}
	v2, err := s.Save(ctx, big, "third")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := s.Load(ctx, v2); err != nil || len(got.Components) != len(big.Components) {
		t.Errorf("save after the failure: %v", err)
	}
}

// TestWatchSurvivesErrors makes the poll fail for a while (the active table renamed away): Watch
// must report each failure with a growing wait, keep polling, and see the version saved once
// the table is back.
func TestWatchSurvivesErrors(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	s := open(t)
	v1, err := s.Save(ctx, storetest.FullDataset(), "x")
	if err != nil {
		t.Fatal(err)
	}
	seen := make(chan int64, 10)
	type failure struct {
		err  error
		wait time.Duration
	}
	failed := make(chan failure, 100)
	const interval = 5 * time.Millisecond
	done := make(chan error, 1)
	go func() {
		done <- s.Watch(ctx, interval, func(v int64) { seen <- v }, func(err error, wait time.Duration) { failed <- failure{err, wait} })
	}()
	if v := <-seen; v != v1 {
		t.Fatalf("first version seen = %d, want %d", v, v1)
	}
	if _, err := s.DB().ExecContext(ctx, `ALTER TABLE active RENAME TO active_away`); err != nil {
		t.Fatal(err)
	}
	var waits []time.Duration
	for len(waits) < 3 {
		select {
		case f := <-failed:
			if f.err == nil {
				t.Fatal("onErr called with a nil error")
			}
			waits = append(waits, f.wait)
		case err := <-done:
			t.Fatalf("Watch returned %v while the store failed; want it to keep polling", err)
		case <-ctx.Done():
			t.Fatal("no failure reported")
		}
	}
	for i := 1; i < len(waits); i++ {
		if waits[i] <= waits[i-1] || waits[i] > data.MaxWatchBackoff {
			t.Errorf("waits = %v, want growing up to %v", waits, data.MaxWatchBackoff)
		}
	}
	if _, err := s.DB().ExecContext(ctx, `ALTER TABLE active_away RENAME TO active`); err != nil {
		t.Fatal(err)
	}
	v2, err := s.Save(ctx, storetest.FullDataset(), "y")
	if err != nil {
		t.Fatal(err)
	}
	select {
	case v := <-seen:
		if v != v2 {
			t.Errorf("version seen after the failures = %d, want %d", v, v2)
		}
	case err := <-done:
		t.Fatalf("Watch returned %v, want it to keep polling", err)
	case <-ctx.Done():
		t.Fatal("Watch did not see the version saved after the failures")
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Watch after cancel = %v, want context.Canceled", err)
	}
}

// TestTracksConformance runs the track store suite on the tracks file.
func TestTracksConformance(t *testing.T) {
	storetest.RunTracks(t, func(t *testing.T) func(t *testing.T) data.TrackStore {
		path := filepath.Join(t.TempDir(), sqlite.TracksPath("city.db"))
		return func(t *testing.T) data.TrackStore {
			s, err := sqlite.OpenTracks(path)
			if err != nil {
				t.Fatal(err)
			}
			return s
		}
	})
}

// TestSaveLeavesForeignKeysOn checks that the connection a version was written on (with
// foreign keys off, see BeginVersion) goes back to the pool with them on, after a commit and
// after an abort.
func TestSaveLeavesForeignKeysOn(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "city.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	st.DB().SetMaxOpenConns(1) // the writer's connection is the one every query below gets
	fk := func(when string) {
		t.Helper()
		var on int
		if err := st.DB().QueryRowContext(ctx, "PRAGMA foreign_keys").Scan(&on); err != nil || on != 1 {
			t.Errorf("%s: foreign_keys = %d (%v), want 1", when, on, err)
		}
	}
	if _, err := st.Save(ctx, storetest.FullDataset(), "test"); err != nil {
		t.Fatal(err)
	}
	fk("after a commit")
	w, err := st.BeginVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Abort(); err != nil {
		t.Fatal(err)
	}
	fk("after an abort")
}
