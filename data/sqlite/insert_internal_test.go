package sqlite

import (
	"errors"
	"fmt"
	"testing"

	"citygeo/data"

	"github.com/paulmach/orb"
)

func pointCity(n int) *data.Dataset {
	ds := &data.Dataset{Name: "points"}
	for i := range n {
		ds.Components = append(ds.Components, &data.Component{ID: fmt.Sprintf("44030301010%05d", i),
			Scheme: data.CJT214, Major: "01", Minor: "01", Geometry: orb.Point{114.1, 22.5}})
	}
	return ds
}

// TestEncodeBatchesStops checks that the encoder gives up once the inserter has stopped reading,
// instead of encoding the rest of the dataset into a batch nobody reads.
func TestEncodeBatchesStops(t *testing.T) {
	tests := []struct {
		name    string
		rows    int
		read    int // batches the reader takes before it stops
		wantErr error
	}{
		{"stop before the first batch", 10 * insertBatch, 0, errStopped},
		{"stop partway", 10 * insertBatch, 3, errStopped},
		{"stop before the short tail", 2*insertBatch + 1, 2, errStopped},
		{"all read", 2*insertBatch + 1, 3, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := make(chan []row)
			stop := make(chan struct{})
			done := make(chan error, 1)
			go func() { defer close(out); done <- encodeBatches(pointCity(tt.rows), out, stop) }()
			got := 0
			for range tt.read {
				b, ok := <-out
				if !ok {
					break
				}
				if len(b) > insertBatch {
					t.Fatalf("batch of %d rows, limit %d", len(b), insertBatch)
				}
				got += len(b)
			}
			close(stop)
			// Nobody reads out any more: the encoder must notice stop and return by itself.
			if err := <-done; !errors.Is(err, tt.wantErr) {
				t.Errorf("encodeBatches = %v, want %v", err, tt.wantErr)
			}
			if _, ok := <-out; ok {
				t.Error("a batch was sent after stop")
			}
			if tt.wantErr == nil && got != tt.rows {
				t.Errorf("read %d rows, want %d", got, tt.rows)
			}
		})
	}
}
