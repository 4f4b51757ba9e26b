package api

import (
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"

	"citygeo/city"
	"citygeo/duty"
	"citygeo/tiles"
	"citygeo/web"
)

// Options configures a Server. The zero value serves reads openly and refuses every write.
type Options struct {
	Auth   *Auth        // nil: no tokens (reads open, writes refused)
	Logger *slog.Logger // nil: slog.Default()
	// Dispatch holds the duty rules and the events feed; nil: the dispatch routes answer 503.
	Dispatch *Dispatch
	// Duty holds the duty lists (people, zones, segments, shifts, delegations); nil: the duty
	// routes answer 503 and dispatch answers name no people.
	Duty *Duty
	// City is the served city; its store, when it has one, enables the dataset routes (upload,
	// list, activate), which answer 503 without. nil: a city with no store, served once Swap is
	// called.
	City      *city.City
	MaxUpload int64  // largest dataset upload in bytes; 0 = DefaultMaxUpload
	WebDir    string // a built web/dist folder for the map page's MapLibre files; "" = those embedded at build time
}

// Server is the HTTP API. It answers from the City's current snapshot.
type Server struct {
	city   *city.City
	auth   *Auth
	log    *slog.Logger
	engine *gin.Engine
	web    *web.Assets
	disp   *Dispatch
	duty   *Duty

	live *tiles.Live // live tile sets (events …), shown beside every snapshot's city set

	maxUpload int64
}

// Route is one entry of the route table: every route is listed once, with the access it needs.
type Route struct {
	Method  string
	Path    string // gin syntax: /v1/grids/:code
	Access  Access
	Summary string
	Handle  gin.HandlerFunc
}

// New builds a server with no snapshot: data routes answer 503 until Swap is called.
func New(opts Options) *Server {
	s := &Server{auth: opts.Auth, log: opts.Logger, city: opts.City, maxUpload: opts.MaxUpload,
		web: web.New(opts.WebDir), disp: opts.Dispatch, duty: opts.Duty}
	if s.maxUpload <= 0 {
		s.maxUpload = DefaultMaxUpload
	}
	s.registerLive(opts.Dispatch)
	if s.auth == nil {
		s.auth, _ = NewAuth(nil)
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.city == nil {
		s.city = city.New(nil, city.Options{}, s.log)
	}
	gin.SetMode(gin.ReleaseMode)
	e := gin.New()
	e.Use(s.recoverJSON(), s.logRequests())
	e.HandleMethodNotAllowed = true
	e.NoRoute(func(c *gin.Context) {
		Fail(c, "", NotFound("path", "no route %s %s", c.Request.Method, c.Request.URL.Path))
	})
	e.NoMethod(func(c *gin.Context) {
		Fail(c, "", &Error{Status: http.StatusMethodNotAllowed, Code: CodeBadRequest, Field: "method", Message: "method " + c.Request.Method + " not allowed here"})
	})
	for _, r := range s.Routes() {
		e.Handle(r.Method, r.Path, s.auth.Require(r.Access), r.Handle)
	}
	s.engine = e
	return s
}

// Routes is the route table: every route of the API with its method and access, in one place.
func (s *Server) Routes() []Route {
	return append([]Route{
		{"GET", "/healthz", Public, "liveness: the process answers", s.handleHealthz},
		{"GET", "/readyz", Public, "readiness: a dataset is loaded", s.handleReadyz},
		{"GET", "/v1/openapi.json", Read, "this API as OpenAPI 3.1", s.handleOpenAPI},
		{"GET", "/v1/info", Read, "the loaded dataset: version, bounds, centre, counts, code schemes", s.handleInfo},
		{"GET", "/v1/locate", Read, "point → grid, community, street, district and nearest components", s.handleLocate},
		{"POST", "/v1/locate/batch", Read, "locate up to 1,000 points", s.handleLocateBatch},
		{"GET", "/v1/grids/:code", Read, "one unit grid as GeoJSON", s.handleGrid()},
		{"GET", "/v1/areas/:code", Read, "one district, street or community as GeoJSON", s.handleArea()},
		{"GET", "/v1/components/:id", Read, "one component as GeoJSON", s.handleComponent()},
		{"GET", "/v1/components", Read, "components in a bbox, optionally of a class, as GeoJSON", s.handleComponents},
		{"POST", "/v1/dispatch", Read, "report → place, component, department, deadline, duplicates", s.handleDispatch},
		{"POST", "/v1/dispatch/batch", Read, "dispatch up to 1,000 reports", s.handleDispatchBatch},
		{"POST", "/v1/events", Write(RoleDispatcher), "create, update or close an event by id", s.handlePostEvent},
		{"GET", "/v1/events", Read, "open events in a bbox as GeoJSON", s.handleEvents},
		{"GET", "/v1/stats", Read, "events reported/closed/overdue per grid, community or street", s.handleStats},
		{"GET", "/v1/datasets", Write(RoleGIS), "stored dataset versions with counts per layer", s.handleDatasets},
		{"POST", "/v1/datasets", Write(RoleGIS), "upload survey files: validate, import as a new version, serve it", s.handleUpload},
		{"POST", "/v1/datasets/:version/activate", Write(RoleGIS), "serve a stored version (rollback)", s.handleActivate},
		{"GET", "/v1/geocode", Read, "address → ranked candidates with level, score, grid and areas", s.handleGeocode},
		{"POST", "/v1/geocode/batch", Read, "geocode up to 1,000 addresses", s.handleGeocodeBatch},
		{"GET", "/v1/geocode/segment", Read, "road segment text (人民路（友谊桥至和平桥）) → the stretch of road, level 道路区段, as a GeoJSON line", s.handleGeocodeSegment},
		{"GET", "/v1/reverse", Read, "point → nearest 门牌, road, crossing, POI, formatted address and phrase", s.handleReverse},
		{"GET", "/v1/suggest", Read, "names starting with a prefix, in characters or pinyin", s.handleSuggest},
		{"GET", "/v1/duty", Read, "point and time → who is on duty: 监督员, 街长/片长, segment unit and person, with assignment and delegation", s.handleDuty},
		{"GET", "/v1/duty/coverage", Read, "grids without 监督员, main roads without duty segment, findings against this version", s.handleDutyCoverage},
		{"POST", "/v1/duty/import", Write(RoleGIS), "upload duty lists (.csv, .json, .xlsx): check, then answer from them", s.handleDutyImport},
		{"GET", "/v1/people", Read, "people of the duty lists (phones for dispatcher and admin only)", s.handlePeople},
		{"GET", "/v1/people/:id", Read, "one person (phone for dispatcher and admin only)", s.handlePerson},
		{"GET", "/v1/teams", Read, "teams (中队, 班组)", s.list(duty.ListTeams)},
		{"GET", "/v1/assignments", Read, "assignments, shifts and delegations", s.list(duty.ListAssignments, duty.ListShifts, duty.ListDelegations)},
		{"GET", "/v1/zones", Read, "zones (责任网格, 工作网格, 片区) as GeoJSON", s.handleZones},
		{"GET", "/v1/zones/:id", Read, "one zone with its grids as GeoJSON", s.handleZone},
		{"GET", "/v1/segments", Read, "duty road segments as GeoJSON lines along their roads", s.handleSegments},
		{"GET", "/v1/segments/:id", Read, "one duty road segment as GeoJSON", s.handleSegment},
	}, s.tileRoutes()...)
}

// Handler returns the http.Handler serving the API.
func (s *Server) Handler() http.Handler { return s.engine }

// Swap makes snap the City's current snapshot and returns the previous one (nil at first).
// Requests in flight finish on the snapshot they started with.
func (s *Server) Swap(snap *city.Snapshot) *city.Snapshot { return s.city.Swap(snap) }

// Current returns the current snapshot, or nil before the first one.
func (s *Server) Current() *city.Snapshot { return s.city.Current() }

// snapshot returns the current snapshot or answers 503.
func (s *Server) snapshot(c *gin.Context) *city.Snapshot {
	snap := s.city.Current()
	if snap == nil {
		Fail(c, "", &Error{Status: http.StatusServiceUnavailable, Code: CodeNotReady, Message: "no dataset loaded yet"})
	}
	return snap
}
