package ogc_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/paulmach/orb"

	"citygeo/data"
	"citygeo/data/sample"
	"citygeo/geo"
	"citygeo/ogc"
)

// TestComponentEdits: a catalog with component edits answers as a catalog built from the
// edited dataset does — the same ids, each once across pages, the same counts, with and without
// filters, in the all-class and a class collection — and by id serves the edited row, and
// no deleted one.
func TestComponentEdits(t *testing.T) {
	ds, err := sample.Generate(sample.Options{Grids: 500, Components: 4000, Seed: 9})
	if err != nil {
		t.Fatal(err)
	}
	base, err := geo.NewIndex(ds, geo.IndexOptions{})
	if err != nil {
		t.Fatal(err)
	}
	c := &city{ds: ds, ix: base, cat: ogc.NewCatalog(ds, base, ogc.Options{})}
	rng := rand.New(rand.NewPCG(1, 2))
	edits := map[string]*data.Component{}
	b := c.ds.Bound()
	for i := 0; i < 40; i++ {
		cp := c.ds.Components[rng.IntN(len(c.ds.Components))]
		switch i % 4 {
		case 0:
			edits[cp.ID] = nil
		case 1, 2:
			n := *cp
			n.Status = data.StatusLost
			n.Geometry = orb.Point{b.Min[0] + rng.Float64()*(b.Max[0]-b.Min[0]), b.Min[1] + rng.Float64()*(b.Max[1]-b.Min[1])}
			edits[cp.ID] = &n
		case 3:
			n := *cp
			n.ID = cp.ID[:10] + "99" + cp.ID[12:]
			n.Status = data.StatusDamaged
			edits[n.ID] = &n
		}
	}
	edited := *c.ds
	edited.Components = nil
	for _, cp := range c.ds.Components {
		if e, ok := edits[cp.ID]; !ok {
			edited.Components = append(edited.Components, cp)
		} else if e != nil {
			edited.Components = append(edited.Components, e)
		}
	}
	for id, e := range edits {
		if _, base := c.ix.ComponentPosition(id); !base && e != nil {
			edited.Components = append(edited.Components, e)
		}
	}
	ix, err := geo.NewIndex(&edited, geo.IndexOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := ogc.NewCatalog(&edited, ix, ogc.Options{})
	got := c.cat.WithComponentEdits(edits)
	major := c.ds.Components[0].Major
	box := fmt.Sprintf("bbox=%f,%f,%f,%f", b.Min[0], b.Min[1], (b.Min[0]+b.Max[0])/2, (b.Min[1]+b.Max[1])/2)
	for _, tc := range []struct{ coll, params string }{
		{"components", ""},
		{"components", "status=丢失"},
		{"components", box},
		{"components", box + "&status=丢失"},
		{"components-" + major, ""},
		{"components-" + major, "status=损坏"},
		{"grids", ""},
	} {
		t.Run(tc.coll+"?"+tc.params, func(t *testing.T) {
			g, gn := all(t, got, tc.coll, tc.params, 97)
			w, wn := all(t, want, tc.coll, tc.params, 97)
			if gn != wn || len(g) != len(w) {
				t.Errorf("matched %d (%d listed), want %d (%d listed)", gn, len(g), wn, len(w))
			}
			slices.Sort(g)
			slices.Sort(w)
			if len(slices.Compact(slices.Clone(g))) != len(g) {
				t.Error("an id is listed twice across pages")
			}
			if !slices.Equal(g, w) {
				t.Errorf("ids differ from the edited dataset's")
			}
			gc, _ := got.Collection(tc.coll)
			wc, _ := want.Collection(tc.coll)
			if gc.Count != wc.Count {
				t.Errorf("collection count %d, want %d", gc.Count, wc.Count)
			}
		})
	}
	if c.cat.WithComponentEdits(nil) != c.cat {
		t.Error("no edits made a new catalog")
	}
	for id, e := range edits {
		f, err := got.Item("components", id, ogc.CRS84)
		switch {
		case e == nil && !errors.Is(err, ogc.ErrNoFeature):
			t.Errorf("deleted %s: %v, %v", id, f, err)
		case e != nil && (err != nil || f.Properties["status"] != e.Status.String()):
			t.Errorf("edited %s: %v, %v", id, f, err)
		}
	}
	// The base catalog is untouched.
	for id, e := range edits {
		if _, base := c.ix.ComponentPosition(id); base && e == nil {
			if _, err := c.cat.Item("components", id, ogc.CRS84); err != nil {
				t.Errorf("base catalog lost %s: %v", id, err)
			}
		}
	}
}
