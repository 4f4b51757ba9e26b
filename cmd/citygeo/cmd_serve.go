package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"citygeo/city"
	"citygeo/cmd/citygeo/internal/api"
	"citygeo/cmd/citygeo/internal/audit"
	"citygeo/cmd/citygeo/internal/config"
	"citygeo/data/postgis"
	"citygeo/field"
	"citygeo/jt808"
	"citygeo/tiles/basemap"
)

func newServeCmd() *cobra.Command {
	var cfgFile *string
	var cpuProfile string
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
			if cpuProfile != "" {
				stopProfile, err := startCPUProfile(cpuProfile)
				if err != nil {
					return err
				}
				defer stopProfile()
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
	cmd.Flags().StringVar(&cpuProfile, "cpuprofile", "", "write a CPU profile from start to shutdown to this file (go tool pprof)")
	_ = cmd.Flags().MarkHidden("cpuprofile") // for measuring, not for users
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

// serve runs the server cfg describes until ctx ends: one city at the root, or several cities
// of a PostgreSQL store (cfg.Cities) behind api.Cities.
func serve(ctx context.Context, cfg *config.Config, log *slog.Logger) error {
	logConfig(log, cfg)
	auth, err := loadAuth(cfg.Auth)
	if err != nil {
		return err
	}
	if err := useOIDC(ctx, auth, cfg.OIDC, log); err != nil {
		return err
	}
	keys, err := servedCities(ctx, cfg)
	if err != nil {
		return err
	}
	if cfg.Store != "" { // before the audit log beside it is created
		if err := storeExists(cfg.Store); err != nil {
			return err
		}
	}
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
	base, err := openBasemap(cfg.Basemap, log)
	if err != nil {
		return err
	}
	if base != nil {
		defer base.Close() // after the HTTP server has stopped (deferred later, run earlier)
	}
	// Each city is closed once the last request is answered, the last one first.
	var cities []*servedCity
	defer func() {
		for i := len(cities) - 1; i >= 0; i-- {
			cities[i].close()
		}
	}()
	restoreGC := loadGC()
	shared := cityShared{auth: auth, trail: trail, base: base, n: max(1, len(keys))}
	list := keys
	if len(list) == 0 {
		list = []string{""} // the store's own city
	}
	for _, key := range list {
		where, prefix := cfg.Store, ""
		if key != "" {
			if where, err = postgis.CityURL(ctx, cfg.Store, key, false); err != nil {
				return err
			}
		}
		if len(keys) > 1 {
			prefix = api.CityPrefix(key)
		}
		c, err := openCity(ctx, cfg, where, key, prefix, shared, log)
		if err != nil {
			return err
		}
		cities = append(cities, c)
	}
	handler, drain := cities[0].srv.Handler(), cities[0].srv.Drain
	if len(keys) > 0 {
		servers := make([]api.CityServer, len(cities))
		for i, c := range cities {
			servers[i] = api.CityServer{Key: c.key, Server: c.srv}
		}
		front := api.NewCities(servers)
		handler, drain = front.Handler(), front.Drain
	}
	if cfg.JT808 != "" { // one city only (config.Validate)
		force := cities[0].force
		jln, err := net.Listen("tcp", cfg.JT808)
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
	restoreGC()
	tuneServeGC(log)
	for _, c := range cities {
		snap := c.served.Current()
		attrs := []any{"addr", "http://" + ln.Addr().String() + c.prefix, "dataset", snap.Dataset.Name, "version", snap.Version(),
			"grids", len(snap.Dataset.Grids), "components", len(snap.Dataset.Components), "build", c.srv.Build().String()}
		if c.key != "" {
			attrs = append(attrs, "city", c.key)
		}
		log.Info("citygeo serving", attrs...)
		c.run(ctx, cfg, log)
	}
	tr := newConnTracker()
	hs := httpServer(cfg.HTTP, handler, tr)
	if err := runHTTP(ctx, hs, ln, tr, drainOptions{Timeout: cfg.HTTP.DrainTimeout, Delay: cfg.HTTP.ShutdownDelay}, drain, log); err != nil {
		return err
	}
	for _, c := range cities {
		c.closeEvents()
	}
	closeAudit()
	log.Info("citygeo stopped")
	return nil
}

// servedCities returns the keys of the cities cfg serves from a store holding several: those
// of cfg.Cities, or every registered one for "all"; nil for a store's own single city.
func servedCities(ctx context.Context, cfg *config.Config) ([]string, error) {
	if len(cfg.Cities) != 1 || cfg.Cities[0] != "all" {
		return cfg.Cities, nil
	}
	cities, err := postgis.Cities(ctx, cfg.Store)
	if err != nil {
		return nil, err
	}
	keys := make([]string, 0, len(cities))
	for _, c := range cities {
		if c.Active != 0 {
			keys = append(keys, c.Key)
		}
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("cities: all: store %s has no city with a version yet (citygeo import --city KEY creates one)", storeName(cfg.Store))
	}
	return keys, nil
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
