// Package pmtiles writes and reads PMTiles version 3 archives: a 127-byte header, a root directory within
// the first 16 KiB, gzipped JSON metadata, leaf directories and clustered tile data. It knows the
// format only; package tiles decides what goes in.
package pmtiles

// TileID returns the PMTiles id of tile z/x/y: the tiles of all shallower zooms, then the
// position of (x, y) on the Hilbert curve of zoom z.
func TileID(z uint8, x, y uint32) uint64 {
	acc := (uint64(1)<<(2*uint(z)) - 1) / 3
	n := uint32(1) << z
	for s := n / 2; s > 0; s /= 2 {
		var rx, ry uint32
		if x&s != 0 {
			rx = 1
		}
		if y&s != 0 {
			ry = 1
		}
		acc += uint64(s) * uint64(s) * uint64((3*rx)^ry)
		if ry == 0 {
			if rx == 1 {
				x = n - 1 - x
				y = n - 1 - y
			}
			x, y = y, x
		}
	}
	return acc
}
