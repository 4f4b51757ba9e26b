package main

import (
	"context"
	"fmt"

	"citygeo/data"
	"citygeo/data/sample"
	"citygeo/data/store"
)

// storeFlags are the flags every command that reads a dataset shares.
type storeFlags struct {
	store string // path of the embedded store; "" = the built-in sample city
}

// loadDataset returns the dataset a command works on: the active version of the store, or the
// built-in sample city when no store is given.
func loadDataset(ctx context.Context, f storeFlags) (*data.Dataset, error) {
	if f.store == "" {
		return sample.Generate(sample.Options{})
	}
	st, err := store.Open(ctx, f.store)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	ds, err := st.LoadActive(ctx)
	if err != nil {
		return nil, fmt.Errorf("store %s: %w", f.store, err)
	}
	return ds, nil
}
