package city_test

import (
	"context"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"citygeo/city"
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
