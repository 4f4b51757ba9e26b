package api

import (
	"fmt"
	"math"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/paulmach/orb"

	"citygeo/data"
	"citygeo/geo"
)

// MaxBatch is the most points one POST /v1/locate/batch may carry.
const MaxBatch = 1000

// Located is the answer for one point: the area chain, the grid and the nearest components.
type Located struct {
	ID         string          `json:"id,omitempty"` // echoed from a batch item
	Version    int64           `json:"version"`
	CRS        geo.CRS         `json:"crs"`
	Point      LngLat          `json:"point"` // the point as given
	Outside    bool            `json:"outside"`
	Snapped    bool            `json:"snapped,omitempty"`
	SnapDist   float64         `json:"snap_distance_m,omitempty"`
	Grid       *GridRef        `json:"grid,omitempty"`
	Community  *AreaRef        `json:"community,omitempty"`
	Street     *AreaRef        `json:"street,omitempty"`
	District   *AreaRef        `json:"district,omitempty"`
	Components []NearComponent `json:"components"`
	Message    string          `json:"message,omitempty"`
}

// GridRef is a grid in a response.
type GridRef struct {
	Code    string  `json:"code"`
	AreaM2  float64 `json:"area_m2"`
	Derived bool    `json:"derived,omitempty"`
}

// NearComponent is one of the nearest components of a located point.
type NearComponent struct {
	ID         string        `json:"id"`
	Class      string        `json:"class"`
	ClassName  string        `json:"class_name,omitempty"`
	Name       string        `json:"name"`
	Status     string        `json:"status"`
	Department *data.DeptRef `json:"department,omitempty"` // maintainer, else property, else owner
	DistanceM  float64       `json:"distance_m"`
	Bearing    float64       `json:"bearing"`
	Direction  string        `json:"direction"` // where the component lies as seen from the point
	Point      LngLat        `json:"point"`
}

// locateQuery is what to look for around a point.
type locateQuery struct {
	geo.NearestQuery
}

func parseLocateQuery(q Query) (locateQuery, error) {
	k, err := ParseInt("k", q.Query("k"), 5, 0, 100)
	if err != nil {
		return locateQuery{}, err
	}
	radius := 100.0
	if r := q.Query("radius"); r != "" {
		if radius, err = parseFloat("radius", r, 0, 5000); err != nil {
			return locateQuery{}, err
		}
	}
	class := q.Query("class")
	if class != "" {
		if err := checkClass(class); err != nil {
			return locateQuery{}, err
		}
	}
	return locateQuery{geo.NearestQuery{K: k, Radius: radius, Class: class}}, nil
}

// checkClass accepts a component major ("01") or class ("0118", "01037") of either catalog.
func checkClass(class string) error {
	sch, ok := data.SchemeOfClass(class)
	if len(class) == 2 {
		sch, ok = data.CJT214, true
		if _, found := data.CatalogFor(data.CJT214).Major(class); !found {
			if _, found := data.CatalogFor(data.GBT4767).Major(class); !found {
				return BadParam("class", "%q is not a component major class", class)
			}
		}
		return nil
	}
	if !ok {
		return BadParam("class", "%q: want a major (2 digits) or a class code (4 digits CJ/T 214, 5 digits GB/T 47678.5)", class)
	}
	if _, found := data.CatalogFor(sch).Class(class); !found {
		return BadParam("class", "%q is not a component class of %s", class, sch)
	}
	return nil
}

func (s *Server) locate(snap *Snapshot, given, p orb.Point, crs geo.CRS, q locateQuery, buf []geo.Neighbor) (Located, []geo.Neighbor) {
	loc := snap.Geo.Locate(p)
	out := Located{Version: snap.Version(), CRS: crs, Point: LngLat{given[0], given[1]}, Outside: loc.Outside,
		Snapped: loc.Snapped, SnapDist: round1(loc.SnapDistance), Components: []NearComponent{}}
	if loc.Outside {
		out.Message = "the point is outside the city's grids and areas"
	}
	if loc.Grid != nil {
		out.Grid = &GridRef{Code: loc.Grid.Code, AreaM2: round1(loc.Grid.AreaM2), Derived: loc.Grid.Derived}
	}
	out.Community, out.Street, out.District = areaRef(loc.Community), areaRef(loc.Street), areaRef(loc.District)
	if q.K > 0 {
		buf = snap.Geo.Nearest(p, q.NearestQuery, buf[:0])
		for _, n := range buf {
			out.Components = append(out.Components, nearComponent(n, crs))
		}
	}
	return out, buf
}

func nearComponent(n geo.Neighbor, crs geo.CRS) NearComponent {
	c := n.Component
	nc := NearComponent{ID: c.ID, Class: c.Class(), Name: c.Name, Status: string(c.Status),
		DistanceM: round1(n.Distance), Bearing: math.Round(n.Bearing), Direction: geo.Direction(n.Bearing)}
	if cl, ok := data.CatalogFor(c.Scheme).Class(c.Class()); ok {
		nc.ClassName = cl.Name
	}
	for _, d := range []data.DeptRef{c.Maintainer, c.Property, c.Owner} {
		if !d.IsZero() {
			d := d
			nc.Department = &d
			break
		}
	}
	if c.Geometry != nil {
		nc.Point = lngLat(anchor(c.Geometry), crs)
	}
	return nc
}

// anchor is the representative point of a component's geometry.
func anchor(g orb.Geometry) orb.Point {
	switch g := g.(type) {
	case orb.Point:
		return g
	case orb.LineString:
		if len(g) > 0 {
			return g[len(g)/2]
		}
	}
	return g.Bound().Center()
}

func (s *Server) handleLocate(c *gin.Context) {
	given, p, crs, err := ParsePoint(c)
	if err != nil {
		Fail(c, "", err)
		return
	}
	q, err := parseLocateQuery(c)
	if err != nil {
		Fail(c, "", err)
		return
	}
	snap := s.snapshot(c)
	if snap == nil {
		return
	}
	out, _ := s.locate(snap, given, p, crs, q, nil)
	c.JSON(http.StatusOK, out)
}

// BatchPoint is one item of a locate batch.
type BatchPoint struct {
	ID  string   `json:"id,omitempty"`
	Lng *float64 `json:"lng"`
	Lat *float64 `json:"lat"`
}

// LocateBatchRequest is the body of POST /v1/locate/batch.
type LocateBatchRequest struct {
	CRS    string       `json:"crs"`
	K      *int         `json:"k"`
	Radius *float64     `json:"radius"`
	Class  string       `json:"class"`
	Points []BatchPoint `json:"points"`
}

// batchQuery adapts a batch request's shared options to the Query parsers.
type batchQuery map[string]string

func (b batchQuery) Query(k string) string { return b[k] }

func (s *Server) handleLocateBatch(c *gin.Context) {
	var req LocateBatchRequest
	if err := bindJSON(c, &req, 4<<20); err != nil {
		Fail(c, "", err)
		return
	}
	if len(req.Points) == 0 {
		Fail(c, "", BadParam("points", "at least one point is required"))
		return
	}
	if len(req.Points) > MaxBatch {
		Fail(c, "", &Error{Status: http.StatusRequestEntityTooLarge, Code: CodeTooLarge, Field: "points", Message: fmt.Sprintf("%d points; at most %d per request", len(req.Points), MaxBatch)})
		return
	}
	opts := batchQuery{"class": req.Class}
	if req.K != nil {
		opts["k"] = fmt.Sprint(*req.K)
	}
	if req.Radius != nil {
		opts["radius"] = fmt.Sprint(*req.Radius)
	}
	q, err := parseLocateQuery(opts)
	if err != nil {
		Fail(c, "", err)
		return
	}
	crs, err := ParseCRSParam(req.CRS)
	if err != nil {
		Fail(c, "", err)
		return
	}
	points := make([]orb.Point, len(req.Points))
	for i, bp := range req.Points {
		if bp.Lng == nil || bp.Lat == nil {
			Fail(c, "", BadParam(fmt.Sprintf("points[%d]", i), "lng and lat are required"))
			return
		}
		pq := batchQuery{"lng": fmt.Sprint(*bp.Lng), "lat": fmt.Sprint(*bp.Lat), "crs": crs.String()}
		if _, points[i], _, err = ParsePoint(pq); err != nil {
			if ae, ok := err.(*Error); ok {
				ae.Field = fmt.Sprintf("points[%d].%s", i, ae.Field)
			}
			Fail(c, "", err)
			return
		}
	}
	snap := s.snapshot(c)
	if snap == nil {
		return
	}
	results := make([]Located, len(points))
	var buf []geo.Neighbor
	for i, p := range points {
		bp := req.Points[i]
		results[i], buf = s.locate(snap, orb.Point{*bp.Lng, *bp.Lat}, p, crs, q, buf)
		results[i].ID = bp.ID
	}
	c.JSON(http.StatusOK, gin.H{"version": snap.Version(), "results": results})
}
