package dispatch

import (
	"time"

	"github.com/paulmach/orb"

	"citygeo/data"
)

// People answers who is on duty at a place and time — the grid's 监督员 for 核查, the zone's
// 街长 or 片长, the unit and person of a road segment beside the point — each with the
// assignment and any delegation that decided (package duty's Index). A dispatch answer lists
// them beside the department.
type People interface {
	// Responsible returns who is on duty at p (CGCS2000) at time at; grid is p's grid as the
	// resolver located it, nil when p lies in none.
	Responsible(p orb.Point, grid *data.Grid, at time.Time) []data.OnDuty
}
