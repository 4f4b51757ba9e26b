package tiles

import (
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
)

// TileRange returns the tiles of zoom z that a lon/lat bound touches, as inclusive x and y ranges.
func TileRange(b orb.Bound, z int) (minX, minY, maxX, maxY uint32) {
	zz := maptile.Zoom(z)
	nw := maptile.At(orb.Point{b.Min[0], b.Max[1]}, zz)
	se := maptile.At(orb.Point{b.Max[0], b.Min[1]}, zz)
	return nw.X, nw.Y, se.X, se.Y
}

// Pyramid calls fn for every tile from minZ to maxZ that the bound touches, zoom by zoom in row
// order, until fn returns false.
func Pyramid(b orb.Bound, minZ, maxZ int, fn func(maptile.Tile) bool) {
	for z := minZ; z <= maxZ; z++ {
		x0, y0, x1, y1 := TileRange(b, z)
		for y := y0; y <= y1; y++ {
			for x := x0; x <= x1; x++ {
				if !fn(maptile.New(x, y, maptile.Zoom(z))) {
					return
				}
			}
		}
	}
}

// TileCorner returns the lon/lat of a tile's north-west corner.
func TileCorner(t maptile.Tile) orb.Point {
	n := float64(uint64(1) << t.Z)
	return fromWorld(orb.Point{float64(t.X) / n, float64(t.Y) / n})
}
