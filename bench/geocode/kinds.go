package main

import (
	"cmp"
	"fmt"
	"io"
	"math"
	"slices"

	orbgeo "github.com/paulmach/orb/geo"
)

// The kinds a held-out row falls in, for listing the misses by what makes them hard: a lane (巷
// or 弄: no geometry in OSM) with no indexed number of its own or with some; a qualified number
// (之K, 號之K, 甲 …); a road whose indexed numbers all lie over 30 m from the row (sparse: the
// point must be estimated across a gap); any other.
const (
	KindLaneUnknown = "lane, no number of its own indexed"
	KindLaneKnown   = "lane, some numbers indexed"
	KindQualified   = "qualified number (之K, 號之K, 甲)"
	KindSparseRoad  = "road, no indexed number within 30 m"
	KindOther       = "road, an indexed number within 30 m"
)

// kindOrder is the order Kinds are printed in.
var kindOrder = []string{KindLaneUnknown, KindLaneKnown, KindQualified, KindSparseRoad, KindOther}

// KindCount is how many held-out rows of one kind there are and how many of them were missed
// (answered farther than 30 m from the truth, or not at all), with the median metres off of
// all of them and of the misses: a rule is chosen by how many misses it may move and by how
// far they lie.
type KindCount struct {
	N, Missed       int
	Median, MissMed float64 // metres; +Inf when over half were not found
}

// streetOf names a row's street: road, section, lane and alley.
func streetOf(r Row) [4]string {
	a := r.Addr
	return [4]string{a.Road, a.Section, a.Lane, a.Alley}
}

// streetRows groups the indexed rows by street, for kindOf.
func streetRows(indexed []Row) map[[4]string][]Row {
	byStreet := map[[4]string][]Row{}
	for _, r := range indexed {
		if r.Addr != nil {
			byStreet[streetOf(r)] = append(byStreet[streetOf(r)], r)
		}
	}
	return byStreet
}

// kindOf returns the kind of a held-out row given the indexed rows by street ("" for a row
// without an address).
func kindOf(r Row, byStreet map[[4]string][]Row) string {
	if r.Addr == nil {
		return ""
	}
	same := byStreet[streetOf(r)]
	switch {
	case (r.Addr.Lane != "" || r.Addr.Alley != "") && len(same) == 0:
		return KindLaneUnknown
	case r.Addr.Lane != "" || r.Addr.Alley != "":
		return KindLaneKnown
	case r.Addr.Suffix != "":
		return KindQualified
	}
	for _, o := range same {
		if orbgeo.Distance(o.Point, r.Point) <= Thresholds[1] {
			return KindOther
		}
	}
	return KindSparseRoad
}

// Label gives each result of a held-out report its kind and its neighbours' line
// (brackets.go), given the rows the index held.
func (r *Report) Label(indexed []Row) {
	byStreet := streetRows(indexed)
	for i := range r.Results {
		x := &r.Results[i]
		x.Kind = kindOf(x.Want, byStreet)
		if x.Want.Addr != nil {
			x.Gap, x.LineOff, _ = bracket(x.Want, byStreet[streetOf(x.Want)])
		}
	}
}

// Kinds sorts the results of a labelled held-out report by kind.
func Kinds(rep *Report) map[string]*KindCount {
	all, missed := map[string][]float64{}, map[string][]float64{}
	for _, res := range rep.Results {
		if k := res.Kind; k != "" {
			all[k] = append(all[k], res.Distance)
			if res.Distance > Thresholds[1] {
				missed[k] = append(missed[k], res.Distance)
			}
		}
	}
	out := map[string]*KindCount{}
	for k, ds := range all {
		out[k] = &KindCount{N: len(ds), Missed: len(missed[k]), Median: median(ds), MissMed: median(missed[k])}
	}
	return out
}

// median returns the median of ds (the upper one of an even count; 0 for none). ds is sorted
// in place.
func median(ds []float64) float64 {
	if len(ds) == 0 {
		return 0
	}
	slices.Sort(ds)
	return ds[len(ds)/2]
}

// writeResults writes every result of rep as a tab-separated line: the set, the row's kind,
// level, reason, metres off, the query, what the answer matched, and the true and answered
// points, for reading the misses of a rule by hand.
func writeResults(w io.Writer, set string, rep *Report) {
	for _, x := range rep.Results {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%.0f\t%s\t%s\t%.6f,%.6f\t%.6f,%.6f\n", set, x.Kind,
			x.Level, x.Reason, x.Distance, x.Query, x.Matched, x.Want.Point[0], x.Want.Point[1], x.Point[0], x.Point[1])
	}
}

// printKinds writes the misses by kind, in kindOrder, with their medians.
func printKinds(w io.Writer, kinds map[string]*KindCount) {
	fmt.Fprintln(w, "    misses (> 30 m) by kind, then the median metres off of the kind and of its misses:")
	for _, k := range kindOrder {
		if c := kinds[k]; c != nil {
			fmt.Fprintf(w, "      %-40s %4d of %4d  median %5.0f  misses %5.0f\n", k, c.Missed, c.N, c.Median, c.MissMed)
		}
	}
}

// missBands are the upper bounds (metres) of the bands a miss is counted in by how far off it
// landed: just past 30 m, a block off, a street off, elsewhere.
var missBands = [...]float64{50, 100, 300, math.Inf(1)}

// MissCause counts the held-out misses (answered farther than 30 m from the truth) of one kind
// that one (level, reason) answered, by missBands: which rule answered the rows that are hard
// and how far off it was, the breakdown a new rule is chosen by.
type MissCause struct {
	Kind  string
	Cell  CellKey
	Bands [len(missBands)]int
}

// N returns how many misses the cause counts.
func (c MissCause) N() int {
	n := 0
	for _, b := range c.Bands {
		n += b
	}
	return n
}

// MissCauses tallies the misses of a labelled held-out report by the row's kind and the
// answer's (level, reason), most misses first, then in kindOrder.
func MissCauses(rep *Report) []MissCause {
	at := map[MissCause]int{} // the key's Bands stay zero
	var out []MissCause
	for _, x := range rep.Results {
		if x.Distance <= Thresholds[1] {
			continue
		}
		k := MissCause{Kind: x.Kind, Cell: CellKey{x.Level, x.Reason}}
		i, ok := at[k]
		if !ok {
			i = len(out)
			at[k] = i
			out = append(out, k)
		}
		out[i].Bands[slices.IndexFunc(missBands[:], func(b float64) bool { return x.Distance <= b })]++
	}
	slices.SortStableFunc(out, func(a, b MissCause) int {
		return cmp.Or(cmp.Compare(b.N(), a.N()), cmp.Compare(slices.Index(kindOrder, a.Kind), slices.Index(kindOrder, b.Kind)),
			cmp.Compare(a.Cell.String(), b.Cell.String()))
	})
	return out
}

// printMissCauses writes the misses by kind and answer.
func printMissCauses(w io.Writer, causes []MissCause) {
	fmt.Fprintln(w, "    misses (> 30 m) by kind and answer, then by how far off (≤50 / ≤100 / ≤300 / > 300 m):")
	for _, c := range causes {
		fmt.Fprintf(w, "      %-40s %-26s %4d  %3d / %3d / %3d / %3d\n", c.Kind, c.Cell, c.N(), c.Bands[0], c.Bands[1], c.Bands[2], c.Bands[3])
	}
}
