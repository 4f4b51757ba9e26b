package city_test

import (
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"testing"

	"citygeo/city"
	"citygeo/data"
	"citygeo/data/sample"
	"citygeo/data/sqlite"
	"citygeo/export"
	importer "citygeo/import"
)

// slowStore holds every Save until release is closed, telling saving when one starts.
type slowStore struct {
	data.Store
	saving  chan struct{}
	release chan struct{}
}

func (s *slowStore) Save(ctx context.Context, ds *data.Dataset, source string) (int64, error) {
	s.saving <- struct{}{}
	<-s.release
	return s.Store.Save(ctx, ds, source)
}

// TestImportBusy: while one import runs, a second is refused at once with ErrImportBusy (not
// queued behind it), and imports are accepted again once it is done.
func TestImportBusy(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st, err := sqlite.Open(ctx, filepath.Join(dir, "city.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ds, err := sample.Generate(sample.Options{Grids: 500, Components: 500, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Save(ctx, ds, "seed"); err != nil {
		t.Fatal(err)
	}
	files, err := export.Write(ds, filepath.Join(dir, "files"), export.Options{})
	if err != nil {
		t.Fatal(err)
	}
	slow := &slowStore{Store: st, saving: make(chan struct{}, 1), release: make(chan struct{})}
	c := city.New(slow, city.Options{}, slog.New(slog.DiscardHandler))
	if err := c.Load(ctx); err != nil {
		t.Fatal(err)
	}
	first := make(chan error, 1)
	go func() {
		_, _, err := c.Import(ctx, files, importer.Options{})
		first <- err
	}()
	<-slow.saving
	if !c.Importing() {
		t.Error("Importing() = false during an import")
	}
	if _, _, err := c.Import(ctx, files, importer.Options{}); !errors.Is(err, city.ErrImportBusy) {
		t.Errorf("second import during the first: %v, want ErrImportBusy", err)
	}
	close(slow.release)
	if err := <-first; err != nil {
		t.Fatalf("first import: %v", err)
	}
	if c.Importing() {
		t.Error("Importing() = true after the import")
	}
	done, _, err := c.Import(ctx, files, importer.Options{})
	if err != nil || !done.Served || done.Version != 3 {
		t.Errorf("import after the first: %+v, %v; want version 3 served", done, err)
	}
}
