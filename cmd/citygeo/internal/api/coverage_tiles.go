package api

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/paulmach/orb"

	"citygeo/city"
	"citygeo/field"
	"citygeo/tiles"
)

// coverageRefresh is how old the coverage live set may get: a pass takes minutes to walk, and a
// day's coverage of every patroller costs up to seconds, so once a minute is both fresh enough
// for the wall and cheap.
const coverageRefresh = time.Minute

// liveCoverage shows today's coverage of the road network by every patroller as the coverage
// live set: a line per segment with its passes summed over everyone, its target and status.
// Roads, not people: the set carries no personal data. A nil force shows every segment as not
// covered.
type liveCoverage struct {
	s *Server
	f *field.Force

	mu   sync.Mutex
	at   time.Time      // when g was computed
	snap *city.Snapshot // the version g is for
	net  *field.Network
	g    field.GroupCoverage
}

var _ tiles.LiveLayer = (*liveCoverage)(nil)

// Rule shows coverage from z12, where a district's roads are apart.
func (*liveCoverage) Rule() tiles.Rule {
	return tiles.Rule{Set: tiles.SetCoverage, Layer: tiles.LayerCoverage, Kind: "segment", MinZoom: 12, MaxZoom: tiles.MaxZoom,
		Attrs: []string{"road", "class", "part", "passes", "target", "status"}}
}

func (l *liveCoverage) In(b orb.Bound, fn func(tiles.LiveFeature) bool) {
	net, g := l.current()
	if net == nil {
		return
	}
	for _, sc := range g.Segments {
		line := net.Segments[sc.Segment].Line
		if !line.Bound().Intersects(b) {
			continue
		}
		tags := []tiles.Tag{tiles.Str("road", sc.Road), tiles.Str("class", string(sc.Class)), tiles.Int("part", int64(sc.Part)),
			tiles.Int("passes", int64(sc.Passes)), tiles.Int("target", int64(sc.Target)), tiles.Str("status", sc.Status)}
		if !fn(tiles.LiveFeature{ID: tiles.FeatureID(fmt.Sprintf("coverage:%d", sc.Segment)), Shape: line, Tags: tags}) {
			return
		}
	}
}

// current returns today's coverage of the version served, computing it when it is older than
// coverageRefresh or of another version. Requests wait for one computation rather than each
// running their own.
func (l *liveCoverage) current() (*field.Network, field.GroupCoverage) {
	snap := l.s.city.Current()
	if snap == nil {
		return nil, field.GroupCoverage{}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	now := time.Now()
	if l.snap == snap && now.Sub(l.at) < coverageRefresh {
		return l.net, l.g
	}
	net := l.s.nets.of(snap)
	all := make([]int, len(net.Segments))
	for i := range all {
		all[i] = i
	}
	var people []field.PersonCoverage
	if l.f != nil {
		from, to := field.Day(l.f.Options().Now())
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		var err error
		people, err = l.f.Coverage(ctx, net, coverageDevices(l.f, "", ""), from, to, field.CoverageOptions{})
		cancel()
		if err != nil {
			// Keep showing the last answer of this version, or nothing: a network with nothing
			// covered would claim what is not known.
			l.s.log.Error("coverage tiles", "err", err)
			if l.snap == snap {
				return l.net, l.g
			}
			return nil, field.GroupCoverage{}
		}
	}
	l.snap, l.at, l.net = snap, now, net
	l.g = field.Totals(net, "city", "", people, all, field.CoverageOptions{})
	return l.net, l.g
}
