package postgis

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
)

// ErrNotEmpty is returned by Restore rather than restore over a schema that holds a store.
var ErrNotEmpty = errors.New("schema already holds a citygeo store")

// Backup writes the store at url — the schema its tables are in: dataset versions with every
// layer's partitions, the active row, the events table, their sequences and triggers — to dst as
// a pg_dump archive in custom format, the way PostgreSQL documents for a logical backup. pg_dump
// reads everything in one repeatable-read snapshot, so the copy is consistent while replicas
// serve, events are written and an import runs: that import's version is in the copy wholly or
// not at all. Nobody waits for it. pg_dump (postgresql-client, the server's major version or
// newer) must be on the PATH; PostGIS itself is not in the archive. dst must not exist.
func Backup(ctx context.Context, url, dst string) error {
	if _, err := os.Stat(dst); err == nil {
		return fmt.Errorf("back up to %s: file exists", dst)
	}
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return fmt.Errorf("back up: %w", err)
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return fmt.Errorf("back up %s: %w", redact(cfg), err)
	}
	schema, complete, err := schemaState(ctx, conn)
	conn.Close(ctx)
	if err != nil {
		return fmt.Errorf("back up %s: %w", redact(cfg), err)
	}
	if !complete {
		return fmt.Errorf("back up %s: schema %s holds no citygeo store", redact(cfg), schema)
	}
	_, err = run(ctx, "pg_dump", url, "--format=custom", "--no-owner", "--no-privileges",
		"--schema="+pgx.Identifier{schema}.Sanitize(), "--file="+dst)
	if err != nil {
		os.Remove(dst) // a partial archive is no backup
		return fmt.Errorf("back up %s: %w", redact(cfg), err)
	}
	return nil
}

// Restore loads the archive src, written by Backup, into the database at url with pg_restore,
// in one transaction: all of it or nothing. The archive recreates the schema it was taken from,
// which must not hold a store already (ErrNotEmpty: drop it first, or restore into another
// database), and which the store url must name (its search_path) to serve it. The database
// needs PostGIS (CREATE EXTENSION postgis as a superuser). Replicas pointed at the schema are
// restarted afterwards: the restore does not notify them.
func Restore(ctx context.Context, url, src string) error {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	toc, err := run(ctx, "pg_restore", "", "--list", src)
	if err != nil {
		return fmt.Errorf("restore %s: %w", src, err)
	}
	schema := archiveSchema(toc)
	if schema == "" {
		return fmt.Errorf("restore %s: not a citygeo backup: the archive has no table dataset_version", src)
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return fmt.Errorf("restore to %s: %w", redact(cfg), err)
	}
	defer conn.Close(ctx)
	var taken bool
	if err := conn.QueryRow(ctx, `SELECT to_regclass(format('%I.dataset_version', $1::text)) IS NOT NULL`, schema).Scan(&taken); err != nil {
		return fmt.Errorf("restore to %s: %w", redact(cfg), err)
	}
	if taken {
		return fmt.Errorf("restore to %s: schema %s: %w (drop it first, or restore into another database)", redact(cfg), schema, ErrNotEmpty)
	}
	// The public schema exists in every database and is not created by the archive.
	if schema != "public" {
		if _, err := conn.Exec(ctx, "DROP SCHEMA IF EXISTS "+pgx.Identifier{schema}.Sanitize()); err != nil {
			return fmt.Errorf("restore to %s: schema %s exists and is not empty: %w", redact(cfg), schema, err)
		}
	}
	if _, err := run(ctx, "pg_restore", url, "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
		"--dbname="+cfg.Database, src); err != nil {
		return fmt.Errorf("restore %s to %s: %w", src, redact(cfg), err)
	}
	var cur *string
	if err := conn.QueryRow(ctx, `SELECT current_schema()`).Scan(&cur); err != nil {
		return fmt.Errorf("restore to %s: %w", redact(cfg), err)
	}
	if cur == nil || *cur != schema {
		return fmt.Errorf("restored into schema %s, but the store URL's search_path does not put it first: add search_path=%s,public to it", schema, schema)
	}
	return nil
}

// archiveSchema finds the schema of the table dataset_version in a pg_restore --list table of
// contents, whose entries read "id; tableoid oid TABLE schema name owner".
func archiveSchema(toc []byte) string {
	sc := bufio.NewScanner(bytes.NewReader(toc))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) >= 6 && !strings.HasPrefix(f[0], ";") && f[3] == "TABLE" && f[5] == "dataset_version" {
			return f[4]
		}
	}
	return ""
}

// run runs a PostgreSQL client program with the connection of url (when not empty) passed in
// libpq's environment variables: libpq rejects the pgx-only parameters a store URL may carry
// (search_path, pool_max_conns), and the password stays off the command line. It returns the
// program's standard output, and its standard error in the error.
func run(ctx context.Context, prog, url string, args ...string) ([]byte, error) {
	path, err := exec.LookPath(prog)
	if err != nil {
		return nil, fmt.Errorf("%s not found: install the PostgreSQL client (Debian: postgresql-client), the server's major version or newer: %w", prog, err)
	}
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Env = os.Environ()
	if url != "" {
		env, err := libpqEnv(url)
		if err != nil {
			return nil, err
		}
		cmd.Env = append(cmd.Env, env...)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("%s: %w: %s", prog, err, strings.TrimSpace(stderr.String()))
	}
	return stdout.Bytes(), nil
}

// libpqEnv returns the PG* environment variables naming the connection of a store URL.
func libpqEnv(raw string) ([]string, error) {
	cfg, err := pgx.ParseConfig(raw)
	if err != nil {
		return nil, err
	}
	env := []string{"PGHOST=" + cfg.Host, "PGPORT=" + strconv.Itoa(int(cfg.Port)), "PGUSER=" + cfg.User,
		"PGDATABASE=" + cfg.Database, "PGPASSWORD=" + cfg.Password, "PGCONNECT_TIMEOUT=10"}
	if u, err := url.Parse(raw); err == nil {
		if m := u.Query().Get("sslmode"); m != "" {
			env = append(env, "PGSSLMODE="+m)
		}
	}
	return env, nil
}
