package api

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/paulmach/orb"

	"citygeo/city"
	"citygeo/data"
	"citygeo/dispatch"
	"citygeo/duty"
	"citygeo/geo"
)

// Dispatch is the dispatch side of the API: the duty rules, the events feed and the deadline
// calendar. It lives beside the snapshots: a dataset swap keeps the feed and its events, and
// each request resolves against the snapshot current when it started.
type Dispatch struct {
	Rules      *dispatch.RuleSet
	Feed       *dispatch.Feed
	Calendar   dispatch.Calendar
	BindRadius float64           // metres; 0: dispatch.DefaultBindRadius
	Geocoder   dispatch.Geocoder // nil: requests with only an address are refused
}

// resolver returns the dispatch resolver for a snapshot, or answers 503.
func (s *Server) resolver(c *gin.Context) (*dispatch.Resolver, *city.Snapshot) {
	if s.disp == nil {
		Fail(c, "", &Error{Status: http.StatusServiceUnavailable, Code: CodeNotReady, Message: "dispatch is not configured on this server"})
		return nil, nil
	}
	snap := s.snapshot(c)
	if snap == nil {
		return nil, nil
	}
	d := s.disp
	gc := d.Geocoder
	if gc == nil && snap.Gazetteer != nil {
		gc = snap.AddressGeocoder()
	}
	r := &dispatch.Resolver{Locator: snap.Locator(), Rules: d.Rules, Feed: d.Feed,
		Geocoder: gc, Calendar: d.Calendar, BindRadius: d.BindRadius}
	if s.duty != nil {
		r.People = s.duty.Board.Index(snap.DutyCity())
	}
	return r, snap
}

// DispatchRequest is the body of POST /v1/dispatch and one item of a batch: a point (lng, lat
// in crs) or an address, or only a component id; the class; optionally the report time.
type DispatchRequest struct {
	ID        string   `json:"id,omitempty"` // echoed in a batch
	Lng       *float64 `json:"lng,omitempty"`
	Lat       *float64 `json:"lat,omitempty"`
	CRS       string   `json:"crs,omitempty"`
	Address   string   `json:"address,omitempty"`
	Class     string   `json:"class"`
	Kind      string   `json:"kind,omitempty"`   // event | component
	Scheme    string   `json:"scheme,omitempty"` // CJ/T 214-2007 | GB/T 47678.5-2026
	Component string   `json:"component,omitempty"`
	Time      string   `json:"time,omitempty"` // RFC 3339; empty: now
}

// Dispatched is the dispatch answer: dispatch.Result with the point in the client's CRS.
type Dispatched struct {
	ID      string      `json:"id,omitempty"`
	Version int64       `json:"version"`
	CRS     geo.CRS     `json:"crs"`
	Point   city.LngLat `json:"point"`
	*dispatch.Result
	Error *Error `json:"error,omitempty"` // a failed batch item
}

// input checks the point fields and builds the resolver input.
func (q *DispatchRequest) input() (dispatch.Input, geo.CRS, *Error) {
	crs, err := ParseCRSParam(q.CRS)
	if err != nil {
		return dispatch.Input{}, geo.CRS{}, err.(*Error)
	}
	in := dispatch.Input{CRS: crs.String(), Address: q.Address, Class: q.Class, Kind: q.Kind, Scheme: q.Scheme,
		Component: q.Component, Time: q.Time}
	if (q.Lng == nil) != (q.Lat == nil) {
		return in, crs, BadParam("lng", "give both lng and lat")
	}
	if q.Lng != nil {
		if *q.Lng < -180 || *q.Lng > 180 {
			return in, crs, BadParam("lng", "%g is not a longitude (-180 to 180)", *q.Lng)
		}
		if *q.Lat < -90 || *q.Lat > 90 {
			return in, crs, BadParam("lat", "%g is not a latitude (-90 to 90)", *q.Lat)
		}
		in.Point = &orb.Point{*q.Lng, *q.Lat}
	}
	return in, crs, nil
}

// dispatchOne answers one request; a report without a time is reported at now.
func (s *Server) dispatchOne(c *gin.Context, r *dispatch.Resolver, snap *city.Snapshot, q *DispatchRequest, now time.Time) Dispatched {
	out := Dispatched{ID: q.ID, Version: snap.Version()}
	in, crs, aerr := q.input()
	out.CRS = crs
	if aerr != nil {
		out.Error = aerr
		return out
	}
	in.At = now
	res, err := r.Resolve(c.Request.Context(), in)
	if err != nil {
		if out.Error = dispatchError(err); out.Error.Status == http.StatusInternalServerError {
			_ = c.Error(err)
		}
		return out
	}
	out.Result, out.Point = res, city.PointIn(res.Point, crs)
	if ix, ok := r.People.(*duty.Index); ok {
		res.People = s.personal(c, ix, res.People)
	}
	return out
}

// dispatchError maps a resolver error to its status, naming the field. The resolver's
// "point" is the body's lng and lat; the handler has checked their ranges, so what is left
// (outside the city, no position) is named by lng.
func dispatchError(err error) *Error {
	var ie *dispatch.InputError
	if !errors.As(err, &ie) {
		return &Error{Status: http.StatusInternalServerError, Code: CodeInternal, Message: "internal error"}
	}
	msg := ie.Err.Error()
	if ie.Reason != "" {
		msg += ": " + ie.Reason
	}
	field := ie.Field
	if field == "point" {
		field = "lng"
	}
	e := BadParam(field, "%s", msg)
	switch {
	case errors.Is(err, dispatch.ErrUnknownComponent), errors.Is(err, dispatch.ErrAddressNotFound), errors.Is(err, dispatch.ErrUnknownEvent):
		e.Status, e.Code = http.StatusNotFound, CodeNotFound
	case errors.Is(err, dispatch.ErrOutside):
		e.Status, e.Code = http.StatusUnprocessableEntity, CodeInvalid
	}
	return e
}

func (s *Server) handleDispatch(c *gin.Context) {
	var q DispatchRequest
	if err := bindJSON(c, &q, 64<<10); err != nil {
		Fail(c, "", err)
		return
	}
	r, snap := s.resolver(c)
	if r == nil {
		return
	}
	out := s.dispatchOne(c, r, snap, &q, time.Now())
	if out.Error != nil {
		Fail(c, "", out.Error)
		return
	}
	c.JSON(http.StatusOK, out)
}

// DispatchBatchRequest is the body of POST /v1/dispatch/batch. A bad item gets its own error;
// the others are answered.
type DispatchBatchRequest struct {
	Items []DispatchRequest `json:"items"`
}

func (s *Server) handleDispatchBatch(c *gin.Context) {
	var req DispatchBatchRequest
	if err := bindJSON(c, &req, 4<<20); err != nil {
		Fail(c, "", err)
		return
	}
	if len(req.Items) == 0 {
		Fail(c, "", BadParam("items", "no items; want 1 to %d", MaxBatch))
		return
	}
	if len(req.Items) > MaxBatch {
		Fail(c, "", &Error{Status: http.StatusRequestEntityTooLarge, Code: CodeTooLarge, Field: "items",
			Message: fmt.Sprintf("%d items; want 1 to %d", len(req.Items), MaxBatch)})
		return
	}
	r, snap := s.resolver(c)
	if r == nil {
		return
	}
	results := make([]Dispatched, len(req.Items))
	now := time.Now()
	for i := range req.Items {
		results[i] = s.dispatchOne(c, r, snap, &req.Items[i], now)
		if e := results[i].Error; e != nil && e.Field != "" {
			e.Field = fmt.Sprintf("items[%d].%s", i, e.Field)
		}
	}
	c.JSON(http.StatusOK, gin.H{"version": snap.Version(), "results": results})
}

// EventRequest is the body of POST /v1/events: create or update an event by id (resolved like
// a dispatch request; department, deadline and priority may be set by the dispatch software),
// or close it with {"id", "status": "closed"}.
type EventRequest struct {
	DispatchRequest
	Status      string        `json:"status,omitempty"` // open (default) | closed
	Closed      string        `json:"closed,omitempty"` // RFC 3339; empty: now
	Department  *data.DeptRef `json:"department,omitempty"`
	Deadline    string        `json:"deadline,omitempty"`
	Priority    int           `json:"priority,omitempty"`
	Source      string        `json:"source,omitempty"`
	Description string        `json:"description,omitempty"`
	Dispatched  string        `json:"dispatched,omitempty"` // RFC 3339; empty: kept, or now once it has a department
	Note        string        `json:"note,omitempty"`       // for the event's history
	Outcome     string        `json:"outcome,omitempty"`    // closing: 部件丢失, 部件损坏, 已修复 … (handle_outcome.go)
}

func (s *Server) handlePostEvent(c *gin.Context) {
	var q EventRequest
	if err := bindJSON(c, &q, 64<<10); err != nil {
		Fail(c, "", err)
		return
	}
	c.Set(ctxAuditTarget, "event "+q.ID)
	r, _ := s.resolver(c)
	if r == nil {
		return
	}
	status, err := data.ParseEventStatus(q.Status)
	if err != nil {
		Fail(c, "", BadParam("status", "%v", err))
		return
	}
	if err := checkOutcome(q.Outcome, status); err != nil {
		Fail(c, "", err)
		return
	}
	in, crs, aerr := q.input()
	if aerr != nil {
		Fail(c, "", aerr)
		return
	}
	o := dispatch.Overrides{Status: status, Priority: q.Priority, Source: q.Source, Description: q.Description, Note: q.Note}
	if v, ok := c.Get(ctxToken); ok {
		o.By = v.(TokenHash).Name
	}
	if q.Department != nil {
		o.Department = *q.Department
	}
	for _, t := range []struct {
		field, s string
		dst      *time.Time
	}{{"closed", q.Closed, &o.Closed}, {"deadline", q.Deadline, &o.Deadline}, {"dispatched", q.Dispatched, &o.Dispatched}} {
		if *t.dst, err = optTime(t.field, t.s, time.Time{}); err != nil {
			Fail(c, "", err)
			return
		}
	}
	now := time.Now() // one clock reading: reported (if new), updated and the age shown
	ev, err := r.File(c.Request.Context(), q.ID, in, o, now)
	var ie *dispatch.InputError
	switch {
	case err == nil:
		s.caseOutcome(c, ev, q.Outcome)
		c.JSON(http.StatusOK, eventOut(ev, crs, now))
	case errors.Is(err, dispatch.ErrUnknownEvent):
		Fail(c, "", NotFound("id", "%v", err))
	case errors.As(err, &ie):
		Fail(c, "", dispatchError(err))
	case errors.Is(err, dispatch.ErrStore): // the database is down: nothing changed, try again
		_ = c.Error(err)
		c.Header("Retry-After", "5")
		Fail(c, "", &Error{Status: http.StatusServiceUnavailable, Code: CodeUnavailable,
			Message: "the event store cannot be written now; nothing was changed, try again"})
	default:
		Fail(c, "", err)
	}
}

func optTime(field, s string, def time.Time) (time.Time, error) {
	if s == "" {
		return def, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return t, BadParam(field, "%q is not RFC 3339 (2006-01-02T15:04:05+08:00)", s)
	}
	return t, nil
}

// EventOut is an event in a response.
type EventOut struct {
	ID          string        `json:"id"`
	Class       data.ClassRef `json:"class"`
	ClassName   string        `json:"class_name"`
	Point       city.LngLat   `json:"point"`
	Grid        string        `json:"grid,omitempty"`
	Community   string        `json:"community,omitempty"`
	Street      string        `json:"street,omitempty"`
	District    string        `json:"district,omitempty"`
	Component   string        `json:"component,omitempty"`
	Department  data.DeptRef  `json:"department"`
	Deadline    *time.Time    `json:"deadline,omitempty"`
	Priority    int           `json:"priority,omitempty"`
	Status      string        `json:"status"`
	Reported    time.Time     `json:"reported"`
	Dispatched  *time.Time    `json:"dispatched,omitempty"`
	Updated     time.Time     `json:"updated"`
	Closed      *time.Time    `json:"closed,omitempty"`
	AgeHours    float64       `json:"age_hours"`
	Overdue     bool          `json:"overdue"`
	Source      string        `json:"source,omitempty"`
	Description string        `json:"description,omitempty"`
}

func eventOut(e *data.Event, crs geo.CRS, now time.Time) EventOut {
	o := EventOut{ID: e.ID, Class: e.Class, ClassName: e.Class.Name(), Point: city.PointIn(e.Point, crs), Grid: e.Grid,
		Community: e.Community, Street: e.Street, District: e.District, Component: e.Component,
		Department: e.Department, Priority: e.Priority, Status: string(e.Status), Reported: e.Reported,
		Updated: e.Updated, AgeHours: city.RoundM(now.Sub(e.Reported).Hours()), Overdue: e.Overdue(now),
		Source: e.Source, Description: e.Description}
	if !e.Deadline.IsZero() {
		o.Deadline = &e.Deadline
	}
	if !e.Closed.IsZero() {
		o.Closed = &e.Closed
	}
	if !e.Dispatched.IsZero() {
		o.Dispatched = &e.Dispatched
	}
	return o
}
