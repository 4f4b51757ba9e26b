package city_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"

	"citygeo/city"
	"citygeo/data"
	"citygeo/data/sample"
	"citygeo/data/sqlite"
)

// imagingStore is an SQLite store whose WriteImage answers as told and records what it was asked.
type imagingStore struct {
	*sqlite.Store
	layers []data.Layer
	err    error
	asked  []*data.Dataset
}

func (s *imagingStore) WriteImage(_ context.Context, ds *data.Dataset) ([]data.Layer, error) {
	s.asked = append(s.asked, ds)
	return s.layers, s.err
}

// TestLoadWritesImage checks that loading a version asks an image store for the version's
// image with what it loaded, logs what was written, and serves the version whatever the write
// gives.
func TestLoadWritesImage(t *testing.T) {
	ctx := context.Background()
	ds, err := sample.Generate(sample.Options{Grids: 500, Components: 500})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		layers  []data.Layer
		err     error
		wantLog string // "": no line about the image
	}{
		{"image written", []data.Layer{data.LayerComponent}, nil, "wrote the image of the version"},
		{"image there already", nil, nil, ""},
		{"write failed", nil, errors.New("disk full"), "writing the version's image failed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sq, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "city.db"))
			if err != nil {
				t.Fatal(err)
			}
			defer sq.Close()
			v, err := sq.Save(ctx, ds, "test")
			if err != nil {
				t.Fatal(err)
			}
			st := &imagingStore{Store: sq, layers: tt.layers, err: tt.err}
			var log bytes.Buffer
			c := city.New(st, city.Options{}, slog.New(slog.NewTextHandler(&log, nil)))
			if err := c.Load(ctx); err != nil {
				t.Fatalf("Load: %v", err)
			}
			if c.Current() == nil || c.Current().Version() != v {
				t.Fatalf("serving %v, want version %d", c.Current(), v)
			}
			if len(st.asked) != 1 || st.asked[0].Version != v || len(st.asked[0].Components) != len(ds.Components) {
				t.Fatalf("WriteImage asked %d times, want once with version %d as loaded", len(st.asked), v)
			}
			lines := log.String()
			if tt.wantLog == "" && strings.Contains(lines, "image") || tt.wantLog != "" && !strings.Contains(lines, tt.wantLog) {
				t.Errorf("log:\n%s\nwant a line with %q", lines, tt.wantLog)
			}
		})
	}
}
