package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"citygeo/data/postgis"
	"citygeo/data/sqlite"
)

func newBackupCmd() *cobra.Command {
	var sf storeFlags
	cmd := &cobra.Command{
		Use:   "backup --store PATH|postgres://… FILE",
		Short: "write a consistent copy of the store (and its events) to FILE while servers keep running",
		Long: `backup writes a consistent copy of the dataset store and the events feed to FILE, while
servers, imports and event writes go on.

SQLite: FILE is a copy of the store file made with VACUUM INTO (one read transaction), and
FILE.events.db one of the events file beside the store, when there is one.
PostgreSQL: FILE is a pg_dump archive (custom format) of the store's schema, taken in one
snapshot; pg_dump must be installed (Debian: postgresql-client).`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if sf.store == "" {
				return &exitError{code: 2, err: errors.New("backup needs --store PATH or --store postgres://…")}
			}
			if isPostgres(sf.store) {
				if err := postgis.Backup(cmd.Context(), sf.store, args[0]); err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "backed up %s to %s\n", storeName(sf.store), args[0])
				return nil
			}
			files, err := sqlite.Backup(cmd.Context(), sf.store, args[0])
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "backed up %s to %v\n", sf.store, files)
			return nil
		},
	}
	cmd.Flags().StringVar(&sf.store, "store", "", "dataset store: an SQLite file, or postgres://… for PostgreSQL/PostGIS")
	sf.withCity(cmd, false)
	return cmd
}

func newRestoreCmd() *cobra.Command {
	var (
		sf      storeFlags
		replace bool
	)
	cmd := &cobra.Command{
		Use:   "restore --store PATH|postgres://… FILE",
		Short: "make a backup the store again (stop the servers of an existing store first)",
		Long: `restore checks the backup FILE written by citygeo backup and makes it the store.

SQLite: FILE (and FILE.events.db when present) is copied beside the store file and renamed over
it; an existing store is replaced only with --replace, after its servers have stopped.
PostgreSQL: pg_restore loads the archive in one transaction into the schema it was taken from,
which must hold no store (drop it first, or restore into another database with PostGIS); the
store URL's search_path must name that schema. Restart the replicas afterwards.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if sf.store == "" {
				return &exitError{code: 2, err: errors.New("restore needs --store PATH or --store postgres://…")}
			}
			if isPostgres(sf.store) {
				if replace {
					return &exitError{code: 2, err: errors.New("--replace is for SQLite stores: drop the PostgreSQL schema yourself, knowingly")}
				}
				if err := postgis.Restore(cmd.Context(), sf.store, args[0]); err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "restored %s to %s\n", args[0], storeName(sf.store))
				return nil
			}
			files, err := sqlite.Restore(cmd.Context(), args[0], sf.store, replace)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "restored %s to %v\n", args[0], files)
			return nil
		},
	}
	cmd.Flags().StringVar(&sf.store, "store", "", "dataset store: an SQLite file, or postgres://… for PostgreSQL/PostGIS")
	cmd.Flags().BoolVar(&replace, "replace", false, "SQLite: replace an existing store file (its servers stopped)")
	return cmd
}
