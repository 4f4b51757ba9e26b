package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"

	"citygeo/city"
	"citygeo/data"
	"citygeo/data/postgis/pgtest"
	"citygeo/data/sample"
	"citygeo/data/sqlite"
	"citygeo/geo"
)

// TestBackupUnderLoad takes `citygeo backup` of each backend while events are written one after
// another and a new version is being imported, restores it with `citygeo restore`, and checks
// the restored store answers as the original did: every version in it locates 60 points as the
// same version did in the original, and its events are exactly the first k written (k at least
// those acknowledged before the backup began), each as written. Events in order with no gap and
// versions whole are what a consistent copy gives; a file copied while written does not.
func TestBackupUnderLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("imports two versions per backend; skipped in -short")
	}
	for _, tc := range []struct {
		name string
		// store returns the --store value of a new, empty store and what to do to it before a
		// restore: nothing for SQLite (the restore goes to a new file) and for PostgreSQL the
		// schema dropped, as after losing the database.
		store func(t *testing.T) (where, restoreTo string, lose func())
	}{
		{"sqlite", func(t *testing.T) (string, string, func()) {
			dir := t.TempDir()
			return filepath.Join(dir, "city.db"), filepath.Join(dir, "restored", "city.db"), func() {}
		}},
		{"postgres", func(t *testing.T) (string, string, func()) {
			dsn := pgtest.Schema(t)
			return dsn, dsn, func() {
				c, err := pgx.Connect(context.Background(), dsn)
				if err != nil {
					t.Fatal(err)
				}
				defer c.Close(context.Background())
				if _, err := c.Exec(context.Background(), `DROP SCHEMA `+currentSchema(t, c)+` CASCADE`); err != nil {
					t.Fatal(err)
				}
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			where, restoreTo, lose := tc.store(t)
			testBackupUnderLoad(t, where, restoreTo, lose)
		})
	}
}

func currentSchema(t *testing.T, c *pgx.Conn) string {
	var s string
	if err := c.QueryRow(context.Background(), `SELECT current_schema()`).Scan(&s); err != nil {
		t.Fatal(err)
	}
	return pgx.Identifier{s}.Sanitize()
}

func testBackupUnderLoad(t *testing.T, where, restoreTo string, lose func()) {
	ctx := context.Background()
	eventsAt := func(store string) string {
		if isPostgres(store) {
			return store
		}
		return sqlite.EventsPath(store)
	}
	st, err := openStore(ctx, where)
	if err != nil {
		t.Fatal(err)
	}
	es, err := openEvents(ctx, eventsAt(where))
	if err != nil {
		t.Fatal(err)
	}
	v1ds, err := sample.Generate(sample.Options{Grids: 500, Components: 5000, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Save(ctx, v1ds, "v1"); err != nil {
		t.Fatal(err)
	}
	v2ds, err := sample.Generate(sample.Options{Grids: 600, Components: 8000, Seed: 8})
	if err != nil {
		t.Fatal(err)
	}

	// The load: events written one after another, and version 2 imported, during the backup.
	stop := make(chan struct{})
	var acked sync.Map // id → true once Put returned
	var load sync.WaitGroup
	written := make(chan int, 1)
	load.Go(func() {
		n := 0
		defer func() { written <- n }()
		t0 := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
		for ; ; n++ {
			select {
			case <-stop:
				return
			default:
			}
			e := data.Event{ID: fmt.Sprintf("B%06d", n), Class: evClass, Point: orb.Point{114.1 + float64(n)/1e5, 22.55},
				Status: data.EventOpen, Reported: t0.Add(time.Duration(n) * time.Second), Updated: t0.Add(time.Duration(n) * time.Second)}
			if err := es.Put(&e); err != nil {
				t.Error(err)
				return
			}
			acked.Store(e.ID, true)
		}
	})
	saved := make(chan error, 1)
	load.Go(func() {
		_, err := st.Save(ctx, v2ds, "v2")
		saved <- err
	})
	time.Sleep(50 * time.Millisecond)
	before := 0
	acked.Range(func(any, any) bool { before++; return true })
	file := filepath.Join(t.TempDir(), "city.backup")
	start := time.Now()
	if out, err := run(t, "backup", "--store", where, file); err != nil {
		t.Fatalf("backup: %v\n%s", err, out)
	}
	took := time.Since(start)
	close(stop)
	load.Wait()
	if err := <-saved; err != nil {
		t.Fatal(err)
	}
	n := <-written
	t.Logf("backup took %v under load; %d events acknowledged before it, %d in all", took.Round(time.Millisecond), before, n)

	// What the original answers, per version.
	want := map[int64]string{}
	vs, err := st.Versions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range vs {
		want[v.Version] = locateAnswers(t, st, v.Version)
	}
	allEvents, err := es.LoadAll()
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	es.Close()

	// A restore never overwrites a store in use: a file without --replace, a schema that holds one.
	if out, err := run(t, "restore", "--store", where, file); err == nil {
		t.Errorf("restore over the live store succeeded: %s", out)
	}
	lose()
	if out, err := run(t, "restore", "--store", restoreTo, file); err != nil {
		t.Fatalf("restore: %v\n%s", err, out)
	}

	rst, err := openStore(ctx, restoreTo)
	if err != nil {
		t.Fatal(err)
	}
	defer rst.Close()
	rvs, err := rst.Versions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(rvs) == 0 {
		t.Fatal("the restored store has no version")
	}
	for _, v := range rvs {
		if got := locateAnswers(t, rst, v.Version); got != want[v.Version] {
			t.Errorf("restored version %d answers differently from the original's", v.Version)
		}
	}
	active, err := rst.ActiveVersion(ctx)
	if err != nil || active != rvs[len(rvs)-1].Version {
		t.Errorf("restored active version = %d, %v; want the newest restored, %d", active, err, rvs[len(rvs)-1].Version)
	}
	t.Logf("restored versions %d of %d (version 2 was imported while the backup ran)", len(rvs), len(vs))

	res, err := openEvents(ctx, eventsAt(restoreTo))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Close()
	got, err := res.LoadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(got) < before || len(got) > n {
		t.Errorf("restored %d events; want between the %d acknowledged before the backup and the %d written", len(got), before, n)
	}
	for i, e := range got {
		if wantID := fmt.Sprintf("B%06d", i); e.ID != wantID {
			t.Fatalf("restored event %d is %s, want %s: the copy has a gap", i, e.ID, wantID)
		}
		if w := allEvents[i]; !e.Updated.Equal(w.Updated) || e.Point != w.Point {
			t.Errorf("restored event %s differs from the original", e.ID)
		}
	}
}

var evClass, _ = data.ParseClassRef("0501", 0, data.KindEvent)

// locateAnswers locates 60 fixed points in version v of st and returns the answers as JSON.
func locateAnswers(t *testing.T, st data.Store, v int64) string {
	t.Helper()
	ds, err := st.Load(context.Background(), v)
	if err != nil {
		t.Fatal(err)
	}
	snap, err := city.Build(ds, city.Options{})
	if err != nil {
		t.Fatal(err)
	}
	b := snap.Geo.Bound()
	rng := rand.New(rand.NewPCG(3, 4))
	var out []city.Located
	for range 60 {
		p := orb.Point{b.Min[0] + rng.Float64()*(b.Max[0]-b.Min[0]), b.Min[1] + rng.Float64()*(b.Max[1]-b.Min[1])}
		l, _ := snap.Locate(p, p, geo.WGS84, geo.NearestQuery{K: 3, Radius: 200}, nil)
		out = append(out, l)
	}
	j, err := json.Marshal(out)
	if err != nil {
		t.Fatal(err)
	}
	return string(j)
}
