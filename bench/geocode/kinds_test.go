package main

import (
	"math"
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

// TestKinds checks the tally by kind: rows, misses (farther than 30 m, or not found) and the
// median metres off of the kind and of its misses.
func TestKinds(t *testing.T) {
	p := orb.Point{121.5, 25.0}
	row := func(n int, lane string) Row {
		return Row{Point: p, Addr: &data.Address{Road: "樂業街", Lane: lane, Number: n, Point: p}}
	}
	indexed := []Row{row(2, "")}
	cases := []struct {
		name string
		dist []float64 // metres off of road numbers 4, 6, 8 …
		want KindCount
	}{
		{"all hits", []float64{5, 10, 20}, KindCount{N: 3, Median: 10}},
		{"misses", []float64{5, 40, 120, 60}, KindCount{N: 4, Missed: 3, Median: 60, MissMed: 60}},
		{"not found", []float64{math.Inf(1), 50, math.Inf(1)}, KindCount{N: 3, Missed: 3, Median: math.Inf(1), MissMed: math.Inf(1)}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rep := &Report{}
			for i, d := range c.dist {
				rep.Results = append(rep.Results, Result{Want: row(4+2*i, ""), Distance: d})
			}
			rep.Label(indexed)
			got := Kinds(rep)[KindOther]
			if got == nil || *got != c.want {
				t.Errorf("Kinds = %+v, want %+v", got, c.want)
			}
		})
	}
}
