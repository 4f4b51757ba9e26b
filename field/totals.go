package field

import (
	"slices"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// NotCovered is the status of a segment a group was to patrol and nobody passed.
const NotCovered = "not_covered"

// GroupCoverage is the coverage of a day by a group of people — a team, or everyone who
// patrolled a zone: each segment's passes summed over the group's members (a plan's "five
// passes a day" asks it of the road, not of each patroller), against its class's target.
type GroupCoverage struct {
	Group      string            `json:"group"` // the team's or the zone's id
	Name       string            `json:"name,omitempty"`
	People     []string          `json:"people"` // the devices whose tracks count, in the order given
	Covered    int               `json:"covered"`
	Short      int               `json:"short"`
	NotCovered int               `json:"not_covered"`
	Length     float64           `json:"length_m"`         // of the segments listed
	Done       float64           `json:"covered_length_m"` // of the covered ones
	Segments   []SegmentCoverage `json:"segments"`
}

// Totals sums the coverage of people over the segments of n listed in within (nil: the
// segments any of them passed), in segment order. A listed segment nobody passed is
// NotCovered; one passed fewer times in all than its class's target is Short.
func Totals(n *Network, group, name string, people []PersonCoverage, within []int, opts CoverageOptions) GroupCoverage {
	o := opts.withDefaults()
	g := GroupCoverage{Group: group, Name: name, People: make([]string, 0, len(people)), Segments: []SegmentCoverage{}}
	passes := map[int]int{}
	for _, p := range people {
		g.People = append(g.People, p.Device)
		for _, sc := range p.Segments {
			passes[sc.Segment] += sc.Passes
		}
	}
	if within == nil {
		for seg := range passes {
			within = append(within, seg)
		}
	}
	within = slices.Clone(within)
	slices.Sort(within)
	for _, seg := range slices.Compact(within) {
		s := &n.Segments[seg]
		sc := SegmentCoverage{Segment: seg, Road: s.Road.Name, Class: s.Road.Class, Part: s.Part, Length: s.Length,
			Passes: passes[seg], Target: o.Targets[s.Road.Class]}
		switch {
		case sc.Passes == 0:
			sc.Status = NotCovered
			g.NotCovered++
		case sc.Passes < sc.Target:
			sc.Status = Short
			g.Short++
		default:
			sc.Status = Covered
			g.Covered++
			g.Done += s.Length
		}
		g.Length += s.Length
		g.Segments = append(g.Segments, sc)
	}
	return g
}

// Within returns the segments of n whose midpoint (half their length along them) lies in one
// of polys: the segments of a zone made of unit grids. A segment on a zone's border belongs to
// the zone its middle is in, so neighbouring zones never both claim it.
func (n *Network) Within(polys []orb.Polygon) []int {
	var out []int
	var b orb.Bound
	for i, p := range polys {
		if i == 0 {
			b = p.Bound()
		} else {
			b = b.Union(p.Bound())
		}
	}
	if len(polys) == 0 {
		return out
	}
	for i := range n.Segments {
		s := &n.Segments[i]
		if !s.Line.Bound().Intersects(b) {
			continue
		}
		mid := n.along(s, s.Length/2)
		for _, p := range polys {
			if p.Bound().Contains(mid) && planar.PolygonContains(p, mid) {
				out = append(out, i)
				break
			}
		}
	}
	return out
}

// along returns the point m metres along s from its start (its end when m is past it).
func (n *Network) along(s *Segment, m float64) orb.Point {
	for i := 0; i+1 < len(s.Line); i++ {
		a, b := s.Line[i], s.Line[i+1]
		d := n.Plane.Distance(a, b)
		if m <= d && d > 0 {
			f := m / d
			return orb.Point{a[0] + f*(b[0]-a[0]), a[1] + f*(b[1]-a[1])}
		}
		m -= d
	}
	return s.Line[len(s.Line)-1]
}
