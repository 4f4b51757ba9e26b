package api

import (
	"fmt"
	"time"

	"citygeo/data"
	"citygeo/gazetteer"
	"citygeo/geo"
	"citygeo/tiles"
)

// Snapshot is everything built once per dataset version: the dataset and its immutable indexes.
// Requests read the current one through Server's atomic pointer and never see it change under
// them; a new version is a new Snapshot.
type Snapshot struct {
	Dataset   *data.Dataset
	Geo       *geo.Index
	Gazetteer *gazetteer.Index // addresses, roads, POIs: geocode, reverse, suggest
	Tiles     *tiles.Tiler     // vector tiles of this version (cache shared across versions, keyed by version)
	Info      Info             // what /v1/info answers, computed once
	LoadedAt  time.Time
}

// SnapshotOptions tunes the indexes built for a snapshot.
type SnapshotOptions struct {
	SnapTolerance float64 // metres a GPS point may fall outside every grid and still be located; 0 = geo's default
	// TileCache is shared by the snapshots of every version (its keys carry the version);
	// nil gives this snapshot a cache of its own.
	TileCache *tiles.Cache
}

// NewSnapshot builds the indexes of ds. ds must not be mutated afterwards.
func NewSnapshot(ds *data.Dataset, opts SnapshotOptions) (*Snapshot, error) {
	// The tile index does not need the geo index: build the two side by side (a large city
	// spends seconds in each).
	// geo.NewIndex is the one that validates the dataset; a dataset it refuses could make the
	// tile index panic, and a panic in this goroutine would end the process, so recover it.
	tileIndex := make(chan *tiles.Index, 1)
	go func() {
		defer func() {
			if recover() != nil {
				tileIndex <- nil
			}
		}()
		tileIndex <- tiles.NewIndex(ds)
	}()
	ix, err := geo.NewIndex(ds, geo.IndexOptions{SnapTolerance: opts.SnapTolerance})
	tix := <-tileIndex
	if err != nil {
		return nil, fmt.Errorf("index dataset version %d: %w", ds.Version, err)
	}
	if tix == nil {
		return nil, fmt.Errorf("index dataset version %d: tile index failed", ds.Version)
	}
	cache := opts.TileCache
	if cache == nil {
		cache = tiles.NewCache(0)
	}
	tr := tiles.NewTiler(tix, cache, tiles.Options{})
	now := time.Now()
	snap := &Snapshot{Dataset: ds, Geo: ix, Tiles: tr, LoadedAt: now, Info: newInfo(ds, ix.Bound(), now)}
	snap.Gazetteer = gazetteerOf(snap)
	return snap, nil
}

// Version returns the dataset version of the snapshot.
func (s *Snapshot) Version() int64 { return s.Dataset.Version }
