package main

import (
	"encoding/json"
	"fmt"

	"github.com/paulmach/orb"
	"github.com/spf13/cobra"

	"citygeo/city"
	"citygeo/data"
	"citygeo/geo"
)

func newLocateCmd() *cobra.Command {
	var (
		sf       storeFlags
		lng, lat float64
		crs      string
		q        geo.NearestQuery
	)
	cmd := &cobra.Command{
		Use:   "locate",
		Short: "locate one point on the command line: prints the JSON GET /v1/locate answers",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := geo.ParseCRS(crs)
			if err == nil && !c.LonLat() {
				err = fmt.Errorf("crs %q is projected: locate takes lon/lat in wgs84, cgcs2000, gcj02 or bd09", crs)
			}
			if err != nil {
				return &exitError{code: 2, err: err}
			}
			switch {
			case !(lng >= -180 && lng <= 180): // so that NaN, which pflag reads from "nan", fails too
				return &exitError{code: 2, err: fmt.Errorf("--lng %v is outside [-180, 180]", lng)}
			case !(lat >= -90 && lat <= 90):
				return &exitError{code: 2, err: fmt.Errorf("--lat %v is outside [-90, 90]", lat)}
			case q.K < 0 || q.K > city.MaxLocateK:
				return &exitError{code: 2, err: fmt.Errorf("--k %d is outside [0, %d]", q.K, city.MaxLocateK)}
			case q.Radius < 0 || q.Radius > city.MaxLocateRadius:
				return &exitError{code: 2, err: fmt.Errorf("--radius %v is outside [0, %v]", q.Radius, city.MaxLocateRadius)}
			}
			if q.Class != "" {
				if err := data.CheckClassFilter(q.Class); err != nil {
					return &exitError{code: 2, err: fmt.Errorf("--class: %w", err)}
				}
			}
			if !c.LonLat() { // --lng/--lat are degrees
				return fmt.Errorf("crs %s: %w: want wgs84, cgcs2000, gcj02 or bd09", c, geo.ErrCRS)
			}
			ds, err := loadDataset(cmd.Context(), sf)
			if err != nil {
				return err
			}
			snap, err := city.Build(ds, city.Options{})
			if err != nil {
				return err
			}
			given := orb.Point{lng, lat}
			out, _ := snap.Locate(given, geo.ToCGCS2000(given, c), c, q, nil)
			// Compact, as the HTTP API writes it, so the two can be compared byte for byte.
			b, err := json.Marshal(out)
			if err != nil {
				return err
			}
			_, err = fmt.Fprintf(cmd.OutOrStdout(), "%s\n", b)
			return err
		},
	}
	cmd.Flags().StringVar(&sf.store, "store", "", "dataset store: an SQLite file, or postgres://… for PostgreSQL/PostGIS; empty = the built-in sample city")
	sf.withCity(cmd, false)
	cmd.Flags().Float64Var(&lng, "lng", 0, "longitude")
	cmd.Flags().Float64Var(&lat, "lat", 0, "latitude")
	cmd.Flags().StringVar(&crs, "crs", "wgs84", "wgs84, cgcs2000, gcj02 or bd09")
	cmd.Flags().IntVar(&q.K, "k", city.DefaultLocateK, "nearest components to list")
	cmd.Flags().Float64Var(&q.Radius, "radius", city.DefaultLocateRadius, "metres to look for components in")
	cmd.Flags().StringVar(&q.Class, "class", "", "only components of this major or class code (either catalog)")
	return cmd
}
