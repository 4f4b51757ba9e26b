package dispatch

import (
	"fmt"
	"sort"
	"time"

	"citygeo/data"
)

// StatsBy is the area level statistics are grouped by.
type StatsBy string

// The levels /v1/stats groups by.
const (
	ByGrid      StatsBy = "grid"
	ByCommunity StatsBy = "community"
	ByStreet    StatsBy = "street"
)

// ParseStatsBy checks a grouping level ("" is street).
func ParseStatsBy(s string) (StatsBy, error) {
	switch StatsBy(s) {
	case "":
		return ByStreet, nil
	case ByGrid, ByCommunity, ByStreet:
		return StatsBy(s), nil
	}
	return "", inputErr("by", ErrBadInput, fmt.Sprintf("%q: want grid, community or street", s))
}

// StatsQuery selects events for the 综合评价 counts. Class, when set, matches its own code and,
// for a major, every minor under it.
type StatsQuery struct {
	By       StatsBy
	From, To time.Time // [From, To); zero means open-ended
	Class    *data.ClassRef
	Now      time.Time // for open events past their deadline
}

// StatsRow is one area's counts: events reported in the period, those of them closed (so far),
// and those of them overdue (closed after the deadline, or open past it at Now).
type StatsRow struct {
	Area     string `json:"area"`
	Reported int    `json:"reported"`
	Closed   int    `json:"closed"`
	Overdue  int    `json:"overdue"`
}

// Stats counts events per area, sorted by area code. Events without a code at the level are
// counted under "".
func (f *Feed) Stats(q StatsQuery) []StatsRow {
	rows := map[string]*StatsRow{}
	f.Each(func(e *data.Event) bool {
		if (!q.From.IsZero() && e.Reported.Before(q.From)) || (!q.To.IsZero() && !e.Reported.Before(q.To)) {
			return true
		}
		if q.Class != nil && !classMatches(*q.Class, e.Class) {
			return true
		}
		var area string
		switch q.By {
		case ByGrid:
			area = e.Grid
		case ByCommunity:
			area = e.Community
		default:
			area = e.Street
		}
		r := rows[area]
		if r == nil {
			r = &StatsRow{Area: area}
			rows[area] = r
		}
		r.Reported++
		if !e.IsOpen() {
			r.Closed++
		}
		if e.Overdue(q.Now) {
			r.Overdue++
		}
		return true
	})
	out := make([]StatsRow, 0, len(rows))
	for _, r := range rows {
		out = append(out, *r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Area < out[j].Area })
	return out
}

func classMatches(want, got data.ClassRef) bool {
	if want.Scheme != got.Scheme || want.Kind != got.Kind {
		return false
	}
	if want.IsMajor() {
		return got.Major() == want.Code
	}
	return got.Code == want.Code
}
