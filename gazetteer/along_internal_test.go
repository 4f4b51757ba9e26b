package gazetteer

import (
	"testing"

	"github.com/paulmach/orb"
)

func TestJoinLines(t *testing.T) {
	a := orb.LineString{{0, 0}, {1, 0}}
	b := orb.LineString{{1, 0}, {2, 0}}
	bRev := orb.LineString{{2, 0}, {1, 0}}
	c := orb.LineString{{3, 0}, {2, 0}}
	back := orb.LineString{{1, 0}, {0.5, 0.0001}} // the other carriageway, from the same node
	for _, tc := range []struct {
		name  string
		in    []orb.LineString
		lines int
		first orb.LineString
	}{
		{"in order", []orb.LineString{a, b}, 1, orb.LineString{{0, 0}, {1, 0}, {2, 0}}},
		{"reversed piece", []orb.LineString{a, bRev, c}, 1, orb.LineString{{0, 0}, {1, 0}, {2, 0}, {3, 0}}},
		{"piece before", []orb.LineString{b, a}, 1, orb.LineString{{0, 0}, {1, 0}, {2, 0}}},
		{"apart", []orb.LineString{a, c}, 2, a},
		{"turning back", []orb.LineString{a, back}, 2, a},
	} {
		got := joinLines(tc.in)
		if len(got) != tc.lines || !orb.Equal(got[0], tc.first) {
			t.Errorf("%s: %v, want %d lines starting %v", tc.name, got, tc.lines, tc.first)
		}
	}
	if !orb.Equal(a, orb.LineString{{0, 0}, {1, 0}}) || !orb.Equal(bRev, orb.LineString{{2, 0}, {1, 0}}) {
		t.Error("joinLines modified its input")
	}
}
