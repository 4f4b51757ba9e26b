package field

import (
	"slices"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"citygeo/data"
)

// Presence is where one device's track spent a day: the unit grids it was in and the time it
// spent inside the zones it is assigned to.
type Presence struct {
	Grids []string `json:"grids_visited"` // the grid codes its fixes fell in, sorted
	// Zones are the ids of the assigned zones measured; ZoneMinutes the time inside any of them:
	// the time between two consecutive fixes both inside, a gap longer than the coverage's
	// MaxGap counting for nothing (the device was silent, not known to be there).
	Zones       []string `json:"zones,omitempty"`
	ZoneMinutes float64  `json:"zone_minutes"`
}

// Presence options of a coverage (CoverageOptions.Locate and Assigned).
type (
	// GridLocator names the unit grid of a point, "" outside every grid.
	GridLocator func(p orb.Point) string
	// Assigner returns the zones a device is assigned to patrol (ids) and their shapes; none
	// for a device without a zone.
	Assigner func(d *data.Device) (zones []string, shapes []orb.Polygon)
)

// TrackPresence computes the presence of a track (in time order): locate names each fix's
// grid; zone is the union of the assigned zones' shapes.
func TrackPresence(track []data.Fix, locate GridLocator, zones []string, zone []orb.Polygon, maxGap time.Duration) Presence {
	p := Presence{Grids: []string{}, Zones: zones}
	if locate != nil {
		seen := map[string]bool{}
		for _, f := range track {
			if g := locate(f.Point); g != "" && !seen[g] {
				seen[g] = true
				p.Grids = append(p.Grids, g)
			}
		}
		slices.Sort(p.Grids)
	}
	if len(zone) == 0 {
		return p
	}
	in := func(pt orb.Point) bool {
		for _, poly := range zone {
			if poly.Bound().Contains(pt) && planar.PolygonContains(poly, pt) {
				return true
			}
		}
		return false
	}
	var inside time.Duration
	prevIn := false
	for i, f := range track {
		now := in(f.Point)
		if i > 0 && now && prevIn {
			if dt := f.Time.Sub(track[i-1].Time); dt <= maxGap {
				inside += dt
			}
		}
		prevIn = now
	}
	p.ZoneMinutes = inside.Minutes()
	return p
}
