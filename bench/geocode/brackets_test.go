package main

import (
	"math"
	"testing"

	"citygeo/data"

	"github.com/paulmach/orb"
	orbgeo "github.com/paulmach/orb/geo"
)

// TestBracket checks the neighbours' line: a number is placed in proportion between the
// nearest indexed numbers of its parity below and above, qualified numbers neither placed
// nor placing, and a number with no such pair on both sides left out.
func TestBracket(t *testing.T) {
	at := func(m float64) orb.Point { return orb.Point{121.5 + m/100900, 25.0} } // ~m metres east
	row := func(n int, suffix string, m float64) Row {
		return Row{Point: at(m), Addr: &data.Address{Road: "樂業街", Number: n, Suffix: suffix, Point: at(m)}}
	}
	street := []Row{row(1, "", 0), row(9, "", 80), row(7, "之1", 500), row(4, "", 900), row(13, "", 120)}
	cases := []struct {
		name    string
		r       Row
		gap     int
		lineOff float64 // metres, ±1
		ok      bool
	}{
		{"on the line", row(5, "", 40), 8, 0, true},
		{"off the line", row(3, "", 50), 8, 30, true},
		{"the nearest pair", row(11, "", 100), 4, 0, true},
		{"a qualified number is not placed", row(5, "之2", 40), 0, 0, false},
		{"a qualified neighbour does not place", row(7, "", 60), 8, 0, true},
		{"no number of its parity below", row(2, "", 0), 0, 0, false},
		{"none above", row(15, "", 140), 0, 0, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			gap, off, ok := bracket(c.r, street)
			if ok != c.ok || gap != c.gap || math.Abs(off-c.lineOff) > 1 {
				t.Errorf("bracket = %d, %.1f m, %v; want %d, %.0f m, %v", gap, off, ok, c.gap, c.lineOff, c.ok)
			}
		})
	}
	if d := orbgeo.Distance(at(0), at(100)); math.Abs(d-100) > 1 {
		t.Fatalf("the test's metres are %.1f m", d)
	}
}

// TestBrackets checks the tally by band: a held-out report, labelled, counts the neighbours'
// line and the answers of its bracketed rows in the band of their pair's gap.
func TestBrackets(t *testing.T) {
	at := func(m float64) orb.Point { return orb.Point{121.5 + m/100900, 25.0} }
	row := func(n int, m float64) Row {
		return Row{Point: at(m), Addr: &data.Address{Road: "樂業街", Number: n, Point: at(m)}}
	}
	indexed := []Row{row(2, 0), row(6, 40), row(40, 400)}
	rep := &Report{Results: []Result{
		{Want: row(4, 20), Distance: 5},    // 2–6: 4 apart, on the line
		{Want: row(20, 250), Distance: 50}, // 6–40: 34 apart, the line 62 m off
		{Want: row(41, 410), Distance: 5},  // odd: not bracketed
	}}
	rep.Label(indexed)
	got := Brackets(rep)
	want := []BracketBand{
		{Max: 4, Line: Cell{N: 1, Within: [3]int{1, 1, 1}}, Ours: Cell{N: 1, Within: [3]int{1, 1, 1}}},
		{Max: 10},
		{Max: 30},
		{Max: math.MaxInt, Line: Cell{N: 1, Within: [3]int{0, 0, 1}}, Ours: Cell{N: 1, Within: [3]int{0, 0, 1}}},
	}
	if len(got) != len(want) {
		t.Fatalf("Brackets = %+v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("band %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}
