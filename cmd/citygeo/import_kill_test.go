package main

import (
	"context"
	"math/rand/v2"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"citygeo/data/sample"
	"citygeo/data/sqlite"
	"citygeo/export"
)

// TestImportSIGKILL kills `citygeo import` at random moments, 24 times, and checks that the
// store opens every time at a complete version: the previous one, or the new one when the kill
// came after the commit, never a partial one.
func TestImportSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("process test; skipped in -short")
	}
	ctx := context.Background()
	dir := t.TempDir()
	ds, err := sample.Generate(sample.Options{Grids: 500, Components: 5000, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	files, err := export.Write(ds, filepath.Join(dir, "city"), export.Options{})
	if err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "city.db")
	importCmd := func() *exec.Cmd { return citygeo("import", "-q", "--store", db).args(files...).cmd() }
	start := time.Now()
	if out, err := importCmd().CombinedOutput(); err != nil {
		t.Fatalf("first import: %v\n%s", err, out)
	}
	full := time.Since(start)
	counts := func(st *sqlite.Store, v int64) [3]int {
		d, err := st.Load(ctx, v)
		if err != nil {
			t.Fatalf("load version %d: %v", v, err)
		}
		return [3]int{len(d.Areas), len(d.Grids), len(d.Components)}
	}
	ref := [3]int{len(ds.Areas), len(ds.Grids), len(ds.Components)}
	rng := rand.New(rand.NewPCG(1, 2))
	killedBefore, killedAfter := 0, 0
	for i := 0; i < 24; i++ {
		st, err := sqlite.Open(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		prev, err := st.ActiveVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		st.Close()

		cmd := importCmd()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Uniform over the length of a whole import, so most kills land before its commit and
		// some after, whatever the machine's load.
		time.Sleep(time.Duration(rng.Int64N(int64(full))))
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()

		st, err = sqlite.Open(ctx, db)
		if err != nil {
			t.Fatalf("kill %d: store does not open: %v", i, err)
		}
		var check string
		if err := st.DB().QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&check); err != nil || check != "ok" {
			t.Fatalf("kill %d: integrity_check = %q, %v", i, check, err)
		}
		now, err := st.ActiveVersion(ctx)
		if err != nil {
			t.Fatalf("kill %d: %v", i, err)
		}
		switch {
		case now == prev:
			killedBefore++
		case now > prev:
			killedAfter++
		default:
			t.Fatalf("kill %d: active version went from %d to %d", i, prev, now)
		}
		if got := counts(st, now); got != ref {
			t.Fatalf("kill %d: version %d has areas/grids/components %v, want %v", i, now, got, ref)
		}
		st.Close()
	}
	// How the kills split around the commit depends on the machine's load, so the split is only
	// logged; but with no kill at all before a commit the test never crashed an import midway.
	t.Logf("24 kills over a %v import: %d before the commit, %d after", full.Round(time.Millisecond), killedBefore, killedAfter)
	if killedBefore == 0 {
		t.Errorf("none of the 24 kills landed before the commit; the test is not exercising a crash mid-import")
	}
}
