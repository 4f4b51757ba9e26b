package tiles_test

import (
	"math/rand/v2"
	"testing"

	"citygeo/data"
	"citygeo/data/sample"
	"citygeo/tiles"
	"citygeo/tiles/mvtcheck"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
)

// mapOverlay is an overlay of component edits held in a map: id → the component as edited,
// nil when deleted; base holds the components before.
type mapOverlay struct {
	edits map[string]*data.Component
	base  map[string]*data.Component
}

func (m mapOverlay) View() tiles.OverlayView { return m }

func (m mapOverlay) Rev(maptile.Tile) (int64, bool) { return 1, false }

func (m mapOverlay) Replaced(id string) bool {
	_, ok := m.edits[id]
	return ok
}

func (m mapOverlay) Components(fn func(*data.Component)) {
	for _, c := range m.edits {
		if c != nil {
			fn(c)
		}
	}
}

func (m mapOverlay) GridReplaced(string) bool { return false }

func (m mapOverlay) Grids(func(*data.Grid)) {}

func (m mapOverlay) RoadReplaced(uint64) bool { return false }

func (m mapOverlay) Roads(func(*data.Road)) {}

func (m mapOverlay) Originals(fn func(*data.Component)) {
	for id := range m.edits {
		if c := m.base[id]; c != nil {
			fn(c)
		}
	}
}

type clusterFeature struct {
	count int64
	major string
	at    mvtcheck.Point
}

func clusters(t *testing.T, tl *tiles.Tiler, mt maptile.Tile) map[uint64]clusterFeature {
	t.Helper()
	x, err := tl.Tile(tiles.SetCity, int(mt.Z), int(mt.X), int(mt.Y))
	if err != nil {
		t.Fatal(err)
	}
	out := map[uint64]clusterFeature{}
	if x.Empty {
		return out
	}
	dec, probs := mvtcheck.Check(x.Raw, mvtcheck.Strict)
	if len(probs) > 0 {
		t.Fatalf("tile %v: %v", mt, probs)
	}
	for _, l := range dec.Layers {
		if l.Name != tiles.LayerComponents {
			continue
		}
		for _, f := range l.Features {
			var n int64
			switch v := f.Tags["count"].(type) {
			case int64:
				n = v
			case uint64:
				n = int64(v)
			}
			major, _ := f.Tags["major"].(string)
			out[f.ID] = clusterFeature{count: n, major: major, at: f.Parts[0][0]}
		}
	}
	return out
}

// TestClustersUnderEdits: random creates, moves and deletes shown through an overlay give every
// clustered tile the clusters a fresh index of the edited dataset has (same ids, counts and
// dominant classes; centres within a unit of tile rounding).
func TestClustersUnderEdits(t *testing.T) {
	ds, err := sample.Generate(sample.Options{Grids: 500, Components: 3000, Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(5, 6))
	ov := mapOverlay{edits: map[string]*data.Component{}, base: map[string]*data.Component{}}
	for _, c := range ds.Components {
		ov.base[c.ID] = c
	}
	b := ds.Bound()
	somewhere := func() orb.Point {
		return orb.Point{b.Min[0] + rng.Float64()*(b.Max[0]-b.Min[0]), b.Min[1] + rng.Float64()*(b.Max[1]-b.Min[1])}
	}
	for i := 0; i < 60; i++ {
		c := ds.Components[rng.IntN(len(ds.Components))]
		switch i % 3 {
		case 0: // delete
			ov.edits[c.ID] = nil
		case 1: // move (and change class when the sample has another)
			n := *c
			n.Geometry = somewhere()
			ov.edits[c.ID] = &n
		case 2: // create a copy under a new id elsewhere
			n := *c
			n.ID = c.ID[:10] + "9" + c.ID[11:]
			n.Geometry = somewhere()
			if ov.base[n.ID] == nil {
				ov.edits[n.ID] = &n
			}
		}
	}
	edited := *ds
	edited.Components = nil
	for _, c := range ds.Components {
		if e, ok := ov.edits[c.ID]; !ok {
			edited.Components = append(edited.Components, c)
		} else if e != nil {
			edited.Components = append(edited.Components, e)
		}
	}
	for id, e := range ov.edits {
		if ov.base[id] == nil {
			edited.Components = append(edited.Components, e)
		}
	}

	over := tiles.NewTiler(mustIndex(t, ds), nil, tiles.Options{}).WithOverlay(ov)
	fresh := tiles.NewTiler(mustIndex(t, &edited), nil, tiles.Options{})
	compared := 0
	for z := maptile.Zoom(10); z <= 15; z++ {
		lo, hi := maptile.At(orb.Point{b.Min[0], b.Max[1]}, z), maptile.At(orb.Point{b.Max[0], b.Min[1]}, z)
		for x := lo.X; x <= hi.X; x++ {
			for y := lo.Y; y <= hi.Y; y++ {
				mt := maptile.New(x, y, z)
				got, want := clusters(t, over, mt), clusters(t, fresh, mt)
				if len(got) != len(want) {
					t.Errorf("tile %v: %d clusters, want %d", mt, len(got), len(want))
				}
				for id, w := range want {
					g, ok := got[id]
					switch {
					case !ok:
						t.Errorf("tile %v: cluster %d (%d components) missing", mt, id, w.count)
					case g.count != w.count || g.major != w.major || abs(g.at.X-w.at.X) > 1 || abs(g.at.Y-w.at.Y) > 1:
						t.Errorf("tile %v: cluster %d = %+v, want %+v", mt, id, g, w)
					}
				}
				compared += len(want)
			}
		}
	}
	if compared < 50 {
		t.Fatalf("compared only %d clusters", compared)
	}
}

func abs(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}
