package api

import (
	"encoding/csv"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"citygeo/city"
	"citygeo/data"
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
	devices := coverageDevices(f, c.Query("device"), c.Query("team"))
	snap := s.snapshot(c)
	if snap == nil {
		return
	}
	out, err := f.Coverage(c.Request.Context(), s.nets.of(snap), devices, from, to, field.CoverageOptions{})
	if err != nil {
		Fail(c, "", err)
		return
	}
	if format == "csv" {
		writeCoverageCSV(c, out)
		return
	}
	c.JSON(http.StatusOK, gin.H{"date": from.Format(time.DateOnly), "targets": field.DefaultTargets, "people": out})
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
