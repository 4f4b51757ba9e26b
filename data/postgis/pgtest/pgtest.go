// Package pgtest gives tests a PostgreSQL database to run against: a new schema of the database
// named by CITYGEO_TEST_POSTGRES per test, dropped when the test ends. Without the variable the
// test skips, saying how to set it. It is test support only; nothing outside tests imports it.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"
)

// EnvURL names the environment variable holding the test database: a PostgreSQL database with
// PostGIS (or a role that may create it) in which the tests may create schemas.
const EnvURL = "CITYGEO_TEST_POSTGRES"

// Schema returns a connection string for a new, empty schema of the test database, dropped when
// the test ends. Each test (each conformance subtest) gets its own, so none sees another's
// versions; the schema's search_path also reaches the schema PostGIS is installed in.
func Schema(t testing.TB) string {
	t.Helper()
	base := os.Getenv(EnvURL)
	if base == "" {
		t.Skipf("set %s=postgres://user:password@127.0.0.1:5432/db (a database the tests may create schemas in; .ci/run starts one)", EnvURL)
	}
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatalf("connect to %s: %v", EnvURL, err)
	}
	defer admin.Close(ctx)
	// PostGIS must be there before a schema can reach it; the tests' role may not be allowed to
	// create it, so say what to do instead of failing on "type geometry does not exist".
	var gis *string
	if err := admin.QueryRow(ctx, `SELECT (SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'postgis')`).Scan(&gis); err != nil {
		t.Fatal(err)
	}
	if gis == nil {
		if _, err := admin.Exec(ctx, `CREATE EXTENSION postgis`); err != nil {
			t.Fatalf("the database of %s has no postgis and this role cannot create it (%v): run CREATE EXTENSION postgis in it as a superuser", EnvURL, err)
		}
		p := "public"
		gis = &p
	}
	var b [6]byte
	rand.Read(b[:])
	schema := "citygeo_test_" + hex.EncodeToString(b[:])
	if _, err := admin.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		c, err := pgx.Connect(ctx, base)
		if err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
			return
		}
		defer c.Close(ctx)
		// The cities a test registers (postgis.CityURL) are schemas named after its own.
		var drop []string
		if err := c.QueryRow(ctx, `SELECT array_agg(nspname::text) FROM pg_namespace WHERE nspname = $1 OR nspname LIKE $1 || '\_%'`, schema).Scan(&drop); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
			return
		}
		for _, s := range drop {
			if _, err := c.Exec(ctx, "DROP SCHEMA "+pgx.Identifier{s}.Sanitize()+" CASCADE"); err != nil {
				t.Errorf("drop schema %s: %v", s, err)
			}
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("%s: %v", EnvURL, err)
	}
	q := u.Query()
	q.Set("search_path", schema+","+*gis)
	q.Set("application_name", schema) // lets a test find this schema's connections
	u.RawQuery = q.Encode()
	return u.String()
}
