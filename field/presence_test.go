package field_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"citygeo/data"
	"citygeo/field"
)

// TestTrackPresence: grids visited are the distinct grids of the fixes; time in the zone counts
// the intervals between fixes both inside it, not a silent gap.
func TestTrackPresence(t *testing.T) {
	// Two grids side by side: west is x < 0, east is x ≥ 0; the zone is the west grid.
	locate := func(p orb.Point) string {
		switch {
		case p[1] < 0 || p[1] > 10:
			return ""
		case p[0] < 0:
			return "W"
		default:
			return "E"
		}
	}
	zone := []orb.Polygon{{{{-10, 0}, {0, 0}, {0, 10}, {-10, 10}, {-10, 0}}}}
	t0 := time.Date(2026, 11, 20, 1, 0, 0, 0, time.UTC)
	track := func(steps ...any) []data.Fix { // x, seconds after the previous fix, x, …
		var out []data.Fix
		at := t0
		for i := 0; i < len(steps); i += 2 {
			at = at.Add(time.Duration(steps[i+1].(int)) * time.Second)
			out = append(out, data.Fix{Device: "p", Time: at, Point: orb.Point{steps[i].(float64), 5}})
		}
		return out
	}
	for _, tc := range []struct {
		name    string
		track   []data.Fix
		grids   string
		minutes float64
	}{
		{"ten minutes inside", track(-5.0, 0, -4.0, 300, -3.0, 300), "[W]", 10},
		{"out and back: only the inside intervals", track(-5.0, 0, 5.0, 60, -5.0, 60, -4.0, 60), "[E W]", 1},
		{"a silent gap counts for nothing", track(-5.0, 0, -4.0, 3600, -3.0, 60), "[W]", 1},
		{"never inside", track(5.0, 0, 6.0, 60), "[E]", 0},
		{"no fixes", nil, "[]", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := field.TrackPresence(tc.track, locate, []string{"Z1"}, zone, 5*time.Minute)
			if fmt.Sprint(p.Grids) != tc.grids || p.ZoneMinutes != tc.minutes {
				t.Errorf("grids %v, %.1f min in the zone; want %s, %.1f", p.Grids, p.ZoneMinutes, tc.grids, tc.minutes)
			}
		})
	}
}
