package api

import (
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"

	"citygeo/city"
	"citygeo/cmd/citygeo/internal/audit"
	"citygeo/cmd/citygeo/internal/buildinfo"
	"citygeo/data"
	"citygeo/duty"
	"citygeo/field"
	"citygeo/tiles"
	"citygeo/tiles/basemap"
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
	City *city.City
	// Field is the field force (devices, latest positions, tracks); nil: the positions routes
	// answer 503 and the positions tile set is empty.
	Field *field.Force
	// Fences is the geofence watcher whose alerts the alert routes serve; nil: they answer 503.
	Fences    *field.Fences
	MaxUpload int64  // largest dataset upload in bytes; 0 = DefaultMaxUpload
	WebDir    string // a built web/dist folder for the map page's MapLibre files; "" = those embedded at build time
	// Build is the running binary's build, reported by /v1/info; the zero value: buildinfo.Read().
	Build buildinfo.Info
	// AccessLog logs one line per request; without it only refusals (401, 403, 429, 503) and
	// server errors are logged.
	AccessLog bool
	CORS      CORS   // browser origins allowed to call the API; zero: none
	Limits    Limits // request rate limits per token and per address; zero: none
	// TrustedProxies are the addresses or CIDRs of reverse proxies whose X-Forwarded-For names
	// the client (rate limits, logs); nil: the peer address is the client.
	TrustedProxies []string
	// UploadTimeout replaces the server's read and write timeouts for a dataset upload, which
	// sends, validates and imports a large file; 0: the server's own.
	UploadTimeout time.Duration
	// Audit records every write attempt; nil: none. The caller closes it after the server.
	Audit *audit.Log
	// CaseOutcomes makes closing an event with an outcome (部件丢失, 已修复 …) set the status of
	// the component it is bound to, recorded in the component's history; false: outcomes are
	// not acted on.
	CaseOutcomes bool
	// PublicURL is the URL clients reach the server at (https://gis.example.gov.cn/citygeo),
	// used for the absolute URLs of TileJSON and styles; "": the request's scheme and Host.
	PublicURL string
	// Basemap is the offline base map served at /basemap and /wmts and drawn under the styles;
	// nil: none. The caller closes it after the server.
	Basemap *basemap.Map
	// CityKey is the key of the served city in a database holding several (330106), listed by
	// /v1/cities; "": the store's own city.
	CityKey string
	// PathPrefix is where a front serving several cities (Cities) mounts this server:
	// CityPrefix(CityKey). It prefixes the absolute URLs of TileJSON and styles; "": the root.
	PathPrefix string
}

// Server is the HTTP API. It answers from the City's current snapshot.
type Server struct {
	city   *city.City
	auth   *Auth
	log    *slog.Logger
	engine *gin.Engine
	web    *web.Assets
	disp   *Dispatch
	field  *field.Force
	nets   networks // the road network of the snapshot served last, for coverage

	fenceWatch *field.Fences
	duty       *Duty

	live *tiles.Live // live tile sets (events …), shown beside every snapshot's city set
	ogc  ogcCatalogs // the OGC API catalog of the snapshot served last

	maxUpload     int64
	build         buildinfo.Info
	accessLog     bool
	lines         LineHandler // the logger's handler when it takes access lines whole; nil: through slog
	corsCfg       CORS
	metrics       *metrics
	byToken       *limiterSet // nil: no per-token limit
	byAddress     *limiterSet // nil: no per-address limit
	uploadTimeout time.Duration
	audit         *audit.Log
	openAPI       []byte      // the document, completed from the route table
	publicURL     string      // without a trailing slash
	caseOutcomes  bool        // closing an event with an outcome sets its component's status
	draining      atomic.Bool // set by Drain: not ready, and every answer closes its connection
	// liveCaches are the live sets' tile caches by set name, for the metrics.
	liveCaches map[string]*tiles.Cache
	basemap    *basemap.Map // nil: no base map

	cityKey    string  // Options.CityKey
	pathPrefix string  // Options.PathPrefix
	group      *Cities // the front routing among the process's cities; nil: one city
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
		web: web.New(opts.WebDir), disp: opts.Dispatch, field: opts.Field, fenceWatch: opts.Fences, duty: opts.Duty, build: opts.Build, accessLog: opts.AccessLog, corsCfg: opts.CORS,
		byToken: newLimiterSet(opts.Limits.TokenRPS, opts.Limits.TokenBurst), byAddress: newLimiterSet(opts.Limits.AddressRPS, opts.Limits.AddressBurst),
		uploadTimeout: opts.UploadTimeout, audit: opts.Audit, publicURL: strings.TrimRight(opts.PublicURL, "/"), caseOutcomes: opts.CaseOutcomes}
	s.basemap = opts.Basemap
	s.cityKey, s.pathPrefix = opts.CityKey, strings.TrimRight(opts.PathPrefix, "/")
	if s.build == (buildinfo.Info{}) {
		s.build = buildinfo.Read()
	}
	if s.maxUpload <= 0 {
		s.maxUpload = DefaultMaxUpload
	}
	s.registerLive(opts.Dispatch)
	s.registerPositions(opts.Field)
	if s.auth == nil {
		s.auth, _ = NewAuth(nil)
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	s.lines, _ = s.log.Handler().(LineHandler)
	if s.city == nil {
		s.city = city.New(nil, city.Options{}, s.log)
	}
	s.metrics = newMetrics(s)
	gin.SetMode(gin.ReleaseMode)
	e := gin.New()
	if err := e.SetTrustedProxies(opts.TrustedProxies); err != nil {
		s.log.Error("trusted proxies ignored: the peer address is the client", "err", err)
		_ = e.SetTrustedProxies(nil)
	}
	e.Use(s.observe(), s.recoverJSON(), s.cors())
	e.HandleMethodNotAllowed = true
	e.NoRoute(func(c *gin.Context) {
		Fail(c, "", NotFound("path", "no route %s %s", c.Request.Method, c.Request.URL.Path))
	})
	e.NoMethod(func(c *gin.Context) {
		if c.Request.Method == http.MethodOptions { // gin has set Allow to the path's methods
			c.Status(http.StatusNoContent)
			return
		}
		Fail(c, "", &Error{Status: http.StatusMethodNotAllowed, Code: CodeBadRequest, Field: "method", Message: "method " + c.Request.Method + " not allowed here"})
	})
	s.engine = e
	s.metrics.routes = map[routeKey]*routeMetrics{}
	for _, r := range s.Routes() {
		s.handle(r)
	}
	doc, err := completeOpenAPI(openAPI, s.Routes(), s.publicURL)
	if err != nil {
		// The document is embedded and tested (TestOpenAPI…): this is a build that skipped them.
		s.log.Error("openapi.json does not match the route table; serving it as written", "err", err)
		doc = openAPI
	}
	s.openAPI = doc
	return s
}

// handle registers r behind its middlewares: the token read, the rate limit, the access check,
// the area guard, and the audit for writes.
func (s *Server) handle(r Route) {
	chain := []gin.HandlerFunc{s.auth.Identify(r.Access), s.rateLimit(r.Access), s.auth.Enforce()}
	if g := s.areaGuard(r); g != nil {
		chain = append(chain, g)
	}
	if a := s.auditStart(r); a != nil {
		chain = append(chain, a)
	}
	chain = append(chain, r.Handle)
	if a := s.auditWrites(r); a != nil {
		chain = append([]gin.HandlerFunc{a}, chain...)
	}
	s.metrics.addRoute(r)
	s.engine.Handle(r.Method, r.Path, chain...)
}

// Routes is the route table: every route of the API with its method and access, in one place.
func (s *Server) Routes() []Route {
	return append([]Route{
		{"GET", "/healthz", Public, "liveness: the process answers", s.handleHealthz},
		{"GET", "/readyz", Public, "readiness: a dataset is loaded", s.handleReadyz},
		{"GET", "/metrics", Read, "Prometheus metrics: requests, latency, tile caches, snapshot, imports, Go runtime", s.handleMetrics},
		{"GET", "/v1/openapi.json", Read, "this API as OpenAPI 3.1", s.handleOpenAPI},
		{"GET", "/v1/info", Read, "the loaded dataset: version, bounds, centre, counts, code schemes", s.handleInfo},
		{"GET", "/v1/cities", Read, "the cities this process serves (several from a database holding several): key, path, version, bounds", s.handleCities},
		{"GET", "/v1/locate", Read, "point → grid, community, street, district and nearest components", s.handleLocate},
		{"POST", "/v1/locate/batch", Read, "locate up to 1,000 points", s.handleLocateBatch},
		{"GET", "/v1/grids/:code", Read, "one unit grid as GeoJSON", s.handleGrid()},
		{"GET", "/v1/areas/:code", Read, "one district, street or community as GeoJSON", s.handleArea()},
		{"GET", "/v1/components/:id", Read, "one component as GeoJSON", s.handleComponent},
		{"GET", "/v1/components", Read, "components in a bbox, optionally of a class, as GeoJSON", s.handleComponents},
		{"POST", "/v1/components", Write(RoleGIS), "create one component (validated as an import), served at once and recorded in its history", s.editRoute(data.OpCreate, "components")},
		{"PUT", "/v1/components/:id", Write(RoleGIS), "update one component; If-Match with its ETag (412 when stale, 428 without)", s.editRoute(data.OpUpdate, "components")},
		{"DELETE", "/v1/components/:id", Write(RoleGIS), "delete one component; If-Match with its ETag", s.editRoute(data.OpDelete, "components")},
		{"GET", "/v1/components/:id/history", Write(RoleGIS), "every recorded change of one component: who, when, why, old and new values", s.historyRoute("components")},
		{"GET", "/v1/features/:layer/:id", Read, "one grid, address, POI, road or component as served now, with its ETag", s.handleFeature},
		{"POST", "/v1/features/:layer", Write(RoleGIS), "create one grid, address, POI, road or component", s.editRoute(data.OpCreate, "")},
		{"PUT", "/v1/features/:layer/:id", Write(RoleGIS), "update one grid, address, POI, road or component; If-Match with its ETag", s.editRoute(data.OpUpdate, "")},
		{"DELETE", "/v1/features/:layer/:id", Write(RoleGIS), "delete one grid, address, POI, road or component; If-Match with its ETag", s.editRoute(data.OpDelete, "")},
		{"GET", "/v1/features/:layer/:id/history", Write(RoleGIS), "every recorded change of one feature", s.historyRoute("")},
		{"GET", "/v1/changes", Write(RoleGIS), "the change log after a cursor or a version (?after=N|vN), a page at a time, for the provincial platform to poll", s.handleChanges},
		{"POST", "/v1/dispatch", Read, "report → place, component, department, deadline, duplicates", s.handleDispatch},
		{"POST", "/v1/dispatch/batch", Read, "dispatch up to 1,000 reports", s.handleDispatchBatch},
		{"POST", "/v1/events", Write(RoleDispatcher), "create, update or close an event by id", s.handlePostEvent},
		{"GET", "/v1/events", Read, "events by status, class, grid, area, source, report period and bbox as GeoJSON, paged", s.handleEvents},
		{"GET", "/v1/events/stream", Read, "every created, updated or closed event as server-sent events, resumable", s.handleEventStream},
		{"GET", "/v1/events/:id", Read, "one event as GeoJSON with its history", s.handleEvent},
		{"GET", "/v1/stats", Read, "events reported/dispatched/closed/overdue, rates and ranks per area, grid, zone, department, class or source and period (JSON, CSV, GeoJSON)", s.handleStats},
		{"GET", "/v1/datasets", Write(RoleGIS), "stored dataset versions with counts per layer", s.handleDatasets},
		{"POST", "/v1/datasets", Write(RoleGIS), "upload survey files: validate, import as a new version, serve it", s.handleUpload},
		{"POST", "/v1/datasets/:version/activate", Write(RoleGIS), "serve a stored version (rollback)", s.handleActivate},
		{"GET", "/v1/datasets/:version/diff/:other", Write(RoleGIS), "features added, removed and changed per layer from one stored version to another", s.handleDiff},
		{"GET", "/v1/export", Write(RoleGIS), "the served version (or the changes since a stored one) as GeoPackage, zipped Shapefiles or GeoJSON, in the project's or the GB/T 47678.5 schema", s.handleExport},
		{"GET", "/v1/geocode", Read, "address → ranked candidates with level, score, grid and areas", s.handleGeocode},
		{"POST", "/v1/geocode/batch", Read, "geocode up to 1,000 addresses", s.handleGeocodeBatch},
		{"GET", "/v1/geocode/segment", Read, "road segment text (人民路（友谊桥至和平桥）) → the stretch of road, level 道路区段, as a GeoJSON line", s.handleGeocodeSegment},
		{"GET", "/v1/reverse", Read, "point → nearest 门牌, road, crossing, POI, formatted address and phrase", s.handleReverse},
		{"GET", "/v1/suggest", Read, "names starting with a prefix, in characters or pinyin, with an id and a point", s.handleSuggest},
		{"GET", "/v3/geocode/geo", Read, "AMap-compatible 地理编码 (GCJ-02 by default)", s.handleAMapGeo},
		{"GET", "/v3/geocode/regeo", Read, "AMap-compatible 逆地理编码 (GCJ-02 by default)", s.handleAMapRegeo},
		{"GET", "/v3/assistant/inputtips", Read, "AMap-compatible 输入提示", s.handleAMapInputtips},
		{"GET", "/v3/assistant/coordinate/convert", Read, "AMap-compatible 坐标转换 (gps, baidu → GCJ-02)", s.handleAMapConvert},
		{"POST", "/v1/positions", Write(RoleDevice), "store a batch of fixes from handsets (durable when answered)", s.handlePostPositions},
		{"GET", "/v1/positions", personal, "latest position of every device as GeoJSON", s.handlePositions},
		{"GET", "/v1/tracks/:device", personal, "one device's track for a day (GMT+8) as a GeoJSON LineString with times", s.handleTrack},
		{"GET", "/v1/patrollers/nearest", personal, "nearest patrollers to a point: straight-line metres, by role, online, on duty", s.handleNearest},
		{"POST", "/v1/patrollers/nearest/batch", personal, "nearest patrollers to up to 1,000 points", s.handleNearestBatch},
		{"GET", "/v1/alerts", personal, "geofence alerts (left the zone, entered a forbidden one, standing still) after ?since=N", s.handleAlerts},
		{"GET", "/v1/alerts/stream", personal, "geofence alerts as server-sent events, live", s.handleAlertStream},
		{"GET", "/v1/coverage", personal, "a patrol day's coverage per person: segments passed, passes against targets (JSON or CSV)", s.handleCoverage},
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
	}, append(append(s.tileRoutes(), s.ogcRoutes()...), s.basemapRoutes()...)...)
}

// Handler returns the http.Handler serving the API.
func (s *Server) Handler() http.Handler { return s.engine }

// Swap makes snap the City's current snapshot and returns the previous one (nil at first).
// Requests in flight finish on the snapshot they started with.
func (s *Server) Swap(snap *city.Snapshot) *city.Snapshot { return s.city.Swap(snap) }

// Drain marks the server as shutting down: /readyz answers 503 from now on, so load balancers
// stop sending, and every answer says Connection: close, so no client sends another request on
// a connection about to be closed. Requests keep being answered.
func (s *Server) Drain() { s.draining.Store(true) }

// Build returns the build the server reports.
func (s *Server) Build() buildinfo.Info { return s.build }

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
