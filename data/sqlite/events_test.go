package sqlite_test

import (
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"citygeo/data"
	"citygeo/data/sqlite"
)

// TestEventsOlderFile: an events file written by a citygeo before dispatched times, addresses,
// histories and change numbers opens, reads as it was (not dispatched, no history, not
// numbered) and takes the new fields from then on.
func TestEventsOlderFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.events.db")
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	for _, stmt := range []string{`CREATE TABLE dispatch_event (
		id TEXT PRIMARY KEY, scheme TEXT NOT NULL, kind TEXT NOT NULL, class TEXT NOT NULL, lon REAL NOT NULL, lat REAL NOT NULL,
		grid TEXT NOT NULL DEFAULT '', community TEXT NOT NULL DEFAULT '', street TEXT NOT NULL DEFAULT '',
		district TEXT NOT NULL DEFAULT '', component TEXT NOT NULL DEFAULT '', dept_code TEXT NOT NULL DEFAULT '',
		dept_name TEXT NOT NULL DEFAULT '', deadline TEXT NOT NULL DEFAULT '', priority INTEGER NOT NULL DEFAULT 0,
		status TEXT NOT NULL, reported TEXT NOT NULL, updated TEXT NOT NULL, closed TEXT NOT NULL DEFAULT '',
		source TEXT NOT NULL DEFAULT '', description TEXT NOT NULL DEFAULT '')`,
		`INSERT INTO dispatch_event (id, scheme, kind, class, lon, lat, grid, dept_name, status, reported, updated, source)
		 VALUES ('OLD1', 'CJ/T 214-2007', 'event', '0501', 114.1, 22.55, '440303003020002', '东门街道办事处', 'open',
		         '2026-11-18T02:00:00Z', '2026-11-18T02:00:00Z', '监督员上报')`,
	} {
		if _, err := db.Exec(stmt); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()

	st, err := sqlite.OpenEvents(path)
	if err != nil {
		t.Fatalf("open an older events file: %v", err)
	}
	evs, err := st.LoadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 1 || evs[0].ID != "OLD1" || evs[0].Grid != "440303003020002" || evs[0].Department.Name != "东门街道办事处" ||
		!evs[0].Dispatched.IsZero() || evs[0].History != nil || evs[0].Seq != 0 || evs[0].Address != "" {
		t.Fatalf("older row read as %+v", evs)
	}
	e := *evs[0]
	e.Seq, e.Address, e.Dispatched = 1, "东门中路1号", e.Reported.Add(time.Minute)
	e.History = []data.EventStep{{At: e.Dispatched, Status: data.EventOpen, Action: data.StepDispatched}}
	if err := st.Put(&e); err != nil {
		t.Fatal(err)
	}
	st.Close()
	if st, err = sqlite.OpenEvents(path); err != nil { // a second open finds the columns there
		t.Fatal(err)
	}
	defer st.Close()
	if evs, err = st.LoadAll(); err != nil || len(evs) != 1 || evs[0].Seq != 1 || len(evs[0].History) != 1 || evs[0].Address != "东门中路1号" {
		t.Fatalf("after a write: %+v %v", evs, err)
	}
}
