package api

import (
	"github.com/paulmach/orb"

	"citygeo/city"
	"citygeo/data"
	"citygeo/dispatch"
	"citygeo/tiles"
)

// EventsCacheBytes is the byte budget of the events tile cache.
const EventsCacheBytes = 32 << 20

// feedEvents shows the open events of a dispatch feed in the events tile set.
type feedEvents struct{ feed *dispatch.Feed }

var _ tiles.EventSource = feedEvents{}

func (f feedEvents) EventsIn(b orb.Bound, fn func(tiles.Event) bool) {
	f.feed.OpenIn(b, func(e data.Event) bool {
		return fn(tiles.Event{
			ID: tiles.FeatureID(e.ID), Ref: e.ID, Point: e.Point, Class: e.Class.Code, Status: string(e.Status),
			Tags: []tiles.Tag{tiles.Str("department", e.Department.Name), tiles.Int("priority", int64(e.Priority)), tiles.Str("grid", e.Grid)},
		})
	})
}

// attachEvents makes the dispatch feed the source of the events tile set, for every snapshot,
// and drops exactly the cached events tiles an event change touches (its old and new position).
// The feed outlives snapshots, so the events tiles have a cache of their own.
func (s *Server) attachEvents(d *Dispatch) {
	if d == nil || d.Feed == nil {
		return
	}
	s.events = feedEvents{d.Feed}
	s.evCache = tiles.NewCache(EventsCacheBytes)
	d.Feed.Subscribe(func(ch dispatch.Change) {
		var pts []orb.Point
		for _, p := range []*orb.Point{ch.Old, ch.New} {
			if p != nil {
				pts = append(pts, *p)
			}
		}
		s.evCache.EventChanged(pts...)
	})
}

// tiler returns the snapshot's tiler, with the live events attached when dispatch runs.
func (s *Server) tiler(snap *city.Snapshot) *tiles.Tiler {
	if s.events == nil {
		return snap.Tiles
	}
	return snap.Tiles.WithEvents(s.events, s.evCache)
}
