package api

import (
	"net/http"
	"net/url"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"citygeo/city"
	"citygeo/data"
	"citygeo/dispatch"
	"citygeo/geo"
)

// MaxEvents is the most events one page of GET /v1/events holds (and its default).
const MaxEvents = dispatch.MaxQueryLimit

// cityTime is the city's time zone (GMT+8): the times of events are rendered in it.
var cityTime = time.FixedZone("CST", 8*3600)

// reverseRadius is how far from an event reported by a point only its address is looked for.
const reverseRadius = 100

// feed returns the events feed or answers 503.
func (s *Server) feed(c *gin.Context) *dispatch.Feed {
	if s.disp == nil || s.disp.Feed == nil {
		Fail(c, "", &Error{Status: http.StatusServiceUnavailable, Code: CodeNotReady, Message: "dispatch is not configured on this server"})
		return nil
	}
	return s.disp.Feed
}

// codeName is a code with its name, as the event properties carry areas, grids and departments.
type codeName struct {
	Code string `json:"code"`
	Name string `json:"name,omitempty"`
}

// classOut is an event's class in its properties.
type classOut struct {
	Code   string `json:"code"`
	Name   string `json:"name"`
	Scheme string `json:"scheme"`
	Kind   string `json:"kind"`
}

// cityTimeOrNil is t in GMT+8, or nil when zero.
func cityTimeOrNil(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.In(cityTime)
}

// eventFeature is an event as a GeoJSON Feature in crs: the shape of GET /v1/events/{id}, of
// the list and of the stream (those two without history). snap names areas and finds the
// address of an event reported by a point only (labelled address_source "reverse"); nil: codes
// only.
func eventFeature(e *data.Event, crs geo.CRS, now time.Time, snap *city.Snapshot, history, phones bool) *geojson.Feature {
	if !phones {
		pe := PublicEvent(*e)
		e = &pe
	}
	p := city.PointIn(e.Point, crs)
	f := geojson.NewFeature(orb.Point{p.Lng, p.Lat})
	f.ID = e.ID
	area := func(code string) any {
		if code == "" {
			return nil
		}
		o := codeName{Code: code}
		if snap != nil {
			if a := snap.Geo.Area(code); a != nil {
				o.Name = a.Name
			}
		}
		return o
	}
	grid := any(nil)
	if e.Grid != "" {
		grid = codeName{Code: e.Grid}
	}
	address, source := e.Address, "reported"
	if address == "" {
		source = ""
		if snap != nil && snap.Gazetteer != nil {
			if r := snap.Addresses().Reverse(e.Point, reverseRadius); r.Formatted != "" {
				address, source = r.Formatted, "reverse"
			}
		}
	}
	f.Properties = geojson.Properties{
		"id": e.ID, "status": string(e.Status), "overdue": e.Overdue(now), "seq": e.Seq,
		"class":      classOut{Code: e.Class.Code, Name: e.Class.Name(), Scheme: e.Class.Scheme.String(), Kind: string(e.Class.Kind)},
		"class_name": e.Class.Name(), "address": address, "address_source": source,
		"grid": grid, "community": area(e.Community), "street": area(e.Street), "district": area(e.District),
		"department": codeName{Code: e.Department.Code, Name: e.Department.Name},
		"component":  e.Component, "priority": e.Priority, "source": e.Source, "description": e.Description,
		"reported_at": cityTimeOrNil(e.Reported), "dispatched_at": cityTimeOrNil(e.Dispatched),
		"deadline": cityTimeOrNil(e.Deadline), "closed_at": cityTimeOrNil(e.Closed), "updated_at": cityTimeOrNil(e.Updated),
		"age_hours": city.RoundM(now.Sub(e.Reported).Hours()),
	}
	if history {
		steps := make([]data.EventStep, len(e.History))
		for i, st := range e.History {
			st.At = st.At.In(cityTime)
			steps[i] = st
		}
		f.Properties["history"] = steps
	}
	return f
}

// handleEvent answers GET /v1/events/{id}: one event as a GeoJSON Feature with its history.
func (s *Server) handleEvent(c *gin.Context) {
	crs, err := ParseCRSParam(c.Query("crs"))
	if err != nil {
		Fail(c, "", err)
		return
	}
	feed := s.feed(c)
	if feed == nil {
		return
	}
	e, ok := feed.Get(c.Param("id"))
	if !ok {
		Fail(c, "", NotFound("id", "no event %q", c.Param("id")))
		return
	}
	c.JSON(http.StatusOK, eventFeature(&e, crs, time.Now(), s.city.Current(), true, s.seesPhones(c)))
}

// parseEventQuery binds the filters of GET /v1/events.
func parseEventQuery(c *gin.Context) (dispatch.EventQuery, geo.CRS, error) {
	var q dispatch.EventQuery
	crs, err := ParseCRSParam(c.Query("crs"))
	if err != nil {
		return q, crs, err
	}
	if q.Status, err = dispatch.ParseStatusFilter(c.Query("status")); err != nil {
		return q, crs, dispatchError(err)
	}
	if v := c.Query("bbox"); v != "" {
		b, err := ParseBBox("bbox", v)
		if err != nil {
			return q, crs, err
		}
		b = geo.BoundToCGCS2000(b, crs)
		q.Bound = &b
	}
	if q.Class, err = classParam(c); err != nil {
		return q, crs, err
	}
	q.Grid, q.Area, q.Source, q.After = c.Query("grid"), c.Query("area"), c.Query("source"), c.Query("cursor")
	if q.From, q.To, err = dayRange(c); err != nil {
		return q, crs, err
	}
	q.Limit, err = ParseInt("limit", c.Query("limit"), MaxEvents, 1, MaxEvents)
	return q, crs, err
}

// classParam reads ?class= (with &scheme= and &kind=); nil when absent. scheme and kind only
// qualify a class, but a bad one is refused, naming itself, even without a class: a filter
// the client meant is never dropped in silence.
func classParam(c *gin.Context) (*data.ClassRef, error) {
	scheme, err := data.ParseScheme(c.Query("scheme"))
	if err != nil {
		return nil, BadParam("scheme", "%v", err)
	}
	kind := data.ClassKind(c.Query("kind"))
	switch kind {
	case "", data.KindComponent, data.KindEvent:
	default:
		return nil, BadParam("kind", "%q: want %q or %q", kind, data.KindEvent, data.KindComponent)
	}
	cl := c.Query("class")
	if cl == "" {
		return nil, nil
	}
	ref, err := data.ParseClassRef(cl, scheme, kind)
	if err != nil {
		return nil, BadParam("class", "%v", err)
	}
	return &ref, nil
}

// dayRange reads ?from= and ?to=: a day (YYYY-MM-DD, GMT+8; to includes its day) or an RFC 3339
// instant (to excludes it). Zero when absent.
func dayRange(c *gin.Context) (from, to time.Time, err error) {
	for _, t := range []struct {
		field string
		dst   *time.Time
		next  bool
	}{{"from", &from, false}, {"to", &to, true}} {
		v := c.Query(t.field)
		if v == "" {
			continue
		}
		if d, derr := time.ParseInLocation(time.DateOnly, v, cityTime); derr == nil {
			if t.next {
				d = d.AddDate(0, 0, 1)
			}
			*t.dst = d
			continue
		}
		if *t.dst, err = time.Parse(time.RFC3339, v); err != nil {
			return from, to, BadParam(t.field, "%q: want a day (2026-12-01) or an RFC 3339 time (2026-12-01T08:00:00+08:00)", v)
		}
	}
	if !from.IsZero() && !to.IsZero() && !from.Before(to) {
		return from, to, BadParam("to", "must be after from")
	}
	return from, to, nil
}

// handleEvents answers GET /v1/events: the events matching the filters as a GeoJSON
// FeatureCollection, newest report first, a page at a time (next: the cursor of the next page,
// also in a Link header; seq: the change the page is as of, to resume the stream from). With
// no filter it is the open events (in the bbox when given).
func (s *Server) handleEvents(c *gin.Context) {
	q, crs, err := parseEventQuery(c)
	if err != nil {
		Fail(c, "", err)
		return
	}
	feed := s.feed(c)
	if feed == nil {
		return
	}
	page, err := feed.Query(q)
	if err != nil {
		Fail(c, "", dispatchError(err))
		return
	}
	now, snap, phones := time.Now(), s.city.Current(), s.seesPhones(c)
	fc := geojson.NewFeatureCollection()
	for i := range page.Events {
		fc.Append(eventFeature(&page.Events[i], crs, now, snap, false, phones))
	}
	fc.ExtraMembers = geojson.Properties{"seq": page.Head}
	if page.Next != "" {
		fc.ExtraMembers["next"] = page.Next
		fc.ExtraMembers["truncated"] = true
		u := url.URL{Path: c.Request.URL.Path}
		v := c.Request.URL.Query()
		v.Set("cursor", page.Next)
		u.RawQuery = v.Encode()
		c.Header("Link", "<"+u.String()+`>; rel="next"`)
	}
	c.JSON(http.StatusOK, fc)
}
