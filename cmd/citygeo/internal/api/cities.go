package api

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/paulmach/orb"

	"citygeo/city"
	"citygeo/data"
)

// Several cities in one process. Each city is a Server of its own (its snapshot following its
// active version, events, duty lists, field force, tiles, and the auth chain with its area
// guard, so a token limited to one city is refused in another's as anywhere outside its area).
// Cities sits in front and hands each request to one of them, by the first rule that applies:
//
//  1. the path prefix /cities/KEY/ (removed before the city sees the path; a city served this
//     way writes it into its absolute URLs, TileJSON and styles, so map clients stay in it), or
//     city_code=KEY in the query (removed too: OGC item queries read unknown parameters as
//     filters);
//  2. the points the request names (eachPlace: lng/lat, the AMap door's location, a JSON body's
//     lng/lat), which must all lie in one city: the one whose district holds them, or else whose
//     bounds do; and the codes in a feature route's path or the body (/v1/grids/:code …), or
//     the AMap door's city adcode, by their district prefix;
//  3. otherwise 400, naming the cities.
//
// A process serving one city of such a database routes every request to it, as one serving a
// store's own city does, but still refuses a prefix or city_code naming another: a replica of
// one city never answers for another.
//
// GET /v1/cities lists the cities; /healthz answers for the process and /readyz is ready when
// every city is.

// CityParam is the query parameter that names the city of a request to a process serving
// several.
const CityParam = "city_code"

// CityServer is one city of a process serving several: its key and its Server.
type CityServer struct {
	Key    string
	Server *Server
}

// Cities routes requests among the cities of one process (see above).
type Cities struct {
	list  []CityServer
	byKey map[string]*Server
}

// CityPrefix is the path prefix under which a process serving several cities serves city key.
func CityPrefix(key string) string { return "/cities/" + key }

// NewCities routes among list, in the order /v1/cities lists them.
func NewCities(list []CityServer) *Cities {
	m := &Cities{list: list, byKey: map[string]*Server{}}
	for _, c := range list {
		m.byKey[c.Key] = c.Server
		c.Server.group = m
	}
	return m
}

// Handler returns the http.Handler serving every city.
func (m *Cities) Handler() http.Handler { return m }

// Drain drains every city's server (see Server.Drain).
func (m *Cities) Drain() {
	for _, c := range m.list {
		c.Server.Drain()
	}
}

// CityEntry is one city of GET /v1/cities: its key and, once loaded, what it serves.
type CityEntry struct {
	Key string `json:"key,omitempty"`
	// Path is the prefix that reaches the city (/cities/330106); "" when the process serves one
	// city at its root.
	Path  string `json:"path,omitempty"`
	Ready bool   `json:"ready"`
	*city.Info
}

// CitiesBody is the body of GET /v1/cities.
type CitiesBody struct {
	Cities []CityEntry `json:"cities"`
}

// ServeHTTP answers the health, readiness and city list itself, and passes every other
// request to the city it names (city_code=, or the point it asks about).
func (m *Cities) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/healthz":
		m.list[0].Server.Handler().ServeHTTP(w, r)
		return
	case "/readyz":
		m.ready(w)
		return
	case "/v1/cities": // through a city's auth chain: reads may be token-guarded
		m.list[0].Server.Handler().ServeHTTP(w, r)
		return
	}
	door := isAMapPath(r.URL.Path) // before pick takes a /cities/KEY prefix off
	s, err := m.pick(w, r)
	if err != nil {
		if door {
			amapWrite(w, r, http.StatusOK, amapRefusal(err))
			return
		}
		writeJSON(w, err.Status, gin.H{"error": err})
		return
	}
	s.Handler().ServeHTTP(w, r)
}

// ready answers /readyz: 200 when every city is ready, else 503 naming those that are not.
func (m *Cities) ready(w http.ResponseWriter) {
	var not []string
	versions := map[string]int64{}
	for _, c := range m.list {
		snap := c.Server.Current()
		if snap == nil || c.Server.draining.Load() {
			not = append(not, c.Key)
			continue
		}
		versions[c.Key] = snap.Version()
	}
	if len(not) > 0 {
		writeJSON(w, http.StatusServiceUnavailable, gin.H{"error": &Error{Code: CodeNotReady,
			Message: "not ready (no dataset loaded yet, or shutting down): city " + strings.Join(not, ", ")}})
		return
	}
	writeJSON(w, http.StatusOK, gin.H{"status": "ready", "versions": versions})
}

// pick returns the city of r, by the rules above, rewriting r's path or query when they named it.
func (m *Cities) pick(w http.ResponseWriter, r *http.Request) (*Server, *Error) {
	if rest, ok := strings.CutPrefix(r.URL.Path, "/cities/"); ok {
		key, path, _ := strings.Cut(rest, "/")
		s := m.byKey[key]
		if s == nil {
			return nil, NotFound("path", "city %q is not served here (%s)", key, m.keys())
		}
		r.URL.Path, r.URL.RawPath = "/"+path, ""
		if q := r.URL.Query(); q.Has(CityParam) {
			if q.Get(CityParam) != key {
				return nil, BadParam(CityParam, "%q disagrees with the path's city %s", q.Get(CityParam), key)
			}
			q.Del(CityParam)
			r.URL.RawQuery = q.Encode()
		}
		return s, nil
	}
	if q := r.URL.Query(); q.Has(CityParam) {
		key := q.Get(CityParam)
		s := m.byKey[key]
		if s == nil {
			return nil, NotFound(CityParam, "city %q is not served here (%s)", key, m.keys())
		}
		q.Del(CityParam)
		r.URL.RawQuery = q.Encode()
		return s, nil
	}
	if len(m.list) == 1 { // one city at the root: every URL as without a front
		return m.list[0].Server, nil
	}
	var in *Server
	inKey := ""
	same := func(field string, s *Server, key string) *Error {
		if in != nil && in != s {
			return BadParam(field, "the request names places in city %s and city %s: send one request per city", inKey, key)
		}
		in, inKey = s, key
		return nil
	}
	point := func(field string, p orb.Point) *Error {
		c := m.containing(p)
		if c == nil {
			return NotFound(field, "the point %.6f,%.6f lies in none of the cities served here (%s): name one with %s=", p[0], p[1], m.keys(), CityParam)
		}
		return same(field, c.Server, c.Key)
	}
	code := func(field, code string) *Error {
		if c := m.ofCode(code); c != nil {
			return same(field, c.Server, c.Key)
		}
		return nil // a code of no city: the city the rest names answers it (404)
	}
	if err := eachPlace(w, r, point, code); err != nil {
		return nil, err
	}
	for _, p := range []string{"/v1/grids/", "/v1/areas/", "/v1/components/", "/v1/features/", "/collections/"} {
		if rest, ok := strings.CutPrefix(r.URL.Path, p); ok {
			for seg := range strings.SplitSeq(rest, "/") {
				if isCode(seg) {
					if err := code("path", seg); err != nil {
						return nil, err
					}
				}
			}
		}
	}
	if adcode := r.URL.Query().Get("city"); strings.HasPrefix(r.URL.Path, "/v3/") && len(adcode) == 6 && isCode(adcode) {
		if err := code("city", adcode); err != nil { // the AMap door's city, as an adcode
			return nil, err
		}
	}
	if in != nil {
		return in, nil
	}
	return nil, BadParam(CityParam, "this server serves several cities (%s): name one with %s=KEY or the path prefix /cities/KEY/, or a point inside one; GET /v1/cities lists them", m.keys(), CityParam)
}

// containing returns the city whose district holds p, or else the first whose bounds do (a
// point a few metres outside, which the city's snap tolerance may still place), nil for none.
func (m *Cities) containing(p orb.Point) *CityServer {
	var near *CityServer
	for i := range m.list {
		snap := m.list[i].Server.Current()
		if snap == nil {
			continue
		}
		if snap.Geo.Locate(p).District != nil {
			return &m.list[i]
		}
		b := snap.Info.Bounds
		if near == nil && p[0] >= b[0] && p[1] >= b[1] && p[0] <= b[2] && p[1] <= b[3] {
			near = &m.list[i]
		}
	}
	return near
}

// ofCode returns the city whose key's area holds code, nil for none.
func (m *Cities) ofCode(code string) *CityServer {
	for i := range m.list {
		if data.InArea(m.list[i].Key, code) {
			return &m.list[i]
		}
	}
	return nil
}

func (m *Cities) keys() string {
	keys := make([]string, len(m.list))
	for i, c := range m.list {
		keys[i] = c.Key
	}
	return strings.Join(keys, ", ")
}

// writeJSON writes v as the JSON answer, outside gin (Cities routes before any city's engine).
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"error":{"code":"internal","message":"internal error"}}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// cityEntry describes the server's city for /v1/cities.
func (s *Server) cityEntry() CityEntry {
	e := CityEntry{Key: s.cityKey, Path: s.pathPrefix}
	if snap := s.city.Current(); snap != nil {
		info := snap.Info
		e.Info, e.Ready = &info, !s.draining.Load()
	}
	return e
}

// handleCities answers GET /v1/cities: every city of the process (one when it serves one).
func (s *Server) handleCities(c *gin.Context) {
	if s.group == nil {
		c.JSON(http.StatusOK, CitiesBody{Cities: []CityEntry{s.cityEntry()}})
		return
	}
	body := CitiesBody{Cities: make([]CityEntry, 0, len(s.group.list))}
	for _, e := range s.group.list {
		body.Cities = append(body.Cities, e.Server.cityEntry())
	}
	c.JSON(http.StatusOK, body)
}
