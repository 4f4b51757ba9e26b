package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/spf13/cobra"

	"citygeo/city"
	"citygeo/cmd/citygeo/internal/api"
	"citygeo/data"
	"citygeo/data/postgis"
	"citygeo/data/sample"
	"citygeo/duty"
	"citygeo/duty/dutyfile"
)

// dutyPath is where a server keeps the duty lists an import gave it: beside the store, like the
// events, because the lists are not part of a dataset version (they change daily).
func dutyPath(storePath string) string { return storePath + ".duty.json" }

// dutyDocument is the name the duty lists are kept under in a PostgreSQL store's documents.
const dutyDocument = "duty"

// dutyFollowEvery is how often a replica of a PostgreSQL store looks for lists another replica
// saved: one indexed read of a sequence number.
const dutyFollowEvery = 2 * time.Second

// servedDuty is a server's duty lists with where it keeps them: nowhere (the sample city or
// --duty files without a store), a file beside an SQLite store, or the documents table of a
// PostgreSQL store that every replica reads and follows.
type servedDuty struct {
	*api.Duty
	docs *postgis.Documents // nil unless the store is PostgreSQL
	seq  atomic.Int64       // the documents' sequence number of the lists served
}

// Close releases the documents table's connections.
func (d *servedDuty) Close() error {
	if d.docs != nil {
		return d.docs.Close()
	}
	return nil
}

// newDuty loads the duty lists a server starts with: the --duty files, else the lists saved
// beside (or in) the store by an earlier import, else the sample's on the sample city, else none
// (an import over HTTP fills them). Lists that do not build against the served version without
// an error stop the start, with every finding.
func newDuty(ctx context.Context, files []string, storePath string, snap *city.Snapshot, log *slog.Logger) (*servedDuty, error) {
	out := &servedDuty{}
	var r *duty.Roster
	var from string
	if isPostgres(storePath) {
		docs, err := postgis.OpenDocuments(ctx, storePath)
		if err != nil {
			return nil, err
		}
		out.docs = docs
	}
	switch {
	case len(files) > 0:
		var fs duty.Findings
		var err error
		if r, fs, err = dutyfile.ReadFiles(files...); err != nil {
			out.Close()
			return nil, err
		}
		if err := fs.Err(); err != nil {
			out.Close()
			return nil, fmt.Errorf("--duty: %w", err)
		}
		from = fmt.Sprint(files)
		if out.docs != nil {
			// Lists saved later by any replica replace these; older ones do not.
			seq, err := out.docs.Seq(ctx, dutyDocument)
			if err != nil {
				out.Close()
				return nil, err
			}
			out.seq.Store(seq)
		}
	case out.docs != nil:
		saved, seq, err := loadDocumentDuty(ctx, out.docs)
		if err != nil {
			out.Close()
			return nil, err
		}
		r, from = saved, "the store's database"
		out.seq.Store(seq)
	case storePath != "":
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
		ix, fs, err := board.Replace(r, snap.DutyCity(), nil)
		if err != nil {
			out.Close()
			return nil, fmt.Errorf("duty lists from %s: %w", from, err)
		}
		for _, f := range fs {
			log.Warn("duty lists", "finding", f.String())
		}
		cov := ix.Coverage()
		log.Info("duty lists", "from", from, "people", len(r.People), "zones", len(ix.Zones()), "segments", len(ix.Segments()),
			"grids_without_supervisor", len(cov.Unsupervised), "main_roads_without_segment", len(cov.RoadsWithout))
	}
	out.Duty = &api.Duty{Board: board}
	switch {
	case out.docs != nil:
		out.Save = func(r *data.Roster) error {
			var b bytes.Buffer
			if err := duty.WriteJSON(&b, r); err != nil {
				return err
			}
			seq, err := out.docs.Put(context.Background(), dutyDocument, b.Bytes())
			if err == nil {
				out.seq.Store(seq) // this replica serves them already
			}
			return err
		}
	case storePath != "":
		path := dutyPath(storePath)
		out.Save = func(r *data.Roster) error { return saveDuty(path, r) }
	}
	return out, nil
}

// follow takes the lists another replica of a PostgreSQL store saved, until ctx ends: lists
// that do not build against the version served are logged and not taken (the import that saved
// them checked them against its own version).
func (d *servedDuty) follow(ctx context.Context, current func() *city.Snapshot, log *slog.Logger) {
	if d.docs == nil {
		return
	}
	t := time.NewTicker(dutyFollowEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		seq, err := d.docs.Seq(ctx, dutyDocument)
		if err != nil || seq <= d.seq.Load() {
			if err != nil && ctx.Err() == nil {
				log.Warn("duty lists: look for new lists", "err", err)
			}
			continue
		}
		r, seq, err := loadDocumentDuty(ctx, d.docs)
		snap := current()
		if err == nil && r != nil && snap != nil {
			_, _, err = d.Board.Replace(r, snap.DutyCity(), nil)
		}
		if err != nil {
			log.Error("duty lists saved by another replica not taken", "seq", seq, "err", err)
		} else {
			log.Info("duty lists saved by another replica taken", "seq", seq)
		}
		d.seq.Store(seq) // not again until the next save
	}
}

// loadDocumentDuty reads the lists saved in a PostgreSQL store's documents; nil when there are
// none.
func loadDocumentDuty(ctx context.Context, docs *postgis.Documents) (*duty.Roster, int64, error) {
	doc, seq, err := docs.Get(ctx, dutyDocument)
	if err != nil || doc == nil {
		return nil, seq, err
	}
	r, err := parseSavedDuty("the store's duty lists", bytes.NewReader(doc))
	return r, seq, err
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
	return parseSavedDuty(filepath.Base(path), f)
}

// parseSavedDuty reads lists written by duty.WriteJSON; name says where they come from.
func parseSavedDuty(name string, rd io.Reader) (*duty.Roster, error) {
	ts, fs, err := duty.ReadJSON(name, rd)
	if err != nil {
		return nil, err
	}
	r, pfs := duty.Parse(ts)
	if err := append(fs, pfs...).Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return r, nil
}

// saveDuty writes the lists to path whole or not at all, on disk when it returns (writeDurably).
func saveDuty(path string, r *data.Roster) error {
	var b bytes.Buffer
	if err := duty.WriteJSON(&b, r); err != nil {
		return err
	}
	return writeDurably(path, b.Bytes(), 0o644)
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
