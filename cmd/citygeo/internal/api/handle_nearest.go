package api

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"citygeo/data"
	"citygeo/duty"
	"citygeo/field"
	"citygeo/geo"
)

// Limits of a nearest-patroller search.
const (
	DefaultNearestK = 5
	MaxNearestK     = 100
	MaxNearestM     = 100_000 // max_distance in metres
)

// Patroller is one answer of a nearest search.
type Patroller struct {
	Device    string          `json:"device"`
	Kind      data.DeviceKind `json:"kind,omitempty"`
	Name      string          `json:"name,omitempty"`
	Role      string          `json:"role,omitempty"`
	Team      string          `json:"team,omitempty"`
	Subject   string          `json:"subject,omitempty"`
	Lng       float64         `json:"lng"`
	Lat       float64         `json:"lat"`
	Time      time.Time       `json:"time"` // of the fix
	Seen      time.Time       `json:"seen"` // last contact
	DistanceM float64         `json:"distance_m"`
	Status    string          `json:"status,omitempty"`
}

// NearestResult is the answer for one point.
type NearestResult struct {
	ID         string      `json:"id,omitempty"`
	Patrollers []Patroller `json:"patrollers"`
}

// parseNearestQuery reads k, kind, role, online_within, max_distance and on_duty. kind
// defaults to person (the route asks for patrollers); "any" includes vehicles.
func parseNearestQuery(q Query) (field.NearestQuery, error) {
	var nq field.NearestQuery
	var err error
	if nq.K, err = ParseInt("k", q.Query("k"), DefaultNearestK, 1, MaxNearestK); err != nil {
		return nq, err
	}
	switch k := q.Query("kind"); k {
	case "", string(data.DevicePerson):
		nq.Kind = data.DevicePerson
	case string(data.DeviceVehicle):
		nq.Kind = data.DeviceVehicle
	case "any":
	default:
		return nq, BadParam("kind", "%q: want person, vehicle or any", k)
	}
	nq.Role = q.Query("role")
	if nq.OnlineWithin, err = parseDuration("online_within", q.Query("online_within")); err != nil {
		return nq, err
	}
	if m := q.Query("max_distance"); m != "" {
		if nq.MaxDistance, err = parseFloat("max_distance", m, 0, MaxNearestM); err != nil {
			return nq, err
		}
	}
	if nq.OnDuty, err = parseBoolParam("on_duty", q.Query("on_duty")); err != nil {
		return nq, err
	}
	return nq, nil
}

// nearest runs one search and renders it in crs.
func nearest(f *field.Force, q field.NearestQuery, crs geo.CRS, buf []field.Neighbor) ([]Patroller, []field.Neighbor, error) {
	buf, err := f.Nearest(q, buf)
	if err != nil {
		return nil, buf, forceError(err)
	}
	out := make([]Patroller, len(buf))
	for i, nb := range buf {
		p := geo.FromCGCS2000(nb.Fix.Point, crs)
		out[i] = Patroller{Device: nb.Fix.Device, Lng: p[0], Lat: p[1], Time: nb.Fix.Time, Seen: nb.Seen,
			DistanceM: nb.Distance, Status: nb.Fix.Status}
		if d := nb.Device; d != nil {
			out[i].Kind, out[i].Name, out[i].Role, out[i].Team, out[i].Subject = d.Kind, d.Name, d.Role, d.Team, d.Subject
		}
	}
	return out, buf, nil
}

func (s *Server) handleNearest(c *gin.Context) {
	_, p, crs, err := ParsePoint(c)
	if err != nil {
		Fail(c, "", err)
		return
	}
	q, err := parseNearestQuery(c)
	if err != nil {
		Fail(c, "", err)
		return
	}
	f := s.force(c)
	if f == nil {
		return
	}
	q.Point = p
	if !s.withDuty(c, &q) {
		return
	}
	out, _, err := nearest(f, q, crs, nil)
	if err != nil {
		Fail(c, "", err)
		return
	}
	c.JSON(http.StatusOK, NearestResult{Patrollers: out})
}

// NearestBatchRequest is the body of POST /v1/patrollers/nearest/batch: the filters once, up
// to MaxBatch points (a dispatch desk's open cases).
type NearestBatchRequest struct {
	CRS          string       `json:"crs"`
	K            *int         `json:"k"`
	Kind         string       `json:"kind"`
	Role         string       `json:"role"`
	OnlineWithin string       `json:"online_within"` // seconds or a duration ("5m")
	MaxDistance  *float64     `json:"max_distance"`
	OnDuty       bool         `json:"on_duty"`
	Points       []BatchPoint `json:"points"`
}

func (s *Server) handleNearestBatch(c *gin.Context) {
	var req NearestBatchRequest
	if err := bindJSON(c, &req, 4<<20); err != nil {
		Fail(c, "", err)
		return
	}
	opts := batchQuery{"kind": req.Kind, "role": req.Role, "online_within": req.OnlineWithin, "on_duty": strconv.FormatBool(req.OnDuty)}
	if req.K != nil {
		opts["k"] = fmt.Sprint(*req.K)
	}
	if req.MaxDistance != nil {
		opts["max_distance"] = fmt.Sprint(*req.MaxDistance)
	}
	q, crs, points, err := parseBatch(opts, parseNearestQuery, req.CRS, req.Points)
	if err != nil {
		Fail(c, "", err)
		return
	}
	f := s.force(c)
	if f == nil {
		return
	}
	q.Now = f.Options().Now() // one instant for the whole batch
	if !s.withDuty(c, &q) {
		return
	}
	results := make([]NearestResult, len(points))
	var buf []field.Neighbor
	for i, p := range points {
		q.Point = p
		var out []Patroller
		if out, buf, err = nearest(f, q, crs, buf); err != nil {
			Fail(c, "", err)
			return
		}
		results[i] = NearestResult{ID: req.Points[i].ID, Patrollers: out}
	}
	c.JSON(http.StatusOK, gin.H{"results": results})
}

// withDuty gives an on-duty search the server's duty lists resolved against the version served
// (a Force outlives versions, so it cannot hold them). Without lists the search keeps the
// Force's own Duty, if any, and otherwise fails with ErrNoDuty. It answers 503 and returns false
// when no version is served.
func (s *Server) withDuty(c *gin.Context, q *field.NearestQuery) bool {
	if !q.OnDuty || s.duty == nil || s.duty.Board.Roster() == nil {
		return true
	}
	snap := s.snapshot(c)
	if snap == nil {
		return false
	}
	q.Duty = s.duty.Board.Index(snap.DutyCity())
	return true
}

var _ field.Duty = (*duty.Index)(nil)
