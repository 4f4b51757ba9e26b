package api

import (
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"citygeo/geo"
)

// amapTipsAnswer is the body of /v3/assistant/inputtips.
type amapTipsAnswer struct {
	amapStatus
	Count string    `json:"count"`
	Tips  []amapTip `json:"tips"`
}

// amapDatatypes are the values of inputtips' datatype AMap knows; tips of every kind are
// addresses and POIs here, so each is answered alike.
var amapDatatypes = map[string]bool{"all": true, "poi": true, "bus": true, "busline": true}

// handleAMapInputtips is AMap's 输入提示: keywords (characters or pinyin). location and
// datatype are checked as AMap reads them but do not change the tips (one city is served; its
// names rank by how many addresses they hold), so a malformed one is refused rather than
// passed over; type, which would filter them by POI type, is refused (tips are not classed by
// AMap's types here); city picks the city among several served (cities.go), and with
// citylimit=true another city gets no tips. Every tip has an id and a location.
func (s *Server) handleAMapInputtips(c *gin.Context) {
	o, aerr := parseAMapOptions(c)
	if aerr != nil {
		amapFail(c, aerr)
		return
	}
	if loc := c.Query("location"); loc != "" {
		if _, aerr := parseAMapPoint("location", loc); aerr != nil {
			amapFail(c, aerr)
			return
		}
	}
	citylimit, aerr := parseAMapBool("citylimit", c.Query("citylimit"))
	if aerr != nil {
		amapFail(c, aerr)
		return
	}
	if tp := c.Query("type"); tp != "" {
		amapFail(c, amapInvalid("type", "%q: tips are not classed by POI type here, so they cannot be filtered by it; leave type out", tp))
		return
	}
	if dt := c.Query("datatype"); dt != "" {
		for _, v := range strings.Split(dt, "|") {
			if !amapDatatypes[strings.ToLower(v)] {
				amapFail(c, amapInvalid("datatype", "%q: want all, poi, bus or busline, joined by |", dt))
				return
			}
		}
	}
	kw := c.Query("keywords")
	if strings.TrimSpace(kw) == "" {
		amapFail(c, amapMissing("keywords"))
		return
	}
	if err := checkAddress("keywords", kw); err != nil {
		amapFail(c, amapInvalid("keywords", "%v", err))
		return
	}
	snap := s.amapSnapshot(c)
	if snap == nil {
		return
	}
	gz := snap.Gazetteer
	dep := gz.Deployment()
	out := amapTipsAnswer{amapStatus: amapSuccess, Tips: []amapTip{}}
	if citylimit && gz.OtherCity(amapCity(c.Query("city"))) {
		// Tips of that city only, and this server holds none of it.
		out.Count = "0"
		amapJSON(c, out)
		return
	}
	for _, sg := range snap.Addresses().Suggest(kw, amapDefaultTips) {
		pl := gz.PlaceOf(sg.Point)
		out.Tips = append(out.Tips, amapTip{ID: amapStr(sg.ID), Name: amapStr(sg.Name), Address: amapStr(sg.Address),
			District: amapStr(joinDistinct([]string{dep.Province, dep.City, pl.District.Name})),
			Adcode:   amapStr(pl.District.Code), Location: amapLocation(sg.Point, o.crs), City: amapStr(dep.City)})
	}
	out.Count = strconv.Itoa(len(out.Tips))
	amapJSON(c, out)
}

// amapConvertAnswer is the body of /v3/assistant/coordinate/convert.
type amapConvertAnswer struct {
	amapStatus
	Locations string `json:"locations"`
}

// amapCoordsys maps AMap's coordsys words to the systems geo converts. mapbar's offset is
// unpublished, so it is refused rather than guessed.
var amapCoordsys = map[string]geo.CRS{"": geo.GCJ02, "autonavi": geo.GCJ02, "gps": geo.WGS84, "baidu": geo.BD09}

// handleAMapConvert is AMap's 坐标转换: locations (lng,lat joined by |, at most 40) from
// coordsys (gps, baidu, autonavi) to GCJ-02, joined by ; as AMap answers.
func (s *Server) handleAMapConvert(c *gin.Context) {
	if aerr := parseAMapOutput(c); aerr != nil {
		amapFail(c, aerr)
		return
	}
	cs := c.Query("coordsys")
	from, ok := amapCoordsys[strings.ToLower(cs)]
	switch {
	case strings.EqualFold(cs, "mapbar"):
		amapFail(c, amapInvalid("coordsys", "%q: mapbar's offset is unpublished, so it is not converted; want gps, baidu or autonavi", cs))
		return
	case !ok:
		amapFail(c, amapInvalid("coordsys", "%q: want gps, baidu or autonavi", cs))
		return
	}
	locs, aerr := parseAMapList("locations", c.Query("locations"), true, amapMaxConvert)
	if aerr != nil {
		amapFail(c, aerr)
		return
	}
	out := make([]string, 0, len(locs))
	for _, l := range locs {
		p, aerr := parseAMapPoint("locations", l)
		if aerr != nil {
			amapFail(c, aerr)
			return
		}
		out = append(out, amapLngLat(geo.FromCGCS2000(geo.ToCGCS2000(p, from), geo.GCJ02)))
	}
	amapJSON(c, amapConvertAnswer{amapStatus: amapSuccess, Locations: strings.Join(out, ";")})
}
