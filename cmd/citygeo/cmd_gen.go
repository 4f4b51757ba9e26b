package main

import (
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"

	"citygeo/data"
	"citygeo/data/sample"
	"citygeo/export"
)

func newGenCmd() *cobra.Command {
	var (
		opts     sample.Options
		gbt      bool
		out      string
		format   string
		sf       storeFlags
		relocate string
		offset   []float64
	)
	cmd := &cobra.Command{
		Use:   "gen [--grids N --components N] [--out PATH --format geojson|gpkg|shp] [--store PATH]",
		Short: "generate the synthetic sample city (real Luohu area codes, synthetic geometry) at any scale",
		Long: "gen builds the sample city deterministically. With --out it writes it as survey files " +
			"(what `citygeo import` reads, e.g. to benchmark imports); with --store it saves it as the new " +
			"active version of a store; with neither it prints what it would generate.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if gbt {
				opts.Scheme = data.GBT4767
			}
			ds, err := sample.Generate(opts)
			if err != nil {
				return err
			}
			if relocate != "" {
				if len(offset) != 2 {
					return &exitError{code: 2, err: fmt.Errorf("--offset: want DLNG,DLAT in degrees, got %d numbers", len(offset))}
				}
				if err := sample.Relocate(ds, relocate, offset[0], offset[1]); err != nil {
					return &exitError{code: 2, err: fmt.Errorf("--relocate: %w", err)}
				}
			}
			w := cmd.OutOrStdout()
			if out != "" {
				files, err := export.Write(ds, out, export.Options{Format: export.Format(format)})
				if err != nil {
					return err
				}
				for _, f := range files {
					fmt.Fprintln(w, f)
				}
			}
			if sf.store != "" {
				st, err := openStore(cmd.Context(), sf.store)
				if err != nil {
					return err
				}
				defer st.Close()
				v, err := st.Save(cmd.Context(), ds, "citygeo gen")
				if err != nil {
					return err
				}
				fmt.Fprintf(w, "saved as version %d of %s\n", v, storeName(sf.store))
			}
			if out == "" && sf.store == "" {
				return json.NewEncoder(w).Encode(summary(ds))
			}
			return nil
		},
	}
	cmd.Flags().IntVar(&opts.Grids, "grids", 0, "number of unit grids, 500 to 100000 (0 = the default sample)")
	cmd.Flags().IntVar(&opts.Components, "components", 0, "number of components (0 = about 20 per grid)")
	cmd.Flags().IntVar(&opts.Addresses, "addresses", 0, "number of house numbers (0 = about 2 per grid)")
	cmd.Flags().Int64Var(&opts.Seed, "seed", 0, "random seed")
	cmd.Flags().BoolVar(&gbt, "gbt47678", false, "17-digit GB/T 47678.5-2026 component ids instead of 16-digit CJ/T 214-2007")
	cmd.Flags().StringVar(&out, "out", "", "write the city as survey files here (directory for geojson/shp, file for gpkg)")
	cmd.Flags().StringVar(&format, "format", "geojson", "format for --out: geojson, gpkg or shp")
	cmd.Flags().StringVar(&sf.store, "store", "", "save the city as the new active version of this store")
	sf.withCity(cmd, true)
	cmd.Flags().StringVar(&relocate, "relocate", "", "move the city to this district code (its codes start with it) and by --offset: a second city for a store holding several")
	cmd.Flags().Float64SliceVar(&offset, "offset", []float64{0.1, 0}, "with --relocate: degrees of longitude and latitude to move by")
	return cmd
}

// summary counts a dataset's layers for a human or a script.
func summary(ds *data.Dataset) map[string]any {
	b := ds.Bound()
	return map[string]any{
		"name": ds.Name, "version": ds.Version,
		"bounds": []float64{b.Min[0], b.Min[1], b.Max[0], b.Max[1]},
		"areas":  len(ds.Areas), "grids": len(ds.Grids), "components": len(ds.Components),
		"roads": len(ds.Roads), "addresses": len(ds.Addresses), "buildings": len(ds.Buildings),
		"pois": len(ds.POIs), "departments": len(ds.Departments),
	}
}
