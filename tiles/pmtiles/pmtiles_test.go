package pmtiles_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"citygeo/tiles/pmtiles"
	"citygeo/web/webtest"
)

func TestTileID(t *testing.T) {
	for _, tc := range []struct {
		z    uint8
		x, y uint32
		want uint64
	}{
		{0, 0, 0, 0},
		{1, 0, 0, 1},
		{1, 0, 1, 2},
		{1, 1, 1, 3},
		{1, 1, 0, 4},
		{2, 0, 0, 5},
		{12, 3423, 1763, 19078479},
	} {
		if got := pmtiles.TileID(tc.z, tc.x, tc.y); got != tc.want {
			t.Errorf("TileID(%d,%d,%d) = %d, want %d", tc.z, tc.x, tc.y, got, tc.want)
		}
	}
	// Every tile of a zoom maps to a distinct id in that zoom's range.
	for z := uint8(0); z <= 6; z++ {
		seen := map[uint64]bool{}
		lo := pmtiles.TileID(z, 0, 0)
		n := uint32(1) << z
		for x := uint32(0); x < n; x++ {
			for y := uint32(0); y < n; y++ {
				id := pmtiles.TileID(z, x, y)
				if seen[id] || id < lo || id >= lo+uint64(n)*uint64(n) {
					t.Fatalf("z%d: id %d of %d/%d repeated or out of range", z, id, x, y)
				}
				seen[id] = true
			}
		}
	}
}

type zxy struct {
	Z    uint8  `json:"z"`
	X    uint32 `json:"x"`
	Y    uint32 `json:"y"`
	data []byte
}

// write builds an archive of the given tiles and returns its path.
func write(t *testing.T, tiles []zxy) string {
	t.Helper()
	w, err := pmtiles.NewWriter(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, tl := range tiles {
		if err := w.Add(tl.Z, tl.X, tl.Y, tl.data); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := w.Finish(&buf, pmtiles.Options{MinZoom: 0, MaxZoom: 14, Bounds: [4]float64{114, 22.5, 114.2, 22.6},
		Center: [3]float64{114.1, 22.55, 12}, Metadata: []byte(`{"name":"test"}`), TileCompression: pmtiles.CompressionNone}); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	if string(b[:7]) != "PMTiles" || b[7] != 3 {
		t.Fatalf("bad magic %q", b[:8])
	}
	rootLen := binary.LittleEndian.Uint64(b[16:])
	if 127+rootLen > 16384 {
		t.Errorf("root directory ends at %d > 16384", 127+rootLen)
	}
	p := filepath.Join(t.TempDir(), "a.pmtiles")
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// verify reads the archive with the npm pmtiles package and compares every tile.
func verify(t *testing.T, path string, tiles []zxy, absent []zxy) {
	t.Helper()
	list := append(append([]zxy(nil), tiles...), absent...)
	lj, _ := json.Marshal(list)
	lp := filepath.Join(t.TempDir(), "list.json")
	if err := os.WriteFile(lp, lj, 0o644); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Header struct {
			SpecVersion  int     `json:"specVersion"`
			NumAddressed int     `json:"numAddressedTiles"`
			MinZoom      int     `json:"minZoom"`
			CenterLon    float64 `json:"centerLon"`
		}
		Metadata map[string]any
		Tiles    []struct {
			Z, X, Y int
			Missing bool
			Length  int
			Sha256  string
		}
	}
	if err := json.Unmarshal(webtest.Node(t, 2*time.Minute, "pmtiles-verify.mjs", path, lp), &got); err != nil {
		t.Fatal(err)
	}
	if got.Header.SpecVersion != 3 || got.Header.NumAddressed != len(tiles) {
		t.Errorf("header %+v, want spec 3 with %d tiles", got.Header, len(tiles))
	}
	if got.Metadata["name"] != "test" {
		t.Errorf("metadata %v", got.Metadata)
	}
	for i, g := range got.Tiles {
		if i >= len(tiles) {
			if !g.Missing {
				t.Errorf("tile %d/%d/%d should be absent", g.Z, g.X, g.Y)
			}
			continue
		}
		sum := sha256.Sum256(tiles[i].data)
		if g.Missing || g.Sha256 != hex.EncodeToString(sum[:]) {
			t.Errorf("tile %d/%d/%d: got %+v", g.Z, g.X, g.Y, g)
		}
	}
}

func TestArchiveReadByNpmPMTiles(t *testing.T) {
	webtest.Need(t, "pmtiles")
	var small []zxy
	for z := uint8(0); z <= 3; z++ {
		for x := uint32(0); x < 1<<z; x++ {
			for y := uint32(0); y < 1<<z; y++ {
				data := []byte(fmt.Sprintf("tile %d/%d/%d", z, x, y))
				if x == 0 && z == 3 {
					data = []byte("same") // a run of identical tiles, stored once
				}
				small = append(small, zxy{z, x, y, data})
			}
		}
	}
	t.Run("root only", func(t *testing.T) {
		verify(t, write(t, small), small, []zxy{{Z: 4, X: 1, Y: 1}})
	})
	t.Run("leaf directories", func(t *testing.T) {
		var big []zxy
		for x := uint32(0); x < 300; x++ {
			for y := uint32(0); y < 300; y++ {
				big = append(big, zxy{12, 3000 + x, 1500 + y, []byte(fmt.Sprintf("%d,%d", x, y))})
			}
		}
		p := write(t, big)
		b, _ := os.ReadFile(p)
		if binary.LittleEndian.Uint64(b[48:]) == 0 {
			t.Fatal("expected leaf directories for 90,000 tiles")
		}
		sample := []zxy{big[0], big[12345], big[len(big)-1], big[45000]}
		verifySample(t, p, len(big), sample)
	})
}

func verifySample(t *testing.T, path string, n int, sample []zxy) {
	t.Helper()
	lj, _ := json.Marshal(sample)
	lp := filepath.Join(t.TempDir(), "list.json")
	os.WriteFile(lp, lj, 0o644)
	var got struct {
		Header struct {
			NumAddressed int `json:"numAddressedTiles"`
		}
		Tiles []struct {
			Missing bool
			Sha256  string
		}
	}
	if err := json.Unmarshal(webtest.Node(t, 2*time.Minute, "pmtiles-verify.mjs", path, lp), &got); err != nil {
		t.Fatal(err)
	}
	if got.Header.NumAddressed != n {
		t.Errorf("%d addressed tiles, want %d", got.Header.NumAddressed, n)
	}
	for i, g := range got.Tiles {
		sum := sha256.Sum256(sample[i].data)
		if g.Missing || g.Sha256 != hex.EncodeToString(sum[:]) {
			t.Errorf("sample %d: %+v", i, g)
		}
	}
}
