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
	LoadedAt  time.Time
}

// SnapshotOptions tunes the indexes built for a snapshot.
type SnapshotOptions struct {
	SnapTolerance float64 // metres a GPS point may fall outside every grid and still be located; 0 = geo's default
	// TileCache is shared by the snapshots of every version (its keys carry the version);
	// nil gives this snapshot a cache of its own.
	TileCache *tiles.Cache
	// Events feeds the events tile layer (the dispatch work plugs in here); nil = no events.
	Events tiles.EventSource
}

// NewSnapshot builds the indexes of ds. ds must not be mutated afterwards.
func NewSnapshot(ds *data.Dataset, opts SnapshotOptions) (*Snapshot, error) {
	ix, err := geo.NewIndex(ds, geo.IndexOptions{SnapTolerance: opts.SnapTolerance})
	if err != nil {
		return nil, fmt.Errorf("index dataset version %d: %w", ds.Version, err)
	}
	cache := opts.TileCache
	if cache == nil {
		cache = tiles.NewCache(0)
	}
	tr := tiles.NewTiler(tiles.NewIndex(ds), cache, opts.Events, tiles.Options{})
	snap := &Snapshot{Dataset: ds, Geo: ix, Tiles: tr, LoadedAt: time.Now()}
	snap.Gazetteer = gazetteerOf(snap)
	return snap, nil
}

// Version returns the dataset version of the snapshot.
func (s *Snapshot) Version() int64 { return s.Dataset.Version }
