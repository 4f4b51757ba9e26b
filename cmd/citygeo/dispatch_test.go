package main

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"citygeo/data"
	"citygeo/data/sample"
	"citygeo/data/sqlite"
	"citygeo/geo"
)

// TestEventsBesideStore writes events while an import holds the dataset store's write
// transaction: by default the events live in their own file beside the store, so the write must
// not wait for the import; --events still chooses the file.
func TestEventsBesideStore(t *testing.T) {
	ctx := context.Background()
	ds, ix := sampleIndexed(t, 1000)
	for _, tt := range []struct {
		name   string
		events string // --events; "" = default
		want   string // file the events must land in, relative to the temp dir
	}{
		{"default", "", "城市 a?b.db.events.db"},
		{"--events", "my events.db", "my events.db"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			storePath := filepath.Join(dir, "城市 a?b.db")
			st, err := sqlite.Open(ctx, storePath)
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			// An import in progress: Save holds the write lock for its whole transaction.
			tx, err := st.DB().BeginTx(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer tx.Rollback()
			if _, err := tx.ExecContext(ctx, `INSERT INTO dataset_version(name, created_at, source, counts) VALUES ('x', '', '', '{}')`); err != nil {
				t.Fatal(err)
			}
			f := dispatchFlags{}
			if tt.events != "" {
				f.events = filepath.Join(dir, tt.events)
			}
			start := time.Now()
			disp, closer, err := newDispatch(f, storePath, ds, ix, slog.New(slog.DiscardHandler))
			if err != nil {
				t.Fatal(err)
			}
			defer closer.Close()
			e := data.Event{ID: "C2026-0001", Point: ds.Components[0].Geometry.Bound().Center(),
				Class: data.ClassRef{Scheme: data.CJT214, Kind: data.KindEvent, Code: "0501"}}
			if _, err := disp.Feed.Put(e, time.Now()); err != nil {
				t.Fatalf("event write during an import: %v", err)
			}
			// Waiting for the lock would take the events file's busy timeout (5 s) and then fail;
			// opening a fresh events file on a loaded CI machine has taken just over 2 s.
			if d := time.Since(start); d > 4*time.Second {
				t.Errorf("event write took %v during an import: it waited for the store's lock", d)
			}
			es, err := sqlite.OpenEvents(filepath.Join(dir, tt.want))
			if err != nil {
				t.Fatal(err)
			}
			defer es.Close()
			got, err := es.LoadAll()
			if err != nil || len(got) != 1 || got[0].ID != e.ID {
				t.Errorf("events in %s = %v, %v; want %s", tt.want, got, err, e.ID)
			}
			if _, err := os.Stat(storePath + ".events.db"); tt.events != "" && err == nil {
				t.Errorf("--events given, but the default %s.events.db was created too", storePath)
			}
		})
	}
}

// TestDispatchCalendar: serve's --calendar reaches the deadlines' calendar, and a bad file
// stops the start naming the file and the value.
func TestDispatchCalendar(t *testing.T) {
	ds, ix := sampleIndexed(t, 500)
	dir := t.TempDir()
	good, bad := filepath.Join(dir, "calendar.json"), filepath.Join(dir, "bad.json")
	os.WriteFile(good, []byte(`{"holidays": ["2026-10-01"], "workdays": ["2026-09-27"]}`), 0o644)
	os.WriteFile(bad, []byte(`{"holidays": ["1 October"]}`), 0o644)
	disp, _, err := newDispatch(dispatchFlags{calendar: good}, "", ds, ix, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	if len(disp.Calendar.Holidays) != 1 || disp.Calendar.Workdays[0] != "2026-09-27" {
		t.Errorf("calendar %+v, want the file's", disp.Calendar)
	}
	if _, _, err := newDispatch(dispatchFlags{calendar: bad}, "", ds, ix, slog.New(slog.DiscardHandler)); err == nil ||
		!strings.Contains(err.Error(), "bad.json") || !strings.Contains(err.Error(), "1 October") {
		t.Errorf("bad calendar: %v, want an error naming the file and the date", err)
	}
}

// sampleIndexed generates a 500-grid sample city with components and its geo index.
func sampleIndexed(t *testing.T, components int) (*data.Dataset, *geo.Index) {
	t.Helper()
	ds, err := sample.Generate(sample.Options{Grids: 500, Components: components, Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	ix, err := geo.NewIndex(ds, geo.IndexOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return ds, ix
}
