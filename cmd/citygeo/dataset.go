package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"citygeo/cmd/citygeo/internal/config"

	"citygeo/data"
	"citygeo/data/sample"
	"citygeo/data/sqlite"
)

// storeFlags are the flags every command that reads a dataset shares.
type storeFlags struct {
	store string // where the dataset versions are kept; "" = the built-in sample city
}

// openStore opens the dataset store named by a --store value. This is the one place that picks
// a backend: today a path is the embedded SQLite file (data/sqlite); every command and the
// server take the data.Store it returns.
func openStore(ctx context.Context, where string) (data.Store, error) {
	return sqlite.Open(ctx, where)
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
		return nil, fmt.Errorf("store %s: %w", f.store, err)
	}
	return ds, nil
}
