package sqlite

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"citygeo/data"
	"citygeo/data/sample"
)

// TestLoadInParts loads a sample city read in parts of a few rows each (and its components from
// the image, then from the rows), by several workers, and
// wants back exactly what was saved, every layer in order: the parts' boundaries, the last
// part's open end and the merge are what a one-part load of the small test cities never reaches.
func TestLoadInParts(t *testing.T) {
	ctx := context.Background()
	want, err := sample.Generate(sample.Options{Grids: 500, Components: 3000, Addresses: 600})
	if err != nil {
		t.Fatal(err)
	}
	s, err := Open(ctx, filepath.Join(t.TempDir(), "city.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	v, err := s.Save(ctx, want, "test")
	if err != nil {
		t.Fatal(err)
	}
	for _, size := range []int{1, 7, 64, 0, -1} {
		// -1: components from their rows too, not from the version's image.
		s.partRows, s.rowsOnly = max(size, 0), size < 0
		got, err := s.Load(ctx, v)
		if err != nil {
			t.Fatalf("parts of %d: %v", size, err)
		}
		for _, l := range data.Layers {
			if got.Count(l) != want.Count(l) {
				t.Errorf("parts of %d: %d %s, want %d", size, got.Count(l), l, want.Count(l))
			}
		}
		if diff := cmp.Diff(want.Components, got.Components); diff != "" {
			t.Fatalf("parts of %d: components differ (-saved +loaded):\n%s", size, diff)
		}
		if diff := cmp.Diff(want.Grids, got.Grids); diff != "" {
			t.Fatalf("parts of %d: grids differ (-saved +loaded):\n%s", size, diff)
		}
		if diff := cmp.Diff(want.Addresses, got.Addresses); diff != "" {
			t.Fatalf("parts of %d: addresses differ (-saved +loaded):\n%s", size, diff)
		}
	}
}
