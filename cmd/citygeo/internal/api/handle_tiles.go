package api

import (
	"errors"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"citygeo/tiles"
	"citygeo/web"
)

// mvtType is the media type of a vector tile.
const mvtType = "application/vnd.mapbox-vector-tile"

// tileRoutes are the vector-tile, style and wall-page routes. Tiles, TileJSON and styles are
// reads; the page and its static files are public so the wall screen can load before any token.
func (s *Server) tileRoutes() []Route {
	return []Route{
		{"GET", "/tiles/:set", Read, "TileJSON 3.0 of a tile set, the city or a live one: /tiles/{set}.json", s.handleTileJSON},
		{"GET", "/tiles/:set/:z/:x/:y", Read, "one vector tile: /tiles/{set}/{z}/{x}/{y}.mvt (gzip, ETag, 204 when empty)", s.handleTile},
		{"GET", "/styles/:style", Read, "MapLibre style: /styles/wall.json (dark) or /styles/desk.json (light)", s.handleStyle},
		{"GET", "/", Public, "the wall-screen map page", s.handlePage},
		{"GET", "/app.js", Public, "wall-screen page script", s.handlePage},
		{"GET", "/app.css", Public, "wall-screen page styles", s.handlePage},
		{"GET", "/vendor/:pkg/:file", Public, "MapLibre GL files, built from npm into web/dist", s.handlePage},
	}
}

// parseTileCoords reads z, x and "y.mvt" from a tile path; "y.pbf" names the same tile, the
// extension GDAL's MVT driver asks for unless told otherwise (`ogrinfo MVT:…/tiles/city/16`
// reads the set through its TileJSON, /tiles/city.json). It only checks syntax and the
// coordinate range of zoom z; the tiler decides what the set serves.
func parseTileCoords(zs, xs, ys string) (z, x, y int, err error) {
	ys, ok := strings.CutSuffix(ys, ".mvt")
	if !ok {
		ys, ok = strings.CutSuffix(ys, ".pbf")
	}
	if !ok {
		return 0, 0, 0, NotFound("y", "tile path must end in .mvt (or .pbf)")
	}
	for _, p := range []struct {
		s     string
		field string
		v     *int
	}{{zs, "z", &z}, {xs, "x", &x}, {ys, "y", &y}} {
		n, err := strconv.ParseUint(p.s, 10, 32)
		if err != nil || (p.field == "z" && n > 30) {
			return 0, 0, 0, BadParam(p.field, "%s %q: want a non-negative integer (z ≤ 30)", p.field, p.s)
		}
		*p.v = int(n)
	}
	if x >= 1<<z || y >= 1<<z {
		return 0, 0, 0, BadParam("x", "tile %d/%d/%d does not exist: x and y must be below %d", z, x, y, 1<<z)
	}
	return z, x, y, nil
}

// tileError maps the tiler's errors onto statuses: unknown set and tiles beyond the set's
// zooms or the city's bounds are 404, impossible coordinates 400.
func tileError(err error) error {
	switch {
	case errors.Is(err, tiles.ErrUnknownSet):
		return NotFound("set", "%v", err)
	case errors.Is(err, tiles.ErrOutside):
		return NotFound("z", "%v", err)
	case errors.Is(err, tiles.ErrBadTile):
		return BadParam("z", "%v", err)
	case errors.Is(err, tiles.ErrUnknownLayer):
		return BadParam("layers", "%v", err)
	}
	return err
}

func (s *Server) handleTile(c *gin.Context) {
	z, x, y, err := parseTileCoords(c.Param("z"), c.Param("x"), c.Param("y"))
	if err != nil {
		Fail(c, "", err)
		return
	}
	if !s.guardSet(c, c.Param("set")) {
		return
	}
	snap := s.snapshot(c)
	if snap == nil {
		return
	}
	var layers []string
	for l := range strings.SplitSeq(c.Query("layers"), ",") {
		if l = strings.TrimSpace(l); l != "" {
			layers = append(layers, l)
		}
	}
	tl, err := s.tiler(snap).TileLayers(c.Param("set"), z, x, y, layers)
	if err != nil {
		Fail(c, "", tileError(err))
		return
	}
	defer tl.Release() // once written, an uncached tile's buffers serve the next build
	gz := acceptsGzip(c.GetHeader("Accept-Encoding"))
	etag := tl.ETag
	if gz && !tl.Empty {
		etag = tl.ETagGzip // each representation has its own strong tag
	}
	h := c.Writer.Header()
	h.Set("ETag", etag)
	h.Set("Vary", "Accept-Encoding")
	// no-cache: clients revalidate every time (a 304 is cheap), so a new dataset version or a
	// rollback shows on the very next request.
	h.Set("Cache-Control", "no-cache")
	if tl.Thinned != "" {
		h.Set("X-Citygeo-Thinned", tl.Thinned) // layers thinned to the feature cap or 500 KB
	}
	if etagMatch(c.GetHeader("If-None-Match"), etag) {
		c.Status(http.StatusNotModified)
		return
	}
	if tl.Empty {
		c.Status(http.StatusNoContent)
		return
	}
	body := tl.Raw
	if gz {
		// An uncached tile is compressed here, only for a client that asked.
		if body, err = tl.Gzipped(); err != nil {
			Fail(c, "", err)
			return
		}
		h.Set("Content-Encoding", "gzip")
	}
	// An explicit length lets net/http send the tile in one write instead of chunks.
	h.Set("Content-Length", strconv.Itoa(len(body)))
	c.Data(http.StatusOK, mvtType, body)
}

func (s *Server) handleTileJSON(c *gin.Context) {
	set, ok := strings.CutSuffix(c.Param("set"), ".json")
	if !ok {
		Fail(c, "", NotFound("set", "TileJSON is at /tiles/{set}.json"))
		return
	}
	if !s.guardSet(c, set) {
		return
	}
	snap := s.snapshot(c)
	if snap == nil {
		return
	}
	tj, err := s.tiler(snap).TileJSON(set, tiles.TileURL(s.baseURL(c.Request), set))
	if err != nil {
		Fail(c, "", tileError(err))
		return
	}
	c.Header("Cache-Control", "no-cache")
	c.JSON(http.StatusOK, tj)
}

func (s *Server) handleStyle(c *gin.Context) {
	name, ok := strings.CutSuffix(c.Param("style"), ".json")
	if !ok {
		Fail(c, "", NotFound("style", "styles are /styles/wall.json and /styles/desk.json"))
		return
	}
	st, err := tiles.Style(name, s.baseURL(c.Request), s.liveFor(c))
	if err != nil {
		Fail(c, "", NotFound("style", "%v", err))
		return
	}
	if b, ok := s.basemapStyle(c.Request); ok {
		tiles.AddBasemap(st, name, b)
	}
	c.Header("Cache-Control", "no-cache")
	c.JSON(http.StatusOK, st)
}

// handlePage serves the wall page and its static files from the web assets. Without the built
// MapLibre files the page still loads and tells the operator how to build them.
func (s *Server) handlePage(c *gin.Context) {
	name := strings.TrimPrefix(c.Request.URL.Path, "/")
	if name == "" {
		name = "index.html"
	}
	name = path.Clean(name)
	if !fs.ValidPath(name) {
		Fail(c, "", NotFound("path", "no file %s", c.Request.URL.Path))
		return
	}
	b, err := fs.ReadFile(s.web, name)
	if err != nil {
		if strings.HasPrefix(name, "vendor/") && !s.web.HasVendor() {
			Fail(c, "", NotFound("path", "%v", web.ErrNoVendor))
			return
		}
		Fail(c, "", NotFound("path", "no file %s", c.Request.URL.Path))
		return
	}
	ct := mime.TypeByExtension(path.Ext(name))
	if strings.HasSuffix(name, ".mjs") || strings.HasSuffix(name, ".js") {
		ct = "text/javascript; charset=utf-8"
	}
	if ct == "" {
		ct = "application/octet-stream"
	}
	c.Header("Cache-Control", "no-cache")
	c.Data(http.StatusOK, ct, b)
}

// baseURL is where clients reach this server, for the absolute URLs MapLibre needs: the
// configured public URL, or else the scheme and host the client used (which a client controls,
// so a deployment behind a gateway sets PublicURL).
func (s *Server) baseURL(r *http.Request) string {
	if s.publicURL != "" {
		return s.publicURL + s.pathPrefix
	}
	scheme := "http"
	if r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https" {
		scheme = "https"
	}
	return scheme + "://" + r.Host + s.pathPrefix
}

// acceptsGzip reads an Accept-Encoding header: gzip (or *) with a non-zero q value.
func acceptsGzip(h string) bool {
	star, gz := false, -1
	for part := range strings.SplitSeq(h, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil {
				continue
			}
			q = f
		}
		switch strings.ToLower(strings.TrimSpace(name)) {
		case "gzip", "x-gzip":
			gz = 0
			if q > 0 {
				gz = 1
			}
		case "*":
			star = q > 0
		}
	}
	return gz == 1 || (gz == -1 && star)
}

// etagMatch reports whether an If-None-Match header names etag (or is "*").
func etagMatch(h, etag string) bool {
	if h == "" {
		return false
	}
	for t := range strings.SplitSeq(h, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == etag || t == "*" {
			return true
		}
	}
	return false
}
