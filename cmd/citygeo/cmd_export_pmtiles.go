package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"citygeo/data"
	"citygeo/tiles"
)

// newExportCmd exports the dataset's tile pyramid. Other export formats (GIS files) can join
// it as further flags; --pmtiles is handled by exportPMTiles.
func newExportCmd() *cobra.Command {
	var (
		sf               storeFlags
		pmtilesPath      string
		minZoom, maxZoom int
	)
	cmd := &cobra.Command{
		Use:   "export --pmtiles FILE [--minzoom N] [--maxzoom N]",
		Short: "export the city's vector tile pyramid as a PMTiles v3 archive (for a CDN or object store)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if pmtilesPath == "" {
				return &exitError{code: 2, err: errors.New("export: give --pmtiles FILE")}
			}
			ds, err := loadDataset(cmd.Context(), sf)
			if err != nil {
				return err
			}
			return exportPMTiles(ds, pmtilesPath, minZoom, maxZoom)
		},
	}
	cmd.Flags().StringVar(&sf.store, "store", "", "embedded store (SQLite file); empty exports the built-in sample city")
	cmd.Flags().StringVar(&pmtilesPath, "pmtiles", "", "write the tile pyramid to this PMTiles v3 file")
	cmd.Flags().IntVar(&minZoom, "minzoom", 0, "first zoom to export")
	cmd.Flags().IntVar(&maxZoom, "maxzoom", 16, fmt.Sprintf("last zoom to export (at most %d)", tiles.MaxZoom))
	return cmd
}

// exportPMTiles writes ds's city tile set from minZoom to maxZoom into path, atomically: the
// archive is written beside it and renamed when complete.
func exportPMTiles(ds *data.Dataset, path string, minZoom, maxZoom int) error {
	if maxZoom < minZoom || minZoom < tiles.MinZoom || maxZoom > tiles.MaxZoom {
		return &exitError{code: 2, err: fmt.Errorf("export: zooms %d–%d: want %d ≤ minzoom ≤ maxzoom ≤ %d", minZoom, maxZoom, tiles.MinZoom, tiles.MaxZoom)}
	}
	start := time.Now()
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, ".citygeo-export-*.pmtiles")
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	defer os.Remove(f.Name())
	last := time.Now()
	st, err := tiles.ExportPMTiles(f, tiles.NewIndex(ds), tiles.ExportOptions{
		MinZoom: minZoom, MaxZoom: maxZoom, TempDir: dir,
		Progress: func(done, total int) {
			if time.Since(last) > 2*time.Second || done == total {
				last = time.Now()
				fmt.Fprintf(os.Stderr, "\rexport: %d/%d tiles", done, total)
			}
		},
	})
	fmt.Fprintln(os.Stderr)
	if err != nil {
		f.Close()
		return fmt.Errorf("export %s: %w", path, err)
	}
	if err := f.Chmod(0o644); err != nil {
		f.Close()
		return fmt.Errorf("export %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("export %s: %w", path, err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	fi, _ := os.Stat(path)
	fmt.Fprintf(os.Stderr, "export: %s: %d tiles (%d empty skipped), z%d–z%d, %d bytes, largest tile %d bytes, %v\n",
		path, st.Tiles, st.Empty, minZoom, maxZoom, fi.Size(), st.MaxBytes, time.Since(start).Round(time.Millisecond))
	return nil
}
