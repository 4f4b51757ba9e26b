package field_test

import (
	"fmt"
	"testing"

	"github.com/paulmach/orb"

	"citygeo/field"
)

// TestTotals: a group's passes are summed over its members, a listed segment nobody passed is
// not covered, and Within assigns a segment to the zone its middle lies in.
func TestTotals(t *testing.T) {
	n, at := cross()
	seg := map[string]int{} // road/part → segment index
	for _, s := range n.Segments {
		seg[fmt.Sprintf("%s/%d", s.Road.Name, s.Part)] = s.ID
	}
	west, east := seg["深南东路/0"], seg["深南东路/1"]
	south, north := seg["和平路/0"], seg["和平路/1"]
	person := func(dev string, passes map[int]int) field.PersonCoverage {
		pc := field.PersonCoverage{Device: dev}
		for s, k := range passes {
			pc.Segments = append(pc.Segments, field.SegmentCoverage{Segment: s, Passes: k})
		}
		return pc
	}
	team := []field.PersonCoverage{person("a", map[int]int{west: 3, east: 1}), person("b", map[int]int{west: 2, south: 1})}
	// A zone from 300 m west to 10 m east of the crossing: it holds the arterial's west half
	// and, by their middles (on x = 0), both halves of the branch, but not the arterial's east
	// half, whose middle is 100 m east.
	westZone := []orb.Polygon{{{at(-300, -300), at(10, -300), at(10, 300), at(-300, 300), at(-300, -300)}}}
	for _, tc := range []struct {
		name   string
		within []int
		want   map[int]string // segment → status
		counts [3]int         // covered, short, not covered
	}{
		{"the segments the team passed", nil,
			map[int]string{west: field.Covered, east: field.Short, south: field.Short}, [3]int{1, 2, 0}},
		{"a zone's segments, passed or not", n.Within(westZone),
			map[int]string{west: field.Covered, south: field.Short, north: field.NotCovered}, [3]int{1, 1, 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := field.Totals(n, "T1", "东门中队", team, tc.within, field.CoverageOptions{})
			got := map[int]string{}
			for _, sc := range g.Segments {
				got[sc.Segment] = sc.Status
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("statuses %v, want %v", got, tc.want)
			}
			if c := [3]int{g.Covered, g.Short, g.NotCovered}; c != tc.counts {
				t.Errorf("covered/short/not covered %v, want %v", c, tc.counts)
			}
			if fmt.Sprint(g.People) != "[a b]" {
				t.Errorf("people %v", g.People)
			}
		})
	}
	if g := field.Totals(n, "T1", "", team, nil, field.CoverageOptions{}); g.Segments[0].Passes != 5 || g.Done != n.Segments[west].Length {
		t.Errorf("west half: %d passes summed (want 5), covered length %.0f m", g.Segments[0].Passes, g.Done)
	}
}
