package main

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"citygeo/data"
	"citygeo/tiles"
)

// pmtilesFlags are export's tile-pyramid flags: --pmtiles FILE with its zoom range.
type pmtilesFlags struct {
	path             string
	minZoom, maxZoom int
}

func (f *pmtilesFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.path, "pmtiles", "", "also (or only) write the vector tile pyramid to this PMTiles v3 file")
	cmd.Flags().IntVar(&f.minZoom, "minzoom", 0, "first zoom of the PMTiles pyramid")
	cmd.Flags().IntVar(&f.maxZoom, "maxzoom", 16, fmt.Sprintf("last zoom of the PMTiles pyramid (at most %d)", tiles.MaxZoom))
}

// run writes the pyramid when --pmtiles was given.
func (f *pmtilesFlags) run(ds *data.Dataset) error {
	if f.path == "" {
		return nil
	}
	return exportPMTiles(ds, f.path, f.minZoom, f.maxZoom)
}

// exportPMTiles writes ds's city tile set from minZoom to maxZoom into path, atomically: the
// archive is written beside it and renamed when complete.
func exportPMTiles(ds *data.Dataset, path string, minZoom, maxZoom int) error {
	if maxZoom < minZoom || minZoom < tiles.MinZoom || maxZoom > tiles.MaxZoom {
		return &exitError{code: 2, err: fmt.Errorf("export: zooms %d–%d: want %d ≤ minzoom ≤ maxzoom ≤ %d", minZoom, maxZoom, tiles.MinZoom, tiles.MaxZoom)}
	}
	ix, err := tiles.NewIndex(ds)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	start := time.Now()
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, ".citygeo-export-*.pmtiles")
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	defer os.Remove(f.Name())
	last := time.Now()
	st, err := tiles.ExportPMTiles(f, ix, tiles.ExportOptions{
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
