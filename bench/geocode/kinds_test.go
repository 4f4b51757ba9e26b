package main

import (
	"slices"
	"testing"

	"citygeo/data"
	"citygeo/gazetteer"

	"github.com/paulmach/orb"
)

// TestMissCauses checks the breakdown of held-out misses: by the row's kind (a road number
// with an indexed number of its street within 30 m, a lane none of whose numbers is indexed)
// and the answer's (level, reason), each miss in the band of how far off it landed, hits left
// out, the cause with most misses first.
func TestMissCauses(t *testing.T) {
	p := orb.Point{121.5, 25.0}
	near := orb.Point{121.5001, 25.0} // 10 m east
	road := func(n int, lane string, pt orb.Point) Row {
		return Row{Point: pt, Addr: &data.Address{Road: "樂業街", Lane: lane, Number: n, Point: pt}}
	}
	indexed := []Row{road(2, "", p)}
	interp := CellKey{gazetteer.LevelHouse, gazetteer.ReasonInterpolated}
	lane := CellKey{gazetteer.LevelRoad, gazetteer.ReasonLaneRule}
	cases := []struct {
		name    string
		results []Result
		want    []MissCause
	}{
		{"no miss", []Result{{Want: road(4, "", near), Level: interp.Level, Reason: interp.Reason, Distance: 30}}, nil},
		{"bands and order", []Result{
			{Want: road(5, "9巷", near), Level: lane.Level, Reason: lane.Reason, Distance: 500},
			{Want: road(4, "", near), Level: interp.Level, Reason: interp.Reason, Distance: 40},
			{Want: road(6, "", near), Level: interp.Level, Reason: interp.Reason, Distance: 120},
			{Want: road(8, "", near), Level: interp.Level, Reason: interp.Reason, Distance: 12},
		}, []MissCause{
			{Kind: KindOther, Cell: interp, Bands: [4]int{1, 0, 1, 0}},
			{Kind: KindLaneUnknown, Cell: lane, Bands: [4]int{0, 0, 0, 1}},
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rep := &Report{Results: c.results}
			rep.Label(indexed)
			got := MissCauses(rep)
			if !slices.Equal(got, c.want) {
				t.Errorf("MissCauses = %+v, want %+v", got, c.want)
			}
		})
	}
}
