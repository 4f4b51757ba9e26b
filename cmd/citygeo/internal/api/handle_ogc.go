package api

import (
	"encoding/json"
	"errors"
	"net/http"
	"runtime"
	"sync"
	"sync/atomic"
	"weak"

	"github.com/gin-gonic/gin"

	"citygeo/city"
	"citygeo/ogc"
)

// ogcRoutes are OGC API – Features at /ogc. They are described in OGC terms by their own
// OpenAPI document, GET /ogc/api, which GDAL and QGIS read; /v1/openapi.json lists them too.
func (s *Server) ogcRoutes() []Route {
	return []Route{
		{"GET", "/ogc", Read, "OGC API – Features landing page (JSON, or HTML by f=html or Accept)", s.handleOGC(s.ogcLanding)},
		{"GET", "/ogc/conformance", Read, "OGC API – Features conformance classes", s.handleOGC(s.ogcConformance)},
		{"GET", "/ogc/api", Read, "the OGC API's own definition (OpenAPI 3.0) with every collection's queryables", s.handleOGC(s.ogcAPI)},
		{"GET", "/ogc/collections", Read, "the collections with their extents and CRSs", s.handleOGC(s.ogcCollections)},
		{"GET", "/ogc/collections/:collectionId", Read, "one collection", s.handleOGC(s.ogcCollection)},
		{"GET", "/ogc/collections/:collectionId/items", Read, "features: bbox, bbox-crs, datetime, queryables, limit, offset, crs", s.handleOGC(s.ogcItems)},
		{"GET", "/ogc/collections/:collectionId/items/:featureId", Read, "one feature, in crs", s.handleOGC(s.ogcItem)},
		{"GET", "/ogc/collections/:collectionId/queryables", Read, "the properties items filter on (JSON Schema)", s.handleOGC(s.ogcQueryables)},
		{"GET", "/ogc/collections/:collectionId/schema", Read, "the features' schema (JSON Schema)", s.handleOGC(s.ogcSchema)},
	}
}

// ogcRequest is what every OGC handler needs: the catalog of the current snapshot, the
// service's absolute URL (links must be absolute: clients follow them as given; s.baseURL honours
// a proxy's X-Forwarded-Proto) and whether the client wants HTML.
type ogcRequest struct {
	cat  *ogc.Catalog
	base string
	html bool
}

// ogcAnswer is a handler's result: a document and its media type, or an HTML page.
type ogcAnswer struct {
	doc      any
	jsonType string
	page     *ogcPage
	crs      *ogc.CRS // sets Content-Crs
}

// handleOGC binds what every OGC resource shares, calls h and renders its answer.
func (s *Server) handleOGC(h func(*gin.Context, ogcRequest) (ogcAnswer, error)) gin.HandlerFunc {
	return func(c *gin.Context) {
		html, err := ogcWantsHTML(c)
		if err != nil {
			Fail(c, "", err)
			return
		}
		snap := s.snapshot(c)
		if snap == nil {
			return
		}
		// The catalog is the version's; the component edits served over it are this moment's.
		cat := s.ogcCatalog(snap).WithEdits(ogc.Edits{Components: snap.EditedComponents(), Grids: snap.EditedGrids(), Roads: snap.EditedRoads()})
		ans, err := h(c, ogcRequest{cat: cat, base: s.baseURL(c.Request) + "/ogc", html: html})
		if err != nil {
			Fail(c, "", ogcError(err))
			return
		}
		if ans.crs != nil {
			c.Header("Content-Crs", "<"+ans.crs.URI+">")
		}
		if html && ans.page != nil {
			renderOGCPage(c, ans.page)
			return
		}
		body, err := json.Marshal(ans.doc)
		if err != nil {
			Fail(c, "", err)
			return
		}
		c.Data(http.StatusOK, ans.jsonType, body)
	}
}

// ogcWantsHTML reads f (json or html), else the Accept header: a browser asks for text/html
// first, GDAL and curl for JSON or anything.
func ogcWantsHTML(c *gin.Context) (bool, error) {
	switch c.Query("f") {
	case "json", "geojson":
		return false, nil
	case "html":
		return true, nil
	case "":
		return c.NegotiateFormat(ogc.TypeJSON, ogc.TypeGeoJSON, ogc.TypeHTML) == ogc.TypeHTML, nil
	}
	return false, BadParam("f", "%q: want json or html", c.Query("f"))
}

// ogcError maps the catalog's errors onto the API's: unknown ids are 404, bad parameters 400.
func ogcError(err error) error {
	var pe *ogc.ParamError
	switch {
	case errors.As(err, &pe):
		return BadParam(pe.Param, "%s", pe.Message)
	case errors.Is(err, ogc.ErrNoCollection):
		return NotFound("collectionId", "%v", err)
	case errors.Is(err, ogc.ErrNoFeature):
		return NotFound("featureId", "%v", err)
	}
	return err
}

// ogcCatalogs keeps the catalog of the snapshot served last: it is built on the first OGC
// request after a swap (extents and counts take one pass over the layers), once.
type ogcCatalogs struct {
	mu   sync.Mutex
	last atomic.Pointer[ogcBuilt]
}

// ogcBuilt names its snapshot weakly: a catalog holds its version's dataset and index, and must
// not keep a version alive that the city has let go of.
type ogcBuilt struct {
	snap weak.Pointer[city.Snapshot]
	cat  *ogc.Catalog
}

func (s *Server) ogcCatalog(snap *city.Snapshot) *ogc.Catalog {
	if b := s.ogc.last.Load(); b != nil && b.snap.Value() == snap {
		return b.cat
	}
	s.ogc.mu.Lock()
	defer s.ogc.mu.Unlock()
	if b := s.ogc.last.Load(); b != nil && b.snap.Value() == snap {
		return b.cat
	}
	var opts ogc.Options
	if s.disp != nil && s.disp.Feed != nil {
		opts.Events = maskedEvents{s.disp.Feed} // one catalog for every caller: no phones
	}
	b := &ogcBuilt{snap: weak.Make(snap), cat: ogc.NewCatalog(snap.Dataset, snap.Geo, opts)}
	s.ogc.last.Store(b)
	// When nothing holds the snapshot any more (swapped out, no request on it), drop its
	// catalog too, rather than keep a whole version in memory until the next OGC request.
	runtime.AddCleanup(snap, func(b *ogcBuilt) { s.ogc.last.CompareAndSwap(b, nil) }, b)
	return b.cat
}
