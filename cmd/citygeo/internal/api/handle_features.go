package api

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/paulmach/orb/geojson"

	"citygeo/data"
	"citygeo/geo"
)

// maxFeatures caps one /v1/components answer; the response says when it was cut.
const maxFeatures = 10000

func (s *Server) handleGrid(c *gin.Context) {
	code := c.Param("code")
	if _, err := data.ParseGridCode(code, data.GridCodeOptions{AllowLegacy14: true}); err != nil {
		Fail(c, "code", err)
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
	g := snap.Geo.Grid(code)
	if g == nil {
		Fail(c, "", NotFound("code", "no grid %s in dataset version %d", code, snap.Version()))
		return
	}
	c.JSON(http.StatusOK, gridFeature(g, snap.Geo, crs))
}

func (s *Server) handleArea(c *gin.Context) {
	code := c.Param("code")
	if _, err := data.ParseAreaCode(code); err != nil {
		Fail(c, "code", err)
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
	a := snap.Geo.Area(code)
	if a == nil {
		Fail(c, "", NotFound("code", "no area %s in dataset version %d", code, snap.Version()))
		return
	}
	c.JSON(http.StatusOK, areaFeature(a, crs))
}

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
	cp := snap.Geo.Component(id)
	if cp == nil {
		Fail(c, "", NotFound("id", "no component %s in dataset version %d", id, snap.Version()))
		return
	}
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
	// The bbox is in the client's CRS; the index is in CGCS2000.
	q := b
	if crs != geo.WGS84 && crs != geo.CGCS2000 {
		q = geo.ToCGCS2000(b.Min, crs).Bound().Extend(geo.ToCGCS2000(b.Max, crs))
	}
	fc := geojson.NewFeatureCollection()
	truncated := false
	snap.Geo.ComponentsIn(q, class, func(cp *data.Component) bool {
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
