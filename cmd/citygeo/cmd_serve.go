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
	"citygeo/tiles"
)

func newServeCmd() *cobra.Command {
	var (
		sf        storeFlags
		df        dispatchFlags
		addr      string
		authFile  string
		snapTol   float64
		maxUpload int64
		webDir    string
		tileMB    int64
		dutyFiles []string
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
			people, err := newDuty(dutyFiles, sf.store, snap, log)
			if err != nil {
				return err
			}
			srv := api.New(api.Options{Auth: auth, Logger: log, City: served, MaxUpload: maxUpload, Dispatch: disp, Duty: people, WebDir: webDir})
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
	cmd.Flags().StringSliceVar(&dutyFiles, "duty", nil, "duty lists (people, zones, segments, shifts, assignments, delegations) as .csv files named after their list, a .json or an .xlsx; default: the lists saved beside --store by the last POST /v1/duty/import (<store>.duty.json), or the sample's on the sample city")
	cmd.Flags().StringVar(&webDir, "web-dir", "", "serve the map page's MapLibre files from this built folder (web/dist) instead of those embedded at build time")
	cmd.Flags().Int64Var(&tileMB, "tile-cache-mb", 256, "vector tile cache budget in MiB")
	cmd.Flags().Float64Var(&snapTol, "snap", 0, "metres a point may fall outside every grid and still be snapped to the nearest (0 = default 10 m)")
	return cmd
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
