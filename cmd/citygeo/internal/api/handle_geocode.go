package api

import (
	"fmt"
	"net/http"
	"strconv"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
	"github.com/paulmach/orb/geojson"

	"citygeo/city"
	"citygeo/data"
	"citygeo/gazetteer"
	"citygeo/geo"
)

// MaxGeocodeBatch is the most addresses one POST /v1/geocode/batch may carry.
const MaxGeocodeBatch = 1000

// maxAddressRunes bounds one address: dispatch notes are short, and the parser is linear.
const maxAddressRunes = 200

// Geocoded is one candidate of a geocoding answer.
type Geocoded struct {
	Point        city.LngLat     `json:"point"`
	Level        gazetteer.Level `json:"level"`
	Score        float64         `json:"score"`
	Address      string          `json:"address"`
	Asked        string          `json:"asked,omitempty"`   // the part of the query this answers, as typed
	Matched      string          `json:"matched,omitempty"` // what the index answered with
	Reason       string          `json:"reason,omitempty"`  // why matched differs from asked, or how the point was estimated
	Interpolated bool            `json:"interpolated,omitempty"`
	Relative     bool            `json:"relative,omitempty"`
	Elsewhere    bool            `json:"elsewhere,omitempty"` // a namesake here of a place another city was asked for
	Grid         string          `json:"grid,omitempty"`
	Community    *data.AreaRef   `json:"community,omitempty"`
	Street       *data.AreaRef   `json:"street,omitempty"`
	District     *data.AreaRef   `json:"district,omitempty"`
	Elements     []ParsedElement `json:"elements"`
	// Line is the stretch of road a 道路区段 answer names (人民路（友谊桥至和平桥）); Point is
	// its middle.
	Line *geojson.Geometry `json:"line,omitempty"`
}

// ParsedElement is one parsed piece of the query, with rune offsets into the normalized text.
type ParsedElement struct {
	Kind  string `json:"kind"`
	Text  string `json:"text"`
	Start int    `json:"start"`
	End   int    `json:"end"`
}

// GeocodeAnswer is the answer for one address.
type GeocodeAnswer struct {
	ID      string     `json:"id,omitempty"` // echoed from a batch item
	Query   string     `json:"query"`
	Results []Geocoded `json:"results"`
}

func placeRef(a gazetteer.AreaRef) *data.AreaRef {
	if a.Code == "" && a.Name == "" {
		return nil
	}
	return &data.AreaRef{Code: a.Code, Name: a.Name}
}

func geocoded(c gazetteer.Candidate, crs geo.CRS) Geocoded {
	g := Geocoded{Point: city.PointIn(c.Point, crs), Level: c.Level, Score: float64(int(c.Score*1000+0.5)) / 1000,
		Address: c.Address, Asked: c.Asked, Matched: c.Matched, Reason: string(c.Reason),
		Interpolated: c.Interpolated, Relative: c.Relative, Elsewhere: c.Elsewhere, Grid: c.Place.Grid,
		Community: placeRef(c.Place.Community), Street: placeRef(c.Place.Street), District: placeRef(c.Place.District),
		Elements: make([]ParsedElement, 0, len(c.Elements))}
	for _, e := range c.Elements {
		g.Elements = append(g.Elements, ParsedElement{Kind: e.Kind.String(), Text: e.Text, Start: e.Start, End: e.End})
	}
	if len(c.Line) > 0 {
		g.Line = geojson.NewGeometry(inCRS(c.Line, crs))
	}
	return g
}

// geocodeOptions are the shared parameters of single and batch geocoding.
type geocodeOptions struct {
	query gazetteer.Query
	crs   geo.CRS
}

func parseGeocodeOptions(q Query) (geocodeOptions, error) {
	limit, err := ParseInt("limit", q.Query("limit"), 5, 1, 20)
	if err != nil {
		return geocodeOptions{}, err
	}
	crs, err := ParseCRSParam(q.Query("crs"))
	if err != nil {
		return geocodeOptions{}, err
	}
	return geocodeOptions{query: gazetteer.Query{City: q.Query("city"), Limit: limit}, crs: crs}, nil
}

func checkAddress(field, q string) error {
	if q == "" {
		return BadParam(field, "is required")
	}
	if !utf8.ValidString(q) {
		return BadParam(field, "is not valid UTF-8")
	}
	if n := utf8.RuneCountInString(q); n > maxAddressRunes {
		return BadParam(field, "%d characters; at most %d", n, maxAddressRunes)
	}
	return nil
}

func geocodeOne(snap *city.Snapshot, q string, o geocodeOptions) GeocodeAnswer {
	out := GeocodeAnswer{Query: q, Results: []Geocoded{}}
	for _, c := range snap.Geocode(q, o.query) {
		out.Results = append(out.Results, geocoded(c, o.crs))
	}
	return out
}

func (s *Server) handleGeocode(c *gin.Context) {
	q := c.Query("q")
	if err := checkAddress("q", q); err != nil {
		Fail(c, "", err)
		return
	}
	o, err := parseGeocodeOptions(c)
	if err != nil {
		Fail(c, "", err)
		return
	}
	snap := s.snapshot(c)
	if snap == nil {
		return
	}
	out := geocodeOne(snap, q, o)
	c.JSON(http.StatusOK, gin.H{"version": snap.Version(), "crs": o.crs, "query": out.Query, "results": out.Results})
}

// GeocodeBatchRequest is the body of POST /v1/geocode/batch.
type GeocodeBatchRequest struct {
	City      string `json:"city"`
	Limit     *int   `json:"limit"`
	CRS       string `json:"crs"`
	Addresses []struct {
		ID string `json:"id,omitempty"`
		Q  string `json:"q"`
	} `json:"addresses"`
}

func (s *Server) handleGeocodeBatch(c *gin.Context) {
	var req GeocodeBatchRequest
	if err := bindJSON(c, &req, 4<<20); err != nil {
		Fail(c, "", err)
		return
	}
	if len(req.Addresses) == 0 {
		Fail(c, "", BadParam("addresses", "at least one address is required"))
		return
	}
	if len(req.Addresses) > MaxGeocodeBatch {
		Fail(c, "", &Error{Status: http.StatusRequestEntityTooLarge, Code: CodeTooLarge, Field: "addresses",
			Message: fmt.Sprintf("%d addresses; at most %d per request", len(req.Addresses), MaxGeocodeBatch)})
		return
	}
	opts := batchQuery{"city": req.City, "crs": req.CRS}
	if req.Limit != nil {
		opts["limit"] = strconv.Itoa(*req.Limit)
	}
	o, err := parseGeocodeOptions(opts)
	if err != nil {
		Fail(c, "", err)
		return
	}
	for i, a := range req.Addresses {
		if err := checkAddress(fmt.Sprintf("addresses[%d].q", i), a.Q); err != nil {
			Fail(c, "", err)
			return
		}
	}
	snap := s.snapshot(c)
	if snap == nil {
		return
	}
	results := make([]GeocodeAnswer, len(req.Addresses))
	for i, a := range req.Addresses {
		results[i] = geocodeOne(snap, a.Q, o)
		results[i].ID = a.ID
	}
	c.JSON(http.StatusOK, gin.H{"version": snap.Version(), "crs": o.crs, "results": results})
}

// NearbyFeature is a feature near a reverse-geocoded point: its distance and the direction of
// the point as seen from it.
type NearbyFeature struct {
	Name      string      `json:"name"`
	DistanceM float64     `json:"distance_m"`
	Direction string      `json:"direction,omitempty"`
	Point     city.LngLat `json:"point"`
}

func nearbyFeature(n *gazetteer.Nearby, crs geo.CRS) *NearbyFeature {
	if n == nil {
		return nil
	}
	return &NearbyFeature{Name: n.Name, DistanceM: city.RoundM(n.Distance), Direction: n.Direction, Point: city.PointIn(n.Point, crs)}
}

// Reversed is the answer of GET /v1/reverse.
type Reversed struct {
	Version      int64          `json:"version"`
	CRS          geo.CRS        `json:"crs"`
	Point        city.LngLat    `json:"point"`
	Grid         string         `json:"grid,omitempty"`
	Community    *data.AreaRef  `json:"community,omitempty"`
	Street       *data.AreaRef  `json:"street,omitempty"`
	District     *data.AreaRef  `json:"district,omitempty"`
	House        *NearbyFeature `json:"house,omitempty"`
	Road         *NearbyFeature `json:"road,omitempty"`
	Intersection *NearbyFeature `json:"intersection,omitempty"`
	POI          *NearbyFeature `json:"poi,omitempty"`
	Formatted    string         `json:"formatted_address"`
	Phrase       string         `json:"phrase"`
}

func (s *Server) handleReverse(c *gin.Context) {
	given, p, crs, err := ParsePoint(c)
	if err != nil {
		Fail(c, "", err)
		return
	}
	radius := float64(gazetteer.DefaultRadius)
	if r := c.Query("radius"); r != "" {
		if radius, err = parseFloat("radius", r, 1, 3000); err != nil {
			Fail(c, "", err)
			return
		}
	}
	snap := s.snapshot(c)
	if snap == nil {
		return
	}
	r := snap.Addresses().Reverse(p, radius)
	c.JSON(http.StatusOK, Reversed{Version: snap.Version(), CRS: crs, Point: city.LngLat{Lng: given[0], Lat: given[1]},
		Grid: r.Place.Grid, Community: placeRef(r.Place.Community), Street: placeRef(r.Place.Street),
		District: placeRef(r.Place.District), House: nearbyFeature(r.House, crs), Road: nearbyFeature(r.Road, crs),
		Intersection: nearbyFeature(r.Intersection, crs), POI: nearbyFeature(r.POI, crs),
		Formatted: r.Formatted, Phrase: r.Phrase})
}

// Suggested is one entry of GET /v1/suggest: a completion with its id and point, so that a
// marker needs no second call.
type Suggested struct {
	ID      string      `json:"id"`
	Name    string      `json:"name"`
	Kind    string      `json:"kind"`
	Count   int         `json:"count,omitempty"`
	Address string      `json:"address,omitempty"`
	Point   city.LngLat `json:"point"`
}

func (s *Server) handleSuggest(c *gin.Context) {
	q := c.Query("q")
	if err := checkAddress("q", q); err != nil {
		Fail(c, "", err)
		return
	}
	limit, err := ParseInt("limit", c.Query("limit"), 10, 1, 50)
	if err != nil {
		Fail(c, "", err)
		return
	}
	crs, err := ParseCRSParam(c.Query("crs"))
	if err != nil {
		Fail(c, "", err)
		return
	}
	snap := s.snapshot(c)
	if snap == nil {
		return
	}
	out := []Suggested{}
	for _, sg := range snap.Addresses().Suggest(q, limit) {
		out = append(out, Suggested{ID: sg.ID, Name: sg.Name, Kind: sg.Kind, Count: sg.Count, Address: sg.Address,
			Point: city.PointIn(sg.Point, crs)})
	}
	c.JSON(http.StatusOK, gin.H{"version": snap.Version(), "crs": crs, "query": q, "results": out})
}
