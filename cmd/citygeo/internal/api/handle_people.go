package api

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"citygeo/city"
	"citygeo/data"
	"citygeo/duty"
	"citygeo/geo"
)

// The read routes of the duty lists answer the records in the form an import takes (duty.Records:
// what you read you can import back), phones only for the roles that see them, and zones and
// segments as GeoJSON in the client's crs, resolved against the version served.

// records returns the lists of the current roster, phones as the caller may see them.
func (s *Server) records(c *gin.Context) (map[duty.List][]duty.Record, *duty.Index) {
	ix, _ := s.dutyIndex(c)
	if ix == nil {
		return nil, nil
	}
	return duty.Records(&ix.Roster().Roster, s.seesPhones(c)), ix
}

// list answers the records of the given lists, each under its list's name.
func (s *Server) list(lists ...duty.List) gin.HandlerFunc {
	return func(c *gin.Context) {
		recs, _ := s.records(c)
		if recs == nil {
			return
		}
		body := gin.H{}
		for _, l := range lists {
			body[string(l)] = orEmpty(recs[l])
		}
		c.JSON(http.StatusOK, body)
	}
}

func orEmpty(rs []duty.Record) []duty.Record {
	if rs == nil {
		return []duty.Record{}
	}
	return rs
}

// handlePeople answers GET /v1/people?post=&team=: the people, filtered by post and team.
func (s *Server) handlePeople(c *gin.Context) {
	var post data.Post
	if p := c.Query("post"); p != "" {
		var err error
		if post, err = data.ParsePost(p); err != nil {
			Fail(c, "", BadParam("post", "%v", err))
			return
		}
	}
	team := c.Query("team")
	recs, _ := s.records(c)
	if recs == nil {
		return
	}
	out := []duty.Record{}
	for _, r := range recs[duty.ListPeople] {
		if (post == "" || r["post"] == string(post)) && (team == "" || r["team"] == team) {
			out = append(out, r)
		}
	}
	c.JSON(http.StatusOK, gin.H{"people": out})
}

// handlePerson answers GET /v1/people/:id.
func (s *Server) handlePerson(c *gin.Context) {
	recs, _ := s.records(c)
	if recs == nil {
		return
	}
	for _, r := range recs[duty.ListPeople] {
		if r["id"] == c.Param("id") {
			c.JSON(http.StatusOK, r)
			return
		}
	}
	Fail(c, "", NotFound("id", "no person %q in the duty lists", c.Param("id")))
}

// handleZones answers GET /v1/zones?crs=: every zone that resolved, as a Feature whose geometry
// is its grids (or polygon) and whose properties are its record and grid count.
func (s *Server) handleZones(c *gin.Context) {
	s.features(c, func(ix *duty.Index, crs geo.CRS) *geojson.FeatureCollection {
		fc := geojson.NewFeatureCollection()
		for _, z := range ix.Zones() {
			fc.Append(zoneFeature(ix, z, crs, false))
		}
		return fc
	})
}

// handleZone answers GET /v1/zones/:id?crs=, with the zone's grid codes.
func (s *Server) handleZone(c *gin.Context) {
	s.feature(c, "zone", func(ix *duty.Index, id string, crs geo.CRS) *geojson.Feature {
		for _, z := range ix.Zones() {
			if z.ID == id {
				return zoneFeature(ix, z, crs, true)
			}
		}
		return nil
	})
}

func zoneFeature(ix *duty.Index, z *data.Zone, crs geo.CRS, withGrids bool) *geojson.Feature {
	grids, _ := ix.ZoneGrids(z.ID)
	mp := make(orb.MultiPolygon, 0, len(grids)+len(z.Polygon))
	mp = append(mp, z.Polygon...)
	codes := make([]string, 0, len(grids))
	for _, g := range grids {
		if len(z.Polygon) == 0 {
			mp = append(mp, g.Polygon)
		}
		codes = append(codes, g.Code)
	}
	f := geojson.NewFeature(inCRS(mp, crs))
	f.ID = z.ID
	f.Properties = geojson.Properties{"id": z.ID, "name": z.Name, "kind": z.Kind, "kind_name": z.Kind.Chinese(), "grid_count": len(grids)}
	if withGrids {
		f.Properties["grids"] = codes
	}
	return f
}

// handleSegments answers GET /v1/segments?crs=: every segment that resolved, as its line along
// the road.
func (s *Server) handleSegments(c *gin.Context) {
	s.features(c, func(ix *duty.Index, crs geo.CRS) *geojson.FeatureCollection {
		fc := geojson.NewFeatureCollection()
		for _, sg := range ix.Segments() {
			fc.Append(segmentFeature(sg, crs))
		}
		return fc
	})
}

// handleSegment answers GET /v1/segments/:id?crs=.
func (s *Server) handleSegment(c *gin.Context) {
	s.feature(c, "segment", func(ix *duty.Index, id string, crs geo.CRS) *geojson.Feature {
		if sg := ix.Segment(id); sg != nil {
			return segmentFeature(sg, crs)
		}
		return nil
	})
}

func segmentFeature(sg *duty.Segment, crs geo.CRS) *geojson.Feature {
	f := geojson.NewFeature(inCRS(sg.Line, crs))
	f.ID = sg.ID
	f.Properties = geojson.Properties{"id": sg.ID, "name": sg.Name, "road": sg.RoadName, "from": sg.From, "to": sg.To,
		"side": sg.Side, "side_name": sg.Side.Chinese(), "unit": sg.Unit, "length_m": sg.Length}
	return f
}

// features answers a FeatureCollection built from the duty index in the client's crs.
func (s *Server) features(c *gin.Context, build func(*duty.Index, geo.CRS) *geojson.FeatureCollection) {
	if crs, ix, _ := s.dutyIndexIn(c); ix != nil {
		c.JSON(http.StatusOK, build(ix, crs))
	}
}

// feature answers one Feature named by the path's id, 404 when find returns nil.
func (s *Server) feature(c *gin.Context, what string, find func(*duty.Index, string, geo.CRS) *geojson.Feature) {
	crs, ix, version := s.dutyIndexIn(c)
	if ix == nil {
		return
	}
	if f := find(ix, c.Param("id"), crs); f != nil {
		c.JSON(http.StatusOK, f)
		return
	}
	Fail(c, "", NotFound("id", "no %s %q resolved against dataset version %d", what, c.Param("id"), version))
}

// dutyIndexIn reads the crs parameter and returns it with the duty index and the version
// served; a nil index means the request was answered (400 or 503).
func (s *Server) dutyIndexIn(c *gin.Context) (geo.CRS, *duty.Index, int64) {
	crs, snap := s.crsSnapshot(c)
	if snap == nil {
		return crs, nil, 0
	}
	ix, snap := s.dutyIndex(c)
	if ix == nil {
		return crs, nil, 0
	}
	return crs, ix, snap.Version()
}

// crsSnapshot reads the crs parameter and returns it with the snapshot served; a nil snapshot
// means the request was answered (400 or 503).
func (s *Server) crsSnapshot(c *gin.Context) (geo.CRS, *city.Snapshot) {
	crs, err := ParseCRSParam(c.Query("crs"))
	if err != nil {
		Fail(c, "", err)
		return crs, nil
	}
	return crs, s.snapshot(c)
}
