package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/paulmach/orb"

	"citygeo/city"
	"citygeo/gazetteer"
	"citygeo/geo"
)

// The AMap-compatible door (/v3/…) answers in the shapes of AMap's web service v3 so that an
// app written against restapi.amap.com changes only its base URL: every value is a string,
// locations are "lng,lat" in GCJ-02 unless crs= says otherwise, a status/info/infocode wrapper
// carries success or failure with HTTP 200 as AMap does, and a value AMap has none for comes
// back as [] the way AMap writes it. The native /v1 API is unchanged; this file holds only the
// door's wire types and their rendering.

// AMap's infocodes and info words the door answers with (AMap's published error table).
const (
	amapOK             = "10000"
	amapInvalidParams  = "20000" // INVALID_PARAMS
	amapMissingParams  = "20001" // MISSING_REQUIRED_PARAMS
	amapNotAvailable   = "10002" // SERVICE_NOT_AVAILABLE: no dataset loaded yet
	amapInfoOK         = "OK"
	amapInfoInvalid    = "INVALID_PARAMS"
	amapInfoMissing    = "MISSING_REQUIRED_PARAMS"
	amapInfoNotAvail   = "SERVICE_NOT_AVAILABLE"
	amapMaxGeoBatch    = 10 // addresses per batch geocode (AMap's limit)
	amapMaxRegeoBatch  = 20 // points per batch regeo
	amapMaxConvert     = 40 // points per coordinate conversion
	amapDefaultTips    = 10
	amapRegeoPOIs      = 10 // POIs listed by regeo with extensions=all
	amapRegeoRoads     = 3  // roads listed, as AMap lists them
	amapRegeoRoadinter = 1  // crossings listed, as AMap lists them
)

// amapStatus is the wrapper every AMap answer starts with.
type amapStatus struct {
	Status   string `json:"status"`
	Info     string `json:"info"`
	Infocode string `json:"infocode"`
	Detail   string `json:"detail,omitempty"` // citygeo's reason for a failure; AMap has none
}

var amapSuccess = amapStatus{Status: "1", Info: amapInfoOK, Infocode: amapOK}

// amapError is a failed AMap call: AMap answers HTTP 200 with status "0", and clients written
// for it read the status rather than the HTTP code.
type amapError struct {
	amapStatus
	field string
}

func (e *amapError) Error() string { return e.field + ": " + e.Detail }

func amapInvalid(field, format string, args ...any) *amapError {
	return &amapError{amapStatus{"0", amapInfoInvalid, amapInvalidParams, field + ": " + fmt.Sprintf(format, args...)}, field}
}

func amapMissing(field string) *amapError {
	return &amapError{amapStatus{"0", amapInfoMissing, amapMissingParams, field + " is required"}, field}
}

// amapFail writes a failed AMap answer.
func amapFail(c *gin.Context, err *amapError) {
	c.Abort()
	amapWrite(c.Writer, c.Request, http.StatusOK, err.amapStatus)
}

// amapJSON writes a successful AMap answer.
func amapJSON(c *gin.Context, body any) { amapWrite(c.Writer, c.Request, http.StatusOK, body) }

// amapSnapshot returns the current snapshot, or answers SERVICE_NOT_AVAILABLE (HTTP 503,
// like the native API: no answer is a success) and returns nil.
func (s *Server) amapSnapshot(c *gin.Context) *city.Snapshot {
	snap := s.city.Current()
	if snap == nil {
		c.Abort()
		amapWrite(c.Writer, c.Request, http.StatusServiceUnavailable, amapStatus{"0", amapInfoNotAvail, amapNotAvailable, "no dataset loaded yet"})
	}
	return snap
}

// amapWrite writes body as the door answers: JSON, or JSONP — callback(…) — when the request
// names a callback, as AMap does for pages that load it by a script tag. A callback that is not
// a script name is not echoed (parseAMapOutput refuses it in the handlers).
func amapWrite(w http.ResponseWriter, r *http.Request, status int, body any) {
	b, err := json.Marshal(body)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"status":"0","info":"UNKNOWN_ERROR","infocode":"20003"}`)
	}
	if cb := r.URL.Query().Get("callback"); cb != "" && amapCallbackRe.MatchString(cb) {
		w.Header().Set("Content-Type", "application/javascript; charset=utf-8")
		b = slices.Concat([]byte(cb), []byte("("), b, []byte(");"))
	} else {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
	}
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// amapCallbackRe is a JSONP callback a page may name: a script identifier, or a dotted path of
// them (jQuery's jQuery3600_1700000000, app.cb), and nothing that could end the call early.
var amapCallbackRe = regexp.MustCompile(`^[A-Za-z_$][A-Za-z0-9_$]*(\.[A-Za-z_$][A-Za-z0-9_$]*)*$`)

// amapRefusal is how the door answers a request refused before its handler (token, area
// guard, rate limit, routing, an unknown path): AMap's status body with HTTP 200, as AMap
// answers a bad key or too many requests, since its clients read the status rather than the
// HTTP code. The access log and metrics still count the refusal's own status (ctxError).
func amapRefusal(e *Error) amapStatus {
	st := amapStatus{Status: "0", Info: "UNKNOWN_ERROR", Infocode: "20003", Detail: e.Error()}
	switch e.Status {
	case http.StatusUnauthorized:
		st.Info, st.Infocode = "INVALID_USER_KEY", "10001"
	case http.StatusForbidden:
		st.Info, st.Infocode = "INSUFFICIENT_PRIVILEGES", "10012"
	case http.StatusTooManyRequests:
		st.Info, st.Infocode = "ACCESS_TOO_FREQUENT", "10004"
	case http.StatusBadRequest, http.StatusNotFound, http.StatusMethodNotAllowed, http.StatusRequestEntityTooLarge:
		st.Info, st.Infocode = amapInfoInvalid, amapInvalidParams
	case http.StatusServiceUnavailable:
		st.Info, st.Infocode = amapInfoNotAvail, amapNotAvailable
	}
	return st
}

// isAMapPath reports whether a request path is the door's, within one city's server (/v3/…)
// or before the cities' router has taken its prefix off (/cities/KEY/v3/…).
func isAMapPath(p string) bool {
	if rest, ok := strings.CutPrefix(p, "/cities/"); ok {
		_, p, _ = strings.Cut(rest, "/")
		p = "/" + p
	}
	return strings.HasPrefix(p, "/v3/")
}

// amapStr is a string AMap writes as [] when it is empty ("city": [] for a municipality).
type amapStr string

// MarshalJSON writes the string, or [] when it is empty.
func (s amapStr) MarshalJSON() ([]byte, error) {
	if s == "" {
		return []byte("[]"), nil
	}
	return json.Marshal(string(s))
}

// amapNameType is AMap's {name, type} pair (neighborhood, building).
type amapNameType struct {
	Name amapStr `json:"name"`
	Type amapStr `json:"type"`
}

// amapCitygeo is what the door adds to an AMap geocode (AMap clients ignore it): how far the
// answer can be trusted, in the native API's terms.
type amapCitygeo struct {
	Score   float64 `json:"score"`
	Reason  string  `json:"reason,omitempty"`
	Asked   string  `json:"asked,omitempty"`
	Matched string  `json:"matched,omitempty"`
}

// amapGeocode is one entry of geocodes[].
type amapGeocode struct {
	FormattedAddress amapStr      `json:"formatted_address"`
	Country          amapStr      `json:"country"`
	Province         amapStr      `json:"province"`
	Citycode         amapStr      `json:"citycode"`
	City             amapStr      `json:"city"`
	District         amapStr      `json:"district"`
	Township         amapStr      `json:"township"`
	Neighborhood     amapNameType `json:"neighborhood"`
	Building         amapNameType `json:"building"`
	Adcode           amapStr      `json:"adcode"`
	Street           amapStr      `json:"street"`
	Number           amapStr      `json:"number"`
	Location         amapStr      `json:"location"`
	Level            amapStr      `json:"level"`
	Citygeo          *amapCitygeo `json:"citygeo,omitempty"`
}

// amapStreetNumber is regeo's nearest 门牌.
type amapStreetNumber struct {
	Street    amapStr `json:"street"`
	Number    amapStr `json:"number"`
	Location  amapStr `json:"location"`
	Direction amapStr `json:"direction"`
	Distance  amapStr `json:"distance"`
}

// amapAddressComponent is regeo's addressComponent.
type amapAddressComponent struct {
	Country       amapStr          `json:"country"`
	Province      amapStr          `json:"province"`
	City          amapStr          `json:"city"`
	Citycode      amapStr          `json:"citycode"`
	District      amapStr          `json:"district"`
	Adcode        amapStr          `json:"adcode"`
	Township      amapStr          `json:"township"`
	Towncode      amapStr          `json:"towncode"`
	Neighborhood  amapNameType     `json:"neighborhood"`
	Building      amapNameType     `json:"building"`
	StreetNumber  amapStreetNumber `json:"streetNumber"`
	BusinessAreas []struct{}       `json:"businessAreas"`
	Grid          string           `json:"grid,omitempty"` // citygeo's unit grid; AMap has none
}

// amapPOI, amapRoad and amapRoadinter are regeo's lists with extensions=all.
type amapPOI struct {
	ID           amapStr `json:"id"`
	Name         amapStr `json:"name"`
	Type         amapStr `json:"type"`
	Tel          amapStr `json:"tel"`
	Direction    amapStr `json:"direction"`
	Distance     amapStr `json:"distance"`
	Location     amapStr `json:"location"`
	Address      amapStr `json:"address"`
	Poiweight    amapStr `json:"poiweight"`
	Businessarea amapStr `json:"businessarea"`
}

type amapRoad struct {
	ID        amapStr `json:"id"`
	Name      amapStr `json:"name"`
	Direction amapStr `json:"direction"`
	Distance  amapStr `json:"distance"`
	Location  amapStr `json:"location"`
}

type amapRoadinter struct {
	Direction  amapStr `json:"direction"`
	Distance   amapStr `json:"distance"`
	Location   amapStr `json:"location"`
	FirstID    amapStr `json:"first_id"`
	FirstName  amapStr `json:"first_name"`
	SecondID   amapStr `json:"second_id"`
	SecondName amapStr `json:"second_name"`
}

// amapRegeocode is regeo's answer for one point; the lists only with extensions=all.
type amapRegeocode struct {
	FormattedAddress amapStr              `json:"formatted_address"`
	AddressComponent amapAddressComponent `json:"addressComponent"`
	POIs             *[]amapPOI           `json:"pois,omitempty"`
	Roads            *[]amapRoad          `json:"roads,omitempty"`
	Roadinters       *[]amapRoadinter     `json:"roadinters,omitempty"`
	AOIs             *[]struct{}          `json:"aois,omitempty"`
}

// amapTip is one entry of inputtips' tips[].
type amapTip struct {
	ID       amapStr `json:"id"`
	Name     amapStr `json:"name"`
	District amapStr `json:"district"`
	Adcode   amapStr `json:"adcode"`
	Location amapStr `json:"location"`
	Address  amapStr `json:"address"`
	Typecode amapStr `json:"typecode"`
	City     amapStr `json:"city"`
}

// amapLevels maps the gazetteer's levels to AMap's words where they differ: AMap has no 楼栋
// (a building of a compound is a POI to it), and names 街道 and 社区 乡镇 and 村庄.
var amapLevels = map[gazetteer.Level]string{
	gazetteer.LevelBuilding:  "兴趣点",
	gazetteer.LevelStreet:    "乡镇",
	gazetteer.LevelCommunity: "村庄",
}

func amapLevel(l gazetteer.Level) amapStr {
	if w, ok := amapLevels[l]; ok {
		return amapStr(w)
	}
	return amapStr(l)
}

// amapLocation writes a stored point as AMap does: "lng,lat", 6 decimals, in crs; [] for a
// value without a point (the zero point).
func amapLocation(p orb.Point, crs geo.CRS) amapStr {
	if p == (orb.Point{}) {
		return ""
	}
	return amapStr(amapLngLat(geo.FromCGCS2000(p, crs)))
}

// amapLngLat writes a point as AMap does: "lng,lat", 6 decimals.
func amapLngLat(q orb.Point) string {
	return strconv.FormatFloat(q[0], 'f', 6, 64) + "," + strconv.FormatFloat(q[1], 'f', 6, 64)
}

// amapMetres writes a distance as AMap does: a string of metres.
func amapMetres(d float64) amapStr { return amapStr(strconv.FormatFloat(d, 'f', -1, 64)) }

// parseAMapPoint reads AMap's "lng,lat" (at most 6 decimals by AMap's rule; more are accepted).
func parseAMapPoint(field, s string) (orb.Point, *amapError) {
	lng, lat, ok := strings.Cut(strings.TrimSpace(s), ",")
	if !ok {
		return orb.Point{}, amapInvalid(field, "%q: want lng,lat", s)
	}
	x, err1 := strconv.ParseFloat(strings.TrimSpace(lng), 64)
	y, err2 := strconv.ParseFloat(strings.TrimSpace(lat), 64)
	if err1 != nil || err2 != nil || x < -180 || x > 180 || y < -90 || y > 90 || x != x || y != y {
		return orb.Point{}, amapInvalid(field, "%q: want lng,lat in degrees", s)
	}
	return orb.Point{x, y}, nil
}

// parseAMapList splits AMap's "a|b|c" and checks its length against max; batch=false keeps
// only the first, as AMap does.
func parseAMapList(field, s string, batch bool, max int) ([]string, *amapError) {
	if strings.TrimSpace(s) == "" {
		return nil, amapMissing(field)
	}
	parts := strings.Split(s, "|")
	if !batch {
		return parts[:1], nil
	}
	if len(parts) > max {
		return nil, amapInvalid(field, "%d values; at most %d", len(parts), max)
	}
	return parts, nil
}

// amapOptions are the parameters every door route shares: batch, output and the crs the door
// adds (gcj02 by default, as AMap speaks).
type amapOptions struct {
	batch bool
	crs   geo.CRS
}

func parseAMapOptions(q Query) (amapOptions, *amapError) {
	var o amapOptions
	switch strings.ToLower(q.Query("batch")) {
	case "", "false":
	case "true":
		o.batch = true
	default:
		return o, amapInvalid("batch", "%q: want true or false", q.Query("batch"))
	}
	if err := parseAMapOutput(q); err != nil {
		return o, err
	}
	o.crs = geo.GCJ02
	if s := q.Query("crs"); s != "" {
		c, err := ParseCRSParam(s)
		if err != nil {
			return o, amapInvalid("crs", "%q: want gcj02, wgs84, cgcs2000 or bd09", s)
		}
		o.crs = c
	}
	return o, nil
}

// parseAMapOutput checks how the answer is to be written: AMap's output parameter — JSON
// (AMap's default, any case) is the one this door writes; XML, which AMap also writes, is
// refused by name rather than answered in JSON — and its JSONP callback, a script name.
func parseAMapOutput(q Query) *amapError {
	if cb := q.Query("callback"); cb != "" && !amapCallbackRe.MatchString(cb) {
		return amapInvalid("callback", "%q: want a script function name (letters, digits, _ and $, dotted)", cb)
	}
	switch out := q.Query("output"); strings.ToUpper(out) {
	case "", "JSON":
		return nil
	case "XML":
		return amapInvalid("output", "%q: XML is not supported; this server answers JSON only (output=JSON)", out)
	default:
		return amapInvalid("output", "%q: want JSON", out)
	}
}

// parseAMapBool reads an AMap boolean (citylimit): true or false, "" for the default.
func parseAMapBool(field, s string) (bool, *amapError) {
	switch strings.ToLower(s) {
	case "", "false":
		return false, nil
	case "true":
		return true, nil
	}
	return false, amapInvalid(field, "%q: want true or false", s)
}
