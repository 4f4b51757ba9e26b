package api

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/paulmach/orb/geojson"

	"citygeo/duty"
	"citygeo/gazetteer"
)

// LevelSegment is the geocoding level of a stretch of road between two ends (道路区段): the
// answer is a line, not a point.
const LevelSegment = "道路区段"

// handleGeocodeSegment answers GET /v1/geocode/segment?q=&crs=: a road segment's text
// ("人民路（友谊桥至和平桥）", "跃龙路(人民路—青年路)", "解放路东侧") → a GeoJSON Feature of the
// stretch of road it names, level 道路区段, resolved as the duty lists resolve their segments.
func (s *Server) handleGeocodeSegment(c *gin.Context) {
	q := c.Query("q")
	if q == "" || len([]rune(q)) > 200 {
		Fail(c, "", BadParam("q", "want a road segment of at most 200 characters, as in 人民路（友谊桥至和平桥）"))
		return
	}
	crs, snap := s.crsSnapshot(c)
	if snap == nil {
		return
	}
	seg, err := duty.ResolveSegment(snap.DutyCity(), q, duty.Options{})
	switch {
	case errors.Is(err, gazetteer.ErrSegmentText):
		Fail(c, "", BadParam("q", "%v", err))
		return
	case errors.Is(err, duty.ErrUnresolved):
		Fail(c, "", NotFound("q", "%v", err))
		return
	case err != nil:
		Fail(c, "", err)
		return
	}
	f := geojson.NewFeature(inCRS(seg.Line, crs))
	f.Properties = geojson.Properties{"level": LevelSegment, "address": q, "road": seg.RoadName, "from": seg.From, "to": seg.To,
		"side": seg.Side, "side_name": seg.Side.Chinese(), "length_m": seg.Length, "version": snap.Version()}
	c.JSON(http.StatusOK, f)
}
