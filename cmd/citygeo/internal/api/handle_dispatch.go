package api

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

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
	Outcome     string        `json:"outcome,omitempty"` // closing: 部件丢失, 部件损坏, 已修复 … (handle_outcome.go)
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
	o := dispatch.Overrides{Status: status, Priority: q.Priority, Source: q.Source, Description: q.Description}
	if q.Department != nil {
		o.Department = *q.Department
	}
	for _, t := range []struct {
		field, s string
		dst      *time.Time
	}{{"closed", q.Closed, &o.Closed}, {"deadline", q.Deadline, &o.Deadline}} {
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
	return o
}

// MaxEvents is the most events GET /v1/events returns.
const MaxEvents = 10000

// handleEvents answers GET /v1/events?bbox=&crs= with the open events in the box as a GeoJSON
// FeatureCollection (the events layer's source of truth).
func (s *Server) handleEvents(c *gin.Context) {
	crs, err := ParseCRSParam(c.Query("crs"))
	if err != nil {
		Fail(c, "", err)
		return
	}
	b, err := ParseBBox("bbox", c.Query("bbox"))
	if err != nil {
		Fail(c, "", err)
		return
	}
	if s.disp == nil {
		Fail(c, "", &Error{Status: http.StatusServiceUnavailable, Code: CodeNotReady, Message: "dispatch is not configured on this server"})
		return
	}
	b = geo.BoundToCGCS2000(b, crs)
	now := time.Now()
	fc := geojson.NewFeatureCollection()
	truncated := false
	s.disp.Feed.OpenIn(b, func(e data.Event) bool {
		if len(fc.Features) == MaxEvents {
			truncated = true
			return false
		}
		o := eventOut(&e, crs, now)
		f := geojson.NewFeature(orb.Point{o.Point.Lng, o.Point.Lat})
		f.ID = e.ID
		f.Properties = geojson.Properties{"id": o.ID, "class": o.Class.Code, "kind": o.Class.Kind,
			"scheme": o.Class.Scheme, "class_name": o.ClassName, "grid": o.Grid, "department": o.Department.Name,
			"reported": o.Reported, "age_hours": o.AgeHours, "overdue": o.Overdue, "priority": o.Priority}
		if o.Deadline != nil {
			f.Properties["deadline"] = *o.Deadline
		}
		fc.Append(f)
		return true
	})
	if truncated {
		fc.ExtraMembers = geojson.Properties{"truncated": true}
	}
	c.JSON(http.StatusOK, fc)
}

// handleStats answers GET /v1/stats?by=grid|community|street&from=&to=&class=&kind=&scheme=:
// events reported in [from, to), how many of them are closed and how many overdue, per area.
func (s *Server) handleStats(c *gin.Context) {
	by, err := dispatch.ParseStatsBy(c.Query("by"))
	if err != nil {
		Fail(c, "", dispatchError(err))
		return
	}
	q := dispatch.StatsQuery{By: by, Now: time.Now()}
	for _, t := range []struct {
		field string
		dst   *time.Time
	}{{"from", &q.From}, {"to", &q.To}} {
		if *t.dst, err = optTime(t.field, c.Query(t.field), time.Time{}); err != nil {
			Fail(c, "", err)
			return
		}
	}
	if !q.From.IsZero() && !q.To.IsZero() && !q.From.Before(q.To) {
		Fail(c, "", BadParam("to", "must be after from"))
		return
	}
	if cl := c.Query("class"); cl != "" {
		ref, err := data.ParseClassRef(cl, data.Scheme(c.Query("scheme")), data.ClassKind(c.Query("kind")))
		if err != nil {
			Fail(c, "", BadParam("class", "%v", err))
			return
		}
		q.Class = &ref
	}
	format := c.DefaultQuery("format", "json")
	if format != "json" && format != "geojson" {
		Fail(c, "", BadParam("format", "%q: want json or geojson", format))
		return
	}
	crs, err := ParseCRSParam(c.Query("crs"))
	if err != nil {
		Fail(c, "", err)
		return
	}
	if s.disp == nil {
		Fail(c, "", &Error{Status: http.StatusServiceUnavailable, Code: CodeNotReady, Message: "dispatch is not configured on this server"})
		return
	}
	rows := s.disp.Feed.Stats(q)
	if format == "geojson" {
		snap := s.snapshot(c)
		if snap == nil {
			return
		}
		c.JSON(http.StatusOK, statsChoropleth(snap, rows, crs))
		return
	}
	c.JSON(http.StatusOK, gin.H{"by": by, "from": timeOrNil(q.From), "to": timeOrNil(q.To), "class": q.Class, "rows": rows})
}

// statsChoropleth joins the counts to the area or grid polygons of the snapshot, for a
// choropleth on the wall screen (in the client's crs). Areas the snapshot does not have are
// left out.
func statsChoropleth(snap *city.Snapshot, rows []dispatch.StatsRow, crs geo.CRS) *geojson.FeatureCollection {
	fc := geojson.NewFeatureCollection()
	for _, r := range rows {
		var g orb.Geometry
		name := ""
		if gr := snap.Geo.Grid(r.Area); gr != nil {
			g = gr.Polygon
		} else if a := snap.Geo.Area(r.Area); a != nil && len(a.Polygon) > 0 {
			g, name = a.Polygon, a.Name
		}
		if g == nil {
			continue
		}
		f := geojson.NewFeature(inCRS(g, crs))
		f.ID = r.Area
		f.Properties = geojson.Properties{"area": r.Area, "name": name, "reported": r.Reported, "closed": r.Closed, "overdue": r.Overdue}
		fc.Append(f)
	}
	return fc
}

func timeOrNil(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}
