package main

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"time"

	"citygeo/city"
	"citygeo/cmd/citygeo/internal/api"
	"citygeo/cmd/citygeo/internal/audit"
	"citygeo/cmd/citygeo/internal/config"
	"citygeo/data"
	"citygeo/data/sample"
	"citygeo/dispatch"
	"citygeo/tiles"
	"citygeo/tiles/basemap"
)

// cityShared is what every city of a serving process shares.
type cityShared struct {
	auth  *api.Auth
	trail *audit.Log   // nil: none
	base  *basemap.Map // nil: none
	n     int          // cities served: each gets 1/n of the tile cache budget
}

// servedCity is one city of a serving process: its store, the city following its active
// version, what lives beside it (events, field force, duty lists) and its API server.
type servedCity struct {
	key, prefix string // "" for a store's own single city; the path prefix under api.Cities
	st          data.Store
	served      *city.City
	disp        *api.Dispatch
	force       *fieldForce
	people      *servedDuty
	srv         *api.Server
	closeEvents func()
	closers     []func() // run last first by close
}

// openCity opens the city of the store at where (cfg's store, or one city's URL of it) and
// builds its server. On an error it closes what it opened.
func openCity(ctx context.Context, cfg *config.Config, where, key, prefix string, sh cityShared, log *slog.Logger) (c *servedCity, err error) {
	if key != "" {
		log = log.With("city", key)
	}
	c = &servedCity{key: key, prefix: prefix, closeEvents: func() {}}
	defer func() {
		if err != nil {
			c.close()
			c = nil
		}
	}()
	if where != "" {
		if c.st, err = openExistingStore(ctx, where); err != nil {
			return c, err
		}
		st := c.st
		c.closers = append(c.closers, func() { st.Close() })
	}
	// One tile cache for every version this city serves (imports, rollbacks): keys carry the
	// version, so no version ever sees another's tiles; another city has a cache of its own,
	// as its version numbers are its own.
	tileCache := tiles.NewCache((cfg.TileCacheMB << 20) / int64(sh.n))
	if cfg.TileCacheMB == 0 {
		tileCache = tiles.NewCacheOff()
	}
	c.served = city.New(c.st, city.Options{SnapTolerance: cfg.Snap, TileCache: tileCache}, log)
	if c.st != nil {
		if err := c.served.Load(ctx); err != nil {
			return c, fmt.Errorf("store %s: %w", storeName(where), err)
		}
		// Loading a large city leaves as much garbage as it keeps (decoded rows, index
		// scratch): collect it and hand the pages back now rather than serve with twice the
		// RSS until the heap grows into them (100k grids, 2M components: 3.0 → ~1.6 GB).
		debug.FreeOSMemory()
	} else {
		ds, err := sample.Generate(sample.Options{})
		if err != nil {
			return c, err
		}
		snap, err := city.Build(ds, c.served.Options())
		if err != nil {
			return c, err
		}
		c.served.Swap(snap)
	}
	snap := c.served.Current()
	df := dispatchFlags{rules: cfg.Rules, dup: cfg.Duplicates, calendar: cfg.Calendar, events: cfg.Events}
	disp, events, err := newDispatch(df, where, snap.Dataset, snap.Geo, log)
	if err != nil {
		return c, err
	}
	c.disp = disp
	// The events store is closed once the last request is answered (one may be writing an
	// event), and on every early return.
	c.closeEvents = closeOnce(events, "events store", log)
	c.closers = append(c.closers, c.closeEvents)
	ff := fieldFlags{devices: cfg.Devices, tracks: cfg.Tracks, retention: cfg.RetentionDays, jt808: cfg.JT808,
		jt808Key: cfg.JT808Key, fences: cfg.Fences, stillFor: cfg.StillFor}
	if c.force, err = newField(ctx, ff, where, log); err != nil {
		return c, err
	}
	// Closed after the HTTP server and the JT/T 808 listener have stopped, so no fix is
	// acknowledged after the tracks are closed.
	force := c.force
	c.closers = append(c.closers, func() { force.Close() })
	if c.people, err = newDuty(ctx, cfg.Duty, where, snap, log); err != nil {
		return c, err
	}
	people := c.people
	c.closers = append(c.closers, func() { people.Close() })
	c.srv = api.New(api.Options{Auth: sh.auth, Logger: log, City: c.served, MaxUpload: cfg.MaxUpload, CaseOutcomes: cfg.CaseOutcomes, Dispatch: disp, Duty: c.people.Duty, WebDir: cfg.WebDir,
		Field: c.force.Force, Fences: c.force.fences,
		AccessLog: cfg.Log.Access, CORS: api.CORS{Origins: cfg.CORS.Origins, MaxAge: cfg.CORS.MaxAge},
		Limits: api.Limits{TokenRPS: cfg.Limits.TokenRPS, TokenBurst: cfg.Limits.TokenBurst,
			AddressRPS: cfg.Limits.AddressRPS, AddressBurst: cfg.Limits.AddressBurst},
		TrustedProxies: cfg.HTTP.TrustedProxies, UploadTimeout: cfg.HTTP.UploadTimeout, Audit: sh.trail,
		PublicURL: cfg.PublicURL, Basemap: sh.base, CityKey: c.key, PathPrefix: c.prefix})
	return c, nil
}

// run starts what keeps the city current until ctx ends: following its store's active version,
// the tile prewarm, the events other replicas write, track retention and the duty lists.
func (c *servedCity) run(ctx context.Context, cfg *config.Config, log *slog.Logger) {
	if c.key != "" {
		log = log.With("city", c.key)
	}
	go c.force.KeepRetention(ctx, time.Hour, func(err error) { log.Error("prune tracks", "err", err) })
	go c.people.follow(ctx, c.served.Current, log)
	if c.st != nil { // follow imports and rollbacks made by other processes, until the drain
		go c.served.Follow(ctx, 2*time.Second)
	}
	if isPostgres(cfg.Store) { // and the edits other replicas take, within a second
		go c.served.FollowChanges(ctx, city.DefaultChangePoll)
	}
	if cfg.TilePrewarmZoom > 0 {
		go prewarmTiles(ctx, c.served, cfg.TilePrewarmZoom, log)
	}
	// Events other replicas write to a shared (PostgreSQL) event store; an SQLite file is this
	// process's alone, and Follow returns at once.
	go c.disp.Feed.Follow(ctx, dispatch.DefaultFollowInterval, func(err error, retryIn time.Duration) {
		log.Error("follow events", "err", err, "retry_in", retryIn)
	})
}

// close closes what openCity opened, the last opened first.
func (c *servedCity) close() {
	for i := len(c.closers) - 1; i >= 0; i-- {
		c.closers[i]()
	}
	c.closers = nil
}
