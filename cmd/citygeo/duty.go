package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"citygeo/city"
	"citygeo/cmd/citygeo/internal/api"
	"citygeo/data"
	"citygeo/data/sample"
	"citygeo/duty"
	"citygeo/duty/dutyfile"
)

// dutyPath is where a server keeps the duty lists an import gave it: beside the store, like the
// events, because the lists are not part of a dataset version (they change daily).
func dutyPath(storePath string) string { return storePath + ".duty.json" }

// newDuty loads the duty lists a server starts with: the --duty files, else the lists saved
// beside the store by an earlier import, else the sample's on the sample city, else none (an
// import over HTTP fills them). Lists that do not build against the served version without an
// error stop the start, with every finding.
func newDuty(files []string, storePath string, snap *city.Snapshot, log *slog.Logger) (*api.Duty, error) {
	var r *duty.Roster
	var from string
	switch {
	case len(files) > 0:
		var fs duty.Findings
		var err error
		if r, fs, err = dutyfile.ReadFiles(files...); err != nil {
			return nil, err
		}
		if err := fs.Err(); err != nil {
			return nil, fmt.Errorf("--duty: %w", err)
		}
		from = fmt.Sprint(files)
	case storePath != "" && !isPostgres(storePath):
		saved, err := loadSavedDuty(dutyPath(storePath))
		if err != nil {
			return nil, err
		}
		r, from = saved, dutyPath(storePath)
	default:
		r, from = duty.NewRoster(sample.Roster(snap.Dataset, sample.RosterOptions{})), "the sample city"
	}
	board := duty.NewBoard(r, duty.Options{})
	if r != nil {
		ix, fs, err := board.Replace(r, snap.DutyCity())
		if err != nil {
			return nil, fmt.Errorf("duty lists from %s: %w", from, err)
		}
		for _, f := range fs {
			log.Warn("duty lists", "finding", f.String())
		}
		cov := ix.Coverage()
		log.Info("duty lists", "from", from, "people", len(r.People), "zones", len(ix.Zones()), "segments", len(ix.Segments()),
			"grids_without_supervisor", len(cov.Unsupervised), "main_roads_without_segment", len(cov.RoadsWithout))
	}
	d := &api.Duty{Board: board}
	// Lists imported over HTTP are saved beside an SQLite store file; a PostgreSQL store does not
	// keep them yet, so its replicas take them from --duty.
	if storePath != "" && !isPostgres(storePath) {
		path := dutyPath(storePath)
		d.Save = func(r *data.Roster) error { return saveDuty(path, r) }
	}
	return d, nil
}

// loadSavedDuty reads lists saved by saveDuty; nil, nil when there are none.
func loadSavedDuty(path string) (*duty.Roster, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	ts, fs, err := duty.ReadJSON(filepath.Base(path), f)
	if err != nil {
		return nil, err
	}
	r, pfs := duty.Parse(ts)
	if err := append(fs, pfs...).Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return r, nil
}

// saveDuty writes the lists to path whole or not at all: a temporary file renamed over it.
func saveDuty(path string, r *data.Roster) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := duty.WriteJSON(tmp, r); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// newDutyCmd is `citygeo duty FILE…`: check duty lists against a dataset version (the store's
// active one, or the sample city), print every finding and the coverage report, and write the
// lists as one JSON document with --out (what serve keeps).
func newDutyCmd() *cobra.Command {
	var (
		sf  storeFlags
		out string
	)
	cmd := &cobra.Command{
		Use:   "duty FILE…",
		Short: "check duty lists (.csv, .json, .xlsx) against a dataset: findings by row, then the coverage report",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			r, fs, err := dutyfile.ReadFiles(args...)
			if err != nil {
				return &exitError{code: 2, err: err}
			}
			ds, err := loadDataset(cmd.Context(), sf)
			if err != nil {
				return err
			}
			snap, err := city.Build(ds, city.Options{})
			if err != nil {
				return err
			}
			var ix *duty.Index
			if fs.Errors() == 0 {
				var bfs duty.Findings
				ix, bfs = duty.Build(r, snap.DutyCity(), duty.Options{})
				fs = append(fs, bfs...)
			}
			w := cmd.OutOrStdout()
			for _, f := range fs {
				fmt.Fprintln(w, f)
			}
			if err := fs.Err(); err != nil {
				return &exitError{code: 1, err: fmt.Errorf("%d errors in the duty lists", fs.Errors())}
			}
			if err := printCoverage(w, ix.Coverage()); err != nil {
				return err
			}
			if out != "" {
				return saveDuty(out, &r.Roster)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&sf.store, "store", "", "embedded store; empty = the built-in sample city")
	cmd.Flags().StringVar(&out, "out", "", "write the checked lists as one JSON document")
	return cmd
}

func printCoverage(w io.Writer, c duty.Coverage) error {
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", b)
	return err
}
