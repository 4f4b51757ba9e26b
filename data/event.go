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
	Address   string // the address as reported ("" when reported by a point only)

	Department DeptRef   // responsible department
	Deadline   time.Time // 处置时限 as an instant; zero when none
	Priority   int

	Status      EventStatus
	Reported    time.Time // when the report came in (上报时间)
	Dispatched  time.Time // when it was sent to its department (派遣时间); zero: not yet
	Updated     time.Time // last change
	Closed      time.Time // zero while open
	Source      string    // 监督员上报, 公众举报, 视频, 12319 …
	Description string

	// History is every write of the case, oldest first: its creation, updates, closing and
	// reopening, so a case shows how it got where it is.
	History []EventStep
	// Seq is the change number of this version: every write of any event gets the next one, so
	// a reader that has seen every change up to N asks for those after N. A store shared by
	// processes (data.EventChanges) numbers writes itself and sets Seq in Put; a one-process
	// store keeps the number it is given. 0: not numbered (an events file of an older citygeo).
	Seq int64
}

// EventStep is one entry of an event's history.
type EventStep struct {
	At     time.Time   `json:"at"`
	Status EventStatus `json:"status"`       // the status after this write
	Action string      `json:"action"`       // created, updated, dispatched, closed, reopened
	By     string      `json:"by,omitempty"` // who wrote it (the token's name), when known
	Note   string      `json:"note,omitempty"`
}

// The actions an EventStep records.
const (
	StepCreated    = "created"
	StepUpdated    = "updated"
	StepDispatched = "dispatched"
	StepClosed     = "closed"
	StepReopened   = "reopened"
)

// IsOpen reports whether the event is still open.
func (e *Event) IsOpen() bool { return e.Status != EventClosed }

// Clone returns a copy of e that shares no history with it.
func (e *Event) Clone() Event {
	c := *e
	c.History = append([]EventStep(nil), e.History...)
	return c
}

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
