package importer_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"citygeo/data"
	"citygeo/data/sample"
	"citygeo/data/sqlite"
	"citygeo/export"
	importer "citygeo/import"
)

// savingOnly hides a store's data.StreamStore, so Import takes the path that saves the whole
// dataset once it is validated.
type savingOnly struct{ data.Store }

// TestImportStreamed imports a city big enough to be stored in parts while it is read (the
// SQLite store is a data.StreamStore) and checks that the version equals the one saved whole,
// and that an import refused after parts were stored leaves nothing of them.
func TestImportStreamed(t *testing.T) {
	ctx := context.Background()
	city, err := sample.Generate(sample.Options{Grids: 500, Components: 30000, Seed: 11})
	if err != nil {
		t.Fatal(err)
	}
	files, err := export.Write(city, filepath.Join(t.TempDir(), "city.gpkg"), export.Options{Format: export.GeoPackage})
	if err != nil {
		t.Fatal(err)
	}
	load := func(st data.Store) *data.Dataset {
		t.Helper()
		v, rep, err := importer.Import(ctx, st, files, importer.Options{})
		if err != nil {
			t.Fatalf("import: %v (%+v)", err, rep.Findings)
		}
		ds, err := st.Load(ctx, v)
		if err != nil {
			t.Fatal(err)
		}
		ds.Version, ds.CreatedAt = 0, time.Time{} // contents, not when
		return ds
	}
	streamed, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "streamed.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer streamed.Close()
	whole, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "whole.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer whole.Close()
	got, want := load(streamed), load(savingOnly{whole})
	if len(got.Components) != len(city.Components) {
		t.Fatalf("%d components stored, want %d", len(got.Components), len(city.Components))
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("streamed version differs from the one saved whole (-whole +streamed):\n%s", d)
	}

	// The last component repeats the first one's id: the error is found once every part is
	// stored, and the version must go.
	bad := *city
	bad.Components = append(append([]*data.Component{}, city.Components...), city.Components[0])
	badFiles, err := export.Write(&bad, filepath.Join(t.TempDir(), "bad.gpkg"), export.Options{Format: export.GeoPackage})
	if err != nil {
		t.Fatal(err)
	}
	before, err := streamed.ActiveVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := importer.Import(ctx, streamed, badFiles, importer.Options{}); !errors.Is(err, importer.ErrValidation) {
		t.Fatalf("duplicate id: err = %v, want ErrValidation", err)
	}
	if a, err := streamed.ActiveVersion(ctx); err != nil || a != before {
		t.Errorf("active = %d, %v after a refused import, want %d", a, err, before)
	}
	var rows int
	if err := streamed.DB().QueryRowContext(ctx, `SELECT count(*) FROM feature WHERE version > ?`, before).Scan(&rows); err != nil || rows != 0 {
		t.Errorf("%d feature rows of a refused version (%v), want 0", rows, err)
	}
	if vs, err := streamed.Versions(ctx); err != nil || len(vs) != 1 {
		t.Errorf("versions after a refused import = %d (%v), want 1", len(vs), err)
	}
}
