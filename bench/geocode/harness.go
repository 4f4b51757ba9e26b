package main

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"citygeo/data"
	"citygeo/gazetteer"

	"github.com/longbridgeapp/opencc"
	"github.com/paulmach/orb"
	orbgeo "github.com/paulmach/orb/geo"
)

// Result is the outcome of one query.
type Result struct {
	Query    string
	Want     Row
	Level    gazetteer.Level
	Reason   gazetteer.Reason
	Score    float64
	Matched  string    // what the answer says it matched
	Distance float64   // metres; +Inf when nothing was found
	Point    orb.Point // the answer's point
	Exact    bool      // an indexed 门牌 matched on number and suffix (score 1, not interpolated)
	// Dishonest: the answer claims an exact 门牌 (level 门牌号, no reason) whose number is not
	// the one asked.
	Dishonest bool
	// Kind is what makes the row hard given the rows the index held (kinds.go; "" until
	// Report.Label, and for a row without an address).
	Kind string
	// Gap is how many numbers apart the two indexed numbers that bracket the row lie, and
	// LineOff how far (metres) the straight line between them puts it (brackets.go; Gap 0
	// until Report.Label, and for a row not bracketed).
	Gap     int
	LineOff float64
}

// Cell is the tally of the answers of one (level, reason).
type Cell struct {
	N      int
	Within [3]int // within Thresholds
}

// count adds one answer d metres off to c.
func (c *Cell) count(d float64) {
	c.N++
	for i, t := range Thresholds {
		if d <= t {
			c.Within[i]++
		}
	}
}

// Share returns the share of the cell's answers within Thresholds[i].
func (c *Cell) Share(i int) float64 { return frac(c.Within[i], c.N) }

// CellKey names a (level, reason) pair.
type CellKey struct {
	Level  gazetteer.Level
	Reason gazetteer.Reason
}

func (k CellKey) String() string {
	if k.Reason == "" {
		return string(k.Level) + "/exact"
	}
	return string(k.Level) + "/" + string(k.Reason)
}

// Report sums up one pass over a set of queries.
type Report struct {
	Name      string
	N         int
	Within    [3]int // within 10, 30, 100 m
	Exact     int
	Found     int
	Dishonest int
	ByLevel   map[gazetteer.Level]int
	Cells     map[CellKey]*Cell
	Results   []Result
}

// Thresholds are the radii Report.Within counts.
var Thresholds = [3]float64{10, 30, 100}

// Share returns the share of queries within Thresholds[i].
func (r *Report) Share(i int) float64 { return frac(r.Within[i], r.N) }

// ExactShare returns the share of exact 门牌 matches.
func (r *Report) ExactShare() float64 { return frac(r.Exact, r.N) }

func frac(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// Evaluate geocodes each query and compares the best candidate with the row's point.
func Evaluate(name string, ix *gazetteer.Index, rows []Row, variant func(string) string) *Report {
	rep := &Report{Name: name, ByLevel: map[gazetteer.Level]int{}, Cells: map[CellKey]*Cell{}}
	for _, r := range rows {
		q := r.Query
		if variant != nil {
			q = variant(q)
		}
		res := Result{Query: q, Want: r, Distance: math.Inf(1)}
		if cs := ix.Geocode(q, gazetteer.Query{}); len(cs) > 0 {
			c := cs[0]
			res.Level, res.Reason, res.Score, res.Matched = c.Level, c.Reason, c.Score, c.Matched
			res.Distance = orbgeo.Distance(c.Point, r.Point)
			res.Point = c.Point
			res.Exact = c.Level == gazetteer.LevelHouse && c.Reason == gazetteer.ReasonExact
			res.Dishonest = res.Exact && r.Addr != nil && !sameNumber(c.Matched, r.Addr)
			rep.Found++
			rep.ByLevel[c.Level]++
			k := CellKey{c.Level, c.Reason}
			if rep.Cells[k] == nil {
				rep.Cells[k] = &Cell{}
			}
			rep.Cells[k].count(res.Distance)
		}
		rep.N++
		for i, t := range Thresholds {
			if res.Distance <= t {
				rep.Within[i]++
			}
		}
		if res.Exact {
			rep.Exact++
		}
		if res.Dishonest {
			rep.Dishonest++
		}
		rep.Results = append(rep.Results, res)
	}
	return rep
}

// Pool returns one report of the answers of reps: the held-out readings of a cross-validation's
// folds, which together geocode every row once.
func Pool(name string, reps []*Report) *Report {
	out := &Report{Name: name, ByLevel: map[gazetteer.Level]int{}, Cells: map[CellKey]*Cell{}}
	for _, r := range reps {
		out.merge(r)
	}
	return out
}

// sameNumber reports whether the 门牌 an answer names carries the row's number and suffix.
// Both are read by the parser, so 16-1號 and 16之1號 compare equal as the gazetteer treats them.
func sameNumber(matched string, a *data.Address) bool {
	got, ok := gazetteer.Parse(matched).First(gazetteer.KindNumber)
	if !ok {
		return false
	}
	want, ok := gazetteer.Parse(numberText(a)).First(gazetteer.KindNumber)
	return ok && got.Num == want.Num && got.Suffix == want.Suffix
}

// numberText spells a row's number as an address would: 12号, 甲12号, 12之3号, 12號之3 (the
// last when the row's full address writes it so, whatever its suffix field says).
func numberText(a *data.Address) string {
	n := strconv.Itoa(a.Number)
	switch s := a.Suffix; {
	case strings.HasPrefix(s, "號之"), strings.HasPrefix(s, "号之"):
		return "路" + n + s
	case strings.HasPrefix(s, "之") && (strings.Contains(a.Full, n+"號"+s) || strings.Contains(a.Full, n+"号"+s)):
		return "路" + n + "号" + s
	case strings.HasPrefix(s, "之"), strings.HasPrefix(s, "-"):
		return "路" + n + s + "号"
	default:
		return "路" + s + n + "号"
	}
}

// Print writes the report, with its (level, reason) cells when cells is set, and its worst
// misses.
func (r *Report) Print(w io.Writer, worst int, cells bool) {
	fmt.Fprintf(w, "%-34s n=%5d found=%5.1f%% ≤10m=%5.1f%% ≤30m=%5.1f%% ≤100m=%5.1f%% exact=%5.1f%%\n",
		r.Name, r.N, 100*frac(r.Found, r.N), 100*r.Share(0), 100*r.Share(1), 100*r.Share(2), 100*r.ExactShare())
	levels := make([]string, 0, len(r.ByLevel))
	for l, n := range r.ByLevel {
		levels = append(levels, fmt.Sprintf("%s %d", l, n))
	}
	slices.Sort(levels)
	fmt.Fprintf(w, "    by level: %s\n", strings.Join(levels, ", "))
	fmt.Fprintf(w, "    honesty: %d answers at 门牌号 whose number is not the one asked, unflagged\n", r.Dishonest)
	keys := make([]CellKey, 0, len(r.Cells))
	for k := range r.Cells {
		if cells {
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, func(a, b CellKey) int { return strings.Compare(a.String(), b.String()) })
	for _, k := range keys {
		c := r.Cells[k]
		fmt.Fprintf(w, "    %-26s n=%5d ≤10m=%5.1f%% ≤30m=%5.1f%% ≤100m=%5.1f%%\n", k, c.N, 100*c.Share(0), 100*c.Share(1), 100*c.Share(2))
	}
	res := slices.Clone(r.Results)
	slices.SortFunc(res, func(a, b Result) int { return cmpFloat(b.Distance, a.Distance) })
	for _, x := range res[:min(worst, len(res))] {
		if x.Distance <= Thresholds[1] {
			break
		}
		fmt.Fprintf(w, "    miss %8.0f m  %-8s %-14s %.2f  %s → %s\n", x.Distance, x.Level, x.Reason, x.Score, x.Query, x.Matched)
	}
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Variant is a named way of making a query noisy.
type Variant struct {
	Name string
	Fn   func(string) string
}

// Variants returns the noise applied to the queries (geocode.md §4): admin prefix dropped,
// numerals in Chinese, simplified characters, 附近 added, full-width digits and spaces, one
// rune of the road name wrong.
func Variants() ([]Variant, error) {
	t2s, err := opencc.New("t2s")
	if err != nil {
		return nil, fmt.Errorf("opencc t2s: %w", err)
	}
	s2t, err := opencc.New("s2t")
	if err != nil {
		return nil, fmt.Errorf("opencc s2t: %w", err)
	}
	convert := func(c *opencc.OpenCC) func(string) string {
		return func(s string) string {
			out, err := c.Convert(s)
			if err != nil {
				return s
			}
			return out
		}
	}
	return []Variant{
		{"drop city", trimAdmin},
		{"chinese numerals", chineseNumerals},
		{"simplified", convert(t2s)},
		{"traditional", convert(s2t)},
		{"栋 → 幢/号楼", func(s string) string {
			return strings.NewReplacer("1栋", "1号楼", "3栋", "3号楼", "栋", "幢").Replace(s)
		}},
		{"add 附近", func(s string) string { return s + "附近" }},
		{"full width + spaces", fullWidth},
		{"typo in road name", typo},
	}, nil
}

// chineseNumerals writes every arabic number before 號/巷/弄 in Chinese (37號 → 三十七號).
func chineseNumerals(s string) string {
	rs := []rune(s)
	var b strings.Builder
	for i := 0; i < len(rs); {
		if rs[i] < '0' || rs[i] > '9' {
			b.WriteRune(rs[i])
			i++
			continue
		}
		j := i
		for j < len(rs) && rs[j] >= '0' && rs[j] <= '9' {
			j++
		}
		num := string(rs[i:j])
		if j < len(rs) && strings.ContainsRune("號号巷弄段栋", rs[j]) {
			b.WriteString(hanNumber(num))
		} else {
			b.WriteString(num)
		}
		i = j
	}
	return b.String()
}

var hanDigits = []rune("零一二三四五六七八九")

// hanNumber spells 0–9999 positionally (一百二十三), larger numbers digit by digit.
func hanNumber(num string) string {
	n := 0
	for _, c := range num {
		n = n*10 + int(c-'0')
	}
	if n >= 10000 || len(num) > 4 {
		var b strings.Builder
		for _, c := range num {
			b.WriteRune(hanDigits[c-'0'])
		}
		return b.String()
	}
	if n == 0 {
		return "零"
	}
	units := []string{"千", "百", "十", ""}
	div := []int{1000, 100, 10, 1}
	var b strings.Builder
	zero := false
	for k, d := range div {
		q := n / d % 10
		switch {
		case q == 0:
			if b.Len() > 0 {
				zero = true
			}
		default:
			if zero {
				b.WriteRune('零')
				zero = false
			}
			if !(q == 1 && d == 10 && b.Len() == 0) {
				b.WriteRune(hanDigits[q])
			}
			b.WriteString(units[k])
		}
	}
	return b.String()
}

func fullWidth(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			r = r - '0' + '０'
		}
		b.WriteRune(r)
		if r == '區' || r == '市' {
			b.WriteRune(' ')
		}
	}
	return b.String()
}

// typo replaces the rune before the first 路/街 with 口 (a wrong character in the road name).
func typo(s string) string {
	rs := []rune(s)
	for i := 1; i < len(rs); i++ {
		if (rs[i] == '路' || rs[i] == '街') && i >= 2 {
			// Change the first rune of the name proper, keeping the suffix intact.
			k := i - 1
			if utf8.RuneLen(rs[k]) == 3 {
				rs[k] = '口'
			}
			return string(rs)
		}
	}
	return s
}
