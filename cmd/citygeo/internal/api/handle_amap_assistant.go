package api

import (
	"net/http"
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

// handleAMapInputtips is AMap's 输入提示: keywords (characters or pinyin), and the accepted but
// unused type, location, city, citylimit and datatype (one city is served; its names rank by
// how many addresses they hold). Every tip has an id and a location.
func (s *Server) handleAMapInputtips(c *gin.Context) {
	o, aerr := parseAMapOptions(c)
	if aerr != nil {
		amapFail(c, aerr)
		return
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
	for _, sg := range snap.Addresses().Suggest(kw, amapDefaultTips) {
		pl := gz.PlaceOf(sg.Point)
		out.Tips = append(out.Tips, amapTip{ID: amapStr(sg.ID), Name: amapStr(sg.Name), Address: amapStr(sg.Address),
			District: amapStr(joinDistinct([]string{dep.Province, dep.City, pl.District.Name})),
			Adcode:   amapStr(pl.District.Code), Location: amapLocation(sg.Point, o.crs), City: amapStr(dep.City)})
	}
	out.Count = strconv.Itoa(len(out.Tips))
	c.JSON(http.StatusOK, out)
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
	from, ok := amapCoordsys[strings.ToLower(c.Query("coordsys"))]
	if !ok {
		amapFail(c, amapInvalid("coordsys", "%q: want gps, baidu or autonavi", c.Query("coordsys")))
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
		out = append(out, string(amapLocation(geo.ToCGCS2000(p, from), geo.GCJ02)))
	}
	c.JSON(http.StatusOK, amapConvertAnswer{amapStatus: amapSuccess, Locations: strings.Join(out, ";")})
}
