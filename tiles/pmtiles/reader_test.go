package pmtiles_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"testing"

	"citygeo/tiles/pmtiles"
)

// The reader gets back every tile the writer stored (the writer's archives are checked with
// the npm pmtiles reader in TestArchiveReadByNpmPMTiles), through runs and leaf directories,
// and answers ErrNotFound for the others.
func TestReader(t *testing.T) {
	var small, big []zxy
	for z := uint8(0); z <= 3; z++ {
		for x := uint32(0); x < 1<<z; x++ {
			for y := uint32(0); y < 1<<z; y++ {
				data := []byte(fmt.Sprintf("tile %d/%d/%d", z, x, y))
				if x == 0 && z == 3 {
					data = []byte("same")
				}
				small = append(small, zxy{z, x, y, data})
			}
		}
	}
	for x := uint32(0); x < 200; x++ {
		for y := uint32(0); y < 200; y++ {
			big = append(big, zxy{12, 3000 + x, 1500 + y, []byte(fmt.Sprintf("%d,%d", x, y))})
		}
	}
	for name, tiles := range map[string][]zxy{"root only": small, "leaf directories": big} {
		t.Run(name, func(t *testing.T) {
			f, err := os.Open(write(t, tiles))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			st, _ := f.Stat()
			rd, err := pmtiles.NewReader(f, st.Size())
			if err != nil {
				t.Fatal(err)
			}
			if h := rd.Header(); h.MaxZoom != 14 || h.TileType != pmtiles.TileTypeMVT || h.Center[2] != 12 || h.Bounds[0] != 114 {
				t.Errorf("header %+v", h)
			}
			if m, err := rd.Metadata(); err != nil || string(m) != `{"name":"test"}` {
				t.Errorf("metadata %q, %v", m, err)
			}
			for _, tl := range tiles {
				if b, err := rd.Tile(tl.Z, tl.X, tl.Y); err != nil || !bytes.Equal(b, tl.data) {
					t.Fatalf("tile %d/%d/%d = %q, %v; want %q", tl.Z, tl.X, tl.Y, b, err, tl.data)
				}
			}
			for _, a := range []zxy{{Z: 4, X: 1, Y: 1}, {Z: 12, X: 2999, Y: 1500}, {Z: 12, X: 3200, Y: 1700}, {Z: 2, X: 4, Y: 0}, {Z: 40}} {
				if b, err := rd.Tile(a.Z, a.X, a.Y); !errors.Is(err, pmtiles.ErrNotFound) {
					t.Errorf("absent tile %d/%d/%d = %q, %v", a.Z, a.X, a.Y, b, err)
				}
			}
		})
	}
}

func FuzzReader(f *testing.F) {
	f.Add([]byte("PMTiles\x03"), uint8(0), uint32(0), uint32(0))
	f.Fuzz(func(t *testing.T, b []byte, z uint8, x, y uint32) {
		rd, err := pmtiles.NewReader(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			return
		}
		_, _ = rd.Metadata()
		_, _ = rd.Tile(z%24, x, y)
	})
}
