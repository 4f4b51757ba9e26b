package tiles

import (
	"maps"
	"slices"

	"citygeo/data"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
)

// Clusters under edits. The clusters of a version are built once (buildClusters); an edit not
// yet folded into a new version changes only the clusters of the cells its component leaves and
// joins. A clustered tile built with an overlay view therefore takes the base clusters and adds,
// per cell, what the view's edits change there: each edited component's base version leaves its
// cell, the edited version joins its own (EditedTiles lists the tiles those cells reach, so
// only they are rebuilt).

// clusterEdit is what edits change in one cluster cell: sums and counts of members, negative
// for the members they take away.
type clusterEdit struct {
	sx, sy float64
	n      int32
	majors []majorCount[string]
}

func (d *clusterEdit) add(pt orb.Point, major string, sign int32) {
	d.sx += float64(sign) * pt[0]
	d.sy += float64(sign) * pt[1]
	d.n += sign
	for i := range d.majors {
		if d.majors[i].major == major {
			d.majors[i].n += sign
			return
		}
	}
	d.majors = append(d.majors, majorCount[string]{major, sign})
}

// applyTo returns the cluster of zoom z that c becomes with the edit applied. A built cluster
// keeps only its mean point, count and dominant major (its sums and per-major counts would
// double the pyramid's memory), so the mean is reweighted from the count and the majors of
// the cell's base members are counted again from the index: an edited cell is rare, and
// counting it once per tile build is cheaper than keeping every cell's counts.
func (d *clusterEdit) applyTo(ix *Index, z int, c cluster) cluster {
	n := c.n + d.n
	if n > 0 {
		w := float64(c.n)
		c.pt = orb.Point{(c.pt[0]*w + d.sx) / float64(n), (c.pt[1]*w + d.sy) / float64(n)}
	}
	c.n = n
	acc := clusterAcc[string]{majors: ix.cellMajors(z, c.key)}
	for _, m := range d.majors {
		acc.addMajor(m.major, m.n)
	}
	acc.majors = slices.DeleteFunc(acc.majors, func(m majorCount[string]) bool { return m.n <= 0 })
	c.major = acc.dominant()
	return c
}

// cellMajors counts the base components of zoom z's cluster cell key by major class: the
// cells of clusterMaxZoom the cell spans.
func (ix *Index) cellMajors(z int, key uint64) []majorCount[string] {
	shift := uint(clusterMaxZoom - z)
	cx, cy := uint32(key)<<shift, uint32(key>>32)<<shift
	last := uint32(1)<<shift - 1
	var acc clusterAcc[string]
	ix.cellsIn(cx, cy, cx+last, cy+last, func(i int32) { acc.addMajor(ix.dsComp[i].Major, 1) })
	return acc.majors
}

// clusterEdits returns what the edits of view change in the clusters of zoom z whose cells
// the world box b touches, by cell key; nil when they change none there.
func clusterEdits(z int, b orb.Bound, view OverlayView) map[uint64]*clusterEdit {
	if view == nil {
		return nil
	}
	x0, y0, x1, y1 := clusterCells(z, b)
	var out map[uint64]*clusterEdit
	put := func(c *data.Component, sign int32) {
		pt, _, ok := worldComponent(c)
		if !ok {
			return
		}
		cx, cy := cellAt(z, pt)
		if cx < x0 || cx > x1 || cy < y0 || cy > y1 {
			return
		}
		if out == nil {
			out = map[uint64]*clusterEdit{}
		}
		k := cellKey(cx, cy)
		d := out[k]
		if d == nil {
			d = &clusterEdit{}
			out[k] = d
		}
		d.add(pt, c.Major, sign)
	}
	view.Originals(func(c *data.Component) { put(c, -1) })
	view.Components(func(c *data.Component) { put(c, 1) })
	return out
}

// clustersLayer is the components layer of a clustered zoom: the base clusters of the cells
// the tile's buffered world bound wb touches, with the edits of view applied.
func clustersLayer(ix *Index, tp *tileProj, wb orb.Bound, z int, view OverlayView, out []feature) []feature {
	emit := func(c *cluster) {
		p, ok := tp.point(c.pt)
		if !ok {
			return
		}
		m := len(tp.tags)
		tp.tags = append(tp.tags, Bool("cluster", true), Int("count", int64(c.n)), Str("major", c.major))
		out = append(out, feature{id: c.id, typ: typePoint, parts: tp.pointParts(p), tags: tp.tagsFrom(m), prio: prio(c.id)})
	}
	edits := clusterEdits(z, wb, view)
	ix.clustersIn(z, wb, func(c *cluster) {
		d, ok := edits[c.key]
		if !ok {
			emit(c)
			return
		}
		delete(edits, c.key)
		if e := d.applyTo(ix, z, *c); e.n > 0 {
			emit(&e)
		}
	})
	// Cells that had no cluster in the base and gained members.
	for _, k := range slices.Sorted(maps.Keys(edits)) {
		if d := edits[k]; d.n > 0 {
			e := d.applyTo(ix, z, cluster{key: k, id: clusterID(z, k)})
			emit(&e)
		}
	}
	return out
}

// clusterTiles appends to out the tiles of zoom z whose clusters an edit of a component at
// world point pt changes: those whose buffered bound touches the point's cluster cell (the
// tile that holds the cell, and a neighbour when the cell lies within its buffer).
func clusterTiles(out []maptile.Tile, z int, pt orb.Point) []maptile.Tile {
	cx, cy := cellAt(z, pt)
	tx, ty := int64(cx>>cellsPerTileBits), int64(cy>>cellsPerTileBits)
	last := int64(1)<<z - 1
	for x := max(tx-1, 0); x <= min(tx+1, last); x++ {
		for y := max(ty-1, 0); y <= min(ty+1, last); y++ {
			t := maptile.New(uint32(x), uint32(y), maptile.Zoom(z))
			x0, y0, x1, y1 := clusterCells(z, worldBound(t, Buffer))
			if cx >= x0 && cx <= x1 && cy >= y0 && cy <= y1 {
				out = append(out, t)
			}
		}
	}
	return out
}
