package api

import (
	"math"
	"net/url"
	"strconv"
	"strings"

	"github.com/paulmach/orb"

	"citygeo/geo"
)

// Query is the subset of url.Values / gin.Context the parsers need, so they are testable and
// fuzzable without a request.
type Query interface {
	Query(key string) string
}

// RawQuery reads parameters straight from a URL's raw query as url.Values.Get reads them (the
// first value; + and %XX unescaped; a pair url.ParseQuery refuses is skipped) without building
// the map: the hot GET routes read a handful of keys, and parsing the whole query into
// url.Values, as gin's c.Query does, costs them a map and a string per parameter. Make one with
// NewRawQuery.
type RawQuery struct {
	raw string
	// plain is set when raw holds no escape and no ';' (a client's usual query): a key is then
	// found by searching raw for it, instead of cutting every pair for every key (point → grid
	// reads six keys of a query of three pairs).
	plain bool
}

// NewRawQuery returns the reader of raw, a URL's query without its '?'.
func NewRawQuery(raw string) RawQuery {
	return RawQuery{raw: raw, plain: !special(raw)}
}

// special reports whether s holds a byte that makes a key's text differ from its raw form (+
// or %XX) or a pair url.ParseQuery refuses (;): searching for a key in such a query, or for
// such a key, would misread it.
func special(s string) bool {
	for i := range len(s) {
		if s[i] == '%' || s[i] == '+' || s[i] == ';' {
			return true
		}
	}
	return false
}

// Query returns the first value of key, "" when there is none.
func (q RawQuery) Query(key string) string {
	// A key holding & or = is never a pair's key, but searching for it could find one.
	if q.plain && key != "" && !special(key) && strings.IndexByte(key, '&') < 0 && strings.IndexByte(key, '=') < 0 {
		return q.find(key)
	}
	for s := q.raw; s != ""; {
		var pair string
		pair, s, _ = strings.Cut(s, "&")
		k, v, _ := strings.Cut(pair, "=")
		if k != key {
			if k == "" || !escaped(k) {
				continue
			}
			if uk, err := url.QueryUnescape(k); err != nil || uk != key {
				continue
			}
		}
		if strings.IndexByte(pair, ';') >= 0 {
			continue // url.ParseQuery refuses the pair
		}
		if !escaped(v) {
			return v
		}
		if uv, err := url.QueryUnescape(v); err == nil {
			return uv
		}
	}
	return ""
}

// find is Query for a plain query and key: the first place key stands at the start of a pair,
// followed by its '=' or by the pair's end (a bare key, whose value is "").
func (q RawQuery) find(key string) string {
	s := q.raw
	for from := 0; ; {
		i := strings.Index(s[from:], key)
		if i < 0 {
			return ""
		}
		i += from
		if end := i + len(key); i == 0 || s[i-1] == '&' {
			switch {
			case end == len(s) || s[end] == '&':
				return ""
			case s[end] == '=':
				v := s[end+1:]
				if j := strings.IndexByte(v, '&'); j >= 0 {
					v = v[:j]
				}
				return v
			}
		}
		from = i + 1
	}
}

// escaped reports whether s holds a + or a %XX to unescape. A loop rather than
// strings.ContainsAny(s, "%+"), which builds a set for each call: when every query took the
// pair-by-pair path, that set was most of reading one (BenchmarkRawQuery: 530 → 360 ns).
func escaped(s string) bool {
	for i := range len(s) {
		if s[i] == '%' || s[i] == '+' {
			return true
		}
	}
	return false
}

// parseFloat parses a finite float in [min, max] from a named parameter.
func parseFloat(field, s string, min, max float64) (float64, error) {
	if s == "" {
		return 0, BadParam(field, "is required")
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, BadParam(field, "%q is not a number", s)
	}
	if v < min || v > max {
		return 0, BadParam(field, "%v is outside [%v, %v]", v, min, max)
	}
	return v, nil
}

// ParsePoint reads lng, lat and crs from q and returns the point in the requested CRS and the
// same point converted to CGCS2000. It is generic so that a RawQuery, a string, is read
// without being boxed into an interface (an allocation on every point → grid request).
func ParsePoint[Q Query](q Q) (given, cgcs orb.Point, crs geo.CRS, err error) {
	lng, err := parseFloat("lng", q.Query("lng"), -180, 180)
	if err != nil {
		return
	}
	lat, err := parseFloat("lat", q.Query("lat"), -90, 90)
	if err != nil {
		return
	}
	crs, err = ParseCRSParam(q.Query("crs"))
	if err != nil {
		return
	}
	given = orb.Point{lng, lat}
	return given, geo.ToCGCS2000(given, crs), crs, nil
}

// ParseCRSParam parses the crs parameter ("" is WGS84). Every answer speaks lon/lat, so of the
// systems geo.ParseCRS knows only the lon/lat ones are accepted.
func ParseCRSParam(s string) (geo.CRS, error) {
	c, err := geo.ParseCRS(s)
	if err != nil || !c.LonLat() {
		return geo.CRS{}, BadParam("crs", "unknown crs %q: want wgs84, cgcs2000, gcj02 or bd09", s)
	}
	return c, nil
}

// ParseBBox reads "minLng,minLat,maxLng,maxLat".
func ParseBBox(field, s string) (orb.Bound, error) {
	parts := strings.Split(s, ",")
	if s == "" || len(parts) != 4 {
		return orb.Bound{}, BadParam(field, "want minLng,minLat,maxLng,maxLat")
	}
	var v [4]float64
	limits := [4]float64{180, 90, 180, 90}
	for i, p := range parts {
		f, err := parseFloat(field, p, -limits[i], limits[i])
		if err != nil {
			return orb.Bound{}, err
		}
		v[i] = f
	}
	if v[0] > v[2] || v[1] > v[3] {
		return orb.Bound{}, BadParam(field, "min corner must be south-west of max corner")
	}
	return orb.Bound{Min: orb.Point{v[0], v[1]}, Max: orb.Point{v[2], v[3]}}, nil
}

// parseBoolParam reads a true/false query parameter ("" is false): 1, t, true, 0, f, false in
// any case, anything else a 400 naming the field.
func parseBoolParam(field, s string) (bool, error) {
	if s == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(strings.TrimSpace(s))
	if err != nil {
		return false, BadParam(field, "%q: want true or false", s)
	}
	return b, nil
}

// ParseInt reads an optional integer in [min, max], def when empty.
func ParseInt(field, s string, def, min, max int) (int, error) {
	if s == "" {
		return def, nil
	}
	v, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return 0, BadParam(field, "%q is not an integer", s)
	}
	if v < min || v > max {
		return 0, BadParam(field, "%d is outside [%d, %d]", v, min, max)
	}
	return v, nil
}
