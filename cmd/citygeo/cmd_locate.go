package main

import (
	"encoding/json"
	"fmt"

	"github.com/paulmach/orb"
	"github.com/spf13/cobra"

	"citygeo/data"
	"citygeo/geo"
)

func newLocateCmd() *cobra.Command {
	var (
		sf       storeFlags
		lng, lat float64
		crs      string
		k        int
	)
	cmd := &cobra.Command{
		Use:   "locate",
		Short: "locate one point on the command line (the same answer as GET /v1/locate)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := geo.ParseCRS(crs)
			if err != nil {
				return err
			}
			if !c.LonLat() { // --lng/--lat are degrees
				return fmt.Errorf("crs %s: %w: want wgs84, cgcs2000, gcj02 or bd09", c, geo.ErrCRS)
			}
			ds, err := loadDataset(cmd.Context(), sf)
			if err != nil {
				return err
			}
			ix, err := geo.NewIndex(ds, geo.IndexOptions{})
			if err != nil {
				return err
			}
			p := geo.ToCGCS2000(orb.Point{lng, lat}, c)
			loc := ix.Locate(p)
			out := map[string]any{"outside": loc.Outside, "snapped": loc.Snapped}
			if loc.Grid != nil {
				out["grid"] = loc.Grid.Code
			}
			for name, a := range map[string]*data.Area{"community": loc.Community, "street": loc.Street, "district": loc.District} {
				if a != nil {
					out[name] = map[string]string{"code": a.Code, "name": a.Name}
				}
			}
			var near []map[string]any
			for _, n := range ix.Nearest(p, geo.NearestQuery{K: k, Radius: 100}, nil) {
				near = append(near, map[string]any{"id": n.Component.ID, "name": n.Component.Name, "distance_m": n.Distance})
			}
			out["components"] = near
			enc := json.NewEncoder(cmd.OutOrStdout())
			enc.SetIndent("", "  ")
			return enc.Encode(out)
		},
	}
	cmd.Flags().StringVar(&sf.store, "store", "", "embedded store; empty = the built-in sample city")
	cmd.Flags().Float64Var(&lng, "lng", 0, "longitude")
	cmd.Flags().Float64Var(&lat, "lat", 0, "latitude")
	cmd.Flags().StringVar(&crs, "crs", "wgs84", "wgs84, cgcs2000, gcj02 or bd09")
	cmd.Flags().IntVar(&k, "k", 3, "nearest components to list")
	return cmd
}
