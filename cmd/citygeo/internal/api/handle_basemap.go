package api

import (
	"errors"
	"net/http"
	"path"
	"strconv"
	"strings"

	"citygeo/tiles"
	"citygeo/tiles/basemap"

	"github.com/gin-gonic/gin"
)

// basemapRoutes serve the offline base map (serve --basemap FILE): its tiles, its TileJSON and
// a WMTS 1.0 capabilities document (RESTful) for desktop GIS. Without a base map they answer
// 404 saying how to configure one.
func (s *Server) basemapRoutes() []Route {
	return []Route{
		{"GET", "/basemap.json", Read, "TileJSON 3.0 of the offline base map (serve --basemap FILE)", s.handleBasemapTileJSON},
		{"GET", "/basemap/:z/:x/:y", Read, "one base map tile as stored (PNG, JPEG, WebP, or gzipped vector tile)", s.handleBasemapTile},
		{"GET", "/wmts/1.0.0/WMTSCapabilities.xml", Read, "WMTS 1.0.0 capabilities of the base map (RESTful, GoogleMapsCompatible)", s.handleWMTS},
	}
}

// basemapStyle returns the base map as the styles place it, or false without one.
func (s *Server) basemapStyle(r *http.Request) (tiles.Basemap, bool) {
	m := s.basemap
	if m == nil {
		return tiles.Basemap{}, false
	}
	return tiles.Basemap{TileJSONURL: s.baseURL(r) + "/basemap.json", Raster: m.Raster(), Layers: m.LayerIDs()}, true
}

func (s *Server) needBasemap(c *gin.Context) *basemap.Map {
	if s.basemap == nil {
		Fail(c, "", NotFound("basemap", "no base map is configured (citygeo serve --basemap FILE.mbtiles|FILE.pmtiles)"))
	}
	return s.basemap
}

func (s *Server) handleBasemapTileJSON(c *gin.Context) {
	m := s.needBasemap(c)
	if m == nil {
		return
	}
	c.Header("Cache-Control", "no-cache")
	c.JSON(http.StatusOK, m.TileJSON(s.baseURL(c.Request)+"/basemap/{z}/{x}/{y}"))
}

func (s *Server) handleBasemapTile(c *gin.Context) {
	m := s.needBasemap(c)
	if m == nil {
		return
	}
	// y may carry the format's extension (…/7.png), as some clients add one.
	ys := strings.TrimSuffix(c.Param("y"), path.Ext(c.Param("y")))
	var zxy [3]int
	for i, p := range []struct{ field, s string }{{"z", c.Param("z")}, {"x", c.Param("x")}, {"y", ys}} {
		n, err := strconv.ParseUint(p.s, 10, 32)
		if err != nil || n > 1<<30 {
			Fail(c, "", BadParam(p.field, "%s %q: want a non-negative integer", p.field, p.s))
			return
		}
		zxy[i] = int(n)
	}
	b, err := m.Tile(c.Request.Context(), zxy[0], zxy[1], zxy[2])
	if errors.Is(err, basemap.ErrNoTile) {
		Fail(c, "", NotFound("z", "the base map has no tile %d/%d/%d (zooms %d–%d)", zxy[0], zxy[1], zxy[2], m.MinZoom, m.MaxZoom))
		return
	}
	if err != nil {
		Fail(c, "", err)
		return
	}
	if basemap.Gzipped(b) {
		c.Header("Content-Encoding", "gzip")
	}
	// The archive does not change while the process runs: tiles may be cached for a day.
	c.Header("Cache-Control", "public, max-age=86400")
	c.Data(http.StatusOK, m.MediaType(), b)
}

func (s *Server) handleWMTS(c *gin.Context) {
	m := s.needBasemap(c)
	if m == nil {
		return
	}
	base := s.baseURL(c.Request)
	doc, err := m.Capabilities(base+"/basemap/{TileMatrix}/{TileCol}/{TileRow}", base+"/wmts/1.0.0/WMTSCapabilities.xml")
	if err != nil {
		Fail(c, "", err)
		return
	}
	c.Header("Cache-Control", "no-cache")
	c.Data(http.StatusOK, "application/xml; charset=utf-8", doc)
}
