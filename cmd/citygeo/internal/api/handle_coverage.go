package api

import (
	"encoding/csv"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/paulmach/orb"

	"citygeo/city"
	"citygeo/data"
	"citygeo/duty"
	"citygeo/field"
)

// networks keeps the road network of the snapshot served last: cutting the road layer at its
// intersections takes a fraction of a second, once per dataset version.
type networks struct {
	mu   sync.Mutex
	snap *city.Snapshot
	net  *field.Network
}

func (n *networks) of(snap *city.Snapshot) *field.Network {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.snap != snap {
		n.snap, n.net = snap, field.NewNetwork(snap.Dataset.Roads)
	}
	return n.net
}

// handleCoverage answers a patrol day's coverage per person: the road segments each passed,
// how often, against the target of their class (covered or short); as JSON or CSV.
func (s *Server) handleCoverage(c *gin.Context) {
	f := s.force(c)
	if f == nil {
		return
	}
	from, to, err := patrolDay(c.Query("date"), f)
	if err != nil {
		Fail(c, "", err)
		return
	}
	format := c.DefaultQuery("format", "json")
	if format != "json" && format != "csv" {
		Fail(c, "", BadParam("format", "%q: want json or csv", format))
		return
	}
	group := c.DefaultQuery("group", "person")
	if group != "person" && group != "team" && group != "zone" {
		Fail(c, "", BadParam("group", "%q: want person, team or zone", group))
		return
	}
	devices := coverageDevices(f, c.Query("device"), c.Query("team"))
	snap := s.snapshot(c)
	if snap == nil {
		return
	}
	var ix *duty.Index
	if group == "zone" {
		if ix = s.liveDutyIndex(); ix == nil {
			Fail(c, "", BadParam("group", "zone: no duty lists (zones) on this server"))
			return
		}
	}
	net := s.nets.of(snap)
	out, err := f.Coverage(c.Request.Context(), net, devices, from, to, s.presenceOptions(snap))
	if err != nil {
		Fail(c, "", err)
		return
	}
	day := from.Format(time.DateOnly)
	if group == "person" {
		if format == "csv" {
			writeCoverageCSV(c, out)
			return
		}
		c.JSON(http.StatusOK, gin.H{"date": day, "targets": field.DefaultTargets, "people": out})
		return
	}
	var groups []field.GroupCoverage
	if group == "team" {
		groups = teamTotals(net, out)
	} else {
		groups = zoneTotals(ix, net, out)
	}
	if format == "csv" {
		writeGroupCSV(c, group, groups)
		return
	}
	c.JSON(http.StatusOK, gin.H{"date": day, "targets": field.DefaultTargets, "group": group, "groups": groups})
}

// presenceOptions asks a coverage for the grids each track visited (in the version served)
// and, with duty lists, the time it spent in its device's assigned zones.
func (s *Server) presenceOptions(snap *city.Snapshot) field.CoverageOptions {
	o := field.CoverageOptions{Locate: func(p orb.Point) string {
		if g := snap.Geo.Locate(p).Grid; g != nil {
			return g.Code
		}
		return ""
	}}
	if s.duty == nil || s.duty.Board.Roster() == nil {
		return o
	}
	ix := s.duty.Board.Index(snap.DutyCity())
	o.Assigned = func(d *data.Device) ([]string, []orb.Polygon) {
		zones := ix.ZonesOf(d)
		var shapes []orb.Polygon
		for _, z := range zones {
			grids, _ := ix.ZoneGrids(z)
			for _, g := range grids {
				shapes = append(shapes, g.Polygon)
			}
		}
		return zones, shapes
	}
	return o
}

// teamTotals sums the coverage of each team's members over the segments they passed, teams in
// name order; people in no team are left out.
func teamTotals(net *field.Network, people []field.PersonCoverage) []field.GroupCoverage {
	byTeam := map[string][]field.PersonCoverage{}
	for _, p := range people {
		if p.Team != "" {
			byTeam[p.Team] = append(byTeam[p.Team], p)
		}
	}
	out := []field.GroupCoverage{}
	for _, team := range slices.Sorted(maps.Keys(byTeam)) {
		out = append(out, field.Totals(net, team, team, byTeam[team], nil, field.CoverageOptions{}))
	}
	return out
}

// zoneTotals sums everyone's coverage over each zone's segments (those whose middle lies in one
// of its grids), listing the segments nobody passed; a zone's people are those who passed one
// of them.
func zoneTotals(ix *duty.Index, net *field.Network, people []field.PersonCoverage) []field.GroupCoverage {
	out := []field.GroupCoverage{}
	for _, z := range ix.Zones() {
		grids, _ := ix.ZoneGrids(z.ID)
		polys := make([]orb.Polygon, len(grids))
		for i, g := range grids {
			polys[i] = g.Polygon
		}
		within := net.Within(polys)
		in := map[int]bool{}
		for _, seg := range within {
			in[seg] = true
		}
		var there []field.PersonCoverage
		for _, p := range people {
			if slices.ContainsFunc(p.Segments, func(sc field.SegmentCoverage) bool { return in[sc.Segment] }) {
				there = append(there, p)
			}
		}
		if within == nil {
			within = []int{} // a zone without roads lists none, not the segments its people passed
		}
		out = append(out, field.Totals(net, z.ID, z.Name, there, within, field.CoverageOptions{}))
	}
	return out
}

// coverageDevices is who a coverage is asked for: the devices named (comma-separated), else the
// registry's persons (of team, when given), else every device with a position.
func coverageDevices(f *field.Force, named, team string) []string {
	if named != "" {
		return strings.Split(named, ",")
	}
	var out []string
	if reg := f.Options().Devices; reg != nil {
		for _, d := range reg.List() {
			if d.Kind == data.DevicePerson && (team == "" || d.Team == team) {
				out = append(out, d.ID)
			}
		}
		return out
	}
	f.In(everywhere, func(p *field.Position) bool {
		out = append(out, p.Fix.Device)
		return true
	})
	slices.Sort(out)
	return out
}

// writeCoverageCSV writes one row per person and segment passed, with a UTF-8 BOM so that
// Excel opens the Chinese names right.
func writeCoverageCSV(c *gin.Context, people []field.PersonCoverage) {
	c.Header("Content-Type", "text/csv; charset=utf-8")
	c.Header("Content-Disposition", `attachment; filename="coverage.csv"`)
	c.Status(http.StatusOK)
	c.Writer.WriteString("\ufeff")
	w := csv.NewWriter(c.Writer)
	w.Write([]string{"device", "name", "team", "road", "class", "part", "length_m", "passes", "target", "status"})
	for _, p := range people {
		for _, sc := range p.Segments {
			w.Write([]string{p.Device, p.Name, p.Team, sc.Road, string(sc.Class), strconv.Itoa(sc.Part),
				strconv.FormatFloat(sc.Length, 'f', 0, 64), strconv.Itoa(sc.Passes), strconv.Itoa(sc.Target), sc.Status})
		}
	}
	w.Flush()
}

// writeGroupCSV writes one row per group and segment, with a UTF-8 BOM as writeCoverageCSV.
func writeGroupCSV(c *gin.Context, group string, groups []field.GroupCoverage) {
	c.Header("Content-Type", "text/csv; charset=utf-8")
	c.Header("Content-Disposition", `attachment; filename="coverage-`+group+`.csv"`)
	c.Status(http.StatusOK)
	c.Writer.WriteString("\ufeff")
	w := csv.NewWriter(c.Writer)
	w.Write([]string{group, "name", "people", "road", "class", "part", "length_m", "passes", "target", "status"})
	for _, g := range groups {
		for _, sc := range g.Segments {
			w.Write([]string{g.Group, g.Name, strconv.Itoa(len(g.People)), sc.Road, string(sc.Class), strconv.Itoa(sc.Part),
				strconv.FormatFloat(sc.Length, 'f', 0, 64), strconv.Itoa(sc.Passes), strconv.Itoa(sc.Target), sc.Status})
		}
	}
	w.Flush()
}
