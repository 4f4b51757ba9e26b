package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"runtime/debug"
	"sync"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"citygeo/city"
	"citygeo/cmd/citygeo/internal/api"
	"citygeo/cmd/citygeo/internal/audit"
	"citygeo/cmd/citygeo/internal/config"
	"citygeo/data"
	"citygeo/data/sample"
	"citygeo/dispatch"
	"citygeo/field"
	"citygeo/jt808"
	"citygeo/tiles"
	"citygeo/tiles/basemap"
)

func newServeCmd() *cobra.Command {
	var cfgFile *string
	cmd := &cobra.Command{
		Use:   "serve [--config FILE] [flags]",
		Short: "serve the HTTP API (the built-in sample city when no store is configured)",
		Long: "serve the HTTP API. Every setting comes from the defaults, a YAML file (--config), " +
			"CITYGEO_… environment variables and flags, in rising precedence; `citygeo config example` " +
			"prints every key with its default.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := resolveConfig(cmd, *cfgFile)
			if err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			logOut := cmd.ErrOrStderr()
			if !isTerminal(logOut) { // a person watching a terminal sees each line at once
				lw := newLogWriter(logOut)
				defer lw.Close()
				logOut = lw
			}
			return serve(ctx, cfg, newLogger(logOut, cfg.Log.Format, cfg.Log.Level))
		},
	}
	cfgFile = configFlags(cmd)
	return cmd
}

// logConfig logs the effective configuration, secrets masked, as the first line of a server.
func logConfig(log *slog.Logger, cfg *config.Config) {
	vals := cfg.Values()
	attrs := make([]any, len(vals))
	for i, v := range vals {
		attrs[i] = slog.String(v.Key, v.Value)
	}
	log.Info("effective config", slog.Group("config", attrs...))
}

// serve runs the server cfg describes until ctx ends.
func serve(ctx context.Context, cfg *config.Config, log *slog.Logger) error {
	logConfig(log, cfg)
	auth, err := loadAuth(cfg.Auth)
	if err != nil {
		return err
	}
	if err := useOIDC(ctx, auth, cfg.OIDC, log); err != nil {
		return err
	}
	var st data.Store
	if cfg.Store != "" {
		if st, err = openExistingStore(ctx, cfg.Store); err != nil {
			return err
		}
		defer st.Close()
	}
	// One tile cache for every version this process serves (imports, rollbacks): keys
	// carry the version, so no version ever sees another's tiles.
	tileCache := tiles.NewCache(cfg.TileCacheMB << 20)
	if cfg.TileCacheMB == 0 {
		tileCache = tiles.NewCacheOff()
	}
	served := city.New(st, city.Options{SnapTolerance: cfg.Snap, TileCache: tileCache}, log)
	if st != nil {
		if err := served.Load(ctx); err != nil {
			return fmt.Errorf("store %s: %w", storeName(cfg.Store), err)
		}
		// Loading a large city leaves as much garbage as it keeps (decoded rows, index
		// scratch): collect it and hand the pages back now rather than serve with twice the
		// RSS until the heap grows into them (100k grids, 2M components: 3.0 → ~1.6 GB).
		debug.FreeOSMemory()
	} else {
		ds, err := sample.Generate(sample.Options{})
		if err != nil {
			return err
		}
		snap, err := city.Build(ds, served.Options())
		if err != nil {
			return err
		}
		served.Swap(snap)
	}
	snap := served.Current()
	df := dispatchFlags{rules: cfg.Rules, dup: cfg.Duplicates, events: cfg.Events}
	disp, events, err := newDispatch(df, cfg.Store, snap.Dataset, snap.Geo, log)
	if err != nil {
		return err
	}
	// The events store and the audit log are closed once the last request is answered (one may
	// be writing an event or an entry), and on every early return.
	closeEvents := closeOnce(events, "events store", log)
	defer closeEvents()
	trail, err := openAudit(cfg, log)
	if err != nil {
		return err
	}
	var trailCloser io.Closer
	if trail != nil {
		trailCloser = trail
	}
	closeAudit := closeOnce(trailCloser, "audit log", log)
	defer closeAudit()
	ff := fieldFlags{devices: cfg.Devices, tracks: cfg.Tracks, retention: cfg.RetentionDays, jt808: cfg.JT808,
		jt808Key: cfg.JT808Key, fences: cfg.Fences, stillFor: cfg.StillFor}
	force, err := newField(ctx, ff, cfg.Store, log)
	if err != nil {
		return err
	}
	// Closed last (deferred first): the HTTP server and the JT/T 808 listener stop before it,
	// so no fix is acknowledged after the tracks are closed.
	defer force.Close()
	go force.KeepRetention(ctx, time.Hour, func(err error) { log.Error("prune tracks", "err", err) })
	people, err := newDuty(ctx, cfg.Duty, cfg.Store, snap, log)
	if err != nil {
		return err
	}
	defer people.Close()
	go people.follow(ctx, served.Current, log)
	base, err := openBasemap(cfg.Basemap, log)
	if err != nil {
		return err
	}
	if base != nil {
		defer base.Close() // after the HTTP server has stopped (deferred later, run earlier)
	}
	srv := api.New(api.Options{Auth: auth, Logger: log, City: served, MaxUpload: cfg.MaxUpload, CaseOutcomes: cfg.CaseOutcomes, Dispatch: disp, Duty: people.Duty, WebDir: cfg.WebDir,
		Field: force.Force, Fences: force.fences,
		AccessLog: cfg.Log.Access, CORS: api.CORS{Origins: cfg.CORS.Origins, MaxAge: cfg.CORS.MaxAge},
		Limits: api.Limits{TokenRPS: cfg.Limits.TokenRPS, TokenBurst: cfg.Limits.TokenBurst,
			AddressRPS: cfg.Limits.AddressRPS, AddressBurst: cfg.Limits.AddressBurst},
		TrustedProxies: cfg.HTTP.TrustedProxies, UploadTimeout: cfg.HTTP.UploadTimeout, Audit: trail,
		PublicURL: cfg.PublicURL, Basemap: base})
	if ff.jt808 != "" {
		jln, err := net.Listen("tcp", ff.jt808)
		if err != nil {
			return fmt.Errorf("listen JT/T 808: %w", err)
		}
		js := newJT808Server(force.Force, jt808.KeyedAuth{Key: force.key, Known: knownTerminal(force.Options().Devices)}, log)
		jctx, jcancel := context.WithCancel(ctx)
		jdone := make(chan error, 1)
		go func() { jdone <- js.Serve(jctx, jln) }()
		defer func() { jcancel(); <-jdone }() // every terminal's handler has returned before the force closes
		log.Info("JT/T 808 listening", "addr", jln.Addr().String())
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	log.Info("citygeo serving", "addr", "http://"+ln.Addr().String(), "dataset", snap.Dataset.Name, "version", snap.Version(),
		"grids", len(snap.Dataset.Grids), "components", len(snap.Dataset.Components), "build", srv.Build().String())
	if st != nil { // follow imports and rollbacks made by other processes, until the drain
		go served.Follow(ctx, 2*time.Second)
	}
	if cfg.TilePrewarmZoom > 0 {
		go prewarmTiles(ctx, served, cfg.TilePrewarmZoom, log)
	}
	// Events other replicas write to a shared (PostgreSQL) event store; an SQLite file is this
	// process's alone, and Follow returns at once.
	go disp.Feed.Follow(ctx, dispatch.DefaultFollowInterval, func(err error, retryIn time.Duration) {
		log.Error("follow events", "err", err, "retry_in", retryIn)
	})
	tr := newConnTracker()
	hs := httpServer(cfg.HTTP, srv.Handler(), tr)
	if err := runHTTP(ctx, hs, ln, tr, drainOptions{Timeout: cfg.HTTP.DrainTimeout, Delay: cfg.HTTP.ShutdownDelay}, srv.Drain, log); err != nil {
		return err
	}
	closeEvents()
	closeAudit()
	log.Info("citygeo stopped")
	return nil
}

// closeOnce returns a func that closes c (nil: nothing) the first time it is called and logs
// that it did, or why it could not.
func closeOnce(c io.Closer, what string, log *slog.Logger) func() {
	return sync.OnceFunc(func() {
		if c == nil {
			return
		}
		if err := c.Close(); err != nil {
			log.Error("closing the "+what, "err", err)
			return
		}
		log.Info(what + " closed")
	})
}

// openAudit opens the audit log cfg names, or the one beside a store file; nil when there is
// none (the sample city, or a database store with no audit.file).
func openAudit(cfg *config.Config, log *slog.Logger) (*audit.Log, error) {
	path := cfg.Audit.File
	if path == "" && cfg.Store != "" && !config.IsURL(cfg.Store) {
		path = audit.PathBeside(cfg.Store)
	}
	if path == "" {
		if cfg.Store != "" {
			log.Warn("no audit log: set audit.file to record writes")
		}
		return nil, nil
	}
	return audit.Open(path)
}

func loadAuth(path string) (*api.Auth, error) {
	if path == "" {
		return api.NewAuth(nil)
	}
	cfg, err := api.LoadAuthConfig(path)
	if err != nil {
		return nil, err
	}
	return api.NewAuth(cfg)
}

// useOIDC makes auth accept the single sign-on JWTs cfg describes (none when it names no JWKS),
// and keeps their keys fresh until ctx ends.
func useOIDC(ctx context.Context, auth *api.Auth, cfg config.OIDC, log *slog.Logger) error {
	if cfg.JWKS == "" {
		return nil
	}
	roles, err := cfg.RoleMap()
	if err != nil {
		return err
	}
	var m map[string]api.Role
	if roles != nil {
		m = map[string]api.Role{}
		for v, r := range roles {
			m[v] = api.Role(r)
		}
	}
	o, err := api.NewOIDC(ctx, api.OIDCConfig{JWKS: cfg.JWKS, Issuer: cfg.Issuer, Audience: cfg.Audience, ClockSkew: cfg.ClockSkew,
		Refresh: cfg.Refresh, RoleClaim: cfg.RoleClaim, Roles: m, AreaClaim: cfg.AreaClaim, NameClaim: cfg.NameClaim})
	if err != nil {
		return err
	}
	auth.UseOIDC(o)
	go o.Run(ctx, log)
	log.Info("single sign-on: accepting JWTs", "issuer", cfg.Issuer, "audience", cfg.Audience, "jwks", cfg.JWKS)
	return nil
}

// knownTerminal is the registry's check for JT/T 808 registrations; nil (any terminal) when
// the registry is open.
func knownTerminal(reg *field.Registry) func(string) bool {
	if reg == nil {
		return nil
	}
	return reg.Allows
}

// openBasemap opens the --basemap archive; "" is none.
func openBasemap(path string, log *slog.Logger) (*basemap.Map, error) {
	if path == "" {
		return nil, nil
	}
	m, err := basemap.Open(path)
	if err != nil {
		return nil, fmt.Errorf("basemap: %w", err)
	}
	log.Info("base map", "path", path, "format", m.Format, "zooms", fmt.Sprintf("%d-%d", m.MinZoom, m.MaxZoom))
	return m, nil
}

// prewarmTiles builds the pyramid of each version served into the tile cache, in the
// background: it looks for a new snapshot every second and stops building the old one's tiles
// when one arrives. city.City has many swap paths (load, import, activate, follow); watching
// the current snapshot covers them all without a hook in each.
func prewarmTiles(ctx context.Context, served *city.City, maxZoom int, log *slog.Logger) {
	var cur *city.Snapshot
	cancel := func() {}
	defer func() { cancel() }()
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		if snap := served.Current(); snap != cur {
			cancel()
			cur = snap
			pctx, stop := context.WithCancel(ctx)
			cancel = stop
			go func() {
				start := time.Now()
				n, err := snap.Tiles.Prewarm(pctx, maxZoom)
				if err != nil && pctx.Err() == nil {
					log.Error("prewarm tiles", "version", snap.Version(), "err", err)
					return
				}
				log.Info("prewarmed tiles", "version", snap.Version(), "tiles", n, "max_zoom", maxZoom,
					"took", time.Since(start).Round(time.Millisecond), "interrupted", pctx.Err() != nil)
			}()
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}
