package main

import (
	"errors"
	"fmt"
	"strconv"
	"text/tabwriter"

	"citygeo/cmd/citygeo/internal/audit"
	"citygeo/data"

	"github.com/spf13/cobra"
)

func newVersionsCmd() *cobra.Command {
	var sf storeFlags
	cmd := &cobra.Command{
		Use:   "versions --store PATH",
		Short: "list the dataset versions in the store, with counts per layer; * marks the active one",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if sf.store == "" {
				return &exitError{code: 2, err: errors.New("versions needs --store PATH")}
			}
			st, err := openExistingStore(cmd.Context(), sf.store)
			if err != nil {
				return err
			}
			defer st.Close()
			vs, err := st.Versions(cmd.Context())
			if err != nil {
				return err
			}
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "\tVERSION\tCREATED\tAREAS\tGRIDS\tCOMPONENTS\tROADS\tADDRESSES\tSOURCE")
			for _, v := range vs {
				mark := ""
				if v.Active {
					mark = "*"
				}
				c := v.Counts
				fmt.Fprintf(w, "%s\t%d\t%s\t%d\t%d\t%d\t%d\t%d\t%s\n", mark, v.Version, v.CreatedAt.Local().Format("2006-01-02 15:04:05"),
					c[data.LayerArea], c[data.LayerGrid], c[data.LayerComponent], c[data.LayerRoad], c[data.LayerAddress], v.Source)
			}
			return w.Flush()
		},
	}
	cmd.Flags().StringVar(&sf.store, "store", "", "dataset store: an SQLite file, or postgres://… for PostgreSQL/PostGIS")
	sf.withCity(cmd, false)
	return cmd
}

func newRollbackCmd() *cobra.Command {
	var sf storeFlags
	cmd := &cobra.Command{
		Use:   "rollback --store PATH VERSION",
		Short: "make an earlier (or any) stored version the active one; running servers follow",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if sf.store == "" {
				return &exitError{code: 2, err: errors.New("rollback needs --store PATH")}
			}
			v, err := strconv.ParseInt(args[0], 10, 64)
			if err != nil {
				return &exitError{code: 2, err: fmt.Errorf("version %q: not a number", args[0])}
			}
			st, err := openExistingStore(cmd.Context(), sf.store)
			if err != nil {
				return err
			}
			defer st.Close()
			err = st.Activate(cmd.Context(), v)
			entry := audit.Entry{Action: "rollback", Target: fmt.Sprintf("version=%d", v), Version: v, Result: audit.ResultOK}
			if err != nil {
				entry.Result, entry.Message = audit.ResultFailed, err.Error()
				if errors.Is(err, data.ErrNoVersion) {
					entry.Result = audit.ResultRefused
				}
			}
			auditCLI(cmd.ErrOrStderr(), sf.store, entry)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "version %d active\n", v)
			return nil
		},
	}
	cmd.Flags().StringVar(&sf.store, "store", "", "dataset store: an SQLite file, or postgres://… for PostgreSQL/PostGIS")
	sf.withCity(cmd, false)
	return cmd
}
