package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"runtime/pprof"
	"strings"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"citygeo/cmd/citygeo/internal/audit"
	"citygeo/data"
	importer "citygeo/import"
)

// importFlags are the flags validate and import share.
type importFlags struct {
	sf      storeFlags
	mapFile string
	crs     string
	charset string
	reports []string // write the report here, in the format each extension names
	lang    string   // of the summary
	quiet   bool
	repair  bool
}

func (f *importFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.sf.store, "store", "", "dataset store: an SQLite file, or postgres://… for PostgreSQL/PostGIS")
	cmd.Flags().StringVar(&f.mapFile, "map", "", "field mapping file (JSON or YAML); default: standard field names")
	cmd.Flags().StringVar(&f.crs, "crs", "", "CRS of the input when the files do not say: EPSG:4490, EPSG:4549, EPSG:2383 (Xi'an 80), gcj02, local:FILE (a city system in JSON/YAML) …")
	cmd.Flags().StringVar(&f.charset, "charset", "", "text encoding of .dbf/.csv: utf-8, gbk, gb18030 (default: .cpg or detected)")
	cmd.Flags().StringArrayVar(&f.reports, "report", nil, "write the full report to this file (repeatable): FILE.json as JSON, FILE.geojson or FILE.gpkg as a map layer of the findings at their locations")
	cmd.Flags().StringVar(&f.lang, "lang", importer.LangEnglish, "language of the summary: en or zh")
	cmd.Flags().BoolVarP(&f.quiet, "quiet", "q", false, "no progress output")
	cmd.Flags().BoolVar(&f.repair, "repair", false, "repair polygons whose rings cross themselves (makevalid) and report each repair with its area before and after")
}

func (f *importFlags) options(stderr io.Writer) (importer.Options, func(), error) {
	var opts importer.Options
	if f.mapFile != "" {
		m, err := importer.LoadMapping(f.mapFile)
		if err != nil {
			return opts, nil, &exitError{code: 2, err: err}
		}
		opts.Mapping = m
	}
	if f.crs != "" {
		c, err := importer.ParseCRS(f.crs)
		if err != nil {
			return opts, nil, &exitError{code: 2, err: err}
		}
		opts.Read.CRS = &c
	}
	if err := importer.CheckCharset(f.charset); err != nil {
		return opts, nil, &exitError{code: 2, err: fmt.Errorf("--charset: %w", err)}
	}
	opts.Read.Charset = f.charset
	if f.lang != importer.LangEnglish && f.lang != importer.LangChinese {
		return opts, nil, &exitError{code: 2, err: fmt.Errorf("--lang %q: want en or zh", f.lang)}
	}
	for _, r := range f.reports {
		if _, ok := reportFormats[strings.ToLower(filepath.Ext(r))]; !ok {
			return opts, nil, &exitError{code: 2, err: fmt.Errorf("--report %s: want a .json, .geojson or .gpkg file", r)}
		}
	}
	opts.Repair = f.repair
	done := func() {}
	if !f.quiet {
		opts.Progress, done = progress(stderr)
	}
	return opts, done, nil
}

// progress draws a bar per file on a terminal and prints a plain line every 10 % otherwise.
func progress(w io.Writer) (func(file string, done, total int64), func()) {
	file, ok := w.(*os.File)
	tty := ok && term.IsTerminal(int(file.Fd()))
	var bar *progressbar.ProgressBar
	cur, lastPct := "", int64(-1)
	update := func(name string, done, total int64) {
		if name != cur {
			if bar != nil {
				bar.Finish()
				fmt.Fprintln(w)
			}
			cur, lastPct, bar = name, -1, nil
			if tty {
				bar = progressbar.NewOptions64(total, progressbar.OptionSetWriter(w), progressbar.OptionShowBytes(true),
					progressbar.OptionSetDescription(filepath.Base(name)), progressbar.OptionThrottle(100_000_000))
			}
		}
		if bar != nil {
			bar.Set64(done)
			return
		}
		if total > 0 {
			if pct := done * 10 / total * 10; pct != lastPct {
				lastPct = pct
				fmt.Fprintf(w, "reading %s: %d%% (%d of %d bytes)\n", name, pct, done, total)
			}
		}
	}
	finish := func() {
		if bar != nil {
			bar.Finish()
			fmt.Fprintln(w)
		}
	}
	return update, finish
}

func writeReport(cmd *cobra.Command, f *importFlags, rep *importer.Report) error {
	if rep == nil {
		return nil
	}
	if err := rep.WriteSummaryIn(cmd.ErrOrStderr(), 5, f.lang); err != nil {
		return err
	}
	for _, path := range f.reports {
		if err := writeReportFile(path, rep); err != nil {
			return fmt.Errorf("report %s: %w", path, err)
		}
	}
	return nil
}

func newValidateCmd() *cobra.Command {
	var f importFlags
	cmd := &cobra.Command{
		Use:   "validate [--map F] [--crs EPSG:n] FILE…",
		Short: "check survey files against the current version without importing; exit 1 when errors are found",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, files []string) error {
			ctx := cmd.Context()
			opts, done, err := f.options(cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			tuneGC()
			base, err := activeDataset(ctx, f.sf)
			if err != nil {
				return err
			}
			_, rep, err := importer.Check(ctx, files, base, opts)
			done()
			if err != nil {
				return err
			}
			if err := writeReport(cmd, &f, rep); err != nil {
				return err
			}
			if !rep.OK() {
				return &exitError{code: 1, err: fmt.Errorf("%d errors found", rep.Errors)}
			}
			return nil
		},
	}
	f.register(cmd)
	f.sf.withCity(cmd, false)
	return cmd
}

func newImportCmd() *cobra.Command {
	var f importFlags
	var mode, deleteList, cpuProfile string
	cmd := &cobra.Command{
		Use:   "import --store PATH [--mode replace|upsert] [--delete-list F] [--map F] [--crs EPSG:n] FILE…",
		Short: "validate survey files and, when no errors are found, write them as the new active version",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, files []string) error {
			ctx := cmd.Context()
			if f.sf.store == "" {
				return &exitError{code: 2, err: errors.New("import needs --store PATH")}
			}
			opts, done, err := f.options(cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			if mode != "replace" && mode != "upsert" {
				return &exitError{code: 2, err: fmt.Errorf("--mode %q: want replace or upsert", mode)}
			}
			if deleteList != "" && mode != "upsert" {
				return &exitError{code: 2, err: errors.New("--delete-list needs --mode upsert")}
			}
			tuneGC()
			if cpuProfile != "" {
				stop, err := startCPUProfile(cpuProfile)
				if err != nil {
					return &exitError{code: 2, err: err}
				}
				defer stop()
			}
			st, err := openStore(ctx, f.sf.store)
			if err != nil {
				return err
			}
			defer st.Close()
			var v int64
			var rep *importer.Report
			if mode == "upsert" {
				v, rep, err = upsert(ctx, st, files, deleteList, opts)
			} else {
				v, rep, err = importer.Import(ctx, st, files, opts)
			}
			done()
			entry := audit.Entry{Action: "import", Target: baseNames(files), Version: v, Result: audit.ResultOK}
			if mode == "upsert" {
				entry.Action = "import-upsert"
			}
			var ve *importer.ValidationError
			switch {
			case errors.As(err, &ve):
				entry.Result, entry.Message = audit.ResultInvalid, err.Error()
			case err != nil:
				entry.Result, entry.Message = audit.ResultFailed, err.Error()
			}
			auditCLI(cmd.ErrOrStderr(), f.sf.store, entry)
			if rerr := writeReport(cmd, &f, rep); rerr != nil {
				return rerr
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "version %d active\n", v)
			return nil
		},
	}
	f.register(cmd)
	f.sf.withCity(cmd, true)
	cmd.Flags().StringVar(&mode, "mode", "replace", "replace: the layers in the files replace the active version's; upsert: rows create or update features by id, rows marked in the DELETE column and ids in --delete-list delete them, and the new version stores only the changes")
	cmd.Flags().StringVar(&cpuProfile, "cpuprofile", "", "write a CPU profile of the import to this file (go tool pprof)")
	_ = cmd.Flags().MarkHidden("cpuprofile") // for measuring, not for users
	cmd.Flags().StringVar(&deleteList, "delete-list", "", "upsert: a file of ids to delete, one a line (a bare id is a component's; or layer,id with layer component, grid, road, address or poi)")
	return cmd
}

// upsert imports files into st's active version by id (importer.Upsert).
func upsert(ctx context.Context, st data.Store, files []string, deleteList string, opts importer.Options) (int64, *importer.Report, error) {
	cs, ok := st.(data.ChangeStore)
	if !ok {
		return 0, nil, &exitError{code: 2, err: errors.New("this store keeps no changes: --mode upsert needs the SQLite or PostgreSQL store")}
	}
	var deletes map[data.Layer][]string
	if deleteList != "" {
		var err error
		if deletes, err = importer.ReadDeleteList(deleteList); err != nil {
			return 0, nil, &exitError{code: 2, err: err}
		}
	}
	v, err := st.ActiveVersion(ctx)
	if err != nil {
		return 0, nil, fmt.Errorf("upsert needs an active version to change: %w", err)
	}
	base, err := importer.StoreBase(ctx, st, v)
	if err != nil {
		return 0, nil, err
	}
	return importer.Upsert(ctx, cs, base, files, deletes, opts)
}

// startCPUProfile profiles the process into path until the returned func is called.
func startCPUProfile(path string) (func(), error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("--cpuprofile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("--cpuprofile: %w", err)
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}

// importMemoryLimit is the soft heap limit of an import or a validation. What an import holds
// until it has validated (a 2M-component city: ~1 GB of model objects, which every collection
// marks) is most of it, so the room above is what decides how often the collector runs: at
// 1 GiB it ran back to back through the second half of such an import and took over half of
// its CPU (80 cycles, each marking ~1 GB). The process's peak RSS stays under 2 GB: the heap
// plus SQLite's page caches.
const importMemoryLimit = 1536 << 20

// tuneGC trades memory the import (or validation) may use for less GC work: collect less often
// (GOGC 300) below a soft limit of importMemoryLimit. GOGC and GOMEMLIMIT in the environment
// win.
func tuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(300)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(importMemoryLimit)
	}
}

// activeDataset is the store's active version, or nil for a missing or empty store (validate
// then checks the files on their own).
func activeDataset(ctx context.Context, sf storeFlags) (*data.Dataset, error) {
	if sf.store == "" {
		return nil, nil
	}
	if _, err := os.Stat(sf.store); err != nil && !isPostgres(sf.store) {
		return nil, nil
	}
	st, err := openStore(ctx, sf.store)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	ds, err := data.LoadActive(ctx, st)
	if errors.Is(err, data.ErrNoActive) {
		return nil, nil
	}
	return ds, err
}
