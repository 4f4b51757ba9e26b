package api

import (
	"fmt"
	"time"

	"citygeo/data"
	"citygeo/gazetteer"
	"citygeo/geo"
)

// Snapshot is everything built once per dataset version: the dataset and its immutable indexes.
// Requests read the current one through Server's atomic pointer and never see it change under
// them; a new version is a new Snapshot.
type Snapshot struct {
	Dataset   *data.Dataset
	Geo       *geo.Index
	Gazetteer *gazetteer.Index // addresses, roads, POIs: geocode, reverse, suggest
	LoadedAt  time.Time
}

// SnapshotOptions tunes the indexes built for a snapshot.
type SnapshotOptions struct {
	SnapTolerance float64 // metres a GPS point may fall outside every grid and still be located; 0 = geo's default
}

// NewSnapshot builds the indexes of ds. ds must not be mutated afterwards.
func NewSnapshot(ds *data.Dataset, opts SnapshotOptions) (*Snapshot, error) {
	ix, err := geo.NewIndex(ds, geo.IndexOptions{SnapTolerance: opts.SnapTolerance})
	if err != nil {
		return nil, fmt.Errorf("index dataset version %d: %w", ds.Version, err)
	}
	snap := &Snapshot{Dataset: ds, Geo: ix, LoadedAt: time.Now()}
	snap.Gazetteer = gazetteerOf(snap)
	return snap, nil
}

// Version returns the dataset version of the snapshot.
func (s *Snapshot) Version() int64 { return s.Dataset.Version }
