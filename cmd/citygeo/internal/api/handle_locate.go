package api

import (
	"fmt"

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

// parseLocateQuery reads k, radius and class; generic for ParsePoint's reason.
func parseLocateQuery[Q Query](q Q) (locateQuery, error) {
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
	query := NewRawQuery(c.Request.URL.RawQuery)
	given, p, crs, err := ParsePoint(query)
	if err != nil {
		Fail(c, "", err)
		return
	}
	q, err := parseLocateQuery(query)
	if err != nil {
		Fail(c, "", err)
		return
	}
	snap := s.snapshot(c)
	if snap == nil {
		return
	}
	lb := locateBatches.Get().(*locateBatch) // its answer buffers; see handle_locate_batch.go
	defer lb.release()
	lb.near = snap.LocateInto(&lb.loc, given, p, crs, q.NearestQuery, lb.near)
	lb.out = lb.loc.AppendJSON(lb.out[:0])
	dataJSON(c, lb.out)
}

// BatchPoint is one item of a locate batch.
type BatchPoint struct {
	ID  string   `json:"id,omitempty"`
	Lng *float64 `json:"lng"`
	Lat *float64 `json:"lat"`
}

// LocateBatchRequest is the JSON body of POST /v1/locate/batch: its schema for clients and
// tests (the handler reads it without reflection, locateBatch.decodeJSON).
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
	if err := checkBatchSize(len(in), MaxBatch); err != nil {
		return nil, err
	}
	points := make([]orb.Point, len(in))
	for i, bp := range in {
		if bp.Lng == nil || bp.Lat == nil {
			return nil, BadParam(fmt.Sprintf("points[%d]", i), "lng and lat are required")
		}
		var err error
		if _, points[i], err = checkPoint(i, *bp.Lng, *bp.Lat, crs); err != nil {
			return nil, err
		}
	}
	return points, nil
}

// batchQuery adapts a batch request's shared options to the Query parsers.
type batchQuery map[string]string

func (b batchQuery) Query(k string) string { return b[k] }
