package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/spf13/cobra"

	"citygeo/data"
	"citygeo/diff"
)

func newDiffCmd() *cobra.Command {
	var sf storeFlags
	cmd := &cobra.Command{
		Use:   "diff --store PATH A B",
		Short: "compare two stored dataset versions: features added, removed and changed per layer, as JSON",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if sf.store == "" {
				return &exitError{code: 2, err: errors.New("diff needs --store PATH")}
			}
			var vs [2]int64
			for i, a := range args {
				v, err := strconv.ParseInt(a, 10, 64)
				if err != nil {
					return &exitError{code: 2, err: fmt.Errorf("version %q: not a number", a)}
				}
				vs[i] = v
			}
			st, err := openExistingStore(cmd.Context(), sf.store)
			if err != nil {
				return err
			}
			defer st.Close()
			var ds [2]*data.Dataset
			for i, v := range vs {
				if ds[i], err = st.Load(cmd.Context(), v); err != nil {
					return fmt.Errorf("store %s: version %d: %w", storeName(sf.store), v, err)
				}
			}
			enc := json.NewEncoder(cmd.OutOrStdout())
			enc.SetIndent("", "  ")
			return enc.Encode(diff.Datasets(ds[0], ds[1]))
		},
	}
	cmd.Flags().StringVar(&sf.store, "store", "", "dataset store: an SQLite file, or postgres://… for PostgreSQL/PostGIS")
	sf.withCity(cmd, false)
	return cmd
}
