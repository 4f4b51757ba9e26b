package main

import (
	"context"
	"fmt"

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

// loadDataset returns the dataset a command works on: the active version of the store, or the
// built-in sample city when no store is given.
func loadDataset(ctx context.Context, f storeFlags) (*data.Dataset, error) {
	if f.store == "" {
		return sample.Generate(sample.Options{})
	}
	st, err := openStore(ctx, f.store)
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
