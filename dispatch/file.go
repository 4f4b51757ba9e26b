package dispatch

import (
	"context"
	"errors"
	"time"

	"citygeo/data"
)

// Overrides are what the dispatch software may set on a filed event over the resolver's
// answer. Zero fields keep the answer.
type Overrides struct {
	Status      data.EventStatus // "" is open; closed files the event closed
	Closed      time.Time        // closing time when Status is closed; zero: now
	Department  data.DeptRef     // the department the case was actually sent to
	Deadline    time.Time        // a deadline set by hand
	Priority    int              // > 0 replaces the rule's priority
	Source      string
	Description string
	Dispatched  time.Time // when the case was sent to its department; zero: kept, or now
	By, Note    string    // who writes and why, for the history
}

// errNoFeed is returned by File when the resolver has no feed to file into.
var errNoFeed = errors.New("dispatch: resolver has no feed")

// File creates or updates event id in the feed from a dispatch request and returns the stored
// event. in is resolved as by Resolve and o applied over the answer. An update that gives no
// report time (in.Time and in.At empty) keeps the first report time, and the deadline runs
// from it; a new event is reported at now. An update of a dispatched event keeps its
// department, and its deadline unless it gives a report time, where o does not set them; one
// without a source or description keeps the stored ones. now is also the event's Updated time, so one clock
// reading stamps the whole write.
//
// A request to close (o.Status closed) that carries nothing to resolve (no point, address or
// class) only closes the event: the error then wraps ErrUnknownEvent when the feed does not
// hold id. Bad input comes back as an *InputError naming the field; any other error is the
// store's.
func (r *Resolver) File(ctx context.Context, id string, in Input, o Overrides, now time.Time) (*data.Event, error) {
	if id == "" {
		return nil, inputErr("id", ErrBadInput, "an event id is required")
	}
	if r.Feed == nil {
		return nil, errNoFeed
	}
	closed := o.Closed
	if closed.IsZero() {
		closed = now
	}
	if o.Status == data.EventClosed && in.Point == nil && in.Address == "" && in.Class == "" {
		return r.Feed.CloseAs(id, closed, Author{By: o.By, Note: o.Note})
	}
	old, had := r.Feed.Get(id)
	timed := in.Time != "" || !in.At.IsZero()
	if !timed {
		in.At = now
		if had {
			in.At = old.Reported
		}
	}
	res, err := r.Resolve(ctx, in)
	if err != nil {
		return nil, err
	}
	ev := eventOf(id, res)
	ev.Address = in.Address
	if had && !old.Dispatched.IsZero() {
		// Dispatched already: the case stays with the department it went to, and under the
		// deadline it was given unless the update names another report time, unless the
		// update sets them (a note or a class corrected by the desk do not send it elsewhere
		// behind the department's back).
		ev.Department = old.Department
		if !timed {
			ev.Deadline = old.Deadline
		}
	}
	o.apply(&ev, closed)
	return r.Feed.PutAs(ev, now, Author{By: o.By, Note: o.Note})
}

// eventOf is the event a dispatch answer describes.
func eventOf(id string, res *Result) data.Event {
	ev := data.Event{ID: id, Class: res.Class, Point: res.Point, Grid: res.Grid, Department: res.Department,
		Deadline: res.Deadline, Priority: res.Priority, Status: data.EventOpen, Reported: res.Reported}
	for _, a := range []struct {
		dst *string
		ref *data.AreaRef
	}{{&ev.Community, res.Community}, {&ev.Street, res.Street}, {&ev.District, res.District}} {
		if a.ref != nil {
			*a.dst = a.ref.Code
		}
	}
	if res.Component != nil {
		ev.Component = res.Component.ID
	}
	return ev
}

// apply sets the overridden fields of ev; closed is the closing time to use.
func (o Overrides) apply(ev *data.Event, closed time.Time) {
	ev.Source, ev.Description = o.Source, o.Description
	if !o.Department.IsZero() {
		ev.Department = o.Department
	}
	if !o.Deadline.IsZero() {
		ev.Deadline = o.Deadline
	}
	if o.Priority > 0 {
		ev.Priority = o.Priority
	}
	if !o.Dispatched.IsZero() {
		ev.Dispatched = o.Dispatched
	}
	if o.Status == data.EventClosed {
		ev.Status, ev.Closed = data.EventClosed, closed
	}
}
