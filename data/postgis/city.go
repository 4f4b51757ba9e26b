package postgis

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/jackc/pgx/v5"

	"citygeo/data"
)

// Several cities in one database. A city is keyed by a 6-digit GB/T 2260 code
// (data.ParseCityKey) and is a store of its own in the schema <base>_<key>, where base is the
// schema the database URL reaches (its current schema): its versions, events, tracks, duty
// lists and changes are its own, and its notifications name its schema, so replicas of one
// city never wake for another's import. The base schema's table city lists the cities, and the
// city's schema says its key in a one-row table city_key, which Save checks datasets against.
//
// A schema per city, rather than a city column in every table, keeps every query, partition
// and conformance test of the one-city store as it is, and lets pg_dump --schema back up one
// city.

// ErrNoCity is returned for a city that is not registered in the database.
var ErrNoCity = errors.New("no such city in the database")

// City is one city of a database, as Cities lists it.
type City struct {
	Key     string    `json:"key"`    // 330106
	Schema  string    `json:"schema"` // citygeo_330106
	Name    string    `json:"name"`   // the active version's dataset name; "" with none
	Active  int64     `json:"active"` // the active version; 0 with none
	AddedAt time.Time `json:"added_at"`
}

const cityDDL = `CREATE TABLE IF NOT EXISTS city (
	code     text PRIMARY KEY,
	schema   text NOT NULL UNIQUE,
	added_at timestamptz NOT NULL
)`

// CityURL returns the connection string of city key's store in the database at url: url with
// its search_path set to the city's schema followed by url's own (which reaches PostGIS). With
// create, it creates the schema and registers the city when they are missing; without, a city
// not registered is ErrNoCity. Every Open… of this package takes the URL it returns.
func CityURL(ctx context.Context, dbURL, key string, create bool) (string, error) {
	if err := data.ParseCityKey(key); err != nil {
		return "", err
	}
	u, err := url.Parse(dbURL)
	if err != nil {
		return "", fmt.Errorf("city %s: %w", key, err)
	}
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return "", fmt.Errorf("city %s: %w", key, err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	var base *string
	var path string
	if err := conn.QueryRow(ctx, `SELECT current_schema(), current_setting('search_path')`).Scan(&base, &path); err != nil {
		return "", fmt.Errorf("city %s: read search_path: %w", key, err)
	}
	if base == nil {
		return "", fmt.Errorf("city %s: the search_path names no existing schema to register cities in", key)
	}
	schema := *base + "_" + key
	if create {
		err = pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error { return addCity(ctx, tx, key, schema) })
	} else {
		err = conn.QueryRow(ctx, `SELECT schema FROM city WHERE code = $1`, key).Scan(&schema)
		var pe interface{ SQLState() string }
		if errors.Is(err, pgx.ErrNoRows) || (errors.As(err, &pe) && pe.SQLState() == "42P01") { // undefined_table: no city yet
			err = fmt.Errorf("%w: %s (citygeo import --city %s creates it)", ErrNoCity, key, key)
		}
	}
	if err != nil {
		return "", fmt.Errorf("city %s: %w", key, err)
	}
	q := u.Query()
	q.Set("search_path", pgx.Identifier{schema}.Sanitize()+", "+path)
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// addCity creates the city's schema and registers it, under the schema lock.
func addCity(ctx context.Context, tx pgx.Tx, key, schema string) error {
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, schemaLock); err != nil {
		return fmt.Errorf("lock schema: %w", err)
	}
	id := pgx.Identifier{schema}.Sanitize()
	for _, sql := range []string{
		cityDDL,
		`CREATE SCHEMA IF NOT EXISTS ` + id,
		`CREATE TABLE IF NOT EXISTS ` + id + `.city_key (id integer PRIMARY KEY CHECK (id = 1), code text NOT NULL)`,
	} {
		if _, err := tx.Exec(ctx, sql); err != nil {
			return fmt.Errorf("create city schema %s: %w", schema, err)
		}
	}
	if _, err := tx.Exec(ctx, `INSERT INTO `+id+`.city_key VALUES (1, $1) ON CONFLICT (id) DO NOTHING`, key); err != nil {
		return fmt.Errorf("create city schema %s: %w", schema, err)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO city(code, schema, added_at) VALUES ($1, $2, now()) ON CONFLICT (code) DO NOTHING`, key, schema); err != nil {
		return fmt.Errorf("register city: %w", err)
	}
	return nil
}

// Cities lists the cities of the database at url by key, each with its active version.
func Cities(ctx context.Context, dbURL string) ([]City, error) {
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return nil, fmt.Errorf("list cities: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	var have bool
	if err := conn.QueryRow(ctx, `SELECT to_regclass(format('%I.city', current_schema())) IS NOT NULL`).Scan(&have); err != nil {
		return nil, fmt.Errorf("list cities: %w", err)
	}
	if !have {
		return nil, nil
	}
	rows, err := conn.Query(ctx, `SELECT code, schema, added_at FROM city ORDER BY code`)
	if err != nil {
		return nil, fmt.Errorf("list cities: %w", err)
	}
	cities, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (City, error) {
		var c City
		err := r.Scan(&c.Key, &c.Schema, &c.AddedAt)
		c.AddedAt = c.AddedAt.UTC()
		return c, err
	})
	if err != nil {
		return nil, fmt.Errorf("list cities: %w", err)
	}
	for i := range cities {
		c := &cities[i]
		id := pgx.Identifier{c.Schema}.Sanitize()
		var stored bool
		if err := conn.QueryRow(ctx, `SELECT to_regclass($1) IS NOT NULL`, c.Schema+".active").Scan(&stored); err != nil {
			return nil, fmt.Errorf("list cities: %s: %w", c.Key, err)
		}
		if !stored {
			continue // registered, never imported into
		}
		err := conn.QueryRow(ctx, `SELECT d.version, d.name FROM `+id+`.active a JOIN `+id+`.dataset_version d USING (version)`).Scan(&c.Active, &c.Name)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return nil, fmt.Errorf("list cities: %s: %w", c.Key, err)
		}
	}
	return cities, nil
}

// cityKey returns the key of the city whose schema the store is in, "" for a store that is no
// city's.
func cityKey(ctx context.Context, q queryRower) (string, error) {
	var schema *string
	var have bool
	if err := q.QueryRow(ctx, `SELECT current_schema(), to_regclass(format('%I.city_key', current_schema())) IS NOT NULL`).Scan(&schema, &have); err != nil {
		return "", fmt.Errorf("read city key: %w", err)
	}
	if !have || schema == nil {
		return "", nil
	}
	var key string
	if err := q.QueryRow(ctx, `SELECT code FROM `+pgx.Identifier{*schema}.Sanitize()+`.city_key`).Scan(&key); err != nil {
		return "", fmt.Errorf("read city key: %w", err)
	}
	return key, nil
}
