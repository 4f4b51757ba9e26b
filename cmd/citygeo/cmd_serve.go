package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"citygeo/city"
	"citygeo/cmd/citygeo/internal/api"
	"citygeo/data"
	"citygeo/data/sample"
	"citygeo/field"
	"citygeo/jt808"
	"citygeo/tiles"
)

func newServeCmd() *cobra.Command {
	var (
		sf        storeFlags
		df        dispatchFlags
		ff        fieldFlags
		addr      string
		authFile  string
		snapTol   float64
		maxUpload int64
		webDir    string
		tileMB    int64
	)
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "serve the HTTP API (the built-in sample city when no --store is given)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			log := slog.New(slog.NewTextHandler(os.Stderr, nil))
			auth, err := loadAuth(authFile)
			if err != nil {
				return err
			}
			var st data.Store
			if sf.store != "" {
				if st, err = openStore(ctx, sf.store); err != nil {
					return err
				}
				defer st.Close()
			}
			// One tile cache for every version this process serves (imports, rollbacks): keys
			// carry the version, so no version ever sees another's tiles.
			served := city.New(st, city.Options{SnapTolerance: snapTol, TileCache: tiles.NewCache(tileMB << 20)}, log)
			if st != nil {
				if err := served.Load(ctx); err != nil {
					return fmt.Errorf("store %s: %w", sf.store, err)
				}
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
			disp, closeEvents, err := newDispatch(df, sf.store, snap.Dataset, snap.Geo, log)
			if err != nil {
				return err
			}
			if closeEvents != nil {
				defer closeEvents.Close()
			}
			force, err := newField(ctx, ff, sf.store, log)
			if err != nil {
				return err
			}
			// Closed last (deferred first): the HTTP server and the JT/T 808 listener stop
			// before it, so no fix is acknowledged after the tracks are closed.
			defer force.Close()
			go force.KeepRetention(ctx, time.Hour, func(err error) { log.Error("prune tracks", "err", err) })
			srv := api.New(api.Options{Auth: auth, Logger: log, City: served, MaxUpload: maxUpload, Dispatch: disp, WebDir: webDir, Field: force.Force, Fences: force.fences})
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
			ln, err := net.Listen("tcp", addr)
			if err != nil {
				return fmt.Errorf("listen: %w", err)
			}
			log.Info("citygeo serving", "addr", "http://"+ln.Addr().String(), "dataset", snap.Dataset.Name, "version", snap.Version(),
				"grids", len(snap.Dataset.Grids), "components", len(snap.Dataset.Components))
			if st != nil { // follow imports and rollbacks made by other processes
				go served.Follow(ctx, 2*time.Second)
			}
			hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second}
			errc := make(chan error, 1)
			go func() { errc <- hs.Serve(ln) }()
			select {
			case err := <-errc:
				return err
			case <-ctx.Done():
			}
			shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := hs.Shutdown(shutdown); err != nil && !errors.Is(err, http.ErrServerClosed) {
				return err
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&addr, "addr", "127.0.0.1:8080", "listen address HOST:PORT")
	cmd.Flags().StringVar(&sf.store, "store", "", "embedded store (SQLite file); empty serves the built-in sample city")
	cmd.Flags().StringVar(&authFile, "auth", "", "token file (JSON: guard_reads, tokens[{name, role, sha256}]); see `citygeo token`")
	cmd.Flags().Int64Var(&maxUpload, "max-upload", api.DefaultMaxUpload, "largest POST /v1/datasets upload in bytes (larger → 413)")
	cmd.Flags().StringVar(&df.rules, "rules", "", "duty rules 权责清单 (.csv or .json); default: the sample rules on the sample city, none with --store")
	cmd.Flags().StringVar(&df.dup, "duplicates", "", "duplicate radius and window per class (JSON); default 50 m / 24 h")
	cmd.Flags().StringVar(&df.events, "events", "", "SQLite file keeping the events feed; default: <store>.events.db beside the --store file, apart so that imports never block event writes (memory only on the sample city)")
	cmd.Flags().StringVar(&webDir, "web-dir", "", "serve the map page's MapLibre files from this built folder (web/dist) instead of those embedded at build time")
	cmd.Flags().Int64Var(&tileMB, "tile-cache-mb", 256, "vector tile cache budget in MiB")
	cmd.Flags().StringVar(&ff.devices, "devices", "", "device registry (.json or .csv: id, kind person|vehicle, subject, name, role, team); given, only its devices may report")
	cmd.Flags().StringVar(&ff.tracks, "tracks", "", "SQLite file keeping the tracks; default: <store>.tracks.db beside the --store file (memory only on the sample city)")
	cmd.Flags().IntVar(&ff.retention, "retention-days", field.DefaultRetentionDays, "days of tracks kept (positions are personal data)")
	cmd.Flags().StringVar(&ff.jt808, "jt808", "", "listen for JT/T 808 vehicle terminals (2013/2019) on HOST:PORT")
	cmd.Flags().StringVar(&ff.fences, "fences", "", "geofences (GeoJSON: id, name, kind forbidden|assigned, roles, devices, hours HH:MM-HH:MM); alerts at /v1/alerts and /v1/alerts/stream")
	cmd.Flags().DurationVar(&ff.stillFor, "still-for", field.DefaultStillFor, "a device within 30 m this long raises a stationary alert (negative: never)")
	cmd.Flags().StringVar(&ff.jt808Key, "jt808-key", "", "file with the key of the terminals' authentication codes (created if absent); default: <tracks>.jt808.key")
	cmd.Flags().Float64Var(&snapTol, "snap", 0, "metres a point may fall outside every grid and still be snapped to the nearest (0 = default 10 m)")
	return cmd
}

// knownTerminal is the registry's check for JT/T 808 registrations; nil (any terminal) when
// the registry is open.
func knownTerminal(reg *field.Registry) func(string) bool {
	if reg == nil {
		return nil
	}
	return reg.Allows
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
