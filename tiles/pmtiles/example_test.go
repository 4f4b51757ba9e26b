package pmtiles_test

import (
	"bytes"
	"fmt"

	"citygeo/tiles/pmtiles"
)

// ExampleWriter writes a small archive from tiles added in any order (the two identical tiles
// stored once) and reads a tile back.
func ExampleWriter() {
	w, err := pmtiles.NewWriter("")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, t := range []struct {
		z    uint8
		x, y uint32
		data string
	}{{1, 1, 0, "east"}, {0, 0, 0, "world"}, {1, 0, 0, "west"}, {1, 0, 1, "west"}} {
		if err := w.Add(t.z, t.x, t.y, []byte(t.data)); err != nil {
			fmt.Println(err)
			return
		}
	}
	var archive bytes.Buffer
	if err := w.Finish(&archive, pmtiles.Options{MinZoom: 0, MaxZoom: 1, Bounds: [4]float64{-180, -85, 180, 85}}); err != nil {
		fmt.Println(err)
		return
	}
	r, err := pmtiles.NewReader(bytes.NewReader(archive.Bytes()), int64(archive.Len()))
	if err != nil {
		fmt.Println(err)
		return
	}
	tile, err := r.Tile(1, 0, 1)
	fmt.Printf("%s %v\n", tile, err)
	_, err = r.Tile(1, 1, 1)
	fmt.Println(err)
	// Output:
	// west <nil>
	// pmtiles: no such tile
}
