package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
	"github.com/paulmach/orb"
	"github.com/valyala/fastjson"

	"citygeo/city"
	"citygeo/geo"
	"citygeo/internal/jsonenc"
)

// POST /v1/locate/batch takes JSON ({"points":[{"id","lng","lat"}…]}, at most MaxBatch points,
// answered as JSON) or, for bulk grid lookups, text/csv: one "lng,lat" line per point (a first
// line "lng,lat" is a header), at most MaxCompactBatch points, crs in the query, answered as
// text/csv, a header "grid,snap_distance_m" and one line per point in order: the grid code
// and, when the point lies in no grid but was snapped to the nearest one, the distance to it
// (a point in no grid and too far from any: an empty line ","). The dataset version is in the
// X-Dataset-Version header.
//
// Both forms read the body once into a pooled buffer (the JSON form through the scanner of
// handle_locate_batch_scan.go), locate the points together (city.Snapshot.LocateBatch) and
// write the answer into another buffer, by hand (jsonenc, city.Located.AppendJSON), so a batch
// allocates nothing per point: through encoding/json the decoding, the per-point option
// parsing and the reflection over each answer cost several times the lookups themselves.

// MaxCompactBatch is the most points one text/csv POST /v1/locate/batch may carry.
const MaxCompactBatch = 100_000

// DatasetVersionHeader carries the version of an answer that has no JSON envelope to hold it.
const DatasetVersionHeader = "X-Dataset-Version"

const (
	maxBatchBody   = 4 << 20  // a JSON batch: 1,000 points with long ids is far less
	maxCompactBody = 8 << 20  // a text/csv batch: 100,000 lines of ~25 bytes
	maxPooledBatch = 16 << 20 // a buffer grown past this by one huge request is dropped, not kept
)

// locateBatch is one batch request's memory, pooled: its body, the JSON parser over it, the
// points read (point i is given[i] as sent, cgcs[i] in CGCS2000, its id ids[idAt[i][0]:idAt[i][1]])
// and the answer written.
type locateBatch struct {
	body   []byte
	parser fastjson.Parser
	raw    []byte // a JSON value's text
	ids    []byte // the points' ids, one after another
	idAt   [][2]int
	given  []orb.Point
	cgcs   []orb.Point
	out    []byte
	batch  city.Batch
	loc    city.Located // the single locate's (handle_locate.go)
	near   []geo.Neighbor
}

// add appends a point read, its id the ids from idStart on.
func (lb *locateBatch) add(idStart int, given, cgcs orb.Point) {
	lb.idAt = append(lb.idAt, [2]int{idStart, len(lb.ids)})
	lb.given = append(lb.given, given)
	lb.cgcs = append(lb.cgcs, cgcs)
}

var locateBatches = sync.Pool{New: func() any { return new(locateBatch) }}

func (lb *locateBatch) release() {
	if cap(lb.body) > maxPooledBatch || cap(lb.out) > maxPooledBatch {
		return
	}
	lb.ids, lb.idAt, lb.given, lb.cgcs = lb.ids[:0], lb.idAt[:0], lb.given[:0], lb.cgcs[:0]
	locateBatches.Put(lb)
}

// isCSV reports whether a Content-Type (gin's c.ContentType, without parameters) is the
// compact form.
func isCSV(ct string) bool { return ct == "text/csv" }

func (s *Server) handleLocateBatch(c *gin.Context) {
	lb := locateBatches.Get().(*locateBatch)
	defer lb.release()
	compact := isCSV(c.ContentType())
	limit := int64(maxBatchBody)
	if compact {
		limit = maxCompactBody
	}
	if err := lb.read(c, limit); err != nil {
		Fail(c, "", err)
		return
	}
	var q locateQuery
	var crs geo.CRS
	var err error
	var read bool
	if compact {
		crs, err = lb.decodeCSV(c)
	} else if q, crs, read, err = lb.scanJSON(); !read {
		q, crs, err = lb.decodeJSON()
	}
	if err != nil {
		Fail(c, "", err)
		return
	}
	snap := s.snapshot(c)
	if snap == nil {
		return
	}
	if compact {
		c.Header(DatasetVersionHeader, strconv.FormatInt(snap.Version(), 10))
		writeWhole(c, "text/csv; charset=utf-8", lb.writeCSV(snap, crs))
		return
	}
	writeWhole(c, "application/json; charset=utf-8", lb.writeJSON(snap, q, crs))
}

// writeWhole answers 200 with body, its length given: an answer of a few hundred kilobytes
// then goes out as it is, not in chunks.
func writeWhole(c *gin.Context, contentType string, body []byte) {
	c.Header("Content-Length", strconv.Itoa(len(body)))
	c.Data(http.StatusOK, contentType, body)
}

// read reads the body, at most limit bytes, into lb.body.
func (lb *locateBatch) read(c *gin.Context, limit int64) error {
	r := http.MaxBytesReader(c.Writer, c.Request.Body, limit)
	b := lb.body[:0]
	if n := c.Request.ContentLength; n > 0 && n <= limit && int64(cap(b)) < n+1 {
		b = make([]byte, 0, n+1) // +1: the read that meets io.EOF needs room
	}
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			lb.body = b
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return &Error{Status: http.StatusRequestEntityTooLarge, Code: CodeTooLarge, Field: "body", Message: fmt.Sprintf("body larger than %d bytes", limit)}
			}
			return BadParam("body", "reading the body: %v", err)
		}
	}
	lb.body = b
	return nil
}

// decodeJSON reads a LocateBatchRequest from lb.body with the answers encoding/json (bindJSON)
// gives: unknown fields refused, keys matched without case, null as absent, each point
// checked as ParsePoint checks one (errors name it: points[3].lat).
func (lb *locateBatch) decodeJSON() (locateQuery, geo.CRS, error) {
	if len(bytes.TrimSpace(lb.body)) == 0 {
		return locateQuery{}, geo.CRS{}, BadParam("body", "empty body; want JSON")
	}
	// fastjson's parser is lenient (bad escapes, numbers like 01); its validator is not.
	if err := fastjson.ValidateBytes(lb.body); err != nil {
		return locateQuery{}, geo.CRS{}, BadParam("body", "invalid JSON: %v", err)
	}
	v, err := lb.parser.ParseBytes(lb.body)
	if err != nil {
		return locateQuery{}, geo.CRS{}, BadParam("body", "invalid JSON: %v", err)
	}
	obj, err := v.Object()
	if err != nil {
		return locateQuery{}, geo.CRS{}, BadParam("body", "want a JSON object, got %s", v.Type())
	}
	opts := batchQuery{}
	var crsName string
	var points []*fastjson.Value
	var ferr error
	obj.Visit(func(key []byte, v *fastjson.Value) {
		if ferr != nil {
			return
		}
		switch {
		case keyIs(key, "crs"):
			crsName, ferr = lb.stringOption("crs", v)
		case keyIs(key, "class"):
			opts["class"], ferr = lb.stringOption("class", v)
		case keyIs(key, "k"):
			opts["k"], ferr = lb.numberOption("k", v, true)
		case keyIs(key, "radius"):
			opts["radius"], ferr = lb.numberOption("radius", v, false)
		case keyIs(key, "points"):
			points = nil
			if v.Type() != fastjson.TypeNull {
				if points, err = v.Array(); err != nil {
					ferr = BadParam("points", "want a JSON array, got %s", v.Type())
				}
			}
		default:
			ferr = BadParam(string(key), "unknown field; want one of crs, k, radius, class, points")
		}
	})
	if ferr != nil {
		return locateQuery{}, geo.CRS{}, ferr
	}
	q, err := parseLocateQuery(opts)
	if err != nil {
		return q, geo.CRS{}, err
	}
	crs, err := ParseCRSParam(crsName)
	if err != nil {
		return q, crs, err
	}
	if err := checkBatchSize(len(points), MaxBatch); err != nil {
		return q, crs, err
	}
	for i, pv := range points {
		if err := lb.point(i, pv, crs); err != nil {
			return q, crs, err
		}
	}
	return q, crs, nil
}

// point reads points[i] into lb.points.
func (lb *locateBatch) point(i int, pv *fastjson.Value, crs geo.CRS) error {
	var lng, lat float64
	var hasLng, hasLat bool
	id := [2]int{len(lb.ids), len(lb.ids)}
	var ferr error
	switch pv.Type() {
	case fastjson.TypeNull: // encoding/json leaves a null item zero: no lng, no lat
	case fastjson.TypeObject:
		o, _ := pv.Object()
		o.Visit(func(key []byte, v *fastjson.Value) {
			if ferr != nil {
				return
			}
			switch {
			case keyIs(key, "id"):
				lb.ids = lb.ids[:id[0]]
				lb.ids, ferr = lb.appendString(lb.ids, i, "id", v)
				id[1] = len(lb.ids)
			case keyIs(key, "lng"):
				lng, hasLng, ferr = lb.float(i, "lng", v)
			case keyIs(key, "lat"):
				lat, hasLat, ferr = lb.float(i, "lat", v)
			default:
				ferr = BadParam(fieldName(i, string(key)), "unknown field; want one of id, lng, lat")
			}
		})
	default:
		return BadParam(fmt.Sprintf("points[%d]", i), "want a JSON object, got %s", pv.Type())
	}
	if ferr != nil {
		return ferr
	}
	if !hasLng || !hasLat {
		return BadParam(fmt.Sprintf("points[%d]", i), "lng and lat are required")
	}
	given, cgcs, err := checkPoint(i, lng, lat, crs)
	if err != nil {
		return err
	}
	lb.ids = lb.ids[:id[1]]
	lb.add(id[0], given, cgcs)
	return nil
}

// fieldName names a field for an error: key, or points[i].key for i ≥ 0.
func fieldName(i int, key string) string {
	if i < 0 {
		return key
	}
	return fmt.Sprintf("points[%d].%s", i, key)
}

// keyIs matches a JSON key to a field name as encoding/json does: without case.
func keyIs(key []byte, name string) bool {
	return len(key) == len(name) && (string(key) == name || strings.EqualFold(string(key), name))
}

// rawValue returns v's JSON text in lb.raw (a string still escaped, as sent).
func (lb *locateBatch) rawValue(v *fastjson.Value) []byte {
	lb.raw = v.MarshalTo(lb.raw[:0])
	return lb.raw
}

// appendString appends the JSON string v (the field key of points[i], or of the request for
// i < 0) unescaped as encoding/json unescapes it (invalid
// UTF-8 and lone surrogates become U+FFFD); null appends nothing.
func (lb *locateBatch) appendString(dst []byte, i int, key string, v *fastjson.Value) ([]byte, error) {
	raw := lb.rawValue(v) // before any Type call: fastjson unescapes in place on the first
	switch {
	case string(raw) == "null":
		return dst, nil
	case len(raw) < 2 || raw[0] != '"':
		return dst, BadParam(fieldName(i, key), "want a JSON string, got %s", v.Type())
	}
	text := raw[1 : len(raw)-1]
	if bytes.IndexByte(text, '\\') >= 0 {
		var s string // escapes are rare in ids: leave them to encoding/json's exact rules
		if err := json.Unmarshal(raw, &s); err != nil {
			return dst, BadParam(fieldName(i, key), "invalid JSON string: %v", err)
		}
		return append(dst, s...), nil
	}
	if utf8.Valid(text) {
		return append(dst, text...), nil
	}
	for len(text) > 0 { // encoding/json replaces each invalid byte with U+FFFD
		r, size := utf8.DecodeRune(text)
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, "\uFFFD"...)
		} else {
			dst = append(dst, text[:size]...)
		}
		text = text[size:]
	}
	return dst, nil
}

// float reads the JSON number v (key of points[i]); null is absent.
func (lb *locateBatch) float(i int, key string, v *fastjson.Value) (float64, bool, error) {
	raw := lb.rawValue(v)
	if string(raw) == "null" {
		return 0, false, nil
	}
	if len(raw) == 0 || raw[0] != '-' && (raw[0] < '0' || raw[0] > '9') {
		return 0, false, BadParam(fieldName(i, key), "want a JSON number, got %s", v.Type())
	}
	f, err := strconv.ParseFloat(string(raw), 64) // validated JSON: the syntax is right
	if err != nil {
		return 0, false, BadParam(fieldName(i, key), "the number %s is out of range", raw)
	}
	return f, true, nil
}

func (lb *locateBatch) stringOption(field string, v *fastjson.Value) (string, error) {
	b, err := lb.appendString(nil, -1, field, v)
	return string(b), err
}

// numberOption returns a number option's text for the Query parsers ("" for null); integer
// wants an integer literal, as encoding/json does for an int field.
func (lb *locateBatch) numberOption(field string, v *fastjson.Value, integer bool) (string, error) {
	raw := lb.rawValue(v)
	if string(raw) == "null" {
		return "", nil
	}
	if len(raw) == 0 || raw[0] != '-' && (raw[0] < '0' || raw[0] > '9') {
		return "", BadParam(field, "want a JSON number, got %s", v.Type())
	}
	if integer && bytes.ContainsAny(raw, ".eE") {
		return "", BadParam(field, "want a whole JSON number, got the number %s", raw)
	}
	return string(raw), nil
}

// checkBatchSize refuses an empty batch and one over max.
func checkBatchSize(n, max int) error {
	if n == 0 {
		return BadParam("points", "at least one point is required")
	}
	if n > max {
		return &Error{Status: http.StatusRequestEntityTooLarge, Code: CodeTooLarge, Field: "points", Message: fmt.Sprintf("%d points; at most %d per request", n, max)}
	}
	return nil
}

// checkPoint checks points[i] as ParsePoint checks a single point and returns it in CGCS2000.
func checkPoint(i int, lng, lat float64, crs geo.CRS) (given, cgcs orb.Point, err error) {
	if err := inRange(i, "lng", lng, 180); err != nil {
		return given, cgcs, err
	}
	if err := inRange(i, "lat", lat, 90); err != nil {
		return given, cgcs, err
	}
	given = orb.Point{lng, lat}
	return given, geo.ToCGCS2000(given, crs), nil
}

func inRange(i int, field string, v, limit float64) error {
	if v != v || v < -limit || v > limit { // v != v: NaN, which the text form can carry
		return BadParam(fmt.Sprintf("points[%d].%s", i, field), "%v is outside [%v, %v]", v, -limit, limit)
	}
	return nil
}

// writeJSON writes the JSON answer: {"results":[…],"version":N}, as gin.H marshals it.
func (lb *locateBatch) writeJSON(snap *city.Snapshot, q locateQuery, crs geo.CRS) []byte {
	out := append(lb.out[:0], `{"results":[`...)
	snap.LocateBatch(&lb.batch, lb.given, lb.cgcs, crs, q.NearestQuery, func(i int, l *city.Located) {
		if i > 0 {
			out = append(out, ',')
		}
		at := lb.idAt[i]
		out = l.AppendJSONWithID(out, lb.ids[at[0]:at[1]])
	})
	out = append(out, `],"version":`...)
	out = jsonenc.AppendInt(out, snap.Version())
	lb.out = append(out, '}')
	return lb.out
}
