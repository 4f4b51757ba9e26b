package main

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"golang.org/x/sys/unix"
)

// The PostGIS side: the city loaded with ogr2ogr (COPY, GiST indexes) into a schema of its own,
// asked over pgx one query per request, as a client of PostGIS would.
const (
	pgGridSQL = `SELECT bgid FROM %[1]s.grid WHERE ST_Intersects(geom, ST_SetSRID(ST_MakePoint($1, $2), 4490)) LIMIT 1`
	// KNN on the GiST index; <-> orders by planar distance in degrees, which is how PostGIS
	// answers "nearest" from an index on lon/lat geometry (geography has no KNN index order).
	pgNearestSQL = `SELECT objid FROM %[1]s.component WHERE substr(objid, 7, 4) = $3
		ORDER BY geom <-> ST_SetSRID(ST_MakePoint($1, $2), 4490) LIMIT 1`
	// The grids layer as citygeo's tile carries it (code, community, area; extent 4096, buffer
	// 64); citygeo's tile also holds a label point per grid, which this one leaves out.
	pgTileSQL = `SELECT ST_AsMVT(q, 'grids', 4096, 'geom') FROM (
		SELECT g.bgid AS code, g.sqdm AS community, round(g.area) AS area,
			ST_AsMVTGeom(ST_Transform(g.geom, 3857), ST_TileEnvelope($1, $2, $3), 4096, 64, true) AS geom
		FROM %[1]s.grid g
		WHERE g.geom && ST_Transform(ST_TileEnvelope($1, $2, $3, margin => 64.0 / 4096), 4490)) q`
)

// runPostGIS loads the city into c.Schema with ogr2ogr, pins the PostgreSQL server to the
// server core, checks its answers and measures it. The schema is dropped at the end.
func runPostGIS(ctx context.Context, c *Config, pin pinning, city *City, res *Results) error {
	ogr, err := exec.LookPath("ogr2ogr")
	if err != nil {
		res.note("PostGIS skipped: no ogr2ogr (gdal-bin) to load it with")
		return nil
	}
	cfg, err := pgxpool.ParseConfig(c.Postgres)
	if err != nil {
		return fmt.Errorf("-postgres: %w", err)
	}
	schema := pgx.Identifier{c.Schema}.Sanitize()
	admin, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return err
	}
	defer admin.Close()
	if _, err := admin.Exec(ctx, "DROP SCHEMA IF EXISTS "+schema+" CASCADE; CREATE SCHEMA "+schema); err != nil {
		return fmt.Errorf("create schema %s: %w", c.Schema, err)
	}
	defer func() {
		drop, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if _, err := admin.Exec(drop, "DROP SCHEMA IF EXISTS "+schema+" CASCADE"); err != nil {
			c.Log("drop schema %s: %v", c.Schema, err)
		}
	}()
	switch {
	case c.SharedPostgres:
		res.note("PostgreSQL not pinned: -shared-postgres (other clients use that server meanwhile)")
	case pin.on:
		restore, note := pinPostgres(ctx, admin)
		defer restore()
		res.note(note)
	}

	sys := &res.PostGIS
	sys.Ran = true
	conn := cfg.ConnConfig
	pg := fmt.Sprintf("PG:host=%s port=%d dbname=%s user=%s password=%s", conn.Host, conn.Port, conn.Database, conn.User, conn.Password)
	if conn.TLSConfig == nil {
		pg += " sslmode=disable"
	}
	c.Log("ogr2ogr of %s into PostGIS schema %s", city.Path, c.Schema)
	load := pin.command(ctx, ogr, "-f", "PostgreSQL", pg, city.Path, "-lco", "SCHEMA="+c.Schema,
		"-lco", "GEOMETRY_NAME=geom", "-lco", "SPATIAL_INDEX=GIST", "--config", "PG_USE_COPY", "YES", "-gt", "65536")
	t0 := time.Now()
	if out, err := load.CombinedOutput(); err != nil {
		return fmt.Errorf("ogr2ogr: %v: %s", err, out)
	}
	if _, err := admin.Exec(ctx, "ANALYZE "+schema+".grid; ANALYZE "+schema+".component"); err != nil {
		return err
	}
	sys.LoadSeconds = time.Since(t0).Seconds()
	sys.LoadPeakRSS = peakRSS(load)
	sys.LoadHow = "`ogr2ogr` (COPY, GiST indexes) of the same GeoPackage, every layer, then ANALYZE; ogr2ogr on the server core beside PostgreSQL; peak RSS is ogr2ogr's"
	if err := admin.QueryRow(ctx, `SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0)::bigint FROM pg_class c
		JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind = 'r'`, c.Schema).Scan(&sys.DiskBytes); err != nil {
		return err
	}
	c.Log("PostGIS loaded in %.1f s, %s on disk", sys.LoadSeconds, mb(sys.DiskBytes))

	gridSQL, nearestSQL, tileSQL := fmt.Sprintf(pgGridSQL, schema), fmt.Sprintf(pgNearestSQL, schema), fmt.Sprintf(pgTileSQL, schema)
	for i, p := range city.Points[:min(len(city.Points), checkPoints)] {
		var a answer
		if err := scanOptional(admin.QueryRow(ctx, gridSQL, p[0], p[1]), &a.Grid); err != nil {
			return fmt.Errorf("PostGIS point → grid: %w", err)
		}
		if err := scanOptional(admin.QueryRow(ctx, nearestSQL, p[0], p[1], city.Classes[i%len(city.Classes)]), &a.Nearest); err != nil {
			return fmt.Errorf("PostGIS nearest: %w", err)
		}
		sys.Answers = append(sys.Answers, a)
	}
	for _, t := range city.Tiles {
		var mvt []byte
		if err := admin.QueryRow(ctx, tileSQL, int(t.Z), int(t.X), int(t.Y)).Scan(&mvt); err != nil {
			return fmt.Errorf("PostGIS tile %v: %w", t, err)
		}
		sys.Tiles.add(len(mvt))
	}

	pool := func(query func(seq int) (string, []any)) setup {
		return func(n int) (workload, error) {
			pc := cfg.Copy()
			pc.MaxConns, pc.MinConns = int32(n), int32(n)
			p, err := pgxpool.NewWithConfig(ctx, pc)
			if err != nil {
				return workload{}, err
			}
			do := func(_ context.Context, seq int) error {
				sql, args := query(seq)
				// Not the run's context: a query cut off at the end would close its
				// connection, and the next run would pay for a new one.
				var v any
				return scanOptional(p.QueryRow(context.Background(), sql, args...), &v)
			}
			var backends []int
			cpu := func() float64 {
				// The pool's backends, known once the warm-up has opened them: the CPU of
				// this run's queries, not of other clients of the server.
				if backends == nil {
					for _, conn := range p.AcquireAllIdle(ctx) {
						backends = append(backends, int(conn.Conn().PgConn().PID()))
						conn.Release()
					}
				}
				total := 0.0
				for _, pid := range backends {
					total += cpuSeconds(pid)
				}
				return total
			}
			return workload{do: do, done: p.Close, cpu: cpu}, nil
		}
	}
	steps := []struct {
		name  string
		query func(int) (string, []any)
	}{
		{mGrid, func(i int) (string, []any) {
			p := city.Points[i%len(city.Points)]
			return gridSQL, []any{p[0], p[1]}
		}},
		{mNearest, func(i int) (string, []any) {
			p := city.Points[i%len(city.Points)]
			return nearestSQL, []any{p[0], p[1], city.Classes[i%len(city.Points)%len(city.Classes)]}
		}},
		{mTile, func(i int) (string, []any) {
			t := city.Tiles[i%len(city.Tiles)]
			return tileSQL, []any{int(t.Z), int(t.X), int(t.Y)}
		}},
	}
	for _, s := range steps {
		if err := measure(ctx, c, res, s.name, sysPostGIS, 1, pool(s.query), nil); err != nil {
			return err
		}
	}
	return nil
}

// scanOptional scans one value; no row is an answer too (a point in no grid).
func scanOptional(row pgx.Row, dst any) error {
	if err := row.Scan(dst); err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return err
	}
	return nil
}

// pinPostgres moves the PostgreSQL server (its postmaster, found as the parent of this
// connection's backend, and every process it has forked) to the server core; backends forked
// later inherit it. restore puts the postmaster's mask back on it and all its processes. The
// note says what was done or why it could not be.
func pinPostgres(ctx context.Context, pool *pgxpool.Pool) (restore func(), note string) {
	restore = func() {}
	var backend int
	if err := pool.QueryRow(ctx, "SELECT pg_backend_pid()").Scan(&backend); err != nil {
		return restore, "PostgreSQL not pinned: " + err.Error()
	}
	postmaster, err := parentOf(fmt.Sprintf("/proc/%d/stat", backend))
	if err != nil {
		return restore, fmt.Sprintf("PostgreSQL not pinned: its backend %d is not a process of this machine (%v)", backend, err)
	}
	var orig unix.CPUSet
	if err := unix.SchedGetaffinity(postmaster, &orig); err != nil {
		return restore, fmt.Sprintf("PostgreSQL not pinned: affinity of postmaster %d: %v", postmaster, err)
	}
	restore = func() {
		for _, p := range append([]int{postmaster}, children(postmaster)...) {
			_ = setAffinity(p, &orig)
		}
	}
	procs := append([]int{postmaster}, children(postmaster)...)
	for _, p := range procs {
		if err := setAffinity(p, cpuSet(serverCore)); err != nil {
			restore()
			return func() {}, "PostgreSQL not pinned: " + err.Error()
		}
	}
	return restore, "PostgreSQL (postmaster " + strconv.Itoa(postmaster) + " and its " + strconv.Itoa(len(procs)-1) +
		" processes, and the backends it forked during the run) pinned to core 0 for the run; its mask was restored after, so other clients of that server shared core 0 meanwhile"
}
