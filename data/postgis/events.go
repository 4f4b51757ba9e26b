package postgis

import (
	"context"
	"fmt"
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
type Events struct {
	pool *pgxpool.Pool
}

var _ data.EventStore = (*Events)(nil)

const eventSchema = `
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
CREATE INDEX IF NOT EXISTS dispatch_event_status ON dispatch_event(status, reported);
CREATE INDEX IF NOT EXISTS dispatch_event_geom_gist ON dispatch_event USING gist (geom);
`

// OpenEvents connects to the database at url (as Open) and creates the events table when it is
// missing.
func OpenEvents(ctx context.Context, url string) (*Events, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("open postgis event store: %w", err)
	}
	cfg.ConnConfig.RuntimeParams["synchronous_commit"] = "on"
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open postgis event store: %w", err)
	}
	if err := createEventSchema(ctx, pool); err != nil {
		pool.Close()
		return nil, fmt.Errorf("open postgis event store %s: %w", redact(cfg), err)
	}
	return &Events{pool: pool}, nil
}

// createEventSchema creates the events table unless it exists, under the schema lock; the look
// first avoids CREATE INDEX IF NOT EXISTS, which locks the table, on every start.
func createEventSchema(ctx context.Context, pool *pgxpool.Pool) error {
	exists := func(q queryRower) (bool, error) {
		var ok bool
		err := q.QueryRow(ctx, `SELECT to_regclass(format('%I.%I', current_schema(), 'dispatch_event')) IS NOT NULL`).Scan(&ok)
		return ok, err
	}
	if ok, err := exists(pool); err != nil || ok {
		return err
	}
	return pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, schemaLock); err != nil {
			return fmt.Errorf("lock schema: %w", err)
		}
		if ok, err := exists(tx); err != nil || ok {
			return err
		}
		if err := ensurePostGIS(ctx, tx); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, eventSchema); err != nil {
			return fmt.Errorf("create event table: %w", err)
		}
		return nil
	})
}

// Close closes the connections.
func (s *Events) Close() error {
	s.pool.Close()
	return nil
}

// Put inserts or replaces an event, in one statement committed before it returns.
func (s *Events) Put(e *data.Event) error {
	ctx, cancel := context.WithTimeout(context.Background(), DefaultEventTimeout)
	defer cancel()
	_, err := s.pool.Exec(ctx, `INSERT INTO dispatch_event (id, scheme, kind, class, geom, grid, community, street,
		district, component, dept_code, dept_name, deadline, priority, status, reported, updated, closed, source, description)
		VALUES ($1, $2, $3, $4, ST_SetSRID(ST_MakePoint($5, $6), 4490), $7, $8, $9, $10, $11, $12, $13, $14, $15, $16,
		        $17, $18, $19, $20, $21)
		ON CONFLICT (id) DO UPDATE SET scheme = excluded.scheme, kind = excluded.kind, class = excluded.class,
		 geom = excluded.geom, grid = excluded.grid, community = excluded.community, street = excluded.street,
		 district = excluded.district, component = excluded.component, dept_code = excluded.dept_code,
		 dept_name = excluded.dept_name, deadline = excluded.deadline, priority = excluded.priority,
		 status = excluded.status, reported = excluded.reported, updated = excluded.updated, closed = excluded.closed,
		 source = excluded.source, description = excluded.description`,
		e.ID, string(e.Class.Scheme), string(e.Class.Kind), e.Class.Code, e.Point[0], e.Point[1],
		e.Grid, e.Community, e.Street, e.District, e.Component, e.Department.Code, e.Department.Name,
		timeOrNil(e.Deadline), e.Priority, string(e.Status), e.Reported, e.Updated, timeOrNil(e.Closed),
		e.Source, e.Description)
	if err != nil {
		return fmt.Errorf("put event %s: %w", e.ID, err)
	}
	return nil
}

// LoadAll reads every event, oldest report first.
func (s *Events) LoadAll() ([]*data.Event, error) {
	ctx, cancel := context.WithTimeout(context.Background(), DefaultEventTimeout)
	defer cancel()
	rows, err := s.pool.Query(ctx, `SELECT id, scheme, kind, class, ST_X(geom), ST_Y(geom), grid, community, street,
		district, component, dept_code, dept_name, deadline, priority, status, reported, updated, closed, source, description
		FROM dispatch_event ORDER BY reported, id`)
	if err != nil {
		return nil, fmt.Errorf("load events: %w", err)
	}
	defer rows.Close()
	var out []*data.Event
	for rows.Next() {
		var e data.Event
		var scheme, kind, status string
		var deadline, closed pgtype.Timestamptz
		if err := rows.Scan(&e.ID, &scheme, &kind, &e.Class.Code, &e.Point[0], &e.Point[1], &e.Grid, &e.Community,
			&e.Street, &e.District, &e.Component, &e.Department.Code, &e.Department.Name, &deadline, &e.Priority,
			&status, &e.Reported, &e.Updated, &closed, &e.Source, &e.Description); err != nil {
			return nil, fmt.Errorf("load events: %w", err)
		}
		e.Class.Scheme, e.Class.Kind, e.Status = data.Scheme(scheme), data.ClassKind(kind), data.EventStatus(status)
		e.Deadline, e.Closed = timeOrZero(deadline), timeOrZero(closed)
		e.Reported, e.Updated = e.Reported.UTC(), e.Updated.UTC()
		out = append(out, &e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("load events: %w", err)
	}
	return out, nil
}
