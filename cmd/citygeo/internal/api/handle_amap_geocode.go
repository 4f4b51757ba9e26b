package api

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
	"github.com/paulmach/orb"

	"citygeo/gazetteer"
	"citygeo/geo"
)

// amapGeoAnswer is the body of /v3/geocode/geo.
type amapGeoAnswer struct {
	amapStatus
	Count    string        `json:"count"`
	Geocodes []amapGeocode `json:"geocodes"`
}

// handleAMapGeo is AMap's 地理编码: address (several joined by | with batch=true), city.
func (s *Server) handleAMapGeo(c *gin.Context) {
	o, aerr := parseAMapOptions(c)
	if aerr != nil {
		amapFail(c, aerr)
		return
	}
	addrs, aerr := parseAMapList("address", c.Query("address"), o.batch, amapMaxGeoBatch)
	if aerr != nil {
		amapFail(c, aerr)
		return
	}
	for _, a := range addrs {
		if err := checkAddress("address", a); err != nil {
			amapFail(c, amapInvalid("address", "%v", err))
			return
		}
	}
	snap := s.amapSnapshot(c)
	if snap == nil {
		return
	}
	q := gazetteer.Query{City: amapCity(c.Query("city")), Limit: 1}
	out := amapGeoAnswer{amapStatus: amapSuccess, Geocodes: []amapGeocode{}}
	for _, a := range addrs {
		cs := snap.Addresses().Geocode(a, q)
		switch {
		case len(cs) > 0 && !cs[0].Elsewhere:
			// An address (or city=) naming another city gets AMap's answer for a place it cannot
			// find rather than this city's namesake (the native API keeps it, flagged elsewhere).
			out.Geocodes = append(out.Geocodes, amapGeocodeOf(cs[0], snap.Gazetteer.Deployment(), o.crs))
		case o.batch:
			out.Geocodes = append(out.Geocodes, amapGeocode{}) // one entry per address, as AMap keeps them
		}
	}
	out.Count = strconv.Itoa(len(out.Geocodes))
	amapJSON(c, out)
}

// amapCity reads AMap's city parameter: a name (深圳, 深圳市) or an adcode (440300). Pinyin and
// telephone citycodes name no city this server knows, so they express no preference.
func amapCity(s string) string {
	if s == "" || utf8.RuneCountInString(s) != len(s) {
		return s // empty, or a Chinese name
	}
	return gazetteer.CityOf(s)
}

// amapGeocodeOf renders a candidate as AMap's geocode, with citygeo's score and reason beside.
func amapGeocodeOf(cd gazetteer.Candidate, dep gazetteer.Deployment, crs geo.CRS) amapGeocode {
	pl := cd.Place
	g := amapGeocode{Province: amapStr(dep.Province), City: amapStr(dep.City), District: amapStr(pl.District.Name),
		Township: amapStr(pl.Street.Name), Neighborhood: amapNameType{Name: amapStr(pl.Community.Name)},
		Adcode: amapStr(pl.District.Code), Street: amapStr(cd.Street), Number: amapStr(cd.Number),
		Location: amapLocation(cd.Point, crs), Level: amapLevel(cd.Level),
		Citygeo: &amapCitygeo{Score: float64(int(cd.Score*1000+0.5)) / 1000, Reason: string(cd.Reason), Asked: cd.Asked, Matched: cd.Matched}}
	if dep.Province != "" {
		g.Country = "中国"
	}
	if cd.Level == gazetteer.LevelBuilding {
		g.Building.Name = amapStr(cd.Matched)
	}
	parts := []string{dep.Province, dep.City, pl.District.InAddress()}
	switch cd.Level {
	case gazetteer.LevelDistrict:
	case gazetteer.LevelStreet:
		parts = append(parts, cd.Matched)
	case gazetteer.LevelCommunity:
		parts = append(parts, pl.Street.InAddress(), cd.Matched)
	default:
		parts = append(parts, cd.Matched)
	}
	g.FormattedAddress = amapStr(joinDistinct(parts))
	return g
}

// joinDistinct joins the non-empty parts, skipping one that repeats the previous (北京市北京市).
func joinDistinct(parts []string) string {
	var b strings.Builder
	last := ""
	for _, p := range parts {
		if p != "" && p != last {
			b.WriteString(p)
			last = p
		}
	}
	return b.String()
}

// amapRegeoAnswer is the body of /v3/geocode/regeo: one regeocode, or regeocodes with batch.
type amapRegeoAnswer struct {
	amapStatus
	Regeocode  *amapRegeocode  `json:"regeocode,omitempty"`
	Regeocodes []amapRegeocode `json:"regeocodes,omitempty"`
}

// handleAMapRegeo is AMap's 逆地理编码: location (several joined by | with batch=true), radius,
// extensions=base|all.
func (s *Server) handleAMapRegeo(c *gin.Context) {
	o, pts, q, aerr := parseAMapRegeo(c)
	if aerr != nil {
		amapFail(c, aerr)
		return
	}
	snap := s.amapSnapshot(c)
	if snap == nil {
		return
	}
	out := amapRegeoAnswer{amapStatus: amapSuccess}
	for _, p := range pts {
		r := snap.Addresses().ReverseWith(p, q)
		out.Regeocodes = append(out.Regeocodes, amapRegeocodeOf(r, snap.Gazetteer.Deployment(), o.crs, q.POIs > 0))
	}
	if !o.batch {
		out.Regeocode, out.Regeocodes = &out.Regeocodes[0], nil
	}
	amapJSON(c, out)
}

// parseAMapRegeo reads regeo's parameters: the shared ones, the points (converted from the
// request's crs to CGCS2000) and the reverse query.
func parseAMapRegeo(q Query) (amapOptions, []orb.Point, gazetteer.ReverseQuery, *amapError) {
	o, aerr := parseAMapOptions(q)
	if aerr != nil {
		return o, nil, gazetteer.ReverseQuery{}, aerr
	}
	locs, aerr := parseAMapList("location", q.Query("location"), o.batch, amapMaxRegeoBatch)
	if aerr != nil {
		return o, nil, gazetteer.ReverseQuery{}, aerr
	}
	rq, aerr := parseAMapRegeoQuery(q)
	if aerr != nil {
		return o, nil, rq, aerr
	}
	pts := make([]orb.Point, 0, len(locs))
	for _, l := range locs {
		p, aerr := parseAMapPoint("location", l)
		if aerr != nil {
			return o, nil, rq, aerr
		}
		pts = append(pts, geo.ToCGCS2000(p, o.crs))
	}
	return o, pts, rq, nil
}

// parseAMapRegeoQuery reads radius (0–3000 m, 1000 by default) and extensions (base|all).
func parseAMapRegeoQuery(q Query) (gazetteer.ReverseQuery, *amapError) {
	rq := gazetteer.ReverseQuery{Radius: gazetteer.DefaultRadius}
	if r := q.Query("radius"); r != "" {
		v, err := parseFloat("radius", r, 0, 3000)
		if err != nil {
			return rq, amapInvalid("radius", "%q: want metres in [0, 3000]", r)
		}
		rq.Radius = max(v, 1) // 0 is AMap's "the point itself": the nearest within a metre
	}
	switch strings.ToLower(q.Query("extensions")) {
	case "", "base":
	case "all":
		rq.POIs, rq.Roads, rq.Intersections = amapRegeoPOIs, amapRegeoRoads, amapRegeoRoadinter
	default:
		return rq, amapInvalid("extensions", "%q: want base or all", q.Query("extensions"))
	}
	switch lv := q.Query("roadlevel"); lv {
	case "", "0":
	case "1":
		rq.MainRoads = true // expressways and arterial roads only, by the road layer's class
	default:
		return rq, amapInvalid("roadlevel", "%q: want 0 (every road) or 1 (main roads only)", lv)
	}
	if pt := q.Query("poitype"); pt != "" {
		cats, aerr := parseAMapTypes("poitype", pt)
		if aerr != nil {
			return rq, aerr
		}
		rq.Categories = cats
	}
	return rq, nil
}

// parseAMapTypes reads AMap's POI type list (poitype, type): names joined by |. AMap's 6-digit
// typecodes are refused by name: its type table is not this server's, and filtering by a code
// it cannot read would answer as if unfiltered.
func parseAMapTypes(field, s string) ([]string, *amapError) {
	var out []string
	for _, t := range strings.Split(s, "|") {
		t = strings.TrimSpace(t)
		if t == "" {
			continue
		}
		if strings.Trim(t, "0123456789") == "" {
			return nil, amapInvalid(field, "%q: AMap's typecodes are not known here; give the POI categories by name (学校|医院)", s)
		}
		out = append(out, t)
	}
	return out, nil
}
