package city

import (
	"fmt"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/paulmach/orb"

	"citygeo/data"
	"citygeo/gazetteer"
	"citygeo/geo"
	"citygeo/tiles"
)

// Snapshot is everything built once per dataset version: the dataset and its immutable indexes.
// A new version is a new Snapshot; nothing in one ever changes.
type Snapshot struct {
	Dataset   *data.Dataset
	Geo       *geo.Index
	Gazetteer *gazetteer.Index // addresses, roads, POIs: geocode, reverse, suggest
	Tiles     *tiles.Tiler     // vector tiles of this version (cache shared across versions, keyed by version)
	Info      Info             // what /v1/info answers, computed once
	LoadedAt  time.Time
	BuildTime time.Duration // how long Build took (the indexes of a large city take seconds)

	// edits are the changes served over the base above (nil: none): the one part of a
	// snapshot that moves, swapped whole by City.Edit. Read paths ask the snapshot
	// (Component, ComponentsIn, Nearest, Locate, Locator, Tiles), never the base index alone.
	edits atomic.Pointer[overlay]
	revs  tileRevs                     // per tile, the last edit that touched it
	gaz   atomic.Pointer[addressDelta] // the gazetteer patch of the last overlay read (Addresses)
	// logSeq is the last change of the store's log the snapshot has read (its version's end,
	// then what FollowChanges read after it, served or not); guarded by City.mu.
	logSeq int64
	chains areaChains // the locate answers' area chains, written once (locate_areas.go)
}

// Options tunes the indexes built for a snapshot. The zero value is the default.
type Options struct {
	SnapTolerance float64 // metres a GPS point may fall outside every grid and still be located; 0 = geo's default
	// TileCache is shared by the snapshots of every version (its keys carry the version);
	// nil gives each snapshot a cache of its own.
	TileCache *tiles.Cache
}

// Build builds the indexes of ds. ds must not be changed afterwards. A dataset that an index
// cannot hold is an error naming the feature (checked once here for the geo and tile indexes,
// which are told so; none panics).
func Build(ds *data.Dataset, opts Options) (*Snapshot, error) {
	start := time.Now()
	if err := ds.CheckIndexable(); err != nil {
		return nil, fmt.Errorf("index dataset: %w", err)
	}
	// The three indexes do not need one another to be built (the gazetteer locates only when
	// asked, after s is set): build them side by side, as a large city spends seconds in each.
	// The gazetteer names a point's grid through the snapshot, so a grid edit served from the
	// overlay reaches geocode and reverse answers too.
	var s *Snapshot
	var (
		ix  *geo.Index
		tix *tiles.Index
		gz  *gazetteer.Index
		g   errgroup.Group
	)
	g.Go(func() (err error) {
		tix, err = tiles.NewCheckedIndex(ds)
		return err
	})
	g.Go(func() (err error) {
		// The deployment's province and city come from the dataset's area codes, so an address
		// naming another city ranks as doubtful even when a request names no city.
		dep := gazetteer.DeploymentOf(ds)
		locate := gazetteer.LocateBy(func(p orb.Point) geo.Location { return s.place(p) })
		gz, err = gazetteer.New(ds, gazetteer.Options{City: dep.City, Province: dep.Province, Locate: locate})
		return err
	})
	g.Go(func() (err error) {
		ix, err = geo.NewIndex(ds, geo.IndexOptions{SnapTolerance: opts.SnapTolerance, Checked: true})
		return err
	})
	if err := g.Wait(); err != nil {
		return nil, fmt.Errorf("index dataset version %d: %w", ds.Version, err)
	}
	cache := opts.TileCache
	if cache == nil {
		cache = tiles.NewCache(0)
	}
	now := time.Now()
	s = &Snapshot{Dataset: ds, Geo: ix, Gazetteer: gz, LoadedAt: now, BuildTime: now.Sub(start), Info: newInfo(ds, ix.Bound(), now)}
	s.Tiles = tiles.NewTiler(tix, cache, tiles.Options{}).WithOverlay(tileOverlay{s})
	return s, nil
}

// Version returns the dataset version of the snapshot.
func (s *Snapshot) Version() int64 { return s.Dataset.Version }
