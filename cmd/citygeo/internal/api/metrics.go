package api

import (
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"citygeo/tiles"
)

// metrics are the server's Prometheus metrics, in a registry of its own (no global state, so
// two servers in one test process do not collide). Names follow citygeo_<what>_<unit>; the
// route label is the route pattern (/v1/grids/:code), never the raw path, so label sets stay
// bounded whatever clients send.
type metrics struct {
	reg         *prometheus.Registry
	requests    *prometheus.CounterVec   // method, route, status
	duration    *prometheus.HistogramVec // method, route
	inFlight    prometheus.Gauge
	imports     *prometheus.HistogramVec   // result
	rateLimited *prometheus.CounterVec     // by: token or address
	live        *liveMetrics               // server-sent event feeds
	routes      map[routeKey]*routeMetrics // the route table's children; read-only once serving
	handler     http.Handler               // GET /metrics
}

// latencyBuckets span the sub-millisecond answers (locate, cached tiles) to slow low-zoom tiles
// and batches.
var latencyBuckets = []float64{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30}

func newMetrics(s *Server) *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "citygeo_http_requests_total", Help: "HTTP requests answered, by method, route pattern and status.",
		}, []string{"method", "route", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "citygeo_http_request_duration_seconds", Help: "Time from the request's headers to the end of its answer, by method and route pattern.",
			Buckets: latencyBuckets,
		}, []string{"method", "route"}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "citygeo_http_requests_in_flight", Help: "Requests being answered now.",
		}),
		imports: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "citygeo_import_duration_seconds", Help: "Dataset uploads from the first byte read to the answer, by result (imported, invalid, refused, failed).",
			Buckets: []float64{0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800},
		}, []string{"result"}),
		rateLimited: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "citygeo_rate_limited_total", Help: "Requests refused with 429, by the limit that refused them (token or address).",
		}, []string{"by"}),
		live: newLiveMetrics(),
	}
	m.reg.MustRegister(m.live.collectors()...)
	build := prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "citygeo_build_info", Help: "The running build (always 1): version, commit, Go version.",
	}, []string{"version", "commit", "go"})
	build.WithLabelValues(s.build.Version, s.build.Commit, s.build.Go).Set(1)
	snapshot := func(f func(*snapshotInfo) float64) func() float64 {
		return func() float64 {
			snap := s.city.Current()
			if snap == nil {
				return 0
			}
			return f(&snapshotInfo{version: snap.Version(), loaded: float64(snap.LoadedAt.UnixMilli()) / 1e3,
				created: float64(snap.Info.CreatedAt.UnixMilli()) / 1e3, build: snap.BuildTime.Seconds()})
		}
	}
	m.reg.MustRegister(m.requests, m.duration, m.inFlight, m.imports, m.rateLimited, build,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "citygeo_snapshot_version", Help: "Dataset version being served (0: none yet)."},
			snapshot(func(i *snapshotInfo) float64 { return float64(i.version) })),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "citygeo_snapshot_loaded_timestamp_seconds", Help: "When the served snapshot was built (Unix time)."},
			snapshot(func(i *snapshotInfo) float64 { return i.loaded })),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "citygeo_snapshot_created_timestamp_seconds", Help: "When the served dataset version was stored (Unix time)."},
			snapshot(func(i *snapshotInfo) float64 { return i.created })),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "citygeo_snapshot_build_seconds", Help: "How long building the served snapshot's indexes took."},
			snapshot(func(i *snapshotInfo) float64 { return i.build })),
		&cacheCollector{s: s},
	)
	m.handler = promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{ErrorLog: slogPrinter{s}})
	return m
}

type snapshotInfo struct {
	version                int64
	loaded, created, build float64
}

// cacheCollector reads the tile caches' counters at scrape time, so the tile path pays nothing
// for metrics: the city cache (shared by every version) and each live set's own.
type cacheCollector struct{ s *Server }

var (
	cacheHits      = prometheus.NewDesc("citygeo_tile_cache_hits_total", "Tile lookups answered from the cache.", []string{"cache"}, nil)
	cacheMisses    = prometheus.NewDesc("citygeo_tile_cache_misses_total", "Tile lookups that built the tile.", []string{"cache"}, nil)
	cacheEvictions = prometheus.NewDesc("citygeo_tile_cache_evictions_total", "Tiles dropped to stay within the byte budget.", []string{"cache"}, nil)
	cacheBytes     = prometheus.NewDesc("citygeo_tile_cache_bytes", "Bytes of tiles held.", []string{"cache"}, nil)
	cacheBudget    = prometheus.NewDesc("citygeo_tile_cache_budget_bytes", "The cache's byte budget.", []string{"cache"}, nil)
	cacheTiles     = prometheus.NewDesc("citygeo_tile_cache_tiles", "Tiles held.", []string{"cache"}, nil)
)

func (cc *cacheCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{cacheHits, cacheMisses, cacheEvictions, cacheBytes, cacheBudget, cacheTiles} {
		ch <- d
	}
}

func (cc *cacheCollector) Collect(ch chan<- prometheus.Metric) {
	for name, c := range cc.s.tileCaches() {
		st := c.Stats()
		ch <- prometheus.MustNewConstMetric(cacheHits, prometheus.CounterValue, float64(st.Hits), name)
		ch <- prometheus.MustNewConstMetric(cacheMisses, prometheus.CounterValue, float64(st.Misses), name)
		ch <- prometheus.MustNewConstMetric(cacheEvictions, prometheus.CounterValue, float64(st.Evictions), name)
		ch <- prometheus.MustNewConstMetric(cacheBytes, prometheus.GaugeValue, float64(st.Bytes), name)
		ch <- prometheus.MustNewConstMetric(cacheBudget, prometheus.GaugeValue, float64(st.Budget), name)
		ch <- prometheus.MustNewConstMetric(cacheTiles, prometheus.GaugeValue, float64(st.Tiles), name)
	}
}

// tileCaches names the caches tiles are served from: "city" for the dataset's set, and each
// live set's own under its set name.
func (s *Server) tileCaches() map[string]*tiles.Cache {
	out := make(map[string]*tiles.Cache, len(s.liveCaches)+1)
	if c := s.city.Options().TileCache; c != nil {
		out[tiles.SetCity] = c
	}
	for name, c := range s.liveCaches {
		out[name] = c
	}
	return out
}

// observe records a finished request in the metrics: through the route's own children when
// the route is in the table, by label values otherwise (unmatched paths, 405s).
func (m *metrics) observe(method, route string, status int, seconds float64) {
	if rm := m.routes[routeKey{method, route}]; rm != nil {
		rm.observer().Observe(seconds)
		rm.status(status).Inc()
		return
	}
	m.requests.WithLabelValues(method, route, strconv.Itoa(status)).Inc()
	m.duration.WithLabelValues(method, route).Observe(seconds)
}

// routeKey names a route of the table by method and pattern.
type routeKey struct{ method, path string }

// routeMetrics are one route's children of the request metrics, looked up on the route's first
// request and kept (not made at start: a route never called stays out of /metrics): per
// request, WithLabelValues would hash the labels, format the status and take the vector's lock.
type routeMetrics struct {
	m        *metrics
	method   string
	route    string
	once     sync.Once
	duration prometheus.Observer
	mu       sync.Mutex                                 // serialises adding a status
	byStatus atomic.Pointer[map[int]prometheus.Counter] // copied on write: read without a lock
}

// addRoute gives r its entry; called while the server is built, before it serves.
func (m *metrics) addRoute(r Route) {
	rm := &routeMetrics{m: m, method: r.Method, route: r.Path}
	rm.byStatus.Store(&map[int]prometheus.Counter{})
	m.routes[routeKey{r.Method, r.Path}] = rm
}

func (rm *routeMetrics) observer() prometheus.Observer {
	rm.once.Do(func() { rm.duration = rm.m.duration.WithLabelValues(rm.method, rm.route) })
	return rm.duration
}

// status returns the route's counter for a status, made on its first use.
func (rm *routeMetrics) status(code int) prometheus.Counter {
	if c, ok := (*rm.byStatus.Load())[code]; ok {
		return c
	}
	rm.mu.Lock()
	defer rm.mu.Unlock()
	old := *rm.byStatus.Load()
	if c, ok := old[code]; ok {
		return c
	}
	next := make(map[int]prometheus.Counter, len(old)+1)
	for k, v := range old {
		next[k] = v
	}
	next[code] = rm.m.requests.WithLabelValues(rm.method, rm.route, strconv.Itoa(code))
	rm.byStatus.Store(&next)
	return next[code]
}

func (s *Server) handleMetrics(c *gin.Context) {
	s.metrics.handler.ServeHTTP(c.Writer, c.Request)
}

// slogPrinter hands promhttp's error messages to the server log.
type slogPrinter struct{ s *Server }

func (p slogPrinter) Println(v ...any) { p.s.log.Error("metrics", "err", v) }

// methodLabel keeps the method label bounded: a client can send any token as a method.
func methodLabel(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions:
		return m
	}
	return "OTHER"
}
