package importer

import (
	"fmt"
	"math"

	"citygeo/data"
	"citygeo/geo"

	"github.com/paulmach/orb"
	orbgeo "github.com/paulmach/orb/geo"
	"github.com/paulmach/orb/planar"
)

// minCellM2 drops slivers left where a lattice line grazes the community boundary.
const minCellM2 = 1.0

// DeriveGrids cuts a community's polygon into cells of about sizeM × sizeM metres on a
// lon/lat lattice anchored at the polygon's south-west corner, and returns them as unit grids
// (Derived) numbered 001… west→east within rows north→south (the DB11/T 2157 order). Cells
// tile the community: each is the community clipped to one lattice square, so a part of a cell
// cut off by the boundary becomes a grid of its own.
func DeriveGrids(a *data.Area, sizeM float64) ([]*data.Grid, error) {
	if a.Level != data.Community {
		return nil, fmt.Errorf("derive grids for %s %s: not a community", a.Code, a.Name)
	}
	b := a.Polygon.Bound()
	kx, ky := geo.MetresPerDegree((b.Min[1] + b.Max[1]) / 2)
	dx, dy := sizeM/kx, sizeM/ky
	cols := int(math.Ceil((b.Max[0] - b.Min[0]) / dx))
	rows := int(math.Ceil((b.Max[1] - b.Min[1]) / dy))
	var out []*data.Grid
	for row := rows - 1; row >= 0; row-- {
		for col := 0; col < cols; col++ {
			cell := orb.Bound{
				Min: orb.Point{b.Min[0] + float64(col)*dx, b.Min[1] + float64(row)*dy},
				Max: orb.Point{b.Min[0] + float64(col+1)*dx, b.Min[1] + float64(row+1)*dy},
			}
			for _, p := range clipMulti(cell, a.Polygon) {
				area := orbgeo.Area(p)
				if math.Abs(area) < minCellM2 || math.Abs(planar.Area(p)) == 0 {
					continue
				}
				if len(out) == 999 {
					return nil, fmt.Errorf("derive grids for %s %s: more than 999 cells of %g m; use a larger size", a.Code, a.Name, sizeM)
				}
				out = append(out, &data.Grid{
					Code:      fmt.Sprintf("%s%03d", a.Code, len(out)+1),
					Community: a.Code,
					Polygon:   p,
					AreaM2:    math.Abs(area),
					Derived:   true,
				})
			}
		}
	}
	return out, nil
}
