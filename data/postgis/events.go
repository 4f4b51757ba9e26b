package postgis

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"citygeo/data"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"
)

// DefaultEventTimeout bounds one Put or LoadAll, whose data.EventStore signatures carry no
// context: with the database down, a report fails (and the API answers 503) instead of hanging.
const DefaultEventTimeout = 10 * time.Second

// Events keeps the events feed (dispatch.Feed) in the table dispatch_event of the store's
// database, where every replica reads and writes it. Put is durable when it returns: the
// connection runs with synchronous_commit on whatever the server's default, so an acknowledged
// event is on disk. Imports never block event writes (each is its own short transaction, and
// MVCC readers and writers do not wait on each other).
//
// Events is a data.EventChanges: a trigger gives every written row the next number of the
// sequence dispatch_event_seq (its cursor) and notifies EventChannel at commit, so each replica
// reads what the others wrote (Changes) as soon as it is told (Listen).
type Events struct {
	pool   *pgxpool.Pool
	schema string // where the table is: the connection's current schema
}

var _ data.EventChanges = (*Events)(nil)

// EventChannel is the channel the events table's trigger notifies on at the commit of every
// write; the payload is the table's schema, so that several stores in one database tell their
// writes apart.
const EventChannel = "citygeo_event"

// eventLockClass is the first key of the advisory lock that orders event writes (the second is
// the schema's hash): 0x63676576, "cgev".
const eventLockClass = "1667720566"

// eventSchema creates the events table, or brings one made by an older citygeo up to date (the
// seq column and its trigger): every statement is idempotent.
//
// The trigger is what makes Changes exact. A sequence number is drawn when a statement runs, not
// when it commits, so two writers could commit out of their numbers' order and a reader that has
// seen 11 would never read 10. The trigger therefore takes a transaction-scoped advisory lock
// before it draws the number: writers of one schema's events commit one at a time, in number
// order (PostgreSQL makes a commit visible before it releases the committer's locks). Event
// writes are short single-row statements, a few per second in a busy city, so the order costs
// nothing that matters. Writers of other schemas take other locks.
const eventSchema = `
CREATE SEQUENCE IF NOT EXISTS dispatch_event_seq;
CREATE TABLE IF NOT EXISTS dispatch_event (
	id          text PRIMARY KEY,
	scheme      text NOT NULL,
	kind        text NOT NULL,
	class       text NOT NULL,
	geom        geometry(Point, 4490) NOT NULL,
	grid        text NOT NULL,
	community   text NOT NULL,
	street      text NOT NULL,
	district    text NOT NULL,
	component   text NOT NULL,
	dept_code   text NOT NULL,
	dept_name   text NOT NULL,
	deadline    timestamptz,
	priority    integer NOT NULL,
	status      text NOT NULL,
	reported    timestamptz NOT NULL,
	updated     timestamptz NOT NULL,
	closed      timestamptz,
	source      text NOT NULL,
	description text NOT NULL
);
ALTER TABLE dispatch_event ADD COLUMN IF NOT EXISTS seq bigint NOT NULL DEFAULT nextval('dispatch_event_seq');
ALTER TABLE dispatch_event ADD COLUMN IF NOT EXISTS dispatched timestamptz;
ALTER TABLE dispatch_event ADD COLUMN IF NOT EXISTS address text NOT NULL DEFAULT '';
ALTER TABLE dispatch_event ADD COLUMN IF NOT EXISTS history jsonb NOT NULL DEFAULT '[]';
CREATE INDEX IF NOT EXISTS dispatch_event_status ON dispatch_event(status, reported);
CREATE INDEX IF NOT EXISTS dispatch_event_geom_gist ON dispatch_event USING gist (geom);
CREATE UNIQUE INDEX IF NOT EXISTS dispatch_event_seq_key ON dispatch_event(seq);
CREATE OR REPLACE FUNCTION citygeo_event_written() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_advisory_xact_lock(` + eventLockClass + `, hashtext(TG_TABLE_SCHEMA));
	NEW.seq := nextval(format('%I.dispatch_event_seq', TG_TABLE_SCHEMA));
	PERFORM pg_notify('` + EventChannel + `', TG_TABLE_SCHEMA);
	RETURN NEW;
END $$;
CREATE OR REPLACE TRIGGER dispatch_event_written BEFORE INSERT OR UPDATE ON dispatch_event
	FOR EACH ROW EXECUTE FUNCTION citygeo_event_written();
`

// OpenEvents connects to the database at url (as Open) and creates the events table when it is
// missing.
func OpenEvents(ctx context.Context, url string) (*Events, error) {
	pool, schema, err := openTables(ctx, url, "event store", "dispatch_event_seq_key", "dispatch_event.history", eventSchema)
	if err != nil {
		return nil, err
	}
	return &Events{pool: pool, schema: schema}, nil
}

// openTables connects to the database at url with synchronous commits (what it stores is
// acknowledged to clients) and creates the tables of ddl unless they are complete (see
// createTables). what names the store in errors.
func openTables(ctx context.Context, url, what, marker, newest, ddl string) (*pgxpool.Pool, string, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, "", fmt.Errorf("open postgis %s: %w", what, err)
	}
	cfg.ConnConfig.RuntimeParams["synchronous_commit"] = "on"
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, "", fmt.Errorf("open postgis %s: %w", what, err)
	}
	schema, err := createTables(ctx, pool, marker, newest, ddl)
	if err != nil {
		pool.Close()
		return nil, "", fmt.Errorf("open postgis %s %s: %w", what, redact(cfg.ConnConfig), err)
	}
	return pool, schema, nil
}

// createTables creates or upgrades the tables of ddl unless they are complete, under the schema
// lock, and returns the schema they are in. The look first avoids CREATE INDEX IF NOT EXISTS,
// which locks the table, on every start. marker names the index ddl creates last, in the same
// transaction as the rest, so its presence says the whole of ddl is there; newest
// ("table.column", "" none) names the column a later citygeo added (ddl adds it with ADD COLUMN
// IF NOT EXISTS), so tables made by an older one are brought up to date.
func createTables(ctx context.Context, pool *pgxpool.Pool, marker, newest, ddl string) (string, error) {
	table, column, _ := strings.Cut(newest, ".")
	var schema *string
	complete := func(q queryRower) (bool, error) {
		var ok bool
		err := q.QueryRow(ctx, `SELECT current_schema(), to_regclass(format('%I.%I', current_schema(), $1::text)) IS NOT NULL
			AND ($2::text = '' OR EXISTS (SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema()
			            AND table_name = $2::text AND column_name = $3::text))`, marker, table, column).Scan(&schema, &ok)
		if err == nil && schema == nil {
			err = errors.New("no schema to create tables in: the search_path names no existing schema")
		}
		return ok, err
	}
	if ok, err := complete(pool); err != nil || ok {
		return deref(schema), err
	}
	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, schemaLock); err != nil {
			return fmt.Errorf("lock schema: %w", err)
		}
		if ok, err := complete(tx); err != nil || ok {
			return err
		}
		if err := ensurePostGIS(ctx, tx); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, ddl); err != nil {
			return fmt.Errorf("create tables: %w", err)
		}
		return nil
	})
	return deref(schema), err
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// Close closes the connections.
func (s *Events) Close() error {
	s.pool.Close()
	return nil
}

// Put inserts or replaces an event, in one statement committed before it returns, and sets
// e.Seq to the change number the trigger gave the write (the caller's is ignored).
func (s *Events) Put(e *data.Event) error {
	ctx, cancel := context.WithTimeout(context.Background(), DefaultEventTimeout)
	defer cancel()
	hist := e.History
	if hist == nil {
		hist = []data.EventStep{}
	}
	err := s.pool.QueryRow(ctx, `INSERT INTO dispatch_event (id, scheme, kind, class, geom, grid, community, street,
		district, component, dept_code, dept_name, deadline, priority, status, reported, updated, closed, source, description,
		dispatched, history, address)
		VALUES ($1, $2, $3, $4, ST_SetSRID(ST_MakePoint($5, $6), 4490), $7, $8, $9, $10, $11, $12, $13, $14, $15, $16,
		        $17, $18, $19, $20, $21, $22, $23, $24)
		ON CONFLICT (id) DO UPDATE SET scheme = excluded.scheme, kind = excluded.kind, class = excluded.class,
		 geom = excluded.geom, grid = excluded.grid, community = excluded.community, street = excluded.street,
		 district = excluded.district, component = excluded.component, dept_code = excluded.dept_code,
		 dept_name = excluded.dept_name, deadline = excluded.deadline, priority = excluded.priority,
		 status = excluded.status, reported = excluded.reported, updated = excluded.updated, closed = excluded.closed,
		 source = excluded.source, description = excluded.description, dispatched = excluded.dispatched,
		 history = excluded.history, address = excluded.address
		RETURNING seq`,
		e.ID, e.Class.Scheme.String(), string(e.Class.Kind), e.Class.Code, e.Point[0], e.Point[1],
		e.Grid, e.Community, e.Street, e.District, e.Component, e.Department.Code, e.Department.Name,
		timeOrNil(e.Deadline), e.Priority, string(e.Status), e.Reported, e.Updated, timeOrNil(e.Closed),
		e.Source, e.Description, timeOrNil(e.Dispatched), hist, e.Address).Scan(&e.Seq)
	if err != nil {
		return fmt.Errorf("put event %s: %w", e.ID, err)
	}
	return nil
}

// eventColumns is the select list scanEvent reads, seq first.
const eventColumns = `seq, id, scheme, kind, class, ST_X(geom), ST_Y(geom), grid, community, street, district, component,
	dept_code, dept_name, deadline, priority, status, reported, updated, closed, source, description, dispatched, history, address`

// LoadAll reads every event, in change order (Seq).
func (s *Events) LoadAll() ([]*data.Event, error) {
	ctx, cancel := context.WithTimeout(context.Background(), DefaultEventTimeout)
	defer cancel()
	var out []*data.Event
	_, err := s.query(ctx, `SELECT `+eventColumns+` FROM dispatch_event ORDER BY seq`, 0, func(e *data.Event) { out = append(out, e) })
	if err != nil {
		return nil, fmt.Errorf("load events: %w", err)
	}
	return out, nil
}

// Changes implements data.EventChanges: the rows whose seq is above since, in seq order, which
// the trigger's lock makes the order of their commits. It is bounded by DefaultEventTimeout as
// well as ctx.
func (s *Events) Changes(ctx context.Context, since int64, fn func(*data.Event)) (int64, error) {
	ctx, cancel := context.WithTimeout(ctx, DefaultEventTimeout)
	defer cancel()
	last, err := s.query(ctx, `SELECT `+eventColumns+` FROM dispatch_event WHERE seq > $1 ORDER BY seq`, since, fn, since)
	if err != nil {
		return since, fmt.Errorf("read event changes after %d: %w", since, err)
	}
	return last, nil
}

// Listen implements data.EventChanges: a LISTEN on EventChannel on a connection of its own,
// waking for this schema's writes and once after each (re)connection.
func (s *Events) Listen(ctx context.Context, wake chan<- struct{}, onErr func(err error, retryIn time.Duration)) {
	listen(ctx, s.pool.Config().ConnConfig, EventChannel, func(p string) bool { return p == s.schema }, wake,
		func(err error, retryIn time.Duration) {
			if onErr != nil {
				onErr(fmt.Errorf("listen for event writes: %w", err), retryIn)
			}
		})
}

// query runs a select of eventColumns and calls fn with each row's event; it returns the largest
// seq read, or since when there was no row.
func (s *Events) query(ctx context.Context, sql string, since int64, fn func(*data.Event), args ...any) (int64, error) {
	rows, err := s.pool.Query(ctx, sql, args...)
	if err != nil {
		return since, err
	}
	defer rows.Close()
	last := since
	for rows.Next() {
		var e data.Event
		var seq int64
		var scheme, kind, status string
		var deadline, closed, dispatched pgtype.Timestamptz
		if err := rows.Scan(&seq, &e.ID, &scheme, &kind, &e.Class.Code, &e.Point[0], &e.Point[1], &e.Grid, &e.Community,
			&e.Street, &e.District, &e.Component, &e.Department.Code, &e.Department.Name, &deadline, &e.Priority,
			&status, &e.Reported, &e.Updated, &closed, &e.Source, &e.Description, &dispatched, &e.History, &e.Address); err != nil {
			return since, err
		}
		if len(e.History) == 0 {
			e.History = nil
		}
		if e.Class.Scheme, err = data.ParseScheme(scheme); err != nil {
			return since, fmt.Errorf("event %s: %w", e.ID, err)
		}
		e.Class.Kind, e.Status = data.ClassKind(kind), data.EventStatus(status)
		e.Deadline, e.Closed, e.Dispatched = timeOrZero(deadline), timeOrZero(closed), timeOrZero(dispatched)
		e.Seq = seq
		e.Reported, e.Updated = e.Reported.UTC(), e.Updated.UTC()
		last = max(last, seq)
		fn(&e)
	}
	if err := rows.Err(); err != nil {
		return since, err
	}
	return last, nil
}
