package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"citygeo/cmd/citygeo/internal/api"
	"citygeo/data"
	"citygeo/data/sqlite"
	"citygeo/export"
	"citygeo/geo"
	"citygeo/schema"
)

// exportFlags are the flags of an export that the CLI and its tests share.
type exportFlags struct {
	format  string
	schema  string
	crs     string
	charset string
	since   int64
	phones  bool // keep phone numbers in the exchange's events
}

// options checks the flags and returns the export options.
func (f exportFlags) options() (export.Options, error) {
	opts := export.Options{Format: export.Format(f.format), Charset: f.charset}
	p, err := export.ProfileNamed(f.schema)
	if err != nil {
		return opts, err
	}
	opts.Profile = p
	if f.crs != "" {
		c, err := geo.ParseCRS(f.crs)
		if err != nil {
			return opts, fmt.Errorf("--crs: %w", err)
		}
		opts.CRS = &c
	}
	return opts, nil
}

func newExportCmd() *cobra.Command {
	var (
		sf  storeFlags
		ef  exportFlags
		out string
		pm  pmtilesFlags
	)
	cmd := &cobra.Command{
		Use:   "export [--format geojson|gpkg|shp --out PATH] [--schema citygeo|gb47678] [--crs EPSG:n] [--charset utf-8|gbk] [--since VERSION] [--pmtiles FILE --maxzoom N] [--store PATH]",
		Short: "write the active version (or the built-in sample city) for QGIS/ArcGIS; import reads it back unchanged",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if out == "" && pm.path == "" {
				return &exitError{code: 2, err: errors.New("export needs --out PATH or --pmtiles FILE")}
			}
			opts, err := ef.options()
			if err != nil {
				return &exitError{code: 2, err: err}
			}
			if opts.CRS != nil && opts.CRS.Caveat() != "" {
				fmt.Fprintln(cmd.ErrOrStderr(), "warning:", opts.CRS.Caveat())
			}
			if ef.since != 0 && sf.store == "" {
				return &exitError{code: 2, err: errors.New("--since needs --store PATH")}
			}
			ds, err := loadDataset(cmd.Context(), sf)
			if err != nil {
				return err
			}
			if err := pm.run(ds); err != nil {
				return err
			}
			if out == "" {
				return nil
			}
			var since time.Time
			if ef.since != 0 {
				opts.Whole = ds
				if ds, opts.Deleted, since, err = changesSince(cmd, sf, ef.since, ds); err != nil {
					return err
				}
			}
			if opts.Profile == &export.GB47678 {
				t, err := exchangeEvents(cmd.Context(), sf.store, since, ef.phones)
				if err != nil {
					return err
				}
				opts.Tables = append(opts.Tables, t)
			}
			files, err := export.Write(ds, out, opts)
			if err != nil {
				return err
			}
			for _, f := range files {
				fmt.Fprintln(cmd.OutOrStdout(), f)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&sf.store, "store", "", "dataset store: an SQLite file, or postgres://… for PostgreSQL/PostGIS; empty exports the built-in sample city")
	sf.withCity(cmd, false)
	cmd.Flags().StringVar(&ef.format, "format", "geojson", "geojson (a directory of .geojson), gpkg (one file) or shp (a directory of Shapefiles)")
	cmd.Flags().StringVar(&ef.schema, "schema", "citygeo", "field names: citygeo (the project's own, CJ/T 214 for components) or gb47678 (GB/T 47678.5-2026 exchange: 17-digit ids)")
	cmd.Flags().StringVar(&ef.crs, "crs", "", "coordinate system written: EPSG:4490 (default), EPSG:4326, a CGCS2000 Gauss–Krüger zone EPSG:4491…4554, or a Xi'an 80 or Beijing 54 zone (no datum shift: a warning says so)")
	cmd.Flags().StringVar(&ef.charset, "charset", "utf-8", "text encoding of Shapefile .dbf files: utf-8 or gbk")
	cmd.Flags().BoolVar(&ef.phones, "phones", false, "keep the phone numbers in events' text in a gb47678 export (masked but for their last four digits by default: personal data)")
	cmd.Flags().Int64Var(&ef.since, "since", 0, "write only the changes after this version: added and changed features, removed ids in a layer named deleted")
	cmd.Flags().StringVar(&out, "out", "", "output directory (geojson, shp) or file (gpkg)")
	pm.register(cmd)
	return cmd
}

// changesSince loads version since from the store and returns the change set from it to cur,
// and when that version was made.
func changesSince(cmd *cobra.Command, sf storeFlags, since int64, cur *data.Dataset) (*data.Dataset, map[schema.Kind][]string, time.Time, error) {
	st, err := openExistingStore(cmd.Context(), sf.store)
	if err != nil {
		return nil, nil, time.Time{}, err
	}
	defer st.Close()
	old, err := st.Load(cmd.Context(), since)
	if err != nil {
		return nil, nil, time.Time{}, fmt.Errorf("--since %d: %w", since, err)
	}
	delta, deleted := export.Since(old, cur)
	return delta, deleted, old.CreatedAt, nil
}

// exchangeEvents is the event layer of an exchange export: the events kept beside the store
// (its events file, or the PostgreSQL database), those changed after since when it is set; an
// empty layer without a store or events file. Phone numbers in their text are masked, as the
// API's export masks them for every role but admin, unless phones is set: the file goes to
// another organisation.
func exchangeEvents(ctx context.Context, store string, since time.Time, phones bool) (export.Table, error) {
	where := store
	if where != "" && !isPostgres(where) {
		where = sqlite.EventsPath(where)
		if _, err := os.Stat(where); err != nil {
			where = ""
		}
	}
	var events []*data.Event
	if where != "" {
		es, err := openEvents(ctx, where)
		if err != nil {
			return export.Table{}, err
		}
		defer es.Close()
		if events, err = es.LoadAll(); err != nil {
			return export.Table{}, fmt.Errorf("events: %w", err)
		}
	}
	if !since.IsZero() {
		events = export.EventsChangedSince(events, since)
	}
	if !phones {
		for i, e := range events {
			pe := api.PublicEvent(*e)
			events[i] = &pe
		}
	}
	return export.Events47678(events)
}
