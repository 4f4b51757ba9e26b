package api

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/paulmach/orb/geojson"

	"citygeo/city"
	"citygeo/data"
	"citygeo/geo"
)

// maxFeatures caps one /v1/components answer; the response says when it was cut.
const maxFeatures = 10000

// lookupHandler serves one feature named by the path parameter param: check validates the
// code's form (400 naming param), find looks it up in the current snapshot as served now,
// edits included (404 when nil).
func lookupHandler[T any](s *Server, param, what string, check func(string) error,
	find func(*city.Snapshot, string) *T, render func(*T, *geo.Index, geo.CRS) *geojson.Feature) gin.HandlerFunc {
	return func(c *gin.Context) {
		code := c.Param(param)
		if err := check(code); err != nil {
			Fail(c, param, err)
			return
		}
		crs, err := ParseCRSParam(c.Query("crs"))
		if err != nil {
			Fail(c, "", err)
			return
		}
		snap := s.snapshot(c)
		if snap == nil {
			return
		}
		v := find(snap, code)
		if v == nil {
			Fail(c, "", NotFound(param, "no %s %s in dataset version %d", what, code, snap.Version()))
			return
		}
		c.JSON(http.StatusOK, render(v, snap.Geo, crs))
	}
}

func (s *Server) handleGrid() gin.HandlerFunc {
	return lookupHandler(s, "code", "grid",
		func(code string) error {
			_, err := data.ParseGridCode(code, data.GridCodeOptions{AllowLegacy14: true})
			return err
		},
		(*city.Snapshot).Grid, gridFeature)
}

func (s *Server) handleArea() gin.HandlerFunc {
	return lookupHandler(s, "code", "area",
		func(code string) error {
			_, err := data.ParseAreaCode(code)
			return err
		},
		func(s *city.Snapshot, code string) *data.Area { return s.Geo.Area(code) }, func(a *data.Area, _ *geo.Index, crs geo.CRS) *geojson.Feature { return areaFeature(a, crs) })
}

// handleComponent answers one component as served now (edits included) with its ETag, which
// an update or delete sends back in If-Match.
func (s *Server) handleComponent(c *gin.Context) {
	id := c.Param("id")
	if _, err := data.ParseComponentID(id); err != nil {
		Fail(c, "id", err)
		return
	}
	crs, err := ParseCRSParam(c.Query("crs"))
	if err != nil {
		Fail(c, "", err)
		return
	}
	snap := s.snapshot(c)
	if snap == nil {
		return
	}
	cp := snap.Component(id)
	if cp == nil {
		Fail(c, "", NotFound("id", "no component %s in dataset version %d", id, snap.Version()))
		return
	}
	c.Header("ETag", city.FeatureETag(&data.Dataset{Components: []*data.Component{cp}}))
	c.JSON(http.StatusOK, componentFeature(cp, crs))
}

func (s *Server) handleComponents(c *gin.Context) {
	b, err := ParseBBox("bbox", c.Query("bbox"))
	if err != nil {
		Fail(c, "", err)
		return
	}
	class := c.Query("class")
	if class != "" {
		if err := checkClass(class); err != nil {
			Fail(c, "", err)
			return
		}
	}
	limit, err := ParseInt("limit", c.Query("limit"), 1000, 1, maxFeatures)
	if err != nil {
		Fail(c, "", err)
		return
	}
	crs, err := ParseCRSParam(c.Query("crs"))
	if err != nil {
		Fail(c, "", err)
		return
	}
	snap := s.snapshot(c)
	if snap == nil {
		return
	}
	// The bbox is in the client's CRS; the index is in CGCS2000. The index filters by bounding
	// box; a line or polygon whose box meets the query but which passes beside it is not in
	// it (GIS clients and the OGC API answer the same).
	q := geo.BoundToCGCS2000(b, crs)
	fc := geojson.NewFeatureCollection()
	truncated := false
	snap.ComponentsIn(q, class, func(cp *data.Component) bool {
		if !geo.Intersects(cp.Geometry, q) {
			return true
		}
		if len(fc.Features) == limit {
			truncated = true
			return false
		}
		fc.Append(componentFeature(cp, crs))
		return true
	})
	fc.ExtraMembers = geojson.Properties{"version": snap.Version(), "truncated": truncated, "limit": limit}
	c.JSON(http.StatusOK, fc)
}
