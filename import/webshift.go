package importer

import (
	"fmt"

	"citygeo/geo"
	"citygeo/schema"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// webShift counts components outside the grid they name that would lie inside it had their
// coordinates been read as GCJ-02 or BD-09: the sign of a survey whose points were picked on a
// web map (AMap, Tencent, Baidu) and declared as WGS84/CGCS2000. The offsets are a few hundred
// metres, too small for the CRS checks on single coordinates to see.
type webShift struct {
	out, gcj, bd int
}

func (w *webShift) outside(g orb.Polygon, p orb.Point) {
	w.out++
	if planar.PolygonContains(g, geo.GCJ02ToWGS84(p)) {
		w.gcj++
	}
	if planar.PolygonContains(g, geo.BD09ToWGS84(p)) {
		w.bd++
	}
}

// report adds one warning when most components of the import lie outside their grids and most
// of those would fit as GCJ-02 (or BD-09) coordinates.
func (w *webShift) report(v *validator, placed int) {
	if w.out < 5 || 2*w.out < placed {
		return
	}
	for _, c := range []struct {
		n    int
		name string
		maps string
	}{{w.gcj, "gcj02", "AMap, Tencent or Google China"}, {w.bd, "bd09", "Baidu"}} {
		if 5*c.n >= 4*w.out {
			v.f("crs.web_offset", SeverityWarning, schema.Component, -1, "", "crs", c.name,
				fmt.Sprintf("%d of %d components lie outside the grid they name, and %d of those fall inside it when read as %s: the points were probably taken from %s maps; import them with --crs %s",
					w.out, placed, c.n, c.name, c.maps, c.name))
			return
		}
	}
}
