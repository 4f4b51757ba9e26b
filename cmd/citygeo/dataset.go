package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"citygeo/cmd/citygeo/internal/config"

	"citygeo/data"
	"citygeo/data/postgis"
	"citygeo/data/sample"
	"citygeo/data/sqlite"
)

// storeFlags are the flags every command that reads a dataset shares.
type storeFlags struct {
	store string // where the dataset versions are kept; "" = the built-in sample city
	city  string // the city of a database holding several (--city), "" = the database's own store
}

// withCity adds --city to cmd: the command then works on that city of a PostgreSQL store
// holding several, its store URL resolved (postgis.CityURL) before the command runs, so that
// the rest of the command, and the events, tracks and lists beside the store, need no change.
// With create (import, gen) a new city is created; otherwise it must exist.
func (f *storeFlags) withCity(cmd *cobra.Command, create bool) {
	cmd.Flags().StringVar(&f.city, "city", "", "the city of a postgres:// store holding several, by its 6-digit district (or city) code: 330106")
	pre := cmd.PreRunE
	cmd.PreRunE = func(cmd *cobra.Command, args []string) error {
		if pre != nil {
			if err := pre(cmd, args); err != nil {
				return err
			}
		}
		if f.city == "" {
			return nil
		}
		if !isPostgres(f.store) {
			return &exitError{code: 2, err: fmt.Errorf("--city %s needs a postgres:// --store (an SQLite file holds one city)", f.city)}
		}
		u, err := postgis.CityURL(cmd.Context(), f.store, f.city, create)
		if err != nil {
			return err
		}
		f.store = u
		return nil
	}
}

// openStore opens the dataset store named by a --store value. This is the one place that picks
// a backend: a postgres:// or postgresql:// URL is a PostgreSQL/PostGIS database (data/postgis),
// anything else the path of the embedded SQLite file (data/sqlite); every command and the server
// take the data.Store it returns.
func openStore(ctx context.Context, where string) (data.Store, error) {
	if isPostgres(where) {
		return postgis.Open(ctx, where)
	}
	return sqlite.Open(ctx, where)
}

// storeName is a --store value fit for messages and logs: a URL's password is masked.
func storeName(where string) string {
	if u, err := url.Parse(where); err == nil && isPostgres(where) {
		return u.Redacted()
	}
	return where
}

// isPostgres reports whether a --store or --events value is a PostgreSQL URL rather than a file.
func isPostgres(where string) bool {
	return strings.HasPrefix(where, "postgres://") || strings.HasPrefix(where, "postgresql://")
}

// eventStore is an events feed store that holds a file or connections until closed.
type eventStore interface {
	data.EventStore
	io.Closer
}

// openEvents opens the events feed's store named by an --events value, picked as openStore picks:
// the dispatch_event table of a PostgreSQL database, shared by every replica, or an SQLite file.
func openEvents(ctx context.Context, where string) (eventStore, error) {
	if isPostgres(where) {
		return postgis.OpenEvents(ctx, where)
	}
	return sqlite.OpenEvents(where)
}

// openTracks opens the track store named by a --tracks value, picked as openStore picks: the
// field_fix table of a PostgreSQL database, shared by every replica, or an SQLite file.
func openTracks(ctx context.Context, where string) (data.TrackStore, error) {
	if isPostgres(where) {
		return postgis.OpenTracks(ctx, where)
	}
	return sqlite.OpenTracks(where)
}

// openExistingStore opens a store that must exist already: the one of every command that reads
// a store or switches its versions (serve, versions, rollback, export, locate). A path naming no
// file is an error, not a new empty database: a typo in --store would otherwise serve or export
// an empty city without a word. Only import and gen create a store. A database URL is not a
// file and goes to openStore as it is.
func openExistingStore(ctx context.Context, where string) (data.Store, error) {
	if err := storeExists(where); err != nil {
		return nil, err
	}
	return openStore(ctx, where)
}

// storeExists checks that a --store path names a file (a URL passes).
func storeExists(where string) error {
	if config.IsURL(where) {
		return nil
	}
	fi, err := os.Stat(where)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("store %s does not exist (citygeo import --store %s FILE… or citygeo gen --store %s creates one)", where, where, where)
	case err != nil:
		return fmt.Errorf("open store: %w", err)
	case fi.IsDir():
		return fmt.Errorf("store %s is a directory, not a store file", where)
	}
	return nil
}

// loadDataset returns the dataset a command works on: the active version of the store, or the
// built-in sample city when no store is given.
func loadDataset(ctx context.Context, f storeFlags) (*data.Dataset, error) {
	if f.store == "" {
		return sample.Generate(sample.Options{})
	}
	st, err := openExistingStore(ctx, f.store)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	ds, err := data.LoadActive(ctx, st)
	if err != nil {
		return nil, fmt.Errorf("store %s: %w", storeName(f.store), err)
	}
	return ds, nil
}
