package tiles_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"citygeo/tiles"
	"citygeo/tiles/mvtcheck"

	"github.com/paulmach/orb/maptile"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// TestGolden pins the decoded content of a few tiles of the test city (ids, attributes,
// geometry in tile coordinates), so an unintended change in projection, clipping, snapping,
// winding or attributes shows up as a readable diff. Regenerate with -update.
func TestGolden(t *testing.T) {
	ds := testCity(12, 10)
	ix := mustIndex(t, ds)
	c := ds.Bound().Center()
	for _, z := range []int{12, 15, 17} {
		tl := maptile.At(c, maptile.Zoom(z))
		res, err := tiles.Build(ix, nil, tiles.SetCity, tl, tiles.Options{})
		if err != nil {
			t.Fatal(err)
		}
		dec, probs := mvtcheck.Check(res.Data, mvtcheck.Strict)
		if len(probs) > 0 {
			t.Fatal(probs)
		}
		got, err := json.MarshalIndent(dec, "", " ")
		if err != nil {
			t.Fatal(err)
		}
		name := filepath.Join("testdata", fmt.Sprintf("city-%d-%d-%d.json", tl.Z, tl.X, tl.Y))
		if *update {
			if err := os.WriteFile(name, append(got, '\n'), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(name)
		if err != nil {
			t.Fatalf("%v (run go test -run Golden -update to create it)", err)
		}
		if !bytes.Equal(bytes.TrimSpace(want), bytes.TrimSpace(got)) {
			t.Errorf("%s differs from the built tile; if the change is intended, run go test -run Golden -update", name)
		}
	}
}
