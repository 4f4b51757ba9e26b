package data

import (
	"context"
	"errors"
	"time"
)

// Layer names one layer of a dataset as a store keeps it.
type Layer string

// The layers of a Dataset. A new layer adds a name here and a codec in each backend; the
// conformance suite (data/storetest) round-trips every layer listed in Layers.
const (
	LayerArea       Layer = "area"
	LayerGrid       Layer = "grid"
	LayerComponent  Layer = "component"
	LayerDepartment Layer = "department"
	LayerRoad       Layer = "road"
	LayerAddress    Layer = "address"
	LayerBuilding   Layer = "building"
	LayerPOI        Layer = "poi"
)

// Layers lists every layer in the order a store writes them.
var Layers = []Layer{LayerArea, LayerGrid, LayerComponent, LayerDepartment, LayerRoad, LayerAddress, LayerBuilding, LayerPOI}

// Count returns the number of features of layer l in ds.
func (ds *Dataset) Count(l Layer) int {
	switch l {
	case LayerArea:
		return len(ds.Areas)
	case LayerGrid:
		return len(ds.Grids)
	case LayerComponent:
		return len(ds.Components)
	case LayerDepartment:
		return len(ds.Departments)
	case LayerRoad:
		return len(ds.Roads)
	case LayerAddress:
		return len(ds.Addresses)
	case LayerBuilding:
		return len(ds.Buildings)
	case LayerPOI:
		return len(ds.POIs)
	}
	return 0
}

// From returns the features of ds from position from[l] of each layer l on (from[l] 0 or
// missing: the whole layer), sharing ds's features: the part of a version still to be written
// after the parts a VersionWriter holds. It panics when from[l] exceeds the layer.
func (ds *Dataset) From(from map[Layer]int) *Dataset {
	return &Dataset{
		Areas:       ds.Areas[from[LayerArea]:],
		Grids:       ds.Grids[from[LayerGrid]:],
		Components:  ds.Components[from[LayerComponent]:],
		Departments: ds.Departments[from[LayerDepartment]:],
		Roads:       ds.Roads[from[LayerRoad]:],
		Addresses:   ds.Addresses[from[LayerAddress]:],
		Buildings:   ds.Buildings[from[LayerBuilding]:],
		POIs:        ds.POIs[from[LayerPOI]:],
	}
}

// Version describes one stored dataset version.
type Version struct {
	Version   int64         `json:"version"`
	Name      string        `json:"name"`
	CreatedAt time.Time     `json:"created_at"`
	Source    string        `json:"source"`
	Counts    map[Layer]int `json:"counts"` // features per layer
	Active    bool          `json:"active"`
}

// Errors every Store returns for the same conditions, so callers test them with errors.Is
// whatever the backend.
var (
	ErrNoVersion = errors.New("no such dataset version")
	ErrNoActive  = errors.New("no active dataset version")
)

// Store keeps dataset versions and says which one is active (served). Every backend — the
// embedded SQLite file (data/sqlite), PostgreSQL/PostGIS for scale-out — implements it and
// passes the conformance suite in data/storetest. Implementations are safe for concurrent use.
type Store interface {
	// Save writes ds as a new version recorded as produced by source and makes it active, all
	// or nothing: a failure at any point leaves the previous version active and intact.
	// ds.Version and ds.CreatedAt are not read; the new version number is returned.
	Save(ctx context.Context, ds *Dataset, source string) (int64, error)
	// Activate makes version v the active one (a rollback when v is older); ErrNoVersion when
	// there is no such version.
	Activate(ctx context.Context, v int64) error
	// ActiveVersion returns the active version, or ErrNoActive on an empty store. It must be
	// cheap enough to poll.
	ActiveVersion(ctx context.Context) (int64, error)
	// Watch calls fn with the active version when first seen and after every change, made by
	// this process or another, until ctx ends; it then returns ctx.Err(). A failed read does
	// not end the watch: onErr (when not nil) is told the error and the wait before the next try.
	Watch(ctx context.Context, interval time.Duration, fn func(version int64), onErr func(err error, retryIn time.Duration)) error
	// Versions lists every version, oldest first, with its per-layer counts.
	Versions(ctx context.Context) ([]Version, error)
	// Load reads version v in full; ErrNoVersion when there is no such version.
	Load(ctx context.Context, v int64) (*Dataset, error)
	// LoadLayers reads version v with only the listed layers (nil: all of them).
	LoadLayers(ctx context.Context, v int64, layers []Layer) (*Dataset, error)
	// Close releases the store.
	Close() error
}

// ImageStore is a Store that keeps beside a version's rows an image of its largest layers,
// which a load reads several times faster, written with the version. The SQLite store is one.
type ImageStore interface {
	Store
	// WriteImage writes the image of the layers of ds's version that have none (a version
	// stored before images existed), from ds as Load just read it, and returns those layers;
	// none when the version has its image. For a delta version it is the image of the full
	// version it was edited from. A failure leaves the store as it was.
	WriteImage(ctx context.Context, ds *Dataset) ([]Layer, error)
}

// StreamStore is a Store that writes a version in parts, so that an import stores the features
// it has read while it reads the rest (on another core) instead of holding them all until it
// has validated them. The SQLite store is one.
type StreamStore interface {
	Store
	// BeginVersion starts a new version. Nothing written through it is seen by any reader
	// before Commit; Abort, a failed Commit or a crash leave the store as it was.
	BeginVersion(ctx context.Context) (VersionWriter, error)
}

// VersionWriter writes one new version in parts (StreamStore.BeginVersion). It is for one
// goroutine; it stores each part in the background, so a part's features must not change
// after Write.
type VersionWriter interface {
	// Write stores the features of part: each layer's follow those of the same layer written
	// before. A write that failed reports its error here or at Commit.
	Write(part *Dataset) error
	// Commit stores the rest of ds, whose every layer begins with the features written of it,
	// records the version as produced by source, makes it active all or nothing and returns
	// its number. ds.Version and ds.CreatedAt are not read.
	Commit(ctx context.Context, ds *Dataset, source string) (int64, error)
	// Abort drops the version. It is a no-op after Commit.
	Abort() error
}

// LoadActive loads the active version of st.
func LoadActive(ctx context.Context, st Store) (*Dataset, error) {
	v, err := st.ActiveVersion(ctx)
	if err != nil {
		return nil, err
	}
	return st.Load(ctx, v)
}

// MaxWatchBackoff caps the wait between polls of PollActive while the store keeps failing.
const MaxWatchBackoff = time.Minute

// PollActive is Store.Watch by polling active every interval: the whole of Watch for a backend
// that cannot push changes, and the fallback of one that can (a missed notification, a dropped
// connection). A failed poll doubles the wait, up to MaxWatchBackoff, until one succeeds.
func PollActive(ctx context.Context, active func(context.Context) (int64, error), interval time.Duration,
	fn func(version int64), onErr func(err error, retryIn time.Duration)) error {
	return PollActiveNotified(ctx, active, interval, nil, fn, onErr)
}

// PollActiveNotified is PollActive that also polls at once whenever wake receives: a backend that
// can push changes (PostgreSQL LISTEN/NOTIFY) sends on wake when told of one, and the timer stays
// as the fallback for a notification that never comes. A nil wake is plain PollActive.
func PollActiveNotified(ctx context.Context, active func(context.Context) (int64, error), interval time.Duration,
	wake <-chan struct{}, fn func(version int64), onErr func(err error, retryIn time.Duration)) error {
	var last int64 = -1
	wait := interval
	t := time.NewTimer(interval)
	defer t.Stop()
	for {
		v, err := active(ctx)
		switch {
		case err == nil || errors.Is(err, ErrNoActive):
			wait = interval
			if err == nil && v != last {
				last = v
				fn(v)
			}
		case ctx.Err() == nil:
			wait = min(max(2*wait, interval), max(MaxWatchBackoff, interval))
			if onErr != nil {
				onErr(err, wait)
			}
		}
		t.Reset(wait)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		case <-wake:
		}
	}
}

// EventStore persists the events feed (dispatch.Feed) so it survives a restart. Put writes one
// event, inserting or replacing it by id, and is durable when it returns: an acknowledged event
// is never lost. The SQLite backend keeps events in a file of their own (data/sqlite.OpenEvents).
type EventStore interface {
	Put(e *Event) error
	LoadAll() ([]*Event, error)
}

// EventChanges is an EventStore that several processes share and that can tell each of them
// what the others wrote: the PostgreSQL backend (data/postgis.Events), where every replica keeps
// the same feed. dispatch.Feed.Follow applies these changes to a replica's memory. A store
// without it (the SQLite events file, dispatch.MemStore) keeps EventStore's one-process
// semantics: a feed sees the events stored when it loaded and its own writes after that.
type EventChanges interface {
	EventStore
	// Changes calls fn with every event last written after the cursor since, by any process,
	// in the order the writes committed and each as it is stored now, and returns the cursor of
	// the last one (since itself when nothing changed). Cursor 0 is the beginning, so
	// Changes(ctx, 0, fn) reads every event. A write that commits after Changes returned always
	// gets a cursor above the one returned: polling from it never misses a write.
	Changes(ctx context.Context, since int64, fn func(*Event)) (int64, error)
	// Listen sends on wake whenever another write may have committed, without blocking (a full
	// channel has already said so), until ctx ends; also once each time it starts listening,
	// for what was written while nobody listened. It reconnects after a failure and tells onErr
	// (when not nil) of it and of the wait before the next try. A backend that cannot push
	// returns at once: polling Changes then finds the writes on its own.
	Listen(ctx context.Context, wake chan<- struct{}, onErr func(err error, retryIn time.Duration))
}
