package api

import (
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/paulmach/orb"

	"citygeo/city"
	"citygeo/data"
	"citygeo/geo"
)

// MaxBatch is the most points one POST /v1/locate/batch may carry.
const MaxBatch = 1000

// locateQuery is what to look for around a point.
type locateQuery struct {
	geo.NearestQuery
}

func parseLocateQuery(q Query) (locateQuery, error) {
	k, err := ParseInt("k", q.Query("k"), city.DefaultLocateK, 0, city.MaxLocateK)
	if err != nil {
		return locateQuery{}, err
	}
	radius := city.DefaultLocateRadius
	if r := q.Query("radius"); r != "" {
		if radius, err = parseFloat("radius", r, 0, city.MaxLocateRadius); err != nil {
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

// checkClass accepts a component major or class code of either catalog (data.CheckClassFilter).
func checkClass(class string) error {
	if err := data.CheckClassFilter(class); err != nil {
		return BadParam("class", "%v", err)
	}
	return nil
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
	out, _ := snap.Locate(given, p, crs, q.NearestQuery, nil)
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

// parseBatch reads what every batch route shares: its options, parsed as the single route
// parses its query, its crs and its points.
func parseBatch[Q any](opts batchQuery, parse func(Query) (Q, error), crsName string, in []BatchPoint) (q Q, crs geo.CRS, points []orb.Point, err error) {
	if q, err = parse(opts); err != nil {
		return
	}
	if crs, err = ParseCRSParam(crsName); err != nil {
		return
	}
	points, err = batchPoints(in, crs)
	return
}

// batchPoints checks the points of a batch (one to MaxBatch, each with lng and lat in range)
// and returns them in CGCS2000; errors name the point, as in points[3].lat.
func batchPoints(in []BatchPoint, crs geo.CRS) ([]orb.Point, error) {
	if len(in) == 0 {
		return nil, BadParam("points", "at least one point is required")
	}
	if len(in) > MaxBatch {
		return nil, &Error{Status: http.StatusRequestEntityTooLarge, Code: CodeTooLarge, Field: "points", Message: fmt.Sprintf("%d points; at most %d per request", len(in), MaxBatch)}
	}
	points := make([]orb.Point, len(in))
	for i, bp := range in {
		if bp.Lng == nil || bp.Lat == nil {
			return nil, BadParam(fmt.Sprintf("points[%d]", i), "lng and lat are required")
		}
		pq := batchQuery{"lng": fmt.Sprint(*bp.Lng), "lat": fmt.Sprint(*bp.Lat), "crs": crs.String()}
		var err error
		if _, points[i], _, err = ParsePoint(pq); err != nil {
			if ae, ok := err.(*Error); ok {
				ae.Field = fmt.Sprintf("points[%d].%s", i, ae.Field)
			}
			return nil, err
		}
	}
	return points, nil
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
	opts := batchQuery{"class": req.Class}
	if req.K != nil {
		opts["k"] = fmt.Sprint(*req.K)
	}
	if req.Radius != nil {
		opts["radius"] = fmt.Sprint(*req.Radius)
	}
	q, crs, points, err := parseBatch(opts, parseLocateQuery, req.CRS, req.Points)
	if err != nil {
		Fail(c, "", err)
		return
	}
	snap := s.snapshot(c)
	if snap == nil {
		return
	}
	results := make([]city.Located, len(points))
	var buf []geo.Neighbor
	for i, p := range points {
		bp := req.Points[i]
		results[i], buf = snap.Locate(orb.Point{*bp.Lng, *bp.Lat}, p, crs, q.NearestQuery, buf)
		results[i].ID = bp.ID
	}
	c.JSON(http.StatusOK, gin.H{"version": snap.Version(), "results": results})
}
