package main

import (
	"fmt"
	"io"
	"math"

	"github.com/paulmach/orb"
	orbgeo "github.com/paulmach/orb/geo"
)

// The neighbours' line is where a held-out number would be put by the plainest interpolation
// there is: on the straight line between the two indexed numbers of its street that bracket it
// (the nearest below and above, of its parity, neither qualified), in proportion to its
// number. It needs no rule and no geometry, so how often it lands near the truth is what the
// indexed points themselves allow, their own noise included (Taipei's are facility addresses
// the city geocoded, 10–30 m off by its README): a share the geocoder's answers on the same
// rows can be read against, by how far apart the two bracketing numbers are.

// bracketBands are the upper bounds of the gaps (in numbers, between the bracketing pair) the
// neighbours' line is tallied by: next-door numbers, a block, a long block, farther.
var bracketBands = [...]int{4, 10, 30, math.MaxInt}

// BracketBand tallies the held-out rows whose bracketing pair lies at most Max numbers apart
// (and more than the band before): Line counts the neighbours' line within Thresholds, Ours
// the geocoder's answers to the same rows.
type BracketBand struct {
	Max        int
	Line, Ours Cell
}

// bracket returns the gap between the two indexed numbers that bracket r on its street and how
// far (metres) the neighbours' line puts r from its true point; false when r is qualified or
// not bracketed. same is the indexed rows of r's street.
func bracket(r Row, same []Row) (int, float64, bool) {
	a := r.Addr
	if a == nil || a.Suffix != "" {
		return 0, 0, false
	}
	var lo, hi *Row
	for i := range same {
		o := &same[i]
		n := o.Addr.Number
		if o.Addr.Suffix != "" || (n-a.Number)%2 != 0 || n == a.Number {
			continue
		}
		if n < a.Number && (lo == nil || n > lo.Addr.Number) {
			lo = o
		}
		if n > a.Number && (hi == nil || n < hi.Addr.Number) {
			hi = o
		}
	}
	if lo == nil || hi == nil {
		return 0, 0, false
	}
	gap := hi.Addr.Number - lo.Addr.Number
	t := float64(a.Number-lo.Addr.Number) / float64(gap)
	// A straight line in degrees: the pair is at most a few kilometres apart.
	at := orb.Point{lo.Point[0] + t*(hi.Point[0]-lo.Point[0]), lo.Point[1] + t*(hi.Point[1]-lo.Point[1])}
	return gap, orbgeo.Distance(at, r.Point), true
}

// Brackets tallies a labelled held-out report's bracketed rows by bracketBands.
func Brackets(rep *Report) []BracketBand {
	out := make([]BracketBand, len(bracketBands))
	for i, m := range bracketBands {
		out[i].Max = m
	}
	for _, x := range rep.Results {
		if x.Gap == 0 {
			continue
		}
		b := &out[bandOf(x.Gap)]
		b.Line.count(x.LineOff)
		b.Ours.count(x.Distance)
	}
	return out
}

// bandOf returns the index of the bracketBands band gap falls in.
func bandOf(gap int) int {
	for i, m := range bracketBands {
		if gap <= m {
			return i
		}
	}
	return len(bracketBands) - 1
}

// printBrackets writes the neighbours' line against the geocoder's answers, band by band.
func printBrackets(w io.Writer, bands []BracketBand) {
	fmt.Fprintln(w, "    bracketed numbers (an indexed number of the parity on each side): the neighbours' straight line, then our answers, ≤10 / ≤30 / ≤100 m:")
	lo := 0
	for _, b := range bands {
		name := fmt.Sprintf("%d–%d apart", lo+2, b.Max)
		if b.Max == math.MaxInt {
			name = fmt.Sprintf("over %d apart", lo)
		}
		lo = b.Max
		if b.Line.N == 0 {
			continue
		}
		fmt.Fprintf(w, "      %-16s n=%5d  line %5.1f / %5.1f / %5.1f %%   ours %5.1f / %5.1f / %5.1f %%\n", name, b.Line.N,
			100*b.Line.Share(0), 100*b.Line.Share(1), 100*b.Line.Share(2), 100*b.Ours.Share(0), 100*b.Ours.Share(1), 100*b.Ours.Share(2))
	}
}
