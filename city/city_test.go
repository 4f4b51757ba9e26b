package city_test

import (
	"context"
	"errors"
	"log/slog"
	"math"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"citygeo/city"
	"citygeo/data"
	"citygeo/data/sample"
	"citygeo/data/sqlite"
)

// TestSwapsAreMonotonic activates versions back to back while the city follows its store with
// a poller as fast as it goes: once Activate answers "served", every read must be answered from
// that version until the next activation. A follower acting on a poll made before the
// activation would swap the older version back in (the bug this guards against).
func TestSwapsAreMonotonic(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "city.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var versions []int64
	for seed := range int64(3) {
		ds, err := sample.Generate(sample.Options{Grids: 500, Components: 500, Seed: seed + 1})
		if err != nil {
			t.Fatal(err)
		}
		v, err := st.Save(ctx, ds, "seed")
		if err != nil {
			t.Fatal(err)
		}
		versions = append(versions, v)
	}
	c := city.New(st, city.Options{}, slog.New(slog.DiscardHandler))
	if err := c.Load(ctx); err != nil {
		t.Fatal(err)
	}
	followCtx, stopFollow := context.WithCancel(ctx)
	defer stopFollow()
	go c.Follow(followCtx, time.Millisecond)

	const rounds = 50
	for round := range rounds {
		for _, v := range versions {
			got, err := c.Activate(ctx, v)
			if err != nil || !got.Served {
				t.Fatalf("round %d: Activate(%d) = %+v, %v", round, v, got, err)
			}
			// Give the follower several polls to act on a stale reading.
			for deadline := time.Now().Add(3 * time.Millisecond); time.Now().Before(deadline); {
				if cur := c.Current().Version(); cur != v {
					t.Fatalf("round %d: answered from version %d after version %d was served", round, cur, v)
				}
			}
		}
	}
}

// TestBuildRefuses: a dataset an index cannot hold is an error naming the feature, never a panic,
// now that Build checks it once for the geo and tile indexes instead of each checking it.
func TestBuildRefuses(t *testing.T) {
	for _, tc := range []struct {
		name  string
		spoil func(*data.Dataset)
		want  string
	}{
		{"nil component", func(ds *data.Dataset) { ds.Components[3] = nil }, "nil component"},
		{"NaN component", func(ds *data.Dataset) {
			ds.Components[3] = &data.Component{ID: "4403030118999999", Major: "01", Minor: "18",
				Geometry: orb.LineString{{114.05, 22.55}, {math.NaN(), 22.56}}}
		}, "component 4403030118999999"},
		{"nil grid", func(ds *data.Dataset) { ds.Grids[1] = nil }, "nil grid"},
		{"infinite road", func(ds *data.Dataset) {
			ds.Roads = append(ds.Roads, &data.Road{ID: 9, Name: "深南大道", Line: orb.LineString{{114.05, 22.55}, {114.06, math.Inf(1)}}})
		}, "road 9 (深南大道)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ds, err := sample.Generate(sample.Options{Grids: 500, Components: 50, Seed: 1})
			if err != nil {
				t.Fatal(err)
			}
			tc.spoil(ds)
			snap, err := city.Build(ds, city.Options{})
			if snap != nil || !errors.Is(err, data.ErrNotIndexable) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Build = %v, %v; want an error naming %q", snap, err, tc.want)
			}
		})
	}
}
