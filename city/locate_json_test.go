package city_test

import (
	"encoding/json"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"

	"citygeo/city"
	"citygeo/data/sample"
	"citygeo/geo"
)

// TestLocatedAppendJSON checks the hand-written encoding against encoding/json on the answers
// of random points in and around a generated city (outside, snapped, with and without
// components, each CRS), and LocateInto against Locate.
func TestLocatedAppendJSON(t *testing.T) {
	snap, ds := sampleSnapshot(t, sample.Options{Grids: 500, Components: 3000, Seed: 5})
	bd := ds.Bound().Pad(0.01)
	rng := rand.New(rand.NewPCG(5, 6))
	queries := map[string]geo.NearestQuery{
		"grid only":  {},
		"components": {K: 5, Radius: 100},
		"class":      {K: 1, Radius: 500, Class: "0118"},
	}
	crss := []geo.CRS{geo.WGS84, geo.CGCS2000, geo.GCJ02, geo.BD09}
	var into city.Located
	var buf, buf2 []geo.Neighbor
	outside, withGrid, withComps, chained := 0, 0, 0, 0
	for name, q := range queries {
		t.Run(name, func(t *testing.T) {
			for i := range 400 {
				crs := crss[i%len(crss)]
				given := orb.Point{bd.Min[0] + rng.Float64()*(bd.Max[0]-bd.Min[0]), bd.Min[1] + rng.Float64()*(bd.Max[1]-bd.Min[1])}
				p := geo.ToCGCS2000(given, crs)
				var loc city.Located
				loc, buf = snap.Locate(given, p, crs, q, buf)
				if i%3 == 0 {
					loc.ID = "p<" + string(rune('a'+i%26)) + "&\"" // escapes
				}
				want, err := json.Marshal(loc)
				if err != nil {
					t.Fatal(err)
				}
				if got := loc.AppendJSON(nil); string(got) != string(want) {
					t.Fatalf("point %d: AppendJSON\n got %s\nwant %s", i, got, want)
				}
				buf2 = snap.LocateInto(&into, given, p, crs, q, buf2)
				into.ID = loc.ID
				if got := into.AppendJSON(nil); string(got) != string(want) {
					t.Fatalf("point %d: LocateInto\n got %s\nwant %s", i, got, want)
				}
				if city.ChainWritten(&into) {
					chained++
				}
				switch {
				case loc.Outside:
					outside++
				case loc.Grid != nil:
					withGrid++
				}
				if len(loc.Components) > 0 {
					withComps++
				}
			}
		})
	}
	if outside == 0 || withGrid == 0 || withComps == 0 || chained < withGrid/2 {
		t.Errorf("the points cover too little: %d outside, %d in a grid (%d with a written area chain), %d with components", outside, withGrid, chained, withComps)
	}
}

func TestLocateIntoAllocates(t *testing.T) {
	snap, ds := sampleSnapshot(t, sample.Options{Grids: 500, Components: 500, Seed: 5})
	p := ds.Grids[0].Polygon.Bound().Center()
	var out city.Located
	b := make([]byte, 0, 1024)
	if n := testing.AllocsPerRun(100, func() {
		snap.LocateInto(&out, p, p, geo.CGCS2000, geo.NearestQuery{}, nil)
		b = out.AppendJSON(b[:0])
	}); n != 0 {
		t.Errorf("%v allocations per grid-only locate, want 0", n)
	}
	if out.Grid == nil {
		t.Fatal("the centre of a grid's box found no grid")
	}
}
