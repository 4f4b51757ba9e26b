package sample

import (
	"math"
	"math/rand/v2"

	"citygeo/geo"

	"github.com/paulmach/orb"
)

// The real centre of Luohu: the synthetic plane is laid out around it.
const (
	centreLon = 114.131
	centreLat = 22.548
	cellM     = 100.0 // nominal cell size in metres
)

// centre is the synthetic city's local plane: equirectangular metres around the centre are
// accurate to well under a metre over a district, which is all a synthetic city needs.
var centre = geo.LocalPlane(orb.Point{centreLon, centreLat})

// lattice is the warped cell lattice: cols × rows cells, (cols+1) × (rows+1) shared vertices.
// Row 0 is the northernmost; column 0 the westernmost. Every vertex is warped once, so the
// cells, and the outlines built from the same vertices, tile without gaps or overlaps.
type lattice struct {
	cols, rows int
	xy         []orb.Point // warped local metres, east/north of the centre
	ll         []orb.Point // the same vertices in lon/lat
}

func (l *lattice) v(i, j int) int { return j*(l.cols+1) + i }

// toLonLat converts local metres to lon/lat.
func toLonLat(p orb.Point) orb.Point {
	return centre.FromMetres(p)
}

// newLattice lays out cols × rows cells of irregular width and height (80–120 m) and warps them
// with a sum of sines. Each sine's amplitude times its wave number stays below 0.2, so the
// Jacobian of the warp stays near the identity: the map is one-to-one and cells stay convex.
func newLattice(cols, rows int, rng *rand.Rand) *lattice {
	l := &lattice{cols: cols, rows: rows}
	xs := make([]float64, cols+1)
	for i := 1; i <= cols; i++ {
		xs[i] = xs[i-1] + cellM*(0.8+0.4*rng.Float64())
	}
	ys := make([]float64, rows+1)
	for j := 1; j <= rows; j++ {
		ys[j] = ys[j-1] - cellM*(0.8+0.4*rng.Float64())
	}
	x0, y0 := xs[cols]/2, ys[rows]/2
	type wave struct{ amp, k, phase float64 }
	mk := func(wavelength, slope float64) wave {
		k := 2 * math.Pi / wavelength
		return wave{amp: slope / k, k: k, phase: 2 * math.Pi * rng.Float64()}
	}
	wx := [2]wave{mk(3100, 0.18), mk(1300, 0.08)}
	wy := [2]wave{mk(2700, 0.18), mk(1100, 0.08)}
	n := (cols + 1) * (rows + 1)
	l.xy = make([]orb.Point, n)
	l.ll = make([]orb.Point, n)
	for j := 0; j <= rows; j++ {
		for i := 0; i <= cols; i++ {
			x, y := xs[i]-x0, ys[j]-y0
			p := orb.Point{
				x + wx[0].amp*math.Sin(wx[0].k*y+wx[0].phase) + wx[1].amp*math.Sin(wx[1].k*(x+y)+wx[1].phase),
				y + wy[0].amp*math.Sin(wy[0].k*x+wy[0].phase) + wy[1].amp*math.Sin(wy[1].k*(x-y)+wy[1].phase),
			}
			k := l.v(i, j)
			l.xy[k] = p
			l.ll[k] = toLonLat(p)
		}
	}
	return l
}

// cell returns the closed CCW ring of cell (i, j) in lon/lat: SW, SE, NE, NW, SW.
func (l *lattice) cell(i, j int) orb.Ring {
	sw, se, ne, nw := l.ll[l.v(i, j+1)], l.ll[l.v(i+1, j+1)], l.ll[l.v(i+1, j)], l.ll[l.v(i, j)]
	return orb.Ring{sw, se, ne, nw, sw}
}

// cellCentreXY is the mean of the cell's four warped corners in local metres.
func (l *lattice) cellCentreXY(i, j int) orb.Point {
	a, b, c, d := l.xy[l.v(i, j)], l.xy[l.v(i+1, j)], l.xy[l.v(i+1, j+1)], l.xy[l.v(i, j+1)]
	return orb.Point{(a[0] + b[0] + c[0] + d[0]) / 4, (a[1] + b[1] + c[1] + d[1]) / 4}
}

// rect is a block of cells [c0, c1) × [r0, r1).
type rect struct{ c0, r0, c1, r1 int }

func (r rect) cells() int { return (r.c1 - r.c0) * (r.r1 - r.r0) }

// outline returns the closed CCW ring around a rect through every lattice vertex on its edge,
// so it shares its vertices with the cells inside and the rects beside it.
func (l *lattice) outline(r rect) orb.Ring {
	ring := make(orb.Ring, 0, 2*(r.c1-r.c0+r.r1-r.r0)+1)
	for i := r.c0; i < r.c1; i++ { // south edge, west → east
		ring = append(ring, l.ll[l.v(i, r.r1)])
	}
	for j := r.r1; j > r.r0; j-- { // east edge, south → north
		ring = append(ring, l.ll[l.v(r.c1, j)])
	}
	for i := r.c1; i > r.c0; i-- { // north edge, east → west
		ring = append(ring, l.ll[l.v(i, r.r0)])
	}
	for j := r.r0; j < r.r1; j++ { // west edge, north → south
		ring = append(ring, l.ll[l.v(r.c0, j)])
	}
	return append(ring, ring[0])
}

// bisect splits r among weights: recursively halve the list and cut the longer side of the
// rect in proportion to the halves' weight. It returns one rect per weight, in order; a rect
// may be empty when r has too few cells, which the caller reports.
func bisect(r rect, weights []float64) []rect {
	if len(weights) == 1 {
		return []rect{r}
	}
	h := len(weights) / 2
	var wl, wt float64
	for i, w := range weights {
		if i < h {
			wl += w
		}
		wt += w
	}
	f := wl / wt
	a, b := r, r
	if r.c1-r.c0 >= r.r1-r.r0 {
		cut := r.c0 + clampInt(int(math.Round(f*float64(r.c1-r.c0))), 1, r.c1-r.c0-1)
		a.c1, b.c0 = cut, cut
	} else {
		cut := r.r0 + clampInt(int(math.Round(f*float64(r.r1-r.r0))), 1, r.r1-r.r0-1)
		a.r1, b.r0 = cut, cut
	}
	return append(bisect(a, weights[:h]), bisect(b, weights[h:])...)
}

func clampInt(v, lo, hi int) int {
	if hi < lo {
		return lo
	}
	return max(lo, min(v, hi))
}
