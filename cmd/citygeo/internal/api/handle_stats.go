package api

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"citygeo/city"
	"citygeo/dispatch"
	"citygeo/duty"
	"citygeo/geo"
)

// handleStats answers GET /v1/stats?by=&period=&from=&to=&class=&source=&format=json|csv|geojson:
// per group and period, the events reported, dispatched, closed and overdue with the on-time
// and closure rates and the rank (dispatch.StatsRow says how each is counted). geojson is the
// choropleth of an area or grid grouping over the whole range (period all unless asked).
func (s *Server) handleStats(c *gin.Context) {
	by, err := dispatch.ParseStatsBy(c.Query("by"))
	if err != nil {
		Fail(c, "", dispatchError(err))
		return
	}
	format := c.DefaultQuery("format", "json")
	if format != "json" && format != "csv" && format != "geojson" {
		Fail(c, "", BadParam("format", "%q: want json, csv or geojson", format))
		return
	}
	period := c.Query("period")
	if period == "" && format == "geojson" {
		period = string(dispatch.PeriodAll)
	}
	q := dispatch.StatsQuery{By: by, Source: c.Query("source"), Now: time.Now()}
	if q.Period, err = dispatch.ParsePeriod(period); err != nil {
		Fail(c, "", dispatchError(err))
		return
	}
	if format == "geojson" && !choroplethBy(by) {
		Fail(c, "", BadParam("format", "geojson is for by=district, street, community or grid, not %s", by))
		return
	}
	if q.From, q.To, err = dayRange(c); err != nil {
		Fail(c, "", err)
		return
	}
	if q.Class, err = classParam(c); err != nil {
		Fail(c, "", err)
		return
	}
	crs, err := ParseCRSParam(c.Query("crs"))
	if err != nil {
		Fail(c, "", err)
		return
	}
	feed := s.feed(c)
	if feed == nil {
		return
	}
	snap := s.city.Current()
	if snap != nil {
		q.CityName, q.AreaName = snap.Info.Name, areaNamer(snap)
		if by == dispatch.ByZone && s.duty != nil {
			q.Zones = statsZones(s.duty.Board.Index(snap.DutyCity()))
		}
	}
	t, err := feed.Stats(q)
	if err != nil {
		Fail(c, "", dispatchError(err))
		return
	}
	switch format {
	case "csv":
		writeStatsCSV(c, t)
	case "geojson":
		if snap = s.snapshot(c); snap != nil {
			c.JSON(http.StatusOK, statsChoropleth(snap, t, crs))
		}
	default:
		c.JSON(http.StatusOK, t)
	}
}

func choroplethBy(by dispatch.StatsBy) bool {
	return by == dispatch.ByDistrict || by == dispatch.ByStreet || by == dispatch.ByCommunity || by == dispatch.ByGrid
}

// areaNamer names area codes from the snapshot, and a grid (which has no name of its own) by
// its community's name and its sequence: 东门社区 002.
func areaNamer(snap *city.Snapshot) func(code string) string {
	return func(code string) string {
		if a := snap.Geo.Area(code); a != nil {
			return a.Name
		}
		if g := snap.Grid(code); g != nil && len(code) > len(g.Community) {
			if a := snap.Geo.Area(g.Community); a != nil {
				return a.Name + " " + code[len(g.Community):]
			}
		}
		return ""
	}
}

// statsZones lists the duty zones with their grid codes for by=zone (none, not nil, when the
// lists have no zones: they are loaded).
func statsZones(ix *duty.Index) []dispatch.StatsZone {
	out := []dispatch.StatsZone{}
	if ix == nil {
		return out
	}
	for _, z := range ix.Zones() {
		grids, _ := ix.ZoneGrids(z.ID)
		codes := make([]string, len(grids))
		for i, g := range grids {
			codes[i] = g.Code
		}
		out = append(out, dispatch.StatsZone{ID: z.ID, Name: z.Name, Kind: string(z.Kind), Grids: codes})
	}
	return out
}

// writeStatsCSV writes the table as CSV for a spreadsheet: a UTF-8 byte order mark (Excel reads
// the Chinese right), one header row naming each column in Chinese with its JSON key, then the
// rows.
func writeStatsCSV(c *gin.Context, t *dispatch.StatsTable) {
	c.Header("Content-Type", "text/csv; charset=utf-8")
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="stats-%s-%s-%s-%s.csv"`, t.By, t.Period, t.From, t.To))
	c.Status(http.StatusOK)
	_, _ = c.Writer.WriteString("\ufeff")
	w := csv.NewWriter(c.Writer)
	_ = w.Write([]string{"统计周期 period", "编码 code", "名称 name", "类型 kind", "上报数 reported", "派遣数 dispatched",
		"结案数 closed", "超期数 overdue", "按期结案数 on_time", "应结案数 due", "按期处置率 on_time_rate", "结案率 closure_rate", "排名 rank"})
	rate := func(v *float64) string {
		if v == nil {
			return ""
		}
		return strconv.FormatFloat(*v, 'f', -1, 64)
	}
	for _, r := range t.Rows {
		kind := r.Kind
		if kind == "" {
			kind = r.Scheme
		}
		_ = w.Write([]string{r.Period, r.Code, r.Name, kind, strconv.Itoa(r.Reported), strconv.Itoa(r.Dispatched),
			strconv.Itoa(r.Closed), strconv.Itoa(r.Overdue), strconv.Itoa(r.OnTime), strconv.Itoa(r.Due),
			rate(r.OnTimeRate), rate(r.ClosureRate), strconv.Itoa(r.Rank)})
	}
	w.Flush()
}

// statsChoropleth joins the rows to the area or grid polygons of the snapshot, for a
// choropleth on the wall screen (in the client's crs). Areas the snapshot does not have are
// left out.
func statsChoropleth(snap *city.Snapshot, t *dispatch.StatsTable, crs geo.CRS) *geojson.FeatureCollection {
	fc := geojson.NewFeatureCollection()
	for _, r := range t.Rows {
		var g orb.Geometry
		if gr := snap.Grid(r.Code); gr != nil {
			g = gr.Polygon
		} else if a := snap.Geo.Area(r.Code); a != nil && len(a.Polygon) > 0 {
			g = a.Polygon
		}
		if g == nil {
			continue
		}
		f := geojson.NewFeature(inCRS(g, crs))
		f.ID = r.Code
		f.Properties = geojson.Properties{"area": r.Code, "code": r.Code, "name": r.Name, "period": r.Period,
			"reported": r.Reported, "dispatched": r.Dispatched, "closed": r.Closed, "overdue": r.Overdue,
			"on_time_rate": r.OnTimeRate, "closure_rate": r.ClosureRate, "rank": r.Rank}
		fc.Append(f)
	}
	fc.ExtraMembers = geojson.Properties{"by": t.By, "period": t.Period, "from": t.From, "to": t.To}
	return fc
}
