package sqlite

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"testing"

	"citygeo/data"
	"citygeo/data/storetest"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
)

func pointCity(n int) *data.Dataset {
	ds := &data.Dataset{Name: "points"}
	for i := range n {
		ds.Components = append(ds.Components, &data.Component{ID: fmt.Sprintf("44030301010%05d", i),
			Scheme: data.CJT214, Major: "01", Minor: "01", Geometry: orb.Point{114.1, 22.5}})
	}
	return ds
}

// TestEncodePartsStops checks that the encoder gives up once the inserter has stopped reading,
// instead of encoding the rest of the dataset into a batch nobody reads.
func TestEncodePartsStops(t *testing.T) {
	tests := []struct {
		name      string
		rows      int
		read      int // batches of rows the reader takes before it stops; -1: all
		wantErr   error
		wantImage int // components in the image chunks read
	}{
		{"stop before the first batch", 10 * insertBatch, 0, errStopped, 0},
		{"stop partway", 10 * insertBatch, 3, errStopped, 0},
		{"stop before the short tail", 2*insertBatch + 1, 2, errStopped, 0},
		{"all read", 2*insertBatch + 1, -1, nil, 2*insertBatch + 1},
		{"a full image chunk and a tail", imageChunk + 5, -1, nil, imageChunk + 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := make(chan batch)
			stop := make(chan struct{})
			done := make(chan error, 1)
			parts := make(chan savePart, 1)
			parts <- savePart{ds: pointCity(tt.rows)}
			close(parts)
			go func() { defer close(out); done <- encodeParts(parts, out, stop, newImageEncoders(), false) }()
			got, imaged, batches := 0, 0, 0
			for tt.read < 0 || batches < tt.read {
				b, ok := <-out
				if !ok {
					break
				}
				if b.image != nil {
					if b.image.lo != imaged {
						t.Errorf("image chunk from #%d, want #%d", b.image.lo, imaged)
					}
					imaged += b.image.n
					continue
				}
				if len(b.rows) > insertBatch {
					t.Fatalf("batch of %d rows, limit %d", len(b.rows), insertBatch)
				}
				got += len(b.rows)
				batches++
			}
			close(stop)
			// Nobody reads out any more: the encoder must notice stop and return by itself.
			if err := <-done; !errors.Is(err, tt.wantErr) {
				t.Errorf("encodeParts = %v, want %v", err, tt.wantErr)
			}
			if _, ok := <-out; ok {
				t.Error("a batch was sent after stop")
			}
			if tt.wantErr == nil && got != tt.rows {
				t.Errorf("read %d rows, want %d", got, tt.rows)
			}
			if imaged != tt.wantImage {
				t.Errorf("image chunks hold %d components, want %d", imaged, tt.wantImage)
			}
		})
	}
}

// TestPointWKB checks the hand-written point encoding against orb's.
func TestPointWKB(t *testing.T) {
	for _, p := range []orb.Point{{114.1234567, 22.5432109}, {0, 0}, {-180, -90}, {math.Inf(1), math.NaN()}} {
		want, err := wkb.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		if got := pointWKB(p); !bytes.Equal(got, want) {
			t.Errorf("pointWKB(%v) = %x, want %x", p, got, want)
		}
	}
}

// TestEncodeInRowKeyOrder checks that a dataset's rows come in row key order, so that SQLite
// appends each to the end of the table, and that from shifts each layer's seqs.
func TestEncodeInRowKeyOrder(t *testing.T) {
	ds := storetest.FullDataset()
	for _, from := range []map[data.Layer]int{nil, {data.LayerComponent: 5, data.LayerArea: 1}} {
		prev := int64(-1)
		seen := map[data.Layer]int{}
		err := encodeDataset(ds, from, newComponentEncoder(), nil, func(r row) error {
			k, err := rowKey(1, r.layer, r.seq)
			if err != nil {
				return err
			}
			if k <= prev {
				t.Errorf("from %v: %s #%d after a row with a greater key", from, r.layer, r.seq)
			}
			if want := from[r.layer] + seen[r.layer]; r.seq != want {
				t.Errorf("from %v: %s seq %d, want %d", from, r.layer, r.seq, want)
			}
			prev = k
			seen[r.layer]++
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range data.Layers {
			if seen[l] != ds.Count(l) {
				t.Errorf("from %v: %d %s rows, want %d", from, seen[l], l, ds.Count(l))
			}
		}
	}
}
