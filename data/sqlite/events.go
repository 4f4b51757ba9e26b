package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/url"
	"time"

	"citygeo/data"
	"citygeo/internal/sqliteuri"

	"github.com/paulmach/orb"
	_ "modernc.org/sqlite" // registers the pure-Go "sqlite" driver
)

// Events keeps the events feed (dispatch.Feed) in the table dispatch_event of a file of its own:
// by default <store>.events.db beside the dataset store file (the serve command's --events
// chooses another). It is a separate file because Store.Save holds one write transaction for a
// whole import, and an event write must never wait behind an import. Put is durable when it
// returns, against an OS crash or power loss too: WAL with synchronous=FULL syncs the log at
// every commit (one fsync per event, about a millisecond on a disk that honours it), because an
// event acknowledged to a dispatcher must not vanish; NORMAL would survive only a process kill.
//
// Events is no data.EventChanges: it has one-process semantics. A feed sees the events stored
// when it loaded and its own writes after that, not those of another process on the same file;
// replicas that must share events use the PostgreSQL backend (data/postgis.Events).
type Events struct {
	db  *sql.DB
	put *sql.Stmt
}

var _ data.EventStore = (*Events)(nil)

const eventSchema = `
CREATE TABLE IF NOT EXISTS dispatch_event (
	id          TEXT PRIMARY KEY,
	scheme      TEXT NOT NULL,
	kind        TEXT NOT NULL,
	class       TEXT NOT NULL,
	lon         REAL NOT NULL,
	lat         REAL NOT NULL,
	grid        TEXT NOT NULL DEFAULT '',
	community   TEXT NOT NULL DEFAULT '',
	street      TEXT NOT NULL DEFAULT '',
	district    TEXT NOT NULL DEFAULT '',
	component   TEXT NOT NULL DEFAULT '',
	dept_code   TEXT NOT NULL DEFAULT '',
	dept_name   TEXT NOT NULL DEFAULT '',
	deadline    TEXT NOT NULL DEFAULT '',
	priority    INTEGER NOT NULL DEFAULT 0,
	status      TEXT NOT NULL,
	reported    TEXT NOT NULL,
	updated     TEXT NOT NULL,
	closed      TEXT NOT NULL DEFAULT '',
	source      TEXT NOT NULL DEFAULT '',
	description TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS dispatch_event_status ON dispatch_event(status, reported);
`

// eventColumnsAdded are the columns a newer citygeo added to dispatch_event, with their
// definitions: an events file of an older one gets them when opened (SQLite has no ADD COLUMN
// IF NOT EXISTS), its rows reading as not dispatched, without history and not numbered.
var eventColumnsAdded = [][2]string{
	{"dispatched", "TEXT NOT NULL DEFAULT ''"},
	{"history", "TEXT NOT NULL DEFAULT ''"}, // JSON array of data.EventStep
	{"seq", "INTEGER NOT NULL DEFAULT 0"},
	{"address", "TEXT NOT NULL DEFAULT ''"},
}

// OpenEvents opens (or creates) the events file at path with WAL and a 5 s busy timeout, and
// creates the events table if needed.
func OpenEvents(path string) (*Events, error) {
	db, err := openWAL(path)
	if err != nil {
		return nil, fmt.Errorf("open event store %s: %w", path, err)
	}
	s, err := newEvents(db)
	if err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// newEvents creates the events table in db if needed and prepares the insert.
func newEvents(db *sql.DB) (*Events, error) {
	ctx := context.Background()
	if _, err := db.ExecContext(ctx, eventSchema); err != nil {
		return nil, fmt.Errorf("create event table: %w", err)
	}
	if err := addEventColumns(ctx, db); err != nil {
		return nil, err
	}
	put, err := db.PrepareContext(ctx, `INSERT OR REPLACE INTO dispatch_event
		(id, scheme, kind, class, lon, lat, grid, community, street, district, component,
		 dept_code, dept_name, deadline, priority, status, reported, updated, closed, source, description,
		 dispatched, history, seq, address)
		VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`)
	if err != nil {
		return nil, fmt.Errorf("prepare event insert: %w", err)
	}
	return &Events{db: db, put: put}, nil
}

// addEventColumns adds the columns of eventColumnsAdded that the table lacks.
func addEventColumns(ctx context.Context, db *sql.DB) error {
	rows, err := db.QueryContext(ctx, `SELECT name FROM pragma_table_info('dispatch_event')`)
	if err != nil {
		return fmt.Errorf("read event table columns: %w", err)
	}
	have := map[string]bool{}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			rows.Close()
			return fmt.Errorf("read event table columns: %w", err)
		}
		have[name] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read event table columns: %w", err)
	}
	for _, c := range eventColumnsAdded {
		if have[c[0]] {
			continue
		}
		if _, err := db.ExecContext(ctx, `ALTER TABLE dispatch_event ADD COLUMN `+c[0]+` `+c[1]); err != nil {
			return fmt.Errorf("add event column %s: %w", c[0], err)
		}
	}
	return nil
}

// Close releases the statement and the database.
func (s *Events) Close() error {
	err := s.put.Close()
	if cerr := s.db.Close(); err == nil {
		err = cerr
	}
	return err
}

// Put inserts or replaces an event. Its Seq is stored as given: the one process writing this
// file numbers the changes (dispatch.Feed).
func (s *Events) Put(e *data.Event) error {
	hist, err := historyText(e.History)
	if err != nil {
		return fmt.Errorf("insert event %s: %w", e.ID, err)
	}
	_, err = s.put.Exec(e.ID, e.Class.Scheme.String(), string(e.Class.Kind), e.Class.Code, e.Point[0], e.Point[1],
		e.Grid, e.Community, e.Street, e.District, e.Component, e.Department.Code, e.Department.Name,
		timeText(e.Deadline), e.Priority, string(e.Status), timeText(e.Reported), timeText(e.Updated),
		timeText(e.Closed), e.Source, e.Description, timeText(e.Dispatched), hist, e.Seq, e.Address)
	if err != nil {
		return fmt.Errorf("insert event %s: %w", e.ID, err)
	}
	return nil
}

// LoadAll reads every event, in change order (Seq; those not numbered first, by report time).
func (s *Events) LoadAll() ([]*data.Event, error) {
	rows, err := s.db.Query(`SELECT id, scheme, kind, class, lon, lat, grid, community, street, district,
		component, dept_code, dept_name, deadline, priority, status, reported, updated, closed, source, description,
		dispatched, history, seq, address
		FROM dispatch_event ORDER BY seq, reported, id`)
	if err != nil {
		return nil, fmt.Errorf("query events: %w", err)
	}
	defer rows.Close()
	var out []*data.Event
	for rows.Next() {
		var e data.Event
		var scheme, kind, status, deadline, reported, updated, closed, dispatched, hist string
		var lon, lat float64
		if err := rows.Scan(&e.ID, &scheme, &kind, &e.Class.Code, &lon, &lat, &e.Grid, &e.Community,
			&e.Street, &e.District, &e.Component, &e.Department.Code, &e.Department.Name, &deadline,
			&e.Priority, &status, &reported, &updated, &closed, &e.Source, &e.Description,
			&dispatched, &hist, &e.Seq, &e.Address); err != nil {
			return nil, fmt.Errorf("scan event: %w", err)
		}
		if e.Class.Scheme, err = data.ParseScheme(scheme); err != nil {
			return nil, fmt.Errorf("event %s: %w", e.ID, err)
		}
		e.Class.Kind, e.Status = data.ClassKind(kind), data.EventStatus(status)
		e.Point = orb.Point{lon, lat}
		for _, t := range []struct {
			dst *time.Time
			src string
		}{{&e.Deadline, deadline}, {&e.Reported, reported}, {&e.Updated, updated}, {&e.Closed, closed},
			{&e.Dispatched, dispatched}} {
			if *t.dst, err = parseTimeText(t.src); err != nil {
				return nil, fmt.Errorf("event %s: %w", e.ID, err)
			}
		}
		if hist != "" {
			if err := json.Unmarshal([]byte(hist), &e.History); err != nil {
				return nil, fmt.Errorf("event %s: history: %w", e.ID, err)
			}
		}
		out = append(out, &e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read events: %w", err)
	}
	return out, nil
}

// historyText is an event's history as the JSON kept in its row ("" when it has none).
func historyText(h []data.EventStep) (string, error) {
	if len(h) == 0 {
		return "", nil
	}
	b, err := json.Marshal(h)
	if err != nil {
		return "", fmt.Errorf("history: %w", err)
	}
	return string(b), nil
}

func timeText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.RFC3339Nano)
}

func parseTimeText(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	return time.Parse(time.RFC3339Nano, s)
}

// openWAL opens the SQLite file at path for a log the process appends to (events, tracks):
// WAL, so readers never wait for the writer; synchronous=FULL, so a commit acknowledged to a
// client survives an OS crash or power loss, not only a kill of the process (one fsync per
// commit: tracks amortise it by group commit); and a 5 s busy timeout.
func openWAL(path string) (*sql.DB, error) {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(5000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(FULL)")
	return sql.Open("sqlite", sqliteuri.File(path, q))
}

// EventsPath is where the events of the store file storePath live unless told otherwise:
// storePath + ".events.db", beside it.
func EventsPath(storePath string) string { return storePath + ".events.db" }
