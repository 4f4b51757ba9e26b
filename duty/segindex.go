package duty

import (
	"math"

	"github.com/paulmach/orb"

	"citygeo/geo"
)

// segIndex buckets the pieces of every segment's line, padded by the radius, in square cells of
// the local plane. Each cell holds copies of its pieces in one run of a flat array, in 24 bytes
// each (float32 metres from the index's corner: millimetres over a city), so a lookup reads one
// cell's run and nothing else: lookups spend their time waiting on memory, not computing.
type segIndex struct {
	pl     geo.Plane
	radius float64
	x0, y0 float64 // metres of the corner of cell (0, 0)
	cs     float64 // cell side, metres
	nx, ny int
	start  []int32 // cell c holds items[start[c]:start[c+1]]
	items  []cellPiece
}

// cellPiece is one straight piece of a segment's line: its ends in metres from the index's
// corner, its segment, and flags: pieceFirst and pieceLast for the pieces that end the line
// (beyond which a point is not beside the segment), and the side the segment covers.
type cellPiece struct {
	ax, ay, bx, by float32
	seg            int32
	flags          uint8
}

const (
	pieceFirst = 1 << iota
	pieceLast
	sideShift = 2 // the side's code (sideCodes) in the bits from here
)

// sideCodes and sideUnits number the sides of a road and give their compass vectors.
var (
	sideCodes = map[orb.Point]uint8{{1, 0}: 1, {-1, 0}: 2, {0, 1}: 3, {0, -1}: 4}
	sideUnits = [5]orb.Point{{}, {1, 0}, {-1, 0}, {0, 1}, {0, -1}}
)

// segHit is a segment beside a point, at dist metres; off is the point's offset from the
// nearest point of the line (metres east, north), from which the side is judged.
type segHit struct {
	seg  int32
	dist float64
	off  orb.Point
	side uint8
}

// maxSegCells bounds the cell array of a segment index (a city spans tens of kilometres; a
// bogus far-away line must not allocate a continent of cells).
const maxSegCells = 1 << 22

func newSegIndex(pl geo.Plane, segs []*Segment, radius float64) segIndex {
	ix := segIndex{pl: pl, radius: radius, cs: math.Max(100, 2*radius)}
	type piece struct {
		a, b  orb.Point
		seg   int32
		flags uint8
	}
	var pcs []piece
	var b orb.Bound
	for si, s := range segs {
		side := sideCodes[s.Side.Unit()] << sideShift
		for _, l := range s.Line {
			for i := 1; i < len(l); i++ {
				p := piece{a: pl.ToMetres(l[i-1]), b: pl.ToMetres(l[i]), seg: int32(si), flags: side}
				if i == 1 {
					p.flags |= pieceFirst
				}
				if i == len(l)-1 {
					p.flags |= pieceLast
				}
				pb := orb.Bound{Min: p.a, Max: p.a}.Extend(p.b)
				if len(pcs) == 0 {
					b = pb
				} else {
					b = b.Union(pb)
				}
				pcs = append(pcs, p)
			}
		}
	}
	if len(pcs) == 0 {
		return ix
	}
	b = b.Pad(radius)
	for {
		ix.nx = int(math.Ceil((b.Max[0]-b.Min[0])/ix.cs)) + 1
		ix.ny = int(math.Ceil((b.Max[1]-b.Min[1])/ix.cs)) + 1
		if ix.nx*ix.ny <= maxSegCells {
			break
		}
		ix.cs *= 2
	}
	ix.x0, ix.y0 = b.Min[0], b.Min[1]
	each := func(fn func(cell int, p *piece)) {
		for i := range pcs {
			p := &pcs[i]
			x0, y0 := ix.cell(math.Min(p.a[0], p.b[0])-radius, math.Min(p.a[1], p.b[1])-radius)
			x1, y1 := ix.cell(math.Max(p.a[0], p.b[0])+radius, math.Max(p.a[1], p.b[1])+radius)
			for y := y0; y <= y1; y++ {
				for x := x0; x <= x1; x++ {
					fn(y*ix.nx+x, p)
				}
			}
		}
	}
	// Two passes: count the pieces per cell, then fill (one flat array, no slice per cell).
	count := make([]int32, ix.nx*ix.ny+1)
	each(func(c int, _ *piece) { count[c+1]++ })
	for i := 1; i < len(count); i++ {
		count[i] += count[i-1]
	}
	ix.start = count
	ix.items = make([]cellPiece, count[len(count)-1])
	fill := append([]int32(nil), count[:len(count)-1]...)
	each(func(c int, p *piece) {
		ix.items[fill[c]] = cellPiece{ax: float32(p.a[0] - ix.x0), ay: float32(p.a[1] - ix.y0),
			bx: float32(p.b[0] - ix.x0), by: float32(p.b[1] - ix.y0), seg: p.seg, flags: p.flags}
		fill[c]++
	})
	return ix
}

// cell returns the clamped cell of a point in metres.
func (ix *segIndex) cell(x, y float64) (int, int) {
	cx := min(max(int((x-ix.x0)/ix.cs), 0), ix.nx-1)
	cy := min(max(int((y-ix.y0)/ix.cs), 0), ix.ny-1)
	return cx, cy
}

// near appends the segments beside lon/lat point q within the radius, each once at its least
// distance. A point past the end of a segment's line is not beside it, and a segment that
// covers one side of its road is beside only the points on that side.
func (ix *segIndex) near(q orb.Point, out []segHit) []segHit {
	if len(ix.items) == 0 {
		return out
	}
	m := ix.pl.ToMetres(q)
	px, py := m[0]-ix.x0, m[1]-ix.y0
	if px < 0 || py < 0 || px > float64(ix.nx)*ix.cs || py > float64(ix.ny)*ix.cs {
		return out
	}
	c := int(py/ix.cs)*ix.nx + int(px/ix.cs)
	if c >= len(ix.start)-1 {
		return out
	}
	cell := ix.items[ix.start[c]:ix.start[c+1]]
	r2 := ix.radius * ix.radius
	for i := range cell {
		pc := &cell[i]
		ax, ay := float64(pc.ax), float64(pc.ay)
		abx, aby := float64(pc.bx)-ax, float64(pc.by)-ay
		l2 := abx*abx + aby*aby
		t := 0.0
		if l2 > 0 {
			t = ((px-ax)*abx + (py-ay)*aby) / l2
		}
		if (t < 0 && pc.flags&pieceFirst != 0) || (t > 1 && pc.flags&pieceLast != 0) {
			continue // past the end of the line
		}
		t = min(max(t, 0), 1)
		off := orb.Point{px - ax - t*abx, py - ay - t*aby}
		d2 := off[0]*off[0] + off[1]*off[1]
		if d2 > r2 {
			continue
		}
		d := math.Sqrt(d2)
		found := false
		for k := range out {
			if out[k].seg == pc.seg {
				found = true
				if d < out[k].dist {
					out[k].dist, out[k].off = d, off
				}
			}
		}
		if !found {
			out = append(out, segHit{seg: pc.seg, dist: d, off: off, side: pc.flags >> sideShift})
		}
	}
	// The side is judged from the nearest point of the line: a point on the line (within half
	// a metre) is on both sides.
	kept := out[:0]
	for _, h := range out {
		u := sideUnits[h.side]
		if h.side == 0 || h.dist < 0.5 || h.off[0]*u[0]+h.off[1]*u[1] > 0 {
			kept = append(kept, h)
		}
	}
	return kept
}
