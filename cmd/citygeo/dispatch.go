package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"

	"citygeo/cmd/citygeo/internal/api"
	"citygeo/data"
	"citygeo/data/sqlite"
	"citygeo/dispatch"
	"citygeo/geo"
)

// dispatchFlags configure duty rules and the events feed of `serve`.
type dispatchFlags struct {
	rules    string // duty rules (.csv or .json); "" = the sample's rules on the sample city, none otherwise
	dup      string // duplicate radius/window per class (JSON); "" = defaults
	calendar string // working calendar (JSON); "" = Monday–Friday office hours, no holidays
	events   string // SQLite file or postgres:// URL for events; "" = beside --store (its database for PostGIS), or memory only on the sample city
}

// newDispatch builds the duty rules and the events feed. It returns a closer for the event
// store (nil when events live in memory only).
func newDispatch(f dispatchFlags, storePath string, ds *data.Dataset, ix *geo.Index, log *slog.Logger) (*api.Dispatch, io.Closer, error) {
	var rules []*data.DutyRule
	var err error
	switch {
	case f.rules != "":
		rules, err = dispatch.LoadRules(f.rules)
	case storePath == "":
		rules, err = dispatch.SampleRules()
	}
	if err != nil {
		return nil, nil, err
	}
	dispatch.FillDepartmentCodes(rules, ds.Departments)
	if errs := dispatch.CheckAreas(rules, func(c string) bool { return ix.Area(c) != nil || ix.Grid(c) != nil }); len(errs) > 0 {
		return nil, nil, fmt.Errorf("duty rules: %w", errs)
	}
	set, err := dispatch.NewRuleSet(rules)
	if err != nil {
		return nil, nil, fmt.Errorf("duty rules: %w", err)
	}
	dup, err := parseFile(f.dup, "duplicate config", dispatch.ParseDupConfig)
	if err != nil {
		return nil, nil, err
	}
	cal, err := parseFile(f.calendar, "calendar", dispatch.ParseCalendar)
	if err != nil {
		return nil, nil, err
	}
	eventsPath := f.events
	switch {
	case eventsPath != "" || storePath == "":
	case isPostgres(storePath):
		eventsPath = storePath // the database every replica shares
	default:
		eventsPath = sqlite.EventsPath(storePath)
	}
	var es data.EventStore = dispatch.MemStore{}
	var closer io.Closer
	if eventsPath != "" {
		st, err := openEvents(context.Background(), eventsPath)
		if err != nil {
			return nil, nil, err
		}
		es, closer = st, st
	} else {
		log.Warn("events are kept in memory only: give --events FILE (or --store) to keep them across restarts")
	}
	feed, err := dispatch.NewFeed(es, dup)
	if err != nil {
		if closer != nil {
			closer.Close()
		}
		return nil, nil, err
	}
	return &api.Dispatch{Rules: set, Feed: feed, Calendar: cal}, closer, nil
}

// parseFile reads the file at path with parse; the zero value for no path. An error names the
// file and what it holds.
func parseFile[T any](path, what string, parse func(io.Reader) (T, error)) (T, error) {
	var v T
	if path == "" {
		return v, nil
	}
	fh, err := os.Open(path)
	if err != nil {
		return v, err
	}
	defer fh.Close()
	if v, err = parse(fh); err != nil {
		return v, fmt.Errorf("%s %s: %w", what, path, err)
	}
	return v, nil
}
