package sqlite

import (
	"context"
	"slices"
	"testing"

	"citygeo/data"
	"citygeo/data/sample"
)

// TestWriteImage stores versions, takes their image away as a citygeo older than images would
// have stored them, and wants WriteImage to give back exactly the image the loads then read in
// place of the rows, and to leave alone what needs none or cannot have one.
func TestWriteImage(t *testing.T) {
	city, err := sample.Generate(sample.Options{Grids: 500, Components: 2000, Addresses: 300})
	if err != nil {
		t.Fatal(err)
	}
	notUTF8 := edgeCity()
	notUTF8.Components[3].Name = "bad \xff text"
	all := []data.Layer{data.LayerGrid, data.LayerComponent, data.LayerAddress, data.LayerBuilding} // in data.Layers order
	tests := []struct {
		name   string
		ds     *data.Dataset
		before string // SQL run on the stored version first
		delta  bool   // write the image of a delta version on top of it
		want   []data.Layer
	}{
		{"a version stored without images", city, `DELETE FROM layer_image`, false, all},
		{"a version with a chunk lost", pointCity(imageChunk + 10), `DELETE FROM layer_image WHERE lo = 0`, false, []data.Layer{data.LayerComponent}},
		{"a version with an image of another format", city, `UPDATE layer_image SET format = 99 WHERE layer = 'grid'`, false, []data.Layer{data.LayerGrid}},
		{"a version with its image", city, "", false, nil},
		// Saved, the components had no image (the rows change such text); written from the rows,
		// the image holds the text as the rows read it.
		{"text not UTF-8 is imaged as the rows read it", notUTF8, `DELETE FROM layer_image WHERE layer <> 'component'`, false, all},
		{"a delta version gets the image of the version it was edited from", city, `DELETE FROM layer_image`, true, all},
		{"a delta version whose parent has its image", city, "", true, nil},
	}
	ctx := context.Background()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, v := savedStore(t, tt.ds)
			if tt.before != "" {
				if _, err := s.db.ExecContext(ctx, tt.before); err != nil {
					t.Fatal(err)
				}
			}
			root := v
			if tt.delta {
				if v, err = s.SaveDelta(ctx, data.Delta{Parent: v, Name: "edited", Source: "test", Counts: layerCounts(tt.ds)}); err != nil {
					t.Fatal(err)
				}
			}
			s.rowsOnly = true
			rows, err := s.Load(ctx, v)
			s.rowsOnly = false
			if err != nil {
				t.Fatal(err)
			}
			got, err := s.WriteImage(ctx, rows)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("WriteImage wrote %v, want %v", got, tt.want)
			}
			if again, err := s.WriteImage(ctx, rows); err != nil || len(again) > 0 {
				t.Errorf("a second WriteImage wrote %v, %v; want nothing", again, err)
			}
			tx, err := s.db.BeginTx(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer tx.Rollback()
			for _, l := range tt.want {
				if parts, err := imageParts(ctx, tx, root, l, tt.ds.Count(l)); err != nil || parts == nil {
					t.Errorf("%s: no whole image after WriteImage (%v)", l, err)
				}
			}
			var other int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM layer_image WHERE version <> ?`, root).Scan(&other); err != nil || other != 0 {
				t.Errorf("%d image chunks of versions other than %d, want none (%v)", other, root, err)
			}
			tx.Rollback()
			loaded, err := s.Load(ctx, v)
			if err != nil {
				t.Fatal(err)
			}
			sameImagedLayers(t, rows, loaded)
		})
	}
}
