package api

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"citygeo/data"
	"citygeo/field"
	"citygeo/geo"
)

// Positions are personal data: where a named person is, minute by minute. Reading them — the
// latest positions, tracks, the nearest patrollers, the positions tiles — takes a dispatcher
// (or admin) token even when reads are open; posting them takes a device token, which can read
// nothing of them.
var personal = Write(RoleDispatcher)

// MaxFixes is the most fixes one POST /v1/positions may carry.
const MaxFixes = 10_000

// everywhere is the bound of every lon/lat.
var everywhere = orb.Bound{Min: orb.Point{-180, -90}, Max: orb.Point{180, 90}}

// maxFixesBody bounds the body of POST /v1/positions: MaxFixes fixes of ~200 bytes, twice over.
const maxFixesBody = 4 << 20

// FixIn is one fix of POST /v1/positions.
type FixIn struct {
	Device   string    `json:"device"`
	Time     time.Time `json:"time"` // RFC 3339
	Lng      *float64  `json:"lng"`
	Lat      *float64  `json:"lat"`
	CRS      string    `json:"crs,omitempty"`      // this fix's CRS; default the batch's
	Speed    float32   `json:"speed,omitempty"`    // m/s
	Heading  float32   `json:"heading,omitempty"`  // degrees clockwise from north
	Accuracy float32   `json:"accuracy,omitempty"` // metres
	Status   string    `json:"status,omitempty"`
}

// PositionsRequest is the body of POST /v1/positions.
type PositionsRequest struct {
	CRS   string  `json:"crs"` // default wgs84
	Fixes []FixIn `json:"fixes"`
}

// positionsBody is PositionsRequest as the handler reads it: the fixes are decoded one by one,
// so a fix with a value of the wrong type (a time that is no RFC 3339 time) is refused by index
// and the others are stored, as for any other bad fix.
type positionsBody struct {
	CRS   string            `json:"crs"`
	Fixes []json.RawMessage `json:"fixes"`
}

// force returns the field force or answers 503.
func (s *Server) force(c *gin.Context) *field.Force {
	if s.field == nil {
		Fail(c, "", &Error{Status: http.StatusServiceUnavailable, Code: CodeNotReady, Message: "positions are not enabled on this server"})
	}
	return s.field
}

// handlePostPositions stores a batch of fixes. Each fix is checked on its own: the answer says
// how many were stored and why each other one was refused, and a 200 means the stored ones are
// durable.
func (s *Server) handlePostPositions(c *gin.Context) {
	var req positionsBody
	if err := bindJSON(c, &req, maxFixesBody); err != nil {
		Fail(c, "", err)
		return
	}
	if len(req.Fixes) > MaxFixes {
		Fail(c, "", &Error{Status: http.StatusRequestEntityTooLarge, Code: CodeTooLarge, Field: "fixes",
			Message: fmt.Sprintf("%d fixes; at most %d per request", len(req.Fixes), MaxFixes)})
		return
	}
	crs, err := ParseCRSParam(req.CRS)
	if err != nil {
		Fail(c, "", err)
		return
	}
	f := s.force(c)
	if f == nil {
		return
	}
	fixes := make([]data.Fix, len(req.Fixes))
	var early []field.Problem // refused here (position missing, unknown crs); never reach Ingest
	for i, raw := range req.Fixes {
		var in FixIn
		if f := decodeStrict(raw, &in); f != nil {
			early = append(early, field.Problem{Index: i, Field: f.Path, Reason: f.Reason})
			continue
		}
		fc := crs
		if in.CRS != "" {
			if fc, err = ParseCRSParam(in.CRS); err != nil {
				early = append(early, field.Problem{Index: i, Field: "crs", Reason: err.(*Error).Message})
				continue
			}
		}
		if in.Lng == nil || in.Lat == nil {
			early = append(early, field.Problem{Index: i, Field: "lng", Reason: "lng and lat are required"})
			continue
		}
		p := orb.Point{*in.Lng, *in.Lat}
		if p[0] >= -180 && p[0] <= 180 && p[1] >= -90 && p[1] <= 90 {
			p = geo.ToCGCS2000(p, fc)
		}
		fixes[i] = data.Fix{Device: in.Device, Time: in.Time, Point: p, Speed: in.Speed, Heading: in.Heading,
			Accuracy: in.Accuracy, Status: in.Status, Source: data.SourceHTTP}
	}
	rep, err := ingestValid(c, f, fixes, early)
	if err != nil {
		Fail(c, "", err)
		return
	}
	c.JSON(http.StatusOK, rep)
}

// ingestValid ingests the fixes not refused early and merges both lists of problems, keeping
// indexes into the request's batch.
func ingestValid(c *gin.Context, f *field.Force, fixes []data.Fix, early []field.Problem) (field.Report, error) {
	idx := make([]int, 0, len(fixes)) // position in the request of each fix sent on
	send := fixes[:0:0]
	refused := make(map[int]bool, len(early))
	for _, p := range early {
		refused[p.Index] = true
	}
	for i := range fixes {
		if !refused[i] {
			idx, send = append(idx, i), append(send, fixes[i])
		}
	}
	rep, err := f.Ingest(c.Request.Context(), send)
	if err != nil {
		return rep, err
	}
	for i := range rep.Rejected {
		rep.Rejected[i].Index = idx[rep.Rejected[i].Index]
	}
	rep.Rejected = append(rep.Rejected, early...)
	slices.SortFunc(rep.Rejected, func(a, b field.Problem) int { return cmp.Compare(a.Index, b.Index) })
	return rep, nil
}

// positionFeature renders a latest position as a GeoJSON point feature in crs.
func positionFeature(p *field.Position, crs geo.CRS, now time.Time) *geojson.Feature {
	ft := geojson.NewFeature(inCRS(p.Fix.Point, crs))
	ft.ID = p.Fix.Device
	props := geojson.Properties{"device": p.Fix.Device, "time": p.Fix.Time, "seen": p.Seen,
		"age_s": int(now.Sub(p.Seen).Seconds()), "speed": p.Fix.Speed, "heading": p.Fix.Heading,
		"accuracy": p.Fix.Accuracy, "status": p.Fix.Status, "source": p.Fix.Source.String()}
	if p.Fix.Alarm != 0 {
		props["alarm"] = p.Fix.Alarm
	}
	if d := p.Device; d != nil {
		props["kind"], props["name"], props["role"], props["team"], props["subject"] = d.Kind, d.Name, d.Role, d.Team, d.Subject
	}
	ft.Properties = props
	return ft
}

// handlePositions lists the latest positions, optionally in a bbox and heard from recently.
func (s *Server) handlePositions(c *gin.Context) {
	crs, err := ParseCRSParam(c.Query("crs"))
	if err != nil {
		Fail(c, "", err)
		return
	}
	b := everywhere
	if bb := c.Query("bbox"); bb != "" {
		if b, err = ParseBBox("bbox", bb); err != nil {
			Fail(c, "", err)
			return
		}
		b = geo.BoundToCGCS2000(b, crs)
	}
	within, err := parseDuration("online_within", c.Query("online_within"))
	if err != nil {
		Fail(c, "", err)
		return
	}
	f := s.force(c)
	if f == nil {
		return
	}
	now := f.Options().Now()
	fc := geojson.NewFeatureCollection()
	f.In(b, func(p *field.Position) bool {
		if within == 0 || p.Online(now, within) {
			fc.Append(positionFeature(p, crs, now))
		}
		return true
	})
	c.JSON(http.StatusOK, fc)
}

// handleTrack returns the track of one device for one patrol day (GMT+8) as a LineString
// feature whose properties list each vertex's time, speed and heading: what a replay needs.
func (s *Server) handleTrack(c *gin.Context) {
	crs, err := ParseCRSParam(c.Query("crs"))
	if err != nil {
		Fail(c, "", err)
		return
	}
	f := s.force(c)
	if f == nil {
		return
	}
	from, to, err := patrolDay(c.Query("date"), f)
	if err != nil {
		Fail(c, "", err)
		return
	}
	dev := c.Param("device")
	if reg := f.Options().Devices; reg != nil && reg.Device(dev) == nil {
		Fail(c, "", NotFound("device", "no device %q", dev))
		return
	}
	fixes, err := f.Track(c.Request.Context(), dev, from, to)
	if err != nil {
		Fail(c, "", err)
		return
	}
	c.JSON(http.StatusOK, trackFeature(dev, from, fixes, crs))
}

// trackFeature renders fixes as one feature: a LineString (a Point for one fix, no geometry
// for none) with per-vertex times, speeds and headings, and the path's length.
func trackFeature(dev string, day time.Time, fixes []data.Fix, crs geo.CRS) *geojson.Feature {
	line := make(orb.LineString, len(fixes))
	times := make([]time.Time, len(fixes))
	speeds := make([]float32, len(fixes))
	headings := make([]float32, len(fixes))
	length := 0.0
	for i, fx := range fixes {
		line[i], times[i], speeds[i], headings[i] = fx.Point, fx.Time, fx.Speed, fx.Heading
		if i > 0 {
			length += geo.Distance(line[i-1], fx.Point)
		}
	}
	var g orb.Geometry
	switch len(line) {
	case 0:
	case 1:
		g = inCRS(line[0], crs)
	default:
		g = inCRS(line, crs)
	}
	ft := &geojson.Feature{Type: "Feature", Geometry: g, ID: dev, Properties: geojson.Properties{
		"device": dev, "date": day.Format(time.DateOnly), "count": len(fixes), "length_m": length,
		"times": times, "speeds": speeds, "headings": headings}}
	return ft
}

// patrolDay reads date (YYYY-MM-DD, GMT+8; "" is today by f's clock) and returns the bounds
// of that patrol day.
func patrolDay(date string, f *field.Force) (from, to time.Time, err error) {
	day := f.Options().Now()
	if date != "" {
		if day, err = time.ParseInLocation(time.DateOnly, date, field.CST); err != nil {
			return from, to, BadParam("date", "%q: want YYYY-MM-DD", date)
		}
	}
	from, to = field.Day(day)
	return from, to, nil
}

// parseDuration reads a duration as seconds ("300") or Go syntax ("5m"); "" is 0.
func parseDuration(field, s string) (time.Duration, error) {
	if s == "" {
		return 0, nil
	}
	if n, err := ParseInt(field, s, 0, 0, 7*24*3600); err == nil {
		return time.Duration(n) * time.Second, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, BadParam(field, "%q: want seconds or a duration such as 5m", s)
	}
	return d, nil
}

// forceError maps the field package's errors onto statuses.
func forceError(err error) error {
	if errors.Is(err, field.ErrNoDuty) {
		return BadParam("on_duty", "not available: no duty information (who is on duty where) is configured")
	}
	return err
}
