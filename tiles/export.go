package tiles

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"

	"citygeo/tiles/pmtiles"

	"github.com/paulmach/orb/maptile"
)

// ExportOptions says which pyramid to export. Zero MaxZoom means MaxZoom.
type ExportOptions struct {
	Set              string // "" = SetCity, the one set exported: live sets change by the minute
	MinZoom, MaxZoom int
	TempDir          string // spool folder for tile data; "" = os.TempDir
	// Progress, if set, is called after each tile with the count done and the total.
	Progress func(done, total int)
}

// ExportStats summarises an export.
type ExportStats struct {
	Tiles    int // tiles with content
	Empty    int // tiles skipped as empty
	MaxBytes int // largest tile before gzip
}

// ExportPMTiles writes the whole pyramid of a set over the dataset's bounds as a PMTiles v3
// archive (gzipped MVT, clustered in tile-id order, duplicate tiles stored once).
func ExportPMTiles(out io.Writer, ix *Index, opts ExportOptions) (ExportStats, error) {
	var st ExportStats
	if opts.Set == "" {
		opts.Set = SetCity
	}
	if opts.MaxZoom == 0 {
		opts.MaxZoom = MaxZoom
	}
	if opts.MinZoom < MinZoom || opts.MaxZoom > MaxZoom || opts.MinZoom > opts.MaxZoom {
		return st, fmt.Errorf("export zooms %d–%d: want within %d–%d", opts.MinZoom, opts.MaxZoom, MinZoom, MaxZoom)
	}
	tr := NewTiler(ix, nil, Options{})
	type job struct {
		id uint64
		t  maptile.Tile
	}
	var jobs []job
	Pyramid(ix.Bound(), opts.MinZoom, opts.MaxZoom, func(t maptile.Tile) bool {
		jobs = append(jobs, job{pmtiles.TileID(uint8(t.Z), t.X, t.Y), t})
		return true
	})
	slices.SortFunc(jobs, func(a, b job) int { return cmpU64(a.id, b.id) })
	w, err := pmtiles.NewWriter(opts.TempDir)
	if err != nil {
		return st, err
	}
	for i, j := range jobs {
		tl, err := tr.Tile(opts.Set, int(j.t.Z), int(j.t.X), int(j.t.Y))
		if err != nil {
			return st, fmt.Errorf("export tile %d/%d/%d: %w", j.t.Z, j.t.X, j.t.Y, err)
		}
		if tl.Empty {
			st.Empty++
		} else {
			st.Tiles++
			st.MaxBytes = max(st.MaxBytes, len(tl.Raw))
			gz, err := tl.gzipped(gzipKept) // an archive is compressed once, read many times
			if err == nil {
				err = w.Add(uint8(j.t.Z), j.t.X, j.t.Y, gz) // Add copies the bytes
			}
			if err != nil {
				return st, err
			}
		}
		tl.Release()
		if opts.Progress != nil {
			opts.Progress(i+1, len(jobs))
		}
	}
	tj, err := tr.TileJSON(opts.Set, "")
	if err != nil {
		return st, err
	}
	tj.Tiles, tj.MinZoom, tj.MaxZoom = nil, opts.MinZoom, opts.MaxZoom
	meta, err := json.Marshal(struct {
		*TileJSON
		Format string `json:"format"`
	}{tj, "pbf"})
	if err != nil {
		return st, fmt.Errorf("export metadata: %w", err)
	}
	b := ix.Bound()
	err = w.Finish(out, pmtiles.Options{
		MinZoom: uint8(opts.MinZoom), MaxZoom: uint8(opts.MaxZoom),
		Bounds:          [4]float64{b.Min[0], b.Min[1], b.Max[0], b.Max[1]},
		Center:          [3]float64{b.Center()[0], b.Center()[1], float64(min(max(opts.MinZoom, 13), opts.MaxZoom))},
		Metadata:        meta,
		TileCompression: pmtiles.CompressionGzip,
	})
	return st, err
}
