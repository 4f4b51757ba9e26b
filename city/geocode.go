package city

import (
	"citygeo/data"
	"citygeo/duty"
	"citygeo/gazetteer"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// Geocode answers an address query against the snapshot: the gazetteer's ranked candidates,
// and first, when the query names a stretch of road between two ends (人民路（友谊桥至和平桥）,
// 跃龙路人民路至青年路段), that stretch at level 道路区段 with its line, resolved as the duty
// lists resolve their segments. The gazetteer parses segment texts but must not know duty (it
// sits below it); the city, which holds both, is where the two meet. A segment text that does
// not resolve (an end not on the road) leaves the gazetteer's answers alone: the road, flagged
// as it is.
func (s *Snapshot) Geocode(q string, opt gazetteer.Query) []gazetteer.Candidate {
	out := s.Addresses().Geocode(q, opt)
	if _, ok := gazetteer.SegmentQuery(q); !ok {
		return out
	}
	seg, err := duty.ResolveSegment(s.DutyCity(), q, duty.Options{})
	if err != nil || len(seg.Line) == 0 {
		return out
	}
	mid := middle(seg.Line)
	c := gazetteer.Candidate{Point: mid, Line: seg.Line, Level: gazetteer.LevelSegment,
		Score: gazetteer.Score(gazetteer.LevelSegment, gazetteer.ReasonExact), Asked: q, Matched: segmentName(seg),
		Street: seg.RoadName, Place: s.Gazetteer.PlaceOf(mid)}
	c.Address = c.Matched
	if len(out) > 0 {
		c.Elements = out[0].Elements
	}
	limit := max(opt.Limit, gazetteer.DefaultLimit)
	out = append([]gazetteer.Candidate{c}, out...)
	return out[:min(len(out), limit)]
}

// segmentName spells a resolved segment as a duty list would: 人民路（友谊桥至和平桥）东侧.
func segmentName(seg *duty.Segment) string {
	n := seg.RoadName
	if seg.From != "" || seg.To != "" {
		n += "（" + seg.From + "至" + seg.To + "）"
	}
	if seg.Side != data.SideBoth {
		n += seg.Side.Chinese()
	}
	return n
}

// middle returns the point halfway along the longest line of ml (planar lengths in degrees
// are enough to pick the line and the half at city scale).
func middle(ml orb.MultiLineString) orb.Point {
	var best orb.LineString
	bestLen := -1.0
	for _, l := range ml {
		if n := planar.Length(l); n > bestLen {
			best, bestLen = l, n
		}
	}
	if len(best) == 0 {
		return orb.Point{}
	}
	half := bestLen / 2
	for i := 1; i < len(best); i++ {
		d := planar.Distance(best[i-1], best[i])
		if half <= d && d > 0 {
			t := half / d
			return orb.Point{best[i-1][0] + t*(best[i][0]-best[i-1][0]), best[i-1][1] + t*(best[i][1]-best[i-1][1])}
		}
		half -= d
	}
	return best[len(best)-1]
}
