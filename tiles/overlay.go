package tiles

import (
	"citygeo/data"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
)

// Overlay is a set of component, grid and road edits over the Index a Tiler builds from: the served
// city's edits not yet folded into a new version (package city). A tile no edit touched is served from
// the cache as before; a touched one is cached under the revision of the last edit that touched
// it, so its ETag changes with its content and no other tile's does.
type Overlay interface {
	// View returns the edits as one tile build sees them; nil when there are none.
	View() OverlayView
}

// OverlayView is one consistent state of an Overlay.
type OverlayView interface {
	// Rev returns the revision of tile t: 0 when no edit touched it, else the sequence number
	// of the last edit that did. cacheable is false when an edit the view does not hold has
	// touched t since: the tile built from this view must not be cached.
	Rev(t maptile.Tile) (rev int64, cacheable bool)
	// Replaced reports whether the view changes or deletes the base component with id.
	Replaced(id string) bool
	// Components calls fn with every component the view creates or changes (not the deleted).
	Components(fn func(*data.Component))
	// Originals calls fn with the base version (the one the Index holds) of every component
	// the view changes or deletes: the clusters it leaves.
	Originals(fn func(*data.Component))
	// GridReplaced reports whether the view changes or deletes the base grid with code.
	GridReplaced(code string) bool
	// Grids calls fn with every grid the view creates or changes (not the deleted).
	Grids(fn func(*data.Grid))
	// RoadReplaced reports whether the view changes or deletes the base road with id.
	RoadReplaced(id uint64) bool
	// Roads calls fn with every road the view creates or changes (not the deleted).
	Roads(fn func(*data.Road))
}

// WithOverlay returns a Tiler like t whose city tiles show the component, grid and road edits of o.
func (t *Tiler) WithOverlay(o Overlay) *Tiler {
	c := *t
	c.edits = o
	return &c
}

// EditedTiles returns the city tiles an edit of a component with geometry g can change: at
// each zoom where components are drawn one by one, the tiles whose buffered bound meets g's
// bound; at each clustered zoom, the tiles that show the cluster of g's cell (its count and
// centre change when a component joins or leaves it).
func EditedTiles(g orb.Geometry) []maptile.Tile {
	if g == nil {
		return nil
	}
	var out []maptile.Tile
	if pt, _, ok := worldComponent(&data.Component{Geometry: g}); ok {
		for z := 0; z <= clusterMaxZoom; z++ {
			out = clusterTiles(out, z, pt)
		}
	}
	return boundTiles(out, g.Bound(), clusterMaxZoom+1)
}

// EditedGridTiles returns the city tiles an edit of a grid with geometry g can change: at each
// zoom where grids are drawn, the tiles whose buffered bound meets g's bound (its label, at the
// centroid, lies inside that bound).
func EditedGridTiles(g orb.Geometry) []maptile.Tile {
	r, ok := ruleAt(LayerGrids, "grid", MaxZoom)
	if g == nil || !ok {
		return nil
	}
	return boundTiles(nil, g.Bound(), r.MinZoom)
}

// EditedRoadTiles returns the city tiles an edit of a road with geometry g can change: at every
// zoom (an expressway is drawn from zoom 0), the tiles whose buffered bound meets g's bound.
// A tile listed that does not draw the road's class is rebuilt the same, under the same ETag.
func EditedRoadTiles(g orb.Geometry) []maptile.Tile {
	if g == nil {
		return nil
	}
	return boundTiles(nil, g.Bound(), 0)
}

// boundTiles appends to out the tiles from zoom zmin to MaxZoom whose buffered bound meets the
// lon/lat bound b.
func boundTiles(out []maptile.Tile, b orb.Bound, zmin int) []maptile.Tile {
	wmin, wmax := toWorld(orb.Point{b.Min[0], b.Max[1]}), toWorld(orb.Point{b.Max[0], b.Min[1]})
	for z := zmin; z <= MaxZoom; z++ {
		n := float64(uint64(1) << z)
		// a tile's buffer reaches Buffer/Extent of a tile into its neighbours
		pad := float64(Buffer)/float64(Extent) + 1e-9
		x0, x1 := clampTile(wmin[0]*n-pad, n), clampTile(wmax[0]*n+pad, n)
		y0, y1 := clampTile(wmin[1]*n-pad, n), clampTile(wmax[1]*n+pad, n)
		for x := x0; x <= x1; x++ {
			for y := y0; y <= y1; y++ {
				out = append(out, maptile.New(x, y, maptile.Zoom(z)))
			}
		}
	}
	return out
}

func clampTile(v, n float64) uint32 {
	return uint32(max(0, min(v, n-1)))
}

// overlaps reports whether a component at world point pt with world shape (nil for a point)
// meets the world bound wb.
func overlaps(pt orb.Point, shape orb.Geometry, wb orb.Bound) bool {
	if shape == nil {
		return wb.Contains(pt)
	}
	return wb.Intersects(shape.Bound())
}
