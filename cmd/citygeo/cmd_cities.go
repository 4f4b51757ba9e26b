package main

import (
	"errors"
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"citygeo/data/postgis"
)

func newCitiesCmd() *cobra.Command {
	var sf storeFlags
	cmd := &cobra.Command{
		Use:   "cities --store postgres://…",
		Short: "list the cities of a PostgreSQL store holding several (import --city creates one), with each one's active version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !isPostgres(sf.store) {
				return &exitError{code: 2, err: errors.New("cities needs a postgres:// --store (an SQLite file holds one city)")}
			}
			cities, err := postgis.Cities(cmd.Context(), sf.store)
			if err != nil {
				return err
			}
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "CITY\tSCHEMA\tACTIVE\tNAME")
			for _, c := range cities {
				active := "-"
				if c.Active != 0 {
					active = fmt.Sprint(c.Active)
				}
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", c.Key, c.Schema, active, c.Name)
			}
			return w.Flush()
		},
	}
	cmd.Flags().StringVar(&sf.store, "store", "", "a postgres:// store")
	return cmd
}
