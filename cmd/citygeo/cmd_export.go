package main

import (
	"errors"
	"fmt"

	"citygeo/export"

	"github.com/spf13/cobra"
)

func newExportCmd() *cobra.Command {
	var (
		sf     storeFlags
		format string
		out    string
		pm     pmtilesFlags
	)
	cmd := &cobra.Command{
		Use:   "export [--format geojson|gpkg|shp --out PATH] [--pmtiles FILE --maxzoom N] [--store PATH]",
		Short: "write the active version (or the built-in sample city) for QGIS/ArcGIS; import reads it back unchanged",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if out == "" && pm.path == "" {
				return &exitError{code: 2, err: errors.New("export needs --out PATH or --pmtiles FILE")}
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
			files, err := export.Write(ds, out, export.Options{Format: export.Format(format)})
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
	cmd.Flags().StringVar(&format, "format", "geojson", "geojson (a directory of .geojson), gpkg (one file) or shp (a directory of Shapefiles)")
	cmd.Flags().StringVar(&out, "out", "", "output directory (geojson, shp) or file (gpkg)")
	pm.register(cmd)
	return cmd
}
