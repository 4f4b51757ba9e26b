package data

import (
	"fmt"
	"time"

	"github.com/paulmach/orb"
)

// EventStatus is where a case stands. citygeo only needs to know whether a case is still open
// (duplicate search, the live events layer); the dispatch software keeps the finer workflow
// states (待受理, 立案派遣, 处理中, 核查结案 …).
type EventStatus string

// The two event states citygeo distinguishes.
const (
	EventOpen   EventStatus = "open"
	EventClosed EventStatus = "closed" // 结案 or 作废
)

// ParseEventStatus accepts "open" or "closed" ("" is open).
func ParseEventStatus(s string) (EventStatus, error) {
	switch EventStatus(s) {
	case "", EventOpen:
		return EventOpen, nil
	case EventClosed:
		return EventClosed, nil
	}
	return "", fmt.Errorf("status %q: want %q or %q", s, EventOpen, EventClosed)
}

// Event is a reported case (案卷) as the dispatch software files it: what, where, which
// component, who handles it and by when.
type Event struct {
	ID        string    // the case number, unique per city
	Class     ClassRef  // event or component class
	Point     orb.Point // CGCS2000 lon/lat
	Grid      string    // unit grid code at report time ("" when none)
	Community string    // area chain at report time
	Street    string
	District  string
	Component string // bound component id ("" when none)

	Department DeptRef   // responsible department
	Deadline   time.Time // 处置时限 as an instant; zero when none
	Priority   int

	Status      EventStatus
	Reported    time.Time // when the report came in (上报时间)
	Updated     time.Time // last change
	Closed      time.Time // zero while open
	Source      string    // 监督员上报, 公众举报, 视频, 12319 …
	Description string
}

// IsOpen reports whether the event is still open.
func (e *Event) IsOpen() bool { return e.Status != EventClosed }

// Overdue reports whether the event missed its deadline as of now: closed after it, or still
// open past it. Events without a deadline are never overdue.
func (e *Event) Overdue(now time.Time) bool {
	if e.Deadline.IsZero() {
		return false
	}
	if e.Status == EventClosed {
		return e.Closed.After(e.Deadline)
	}
	return now.After(e.Deadline)
}
