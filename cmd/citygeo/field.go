package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"strings"
	"time"

	"citygeo/data"
	"citygeo/data/sqlite"
	"citygeo/field"
)

// fieldFlags configure the field force of `serve`: devices, tracks, retention, JT/T 808.
type fieldFlags struct {
	devices   string        // device registry (.json or .csv); "" = open
	tracks    string        // SQLite file for tracks; "" = sqlite.TracksPath(--store), or memory only on the sample city
	retention int           // days of tracks kept
	jt808     string        // JT/T 808 listen address; "" = none
	jt808Key  string        // file holding the key of the terminals' authentication codes
	fences    string        // geofences (GeoJSON); "" = none (stationary alerts only)
	stillFor  time.Duration // standing still this long is an alert; negative: never
}

// fieldForce is the field force with what must be closed after it.
type fieldForce struct {
	*field.Force
	fences *field.Fences
	store  data.TrackStore
	key    []byte // the JT/T 808 authentication key
}

// Close stops the force, then closes its store.
func (f *fieldForce) Close() error {
	err := f.Force.Close()
	if cerr := f.store.Close(); err == nil {
		err = cerr
	}
	return err
}

// newField opens the track store and the force over it.
func newField(ctx context.Context, ff fieldFlags, storePath string, log *slog.Logger) (*fieldForce, error) {
	var reg *field.Registry
	if ff.devices != "" {
		var err error
		if reg, err = field.LoadDevices(ff.devices); err != nil {
			return nil, err
		}
	}
	path := ff.tracks
	switch {
	case path != "" || storePath == "":
	case isPostgres(storePath):
		path = storePath // the field_fix table beside the dataset tables, shared by every replica
	default:
		path = sqlite.TracksPath(storePath)
	}
	var st data.TrackStore = &field.MemTracks{}
	if path != "" {
		t, err := openTracks(ctx, path)
		if err != nil {
			return nil, err
		}
		st = t
	} else {
		log.Warn("tracks are kept in memory only: give --tracks FILE (or an SQLite --store) to keep them across restarts")
	}
	// A store shared by replicas: the fixes others store after this moment are shown here too
	// (the positions loaded by Open are those before it; one read twice changes nothing).
	var cursor int64
	shared, _ := st.(data.TrackChanges)
	if shared != nil {
		var err error
		if cursor, err = shared.TrackCursor(ctx); err != nil {
			st.Close()
			return nil, err
		}
	}
	force, err := field.Open(ctx, st, field.Options{RetentionDays: ff.retention, Devices: reg})
	if err != nil {
		st.Close()
		return nil, err
	}
	out := &fieldForce{Force: force, store: st}
	if shared != nil {
		go followFixes(ctx, shared, cursor, force, log)
	}
	var fences []field.Fence
	if ff.fences != "" {
		if fences, err = field.LoadFences(ff.fences); err != nil {
			out.Close()
			return nil, err
		}
	}
	if out.fences, err = field.NewFences(field.FenceOptions{Fences: fences, StillFor: ff.stillFor}, reg); err != nil {
		out.Close()
		return nil, fmt.Errorf("%s: %w", ff.fences, err)
	}
	out.fences.Watch(force)
	if ff.jt808 != "" {
		keyPath := ff.jt808Key
		if keyPath == "" && path != "" && !isPostgres(path) {
			keyPath = path + ".jt808.key"
		}
		if out.key, err = jt808Key(keyPath, log); err != nil {
			out.Close()
			return nil, err
		}
	}
	return out, nil
}

// fixFollowEvery is how often a replica reads the fixes the others stored: a patroller's dot
// on every wall moves within this of its report, whichever replica took it.
const fixFollowEvery = 250 * time.Millisecond

// followFixes shows the fixes other processes append to a shared track store, from cursor on,
// until ctx ends or the force closes. With the database unreachable it waits and resumes where
// it was: nothing is skipped.
func followFixes(ctx context.Context, st data.TrackChanges, cursor int64, force *field.Force, log *slog.Logger) {
	t := time.NewTicker(fixFollowEvery)
	defer t.Stop()
	failing := false
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		for {
			fixes, next, err := st.FixesAfter(ctx, cursor, 10_000)
			if err != nil {
				if !failing && ctx.Err() == nil {
					log.Warn("fixes of other replicas: cannot read, will retry", "err", err)
				}
				failing = true
				break
			}
			if failing {
				log.Info("fixes of other replicas: reading again", "after", cursor)
				failing = false
			}
			if len(fixes) == 0 {
				break
			}
			if err := force.Observe(fixes); err != nil {
				return // closed
			}
			cursor = next
		}
	}
}

// jt808Key reads the key of the JT/T 808 authentication codes from path, creating it with a
// random key on first use, so a restart keeps every code the terminals hold valid. With no
// path (memory only) the key is random and terminals register again after a restart, which
// they do on their own.
func jt808Key(path string, log *slog.Logger) ([]byte, error) {
	fresh := func() ([]byte, error) {
		k := make([]byte, 32)
		if _, err := rand.Read(k); err != nil {
			return nil, err
		}
		return k, nil
	}
	if path == "" {
		log.Warn("JT/T 808 authentication codes are valid until restart: give --jt808-key FILE (or --tracks/--store) to keep them")
		return fresh()
	}
	b, err := os.ReadFile(path)
	if err == nil {
		k, err := hex.DecodeString(strings.TrimSpace(string(b)))
		if err != nil || len(k) < 16 {
			return nil, fmt.Errorf("JT/T 808 key %s: want at least 32 hex digits", path)
		}
		return k, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("JT/T 808 key: %w", err)
	}
	k, err := fresh()
	if err != nil {
		return nil, err
	}
	if err := writeDurably(path, []byte(hex.EncodeToString(k)+"\n"), 0o600); err != nil {
		return nil, fmt.Errorf("JT/T 808 key: %w", err)
	}
	log.Info("JT/T 808 authentication key created", "file", path)
	return k, nil
}
