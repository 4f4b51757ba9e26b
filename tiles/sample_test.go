package tiles_test

import (
	"testing"

	"citygeo/data/sample"
	"citygeo/tiles"

	"github.com/paulmach/orb/maptile"
)

// TestSamplePyramid builds every tile of the sample city from z10 to z18 and runs the strict
// validator and the 500 KB limit on each (done-when of issue 5). Skipped with -short.
func TestSamplePyramid(t *testing.T) {
	if testing.Short() {
		t.Skip("whole sample pyramid: run without -short")
	}
	ds, err := sample.Generate(sample.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ix := mustIndex(t, ds)
	n, biggest := 0, 0
	thinned := map[string]int{}
	tiles.Pyramid(ds.Bound(), 10, 18, func(tl maptile.Tile) bool {
		res, err := tiles.Build(ix, nil, tiles.SetCity, tl, tiles.Options{})
		if err != nil {
			t.Fatal(err)
		}
		checkTile(t, tl, res)
		n++
		biggest = max(biggest, len(res.Data))
		for l, k := range res.Thinned {
			thinned[l] += k
		}
		return !t.Failed()
	})
	t.Logf("%d tiles z10–z18, largest %d bytes, thinned %v", n, biggest, thinned)
}
