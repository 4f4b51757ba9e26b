package api

import (
	"time"

	"github.com/gin-gonic/gin"
	"github.com/paulmach/orb"

	"citygeo/field"
	"citygeo/tiles"
)

// positionsMinZoom is the first zoom of the positions set. A moved device drops its tiles at
// every zoom of the set, so fewer zooms make a fix cheaper; below z10 a city is a few pixels
// and a wall screen shows it from z11 on.
const positionsMinZoom = 10

// registerPositions registers the positions live set (empty without a field force, so the set
// and its style source always exist) and drops exactly the tiles each stored group of fixes
// moved devices out of and into.
func (s *Server) registerPositions(f *field.Force) {
	set := s.live.Register(forcePositions{f}, tiles.NewCache(LiveCacheBytes))
	// Today's coverage (coverage_tiles.go): recomputed each minute, so no cache.
	s.live.Register(&liveCoverage{s: s, f: f}, nil)
	if f != nil {
		f.Subscribe(func(ms []field.Move) {
			for _, m := range ms {
				moved(set, m.Old, m.New)
			}
		})
	}
}

// privateSets are the live sets only dispatchers may read.
var privateSets = []string{tiles.SetPositions}

// guardSet answers 401/403 and returns false when set is private and the request may not read
// it.
func (s *Server) guardSet(c *gin.Context, set string) bool {
	for _, p := range privateSets {
		if set == p {
			if _, err := s.auth.check(c.Request, personal); err != nil {
				c.Header("WWW-Authenticate", `Bearer realm="citygeo"`)
				Fail(c, "Authorization", err)
				return false
			}
		}
	}
	return true
}

// liveFor returns the live sets the request may see: all of them for a dispatcher, the public
// ones otherwise (its style then has no source it would be refused).
func (s *Server) liveFor(c *gin.Context) *tiles.Live {
	if _, err := s.auth.check(c.Request, personal); err == nil {
		return s.live
	}
	return s.live.Without(privateSets...)
}

// forcePositions shows the latest position of every device as the positions live layer; a nil
// force shows none.
type forcePositions struct{ f *field.Force }

var _ tiles.LiveLayer = forcePositions{}

// Rule shows positions from positionsMinZoom. TileJSON lists what a client styles by; heading
// and speed come on top for an arrow and a label.
func (forcePositions) Rule() tiles.Rule {
	return tiles.Rule{Set: tiles.SetPositions, Layer: tiles.LayerPositions, Kind: "position",
		MinZoom: positionsMinZoom, MaxZoom: tiles.MaxZoom, Attrs: []string{"device", "kind", "role", "name", "time"}}
}

func (p forcePositions) In(b orb.Bound, fn func(tiles.LiveFeature) bool) {
	if p.f == nil {
		return
	}
	p.f.In(b, func(pos *field.Position) bool {
		var kind, role, name string
		if d := pos.Device; d != nil {
			kind, role, name = string(d.Kind), d.Role, d.Name
		}
		return fn(tiles.LiveFeature{ID: tiles.FeatureID(pos.Fix.Device), Point: pos.Fix.Point, Tags: []tiles.Tag{
			tiles.Str("device", pos.Fix.Device), tiles.Str("kind", kind), tiles.Str("role", role), tiles.Str("name", name),
			tiles.Str("time", pos.Fix.Time.UTC().Format(time.RFC3339)),
			tiles.Int("heading", int64(pos.Fix.Heading)), tiles.Int("speed_kmh", int64(pos.Fix.Speed*3.6+0.5)),
		}})
	})
}
