package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/paulmach/orb"

	"citygeo/city"
	"citygeo/data"
	"citygeo/geo"
)

// Area limits. A token (static, `citygeo token add --area`, or a JWT's area claim) may be
// limited to a district (440303), a city (440300) or a province (440000): a 6-digit GB/T 2260
// code whose trailing 00 pairs widen it. This file is the one place that decides what such a
// token may touch; areaGuard runs on every route after auth and the rate limit.
//
// Guarded, for a limited token (403 outside, naming the field):
//   - a point: lng and lat in the query (location on the AMap door), or any JSON object of a POST/PUT/PATCH body with
//     numbers lng and lat (its own crs, or the body's), or each lng,lat line of a text/csv body
//     (in the query's crs): the district it lies in must be inside the area; a point in no
//     district is outside;
//   - a code: a path parameter named code, id or featureId, or a body string under a key of
//     codeKeys, whose value is an area code, grid code or component id (6–17 digits): its first
//     six digits name the district;
//   - a bbox (?bbox=, in the crs parameter or CRS84): clipped to the area's bounding box, so a
//     map asks for what it may see; a bbox wholly outside is refused. The box is a rectangle:
//     features of a neighbouring district inside it are still answered;
//   - every write: a write about one place (placeWrites: an event, positions) must name its
//     place (a point or a code) and every place it names must be inside; every other write (an
//     import, activate, rollback, duty lists, an edit not listed) is only for a token whose
//     area covers every district of the served city.
//
// Reads naming no place (info, lists, tiles, the OpenAPI document) are not area-limited within
// the city: tiles are the map around the area, and the personal routes are limited by role. A
// token whose area holds none of the city's districts (another city's) is refused on every
// route (inCity).

// placeWrites are the writes about one place, allowed to a limited token inside its area. Any
// other write needs a token covering the whole city. TestRouteRoleMatrix checks that each entry
// is a route of the table.
var placeWrites = map[string]bool{
	"POST /v1/events":    true,
	"POST /v1/positions": true,
}

// codeParams are the path parameters, and codeKeys the JSON body keys, whose digit values are
// codes located by their district prefix.
var (
	codeParams = map[string]bool{"code": true, "id": true, "featureId": true}
	codeKeys   = map[string]bool{"code": true, "grid": true, "component": true, "area": true, "district": true, "street": true, "community": true}
)

// maxAreaBody bounds the JSON body read to find its points (a batch of 1,000 items is far less).
const maxAreaBody = 32 << 20

// checkArea accepts "" (no limit) or a 6-digit GB/T 2260 code.
func checkArea(code string) error {
	if code == "" {
		return nil
	}
	if len(code) != 6 || !allDigits(code) || code[:2] == "00" {
		return fmt.Errorf("%q: want a 6-digit district, city or province code (440303, 440300, 440000)", code)
	}
	return nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// isCode reports whether s is an area code, grid code or component id by its form.
func isCode(s string) bool {
	switch len(s) {
	case 6, 9, 12, 14, 15, 16, 17:
		return allDigits(s)
	}
	return false
}

// areaGuard returns the area middleware of r, nil for a public route.
func (s *Server) areaGuard(r Route) gin.HandlerFunc {
	if r.Access.Public {
		return nil
	}
	// A write needs a role and changes something; a POST of a read (a batch locate) is a read.
	write := r.Access.Role != "" && r.Method != http.MethodGet && r.Method != http.MethodHead
	place := placeWrites[r.Method+" "+r.Path]
	return func(c *gin.Context) {
		v, _ := c.Get(ctxToken)
		t, _ := v.(TokenHash)
		if t.Area == "" {
			c.Next()
			return
		}
		snap := s.city.Current()
		if snap == nil {
			c.Next() // the handler answers 503
			return
		}
		g := &areaCheck{snap: snap, area: t.Area, prefix: data.AreaPrefix(t.Area)}
		if err := g.request(c, write, place); err != nil {
			Fail(c, err.Field, err)
			return
		}
		if r.Method == http.MethodPost && r.Path == "/v1/events" {
			if err := s.storedEventIn(g, c); err != nil {
				Fail(c, err.Field, err)
				return
			}
		}
		c.Next()
	}
}

// storedEventIn checks the event an events POST updates (its id already in the feed) where it
// lies now: a limited token may not close, nor move into its area, another area's case by
// naming a place of its own.
func (s *Server) storedEventIn(g *areaCheck, c *gin.Context) *Error {
	if s.disp == nil || c.Request.Body == nil {
		return nil
	}
	b, err := io.ReadAll(c.Request.Body) // eachPlace has read it whole and put it back
	c.Request.Body = io.NopCloser(bytes.NewReader(b))
	var body struct {
		ID string `json:"id"`
	}
	if err != nil || json.Unmarshal(b, &body) != nil || body.ID == "" {
		return nil // the handler answers
	}
	ev, ok := s.disp.Feed.Get(body.ID)
	if !ok {
		return nil
	}
	for _, code := range []string{ev.Grid, ev.Community, ev.Street, ev.District} {
		if code != "" {
			return g.code("id", code)
		}
	}
	return g.point("id", ev.Point)
}

// areaCheck checks one request of a limited token against the snapshot it is served from.
type areaCheck struct {
	snap         *city.Snapshot
	area, prefix string
	places       int // points and codes found
}

func (g *areaCheck) request(c *gin.Context, write, place bool) *Error {
	if err := g.inCity(); err != nil {
		return err
	}
	if write && !place {
		return g.cityWide()
	}
	for _, p := range c.Params {
		if codeParams[p.Key] && isCode(p.Value) {
			if err := g.code(p.Key, p.Value); err != nil {
				return err
			}
		}
	}
	if err := eachPlace(c.Writer, c.Request, g.point, g.code); err != nil {
		return err
	}
	q := c.Request.URL.Query() // not c.Query: gin caches the query, and the bbox may be rewritten
	if q.Get("bbox") != "" {
		if err := g.clip(c, q); err != nil {
			return err
		}
	}
	if write && g.places == 0 {
		if err := g.cityWide(); err != nil {
			err.Message = "a write about no point or code " + err.Message
			return err
		}
	}
	return nil
}

func (g *areaCheck) refuse(field, format string, args ...any) *Error {
	return &Error{Status: http.StatusForbidden, Code: CodeForbidden, Field: field,
		Message: fmt.Sprintf("outside the token's area %s: ", g.area) + fmt.Sprintf(format, args...)}
}

func (g *areaCheck) code(field, code string) *Error {
	g.places++
	if !strings.HasPrefix(code, g.prefix) {
		return g.refuse(field, "%s lies in district %s", code, code[:6])
	}
	return nil
}

// point checks a CGCS2000 point by the district it lies in.
func (g *areaCheck) point(field string, p orb.Point) *Error {
	g.places++
	loc := g.snap.Geo.Locate(p)
	if loc.District == nil {
		return g.refuse(field, "the point %.6f,%.6f lies in no district of this city", p[0], p[1])
	}
	return g.code(field, loc.District.Code)
}

// inCity refuses a token whose area holds none of the served city's districts: a token of
// another city is refused in this one for every route, lists of people and positions included,
// not only where a request names a place. A city without districts cannot tell, and lets the
// checks of its places decide.
func (g *areaCheck) inCity() *Error {
	n := 0
	for _, a := range g.snap.Dataset.Areas {
		if a.Level != data.District {
			continue
		}
		if strings.HasPrefix(a.Code, g.prefix) {
			return nil
		}
		n++
	}
	if n == 0 {
		return nil
	}
	return &Error{Status: http.StatusForbidden, Code: CodeForbidden, Field: "Authorization",
		Message: fmt.Sprintf("outside the token's area %s: the city served here has none of its districts", g.area)}
}

// cityWide refuses a token whose area does not cover every district of the served city.
func (g *areaCheck) cityWide() *Error {
	n := 0
	for _, a := range g.snap.Dataset.Areas {
		if a.Level != data.District {
			continue
		}
		n++
		if !strings.HasPrefix(a.Code, g.prefix) {
			return &Error{Status: http.StatusForbidden, Code: CodeForbidden, Field: "Authorization",
				Message: fmt.Sprintf("changes the whole city's data: a token limited to area %s (the city also has district %s) may not", g.area, a.Code)}
		}
	}
	if n == 0 {
		return &Error{Status: http.StatusForbidden, Code: CodeForbidden, Field: "Authorization",
			Message: fmt.Sprintf("the city has no districts to check area %s against", g.area)}
	}
	return nil
}

// bound is the CGCS2000 bounding box of the area's districts; ok is false when the city has
// none of them.
func (g *areaCheck) bound() (b orb.Bound, ok bool) {
	for _, a := range g.snap.Dataset.Areas {
		if a.Level == data.District && strings.HasPrefix(a.Code, g.prefix) {
			if !ok {
				b, ok = a.Polygon.Bound(), true
			} else {
				b = b.Union(a.Polygon.Bound())
			}
		}
	}
	return b, ok
}

// clip rewrites the query's bbox to its intersection with the area's bounding box.
func (g *areaCheck) clip(c *gin.Context, q url.Values) *Error {
	g.places++
	if bc := q.Get("bbox-crs"); bc != "" && !strings.HasSuffix(bc, "CRS84") {
		return g.refuse("bbox-crs", "a limited token's bbox must be in CRS84 or the crs parameter, not %s", bc)
	}
	crs, err := ParseCRSParam(q.Get("crs"))
	if err != nil {
		crs = geo.WGS84 // OGC's crs is a URI of the answer; its bbox is CRS84
	}
	b, perr := ParseBBox("bbox", q.Get("bbox"))
	if perr != nil {
		// A box this clip cannot read (OGC's six numbers with heights, one across the
		// antimeridian) is not let through unclipped.
		return g.refuse("bbox", "a limited token's bbox must be minlng,minlat,maxlng,maxlat with min ≤ max (%v)", perr)
	}
	ab, ok := g.bound()
	if !ok {
		return g.refuse("bbox", "this city has no district in the area")
	}
	ab = geo.BoundFromCGCS2000(ab, crs)
	in := orb.Bound{Min: orb.Point{max(b.Min[0], ab.Min[0]), max(b.Min[1], ab.Min[1])},
		Max: orb.Point{min(b.Max[0], ab.Max[0]), min(b.Max[1], ab.Max[1])}}
	if in.Min[0] > in.Max[0] || in.Min[1] > in.Max[1] {
		return g.refuse("bbox", "the box lies outside the area's bounds")
	}
	if in != b {
		f := func(v float64) string { return strconv.FormatFloat(v, 'f', 7, 64) }
		q.Set("bbox", f(in.Min[0])+","+f(in.Min[1])+","+f(in.Max[0])+","+f(in.Max[1]))
		c.Request.URL.RawQuery = q.Encode()
		c.Header("X-Area-Clipped", g.area)
	}
	return nil
}

// eachPlace calls point for each point a request names and code for each code of its JSON
// body, until one returns an error: lng and lat in the query, the AMap door's location, any
// object of the body with numbers lng and lat (in its own crs, or the body's), and body strings
// under codeKeys. A point or body that does not parse is skipped (the handler answers it); the
// body is read whole and put back for the handler as read.
func eachPlace(w http.ResponseWriter, r *http.Request, point func(field string, p orb.Point) *Error, code func(field, code string) *Error) *Error {
	q := r.URL.Query()
	if q.Has("lng") && q.Has("lat") {
		if _, p, _, err := ParsePoint(valuesQuery(q)); err == nil { // a bad point: the handler's 400
			if err := point("lng", p); err != nil {
				return err
			}
		}
	}
	if q.Get("location") != "" { // the AMap door's points (regeo: lng,lat|lng,lat in its crs)
		if _, pts, _, err := parseAMapRegeo(valuesQuery(q)); err == nil {
			for _, p := range pts {
				if err := point("location", p); err != nil {
					return err
				}
			}
		}
	}
	ct := r.Header.Get("Content-Type")
	if mt, _, err := mime.ParseMediaType(ct); err == nil {
		ct = mt
	}
	csv := isCSV(ct)
	// Any body but a CSV or a multipart upload is read as JSON, whatever its type says: the
	// handlers decode JSON whatever the type (curl -d sends form-urlencoded).
	if r.Method == http.MethodGet || r.Body == nil || strings.HasPrefix(ct, "multipart/") {
		return nil
	}
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxAreaBody))
	r.Body = io.NopCloser(bytes.NewReader(b))
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return &Error{Status: http.StatusRequestEntityTooLarge, Code: CodeTooLarge, Field: "body", Message: fmt.Sprintf("body larger than %d bytes", maxAreaBody)}
	}
	if csv { // a text/csv batch: lng,lat lines in the query's crs
		crs, cerr := ParseCRSParam(q.Get("crs"))
		if err != nil || cerr != nil {
			return nil // the handler answers the bad body or crs
		}
		var refused *Error
		_ = eachCSVPoint(b, crs, func(i int, _, p orb.Point) { // a bad line: the handler's 400
			if refused == nil {
				refused = point(fmt.Sprintf("points[%d]", i), p)
			}
		})
		return refused
	}
	var v any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err != nil || dec.Decode(&v) != nil {
		return nil // the handler answers the bad body
	}
	return (&placeWalk{point: point, code: code}).walk(v, "", geo.WGS84)
}

// placeWalk finds the points and codes of a decoded JSON body.
type placeWalk struct {
	point func(field string, p orb.Point) *Error
	code  func(field, code string) *Error
}

func (g *placeWalk) walk(v any, path string, crs geo.CRS) *Error {
	join := func(k string) string {
		if path == "" {
			return k
		}
		return path + "." + k
	}
	switch v := v.(type) {
	case map[string]any:
		// encoding/json matches a field's key ignoring case, the last of several winning: the
		// keys are read so too, and two that differ only in case are refused, since which one a
		// handler takes is not what the guard checked.
		folded := make(map[string]any, len(v))
		for k, e := range v {
			lk := strings.ToLower(k)
			if _, dup := folded[lk]; dup {
				return BadParam(join(k), "the object has two keys that differ only in case")
			}
			folded[lk] = e
		}
		if s, ok := folded["crs"].(string); ok {
			if c, err := ParseCRSParam(s); err == nil {
				crs = c
			}
		}
		lng, lok := number(folded["lng"])
		lat, aok := number(folded["lat"])
		if lok && aok {
			if err := g.point(join("lng"), geo.ToCGCS2000(orb.Point{lng, lat}, crs)); err != nil {
				return err
			}
		}
		for k, e := range v {
			if s, ok := e.(string); ok && codeKeys[strings.ToLower(k)] && isCode(s) {
				if err := g.code(join(k), s); err != nil {
					return err
				}
				continue
			}
			if err := g.walk(e, join(k), crs); err != nil {
				return err
			}
		}
	case []any:
		for i, e := range v {
			if err := g.walk(e, fmt.Sprintf("%s[%d]", path, i), crs); err != nil {
				return err
			}
		}
	}
	return nil
}

func number(v any) (float64, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, false
	}
	f, err := n.Float64()
	return f, err == nil
}

// valuesQuery adapts url.Values to Query for ParsePoint.
type valuesQuery url.Values

func (q valuesQuery) Query(key string) string { return url.Values(q).Get(key) }
