package tiles_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"citygeo/tiles"
	"citygeo/web/webtest"

	"github.com/paulmach/orb/maptile"
)

// TestExportPMTiles exports a pyramid and reads it back with the npm pmtiles package: every
// non-empty tile must come back byte-identical to a fresh build, and empty ones absent.
func TestExportPMTiles(t *testing.T) {
	webtest.Need(t, "pmtiles")
	ds := testCity(12, 10)
	ix := mustIndex(t, ds)
	var buf bytes.Buffer
	st, err := tiles.ExportPMTiles(&buf, ix, tiles.ExportOptions{MinZoom: 10, MaxZoom: 16, TempDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	archive := filepath.Join(dir, "city.pmtiles")
	if err := os.WriteFile(archive, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	type zxy struct {
		Z    int `json:"z"`
		X    int `json:"x"`
		Y    int `json:"y"`
		sum  string
		want bool
	}
	var list []zxy
	tiles.Pyramid(ds.Bound(), 10, 16, func(tl maptile.Tile) bool {
		res, _ := tiles.Build(ix, nil, tiles.SetCity, tl, tiles.Options{})
		s := sha256.Sum256(res.Data)
		list = append(list, zxy{int(tl.Z), int(tl.X), int(tl.Y), hex.EncodeToString(s[:]), len(res.Data) > 0})
		return true
	})
	lj, _ := json.Marshal(list)
	lp := filepath.Join(dir, "list.json")
	os.WriteFile(lp, lj, 0o644)
	var got struct {
		Header struct {
			NumAddressed int `json:"numAddressedTiles"`
			MinZoom      int `json:"minZoom"`
			MaxZoom      int `json:"maxZoom"`
		}
		Metadata struct {
			VectorLayers []struct{ ID string } `json:"vector_layers"`
		}
		Tiles []struct {
			Missing bool
			Sha256  string
		}
	}
	if err := json.Unmarshal(webtest.Node(t, 2*time.Minute, "pmtiles-verify.mjs", archive, lp), &got); err != nil {
		t.Fatal(err)
	}
	if got.Header.NumAddressed != st.Tiles || got.Header.MinZoom != 10 || got.Header.MaxZoom != 16 {
		t.Errorf("header %+v, export stats %+v", got.Header, st)
	}
	if len(got.Metadata.VectorLayers) != 4 {
		t.Errorf("metadata vector_layers %+v", got.Metadata.VectorLayers)
	}
	for i, g := range got.Tiles {
		w := list[i]
		if w.want == g.Missing || (w.want && g.Sha256 != w.sum) {
			t.Errorf("tile %d/%d/%d: archive %+v, want present=%v", w.Z, w.X, w.Y, g, w.want)
		}
	}
}
