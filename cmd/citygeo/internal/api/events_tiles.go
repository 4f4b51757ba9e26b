package api

import (
	"time"

	"github.com/paulmach/orb"

	"citygeo/city"
	"citygeo/data"
	"citygeo/dispatch"
	"citygeo/tiles"
)

// LiveCacheBytes is the byte budget of each live tile set's cache.
const LiveCacheBytes = 32 << 20

// registerLive registers the live tile sets every snapshot shows beside the city set. Events
// come first: the open events of the dispatch feed, or none without dispatch, so that the
// events set and its style source always exist. A live set outlives snapshots, so it has a
// cache of its own, and its feed drops exactly the cached tiles a change touches.
func (s *Server) registerLive(d *Dispatch) {
	s.live = &tiles.Live{}
	var feed *dispatch.Feed
	if d != nil {
		feed = d.Feed
	}
	cache := tiles.NewCache(LiveCacheBytes)
	events := s.live.Register(feedEvents{feed}, cache)
	s.liveCaches = map[string]*tiles.Cache{events.Name(): cache}
	if feed != nil {
		feed.Subscribe(func(ch dispatch.Change) { moved(events, ch.Old, ch.New) })
	}
	// The duty lists' zones and segments (duty_tiles.go): shapes, so no cache.
	s.live.Register(dutyZones{s}, nil)
	s.live.Register(dutySegments{s}, nil)
}

// moved drops the tiles of a live set that showed a feature at from or show it at to; either
// is nil for a feature that appeared or disappeared.
func moved(set *tiles.LiveSet, from, to *orb.Point) {
	var pts []orb.Point
	for _, p := range []*orb.Point{from, to} {
		if p != nil {
			pts = append(pts, *p)
		}
	}
	set.Changed(pts...)
}

// tiler returns the snapshot's tiler with the live sets attached.
func (s *Server) tiler(snap *city.Snapshot) *tiles.Tiler { return snap.Tiles.WithLive(s.live) }

// feedEvents shows the open events of a dispatch feed as the events live layer; a nil feed
// shows none.
type feedEvents struct{ feed *dispatch.Feed }

var _ tiles.LiveLayer = feedEvents{}

// Rule shows events at every zoom. TileJSON lists the attributes every client relies on (the
// style ages events by reported and finds them overdue by deadline, both Unix seconds, 0 for
// none); the department, priority and grid come on top.
func (feedEvents) Rule() tiles.Rule {
	return tiles.Rule{Set: tiles.SetEvents, Layer: tiles.LayerEvents, Kind: "event",
		MinZoom: tiles.MinZoom, MaxZoom: tiles.MaxZoom, Attrs: []string{"id", "class", "status", "reported", "deadline"}}
}

func (f feedEvents) In(b orb.Bound, fn func(tiles.LiveFeature) bool) {
	if f.feed == nil {
		return
	}
	f.feed.OpenIn(b, func(e data.Event) bool {
		return fn(tiles.LiveFeature{ID: tiles.FeatureID(e.ID), Point: e.Point, Tags: []tiles.Tag{
			tiles.Str("id", e.ID), tiles.Str("class", e.Class.Code), tiles.Str("status", string(e.Status)),
			tiles.Str("department", e.Department.Name), tiles.Int("priority", int64(e.Priority)), tiles.Str("grid", e.Grid),
			tiles.Int("reported", unixOrZero(e.Reported)), tiles.Int("deadline", unixOrZero(e.Deadline)),
		}})
	})
}

// unixOrZero is t in Unix seconds, 0 for the zero time.
func unixOrZero(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix()
}
