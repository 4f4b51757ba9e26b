package dispatch

import (
	"encoding/base64"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"citygeo/data"

	"github.com/paulmach/orb"
)

// StatusFilter selects events by status in a query.
type StatusFilter string

// The statuses a query selects.
const (
	StatusOpen   StatusFilter = "open"
	StatusClosed StatusFilter = "closed"
	StatusAll    StatusFilter = "all"
)

// ParseStatusFilter checks a status filter ("" is open).
func ParseStatusFilter(s string) (StatusFilter, error) {
	switch StatusFilter(s) {
	case "":
		return StatusOpen, nil
	case StatusOpen, StatusClosed, StatusAll:
		return StatusFilter(s), nil
	}
	return "", inputErr("status", ErrBadInput, fmt.Sprintf("%q: want open, closed or all", s))
}

// MaxQueryLimit is the most events one page of a query holds.
const MaxQueryLimit = 10000

// EventQuery selects events. Every set field must match. Pages come newest report first (then
// by id, descending), a stable order: After continues from the page before.
type EventQuery struct {
	Status StatusFilter // "": open
	Class  *data.ClassRef
	Grid   string
	Area   string // a district (6 digits), street (9) or community (12) code
	Source string
	// From and To bound the report time, [From, To); zero: open-ended.
	From, To time.Time
	Bound    *orb.Bound // CGCS2000 lon/lat; nil: anywhere
	Limit    int        // 0 or above MaxQueryLimit: MaxQueryLimit
	After    string     // the Next of the page before; "": the first page
}

// EventPage is one page of a query. Next continues it ("" on the last page); Head is the
// change number the page is as of (resume the events stream from it).
type EventPage struct {
	Events []data.Event
	Next   string
	Head   int64
}

// queryCursor is the position after the last event of a page.
type queryCursor struct {
	reported int64
	id       string
}

func (c queryCursor) String() string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(c.reported, 10) + "/" + c.id))
}

func parseQueryCursor(s string) (queryCursor, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	n, id, ok := strings.Cut(string(b), "/")
	var c queryCursor
	if err == nil && ok {
		c.reported, err = strconv.ParseInt(n, 10, 64)
		c.id = id
	}
	if err != nil || !ok {
		return c, inputErr("cursor", ErrBadInput, fmt.Sprintf("%q is not a cursor this server gave", s))
	}
	return c, nil
}

// before reports whether r comes after c in the query order (newer first).
func (c *queryCursor) before(reported int64, id string) bool {
	return reported < c.reported || (reported == c.reported && id < c.id)
}

// Query returns a page of the events matching q. Open events are read from the map index (the
// open ones in the bound); the others by report day, newest day first, so a page costs the days
// it reads.
func (f *Feed) Query(q EventQuery) (EventPage, error) {
	if q.Status == "" {
		q.Status = StatusOpen
	}
	if _, err := ParseStatusFilter(string(q.Status)); err != nil {
		return EventPage{}, err
	}
	if !q.From.IsZero() && !q.To.IsZero() && !q.From.Before(q.To) {
		return EventPage{}, inputErr("to", ErrBadInput, "must be after from")
	}
	if q.Limit <= 0 || q.Limit > MaxQueryLimit {
		q.Limit = MaxQueryLimit
	}
	var after *queryCursor
	if q.After != "" {
		c, err := parseQueryCursor(q.After)
		if err != nil {
			return EventPage{}, err
		}
		after = &c
	}
	f.mu.RLock()
	defer f.mu.RUnlock()
	var hits []*data.Event
	match := func(e *data.Event) bool {
		if after != nil && !after.before(e.Reported.UnixNano(), e.ID) {
			return false
		}
		return q.matches(e)
	}
	if q.Status == StatusOpen {
		b := orb.Bound{Min: orb.Point{-180, -90}, Max: orb.Point{180, 90}}
		if q.Bound != nil {
			b = *q.Bound
		}
		f.open.Search(b.Min, b.Max, func(_, _ [2]float64, e *data.Event) bool {
			if match(e) {
				hits = append(hits, e)
			}
			return true
		})
		sortNewestFirst(hits)
	} else {
		first, last := f.days.first, f.days.last
		if !q.From.IsZero() {
			first = max(first, cityDay(q.From))
		}
		if !q.To.IsZero() {
			last = min(last, cityDay(q.To.Add(-time.Nanosecond)))
		}
		if after != nil {
			last = min(last, cityDay(time.Unix(0, after.reported)))
		}
		for d := last; d >= first && len(hits) <= q.Limit; d-- {
			start := len(hits)
			for i := range f.days.days[d] {
				if e := f.days.days[d][i].ev; match(e) {
					hits = append(hits, e)
				}
			}
			sortNewestFirst(hits[start:])
		}
	}
	page := EventPage{Head: f.log.head}
	if len(hits) > q.Limit {
		hits = hits[:q.Limit]
		e := hits[len(hits)-1]
		page.Next = queryCursor{e.Reported.UnixNano(), e.ID}.String()
	}
	page.Events = make([]data.Event, len(hits))
	for i, e := range hits {
		page.Events[i] = e.Clone()
	}
	return page, nil
}

func sortNewestFirst(evs []*data.Event) {
	sort.Slice(evs, func(i, j int) bool {
		a, b := evs[i], evs[j]
		if !a.Reported.Equal(b.Reported) {
			return a.Reported.After(b.Reported)
		}
		return a.ID > b.ID
	})
}

// matches tests every filter of q but the cursor.
func (q *EventQuery) matches(e *data.Event) bool {
	switch {
	case q.Status == StatusOpen && !e.IsOpen(), q.Status == StatusClosed && e.IsOpen():
		return false
	case q.Class != nil && !classMatches(*q.Class, e.Class):
		return false
	case q.Grid != "" && e.Grid != q.Grid, q.Source != "" && e.Source != q.Source:
		return false
	case q.Area != "" && e.District != q.Area && e.Street != q.Area && e.Community != q.Area:
		return false
	case !q.From.IsZero() && e.Reported.Before(q.From), !q.To.IsZero() && !e.Reported.Before(q.To):
		return false
	case q.Bound != nil && !q.Bound.Contains(e.Point):
		return false
	}
	return true
}
