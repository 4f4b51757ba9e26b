package tiles

import (
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"citygeo/data"
)

// gridTable is the grids of an index as tiles draw them, with no pointer in any row: a row names
// its code by offset into one string, its community by number and its polygon by a range of
// rings over one slice of points. A row of strings and a polygon held three pointers, 300,000
// for the collector to follow on every cycle of a 100k-grid city's server (6–11 ms of CPU a
// cycle, bench/heap -gc), though they never change once the index is built.
type gridTable struct {
	rows        []gridRow
	text        string      // the codes end to end
	communities []string    // by number; a city has a few hundred
	pts         []orb.Point // world; every ring end to end
	ringEnds    []uint32    // per ring: one past its last point in pts; it starts at the previous end
}

// gridRow is one grid of a gridTable.
type gridRow struct {
	id, labelID uint64
	area        float64   // m², rounded to 1 as tiles write it
	label       orb.Point // world: the centroid, where the grid's code is written
	code        uint32    // offset of the code in text
	codeLen     uint32
	community   int32  // index into communities
	ring        uint32 // first ring in ringEnds
	rings       uint32
}

// gridF is one grid as a tile draws it: a row of the table read back, or an edited grid
// projected for the request (worldGrid). A z15 tile reads some 170 grids, and following each
// one's pointer into the dataset took 6% of a server's CPU serving every z15 grids tile of the
// 100k-grid city uncached, hence a row of its own rather than the *data.Grid.
type gridF struct {
	id        uint64
	labelID   uint64
	code      string
	community string
	area      float64     // m², rounded to 1 as tiles write it
	poly      orb.Polygon // world
	label     orb.Point   // world: the centroid, where the grid's code is written
}

// newGridTable projects the drawn grids of grids (those with a polygon).
func newGridTable(grids []*data.Grid) gridTable {
	var t gridTable
	var pts, rings, text int
	for _, g := range grids {
		if drawnGrid(g) {
			rings += len(g.Polygon)
			for _, r := range g.Polygon {
				pts += len(r)
			}
			text += len(g.Code)
		}
	}
	t.rows = make([]gridRow, 0, len(grids))
	t.pts, t.ringEnds = make([]orb.Point, 0, pts), make([]uint32, 0, rings)
	var codes strings.Builder
	codes.Grow(text)
	community := map[string]int32{}
	for _, g := range grids {
		if !drawnGrid(g) {
			continue
		}
		row := gridRow{code: uint32(codes.Len()), codeLen: uint32(len(g.Code)), ring: uint32(len(t.ringEnds)), rings: uint32(len(g.Polygon))}
		codes.WriteString(g.Code)
		c, ok := community[g.Community]
		if !ok {
			c = int32(len(t.communities))
			community[g.Community] = c
			t.communities = append(t.communities, g.Community)
		}
		row.community = c
		for _, r := range g.Polygon {
			for _, q := range r {
				t.pts = append(t.pts, toWorld(q))
			}
			t.ringEnds = append(t.ringEnds, uint32(len(t.pts)))
		}
		row.label, _ = planar.CentroidArea(t.polygon(&row, nil))
		row.id = FeatureID(g.Code)
		row.labelID = (row.id + gridLabelOffset) % MaxID
		row.area = roundTo(g.AreaM2, 1)
		t.rows = append(t.rows, row)
	}
	t.text = codes.String()
	return t
}

// polygon returns row's polygon, its ring headers appended to buf[:0] (reuse it across rows):
// the rings are views of the table's points, not copies.
func (t *gridTable) polygon(row *gridRow, buf orb.Polygon) orb.Polygon {
	buf = buf[:0]
	start := uint32(0)
	if row.ring > 0 {
		start = t.ringEnds[row.ring-1]
	}
	for _, end := range t.ringEnds[row.ring : row.ring+row.rings] {
		buf = append(buf, orb.Ring(t.pts[start:end:end]))
		start = end
	}
	return buf
}

// code returns row's grid code.
func (t *gridTable) code(row *gridRow) string { return t.text[row.code : row.code+row.codeLen] }

// grid reads row i back as a tile draws it, its polygon's ring headers in buf (see polygon).
func (t *gridTable) grid(i int32, buf orb.Polygon) gridF {
	row := &t.rows[i]
	return gridF{id: row.id, labelID: row.labelID, code: t.code(row), community: t.communities[row.community],
		area: row.area, poly: t.polygon(row, buf), label: row.label}
}

// worldGrid projects g, an edited grid, to world coordinates, with its label at the centroid
// and its feature ids as its code maps to them; false for a grid without a polygon.
func worldGrid(g *data.Grid) (gridF, bool) {
	if !drawnGrid(g) {
		return gridF{}, false
	}
	w := worldPolygon(g.Polygon)
	c, _ := planar.CentroidArea(w)
	id := FeatureID(g.Code)
	return gridF{id: id, labelID: (id + gridLabelOffset) % MaxID, code: g.Code, community: g.Community,
		area: roundTo(g.AreaM2, 1), poly: w, label: c}, true
}

// drawnGrid reports whether g has a polygon to draw.
func drawnGrid(g *data.Grid) bool { return len(g.Polygon) > 0 && len(g.Polygon[0]) > 0 }
