package api

import (
	"errors"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"citygeo/city"
	"citygeo/data"
	"citygeo/duty"
	"citygeo/duty/dutyfile"
	"citygeo/geo"
)

// Duty is the people side of the API: the board holding the duty lists (people, zones,
// segments, shifts, delegations) and how an accepted import is kept. It lives beside the
// snapshots; the board builds its index for whichever version is served.
type Duty struct {
	Board *duty.Board
	// Save keeps lists an import accepted (serve writes them beside the store); nil: they last
	// until the process ends.
	Save func(*data.Roster) error
}

// dutyIndex returns the duty index of the current snapshot, or answers 503.
func (s *Server) dutyIndex(c *gin.Context) (*duty.Index, *city.Snapshot) {
	if s.duty == nil {
		Fail(c, "", &Error{Status: http.StatusServiceUnavailable, Code: CodeNotReady, Message: "no duty lists on this server: start it with --duty"})
		return nil, nil
	}
	snap := s.snapshot(c)
	if snap == nil {
		return nil, nil
	}
	return s.duty.Board.Index(snap.DutyCity()), snap
}

// DutyBody is the answer of GET /v1/duty.
type DutyBody struct {
	Version int64         `json:"version"`
	CRS     geo.CRS       `json:"crs"`
	Point   city.LngLat   `json:"point"`
	Grid    string        `json:"grid,omitempty"`
	Time    time.Time     `json:"time"`
	People  []data.OnDuty `json:"people"`
}

// handleDuty answers GET /v1/duty?lng=&lat=&crs=&time=&role=: who is on duty at the point and
// time (now when none), for one post (role) or all.
func (s *Server) handleDuty(c *gin.Context) {
	_, p, crs, err := ParsePoint(c)
	if err != nil {
		Fail(c, "", err)
		return
	}
	at, err := optTime("time", c.Query("time"), time.Now())
	if err != nil {
		Fail(c, "", err)
		return
	}
	var post data.Post
	if r := c.Query("role"); r != "" {
		if post, err = data.ParsePost(r); err != nil {
			Fail(c, "", BadParam("role", "%v", err))
			return
		}
	}
	ix, snap := s.dutyIndex(c)
	if ix == nil {
		return
	}
	loc := snap.Geo.Locate(p)
	body := DutyBody{Version: snap.Version(), CRS: crs, Point: city.PointIn(p, crs), Time: at}
	if loc.Grid != nil {
		body.Grid = loc.Grid.Code
	}
	body.People = s.personal(c, ix, ix.OnDuty(duty.Query{Point: p, At: at, Post: post, Located: true, Grid: loc.Grid}, nil))
	if body.People == nil {
		body.People = []data.OnDuty{}
	}
	c.JSON(http.StatusOK, body)
}

// CoverageBody is the answer of GET /v1/duty/coverage.
type CoverageBody struct {
	Version  int64         `json:"version"`
	Coverage duty.Coverage `json:"coverage"`
	// Findings are what resolving the lists against this version found: warnings, and rows
	// that no longer resolve (a road renamed by a new survey) and are left out.
	Findings duty.Findings `json:"findings"`
}

func (s *Server) handleDutyCoverage(c *gin.Context) {
	ix, snap := s.dutyIndex(c)
	if ix == nil {
		return
	}
	fs := ix.Findings()
	if fs == nil {
		fs = duty.Findings{}
	}
	c.JSON(http.StatusOK, CoverageBody{Version: snap.Version(), Coverage: ix.Coverage(), Findings: fs})
}

// DutyImportBody is the answer of POST /v1/duty/import.
type DutyImportBody struct {
	Version  int64             `json:"version"` // the dataset version the lists were checked against
	DryRun   bool              `json:"dry_run,omitempty"`
	Counts   map[duty.List]int `json:"counts"`
	Findings duty.Findings     `json:"findings"`
	Coverage *duty.Coverage    `json:"coverage,omitempty"`
	Saved    bool              `json:"saved"` // kept across restarts
}

// maxDutyUpload bounds a duty-list upload: a city's lists are kilobytes to a few megabytes.
const maxDutyUpload = 32 << 20

// handleDutyImport takes multipart "file" parts (.csv named after their list, .json, .xlsx),
// checks them against the version served and, when no finding is an error, makes them the
// lists answered from (unless dry_run=true). Errors answer 422 with every finding; nothing
// changes.
func (s *Server) handleDutyImport(c *gin.Context) {
	ix, snap := s.dutyIndex(c)
	if ix == nil {
		return
	}
	dry, err := parseBoolParam("dry_run", c.Query("dry_run"))
	if err != nil {
		Fail(c, "", err) // a dry run misread as a real one would replace the lists
		return
	}
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, maxDutyUpload)
	mr, err := c.Request.MultipartReader()
	if err != nil {
		Fail(c, "", BadParam("body", "want multipart/form-data with file parts: %v", err))
		return
	}
	var tables []duty.Table
	var fs duty.Findings
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			Fail(c, "", uploadErr(err, maxDutyUpload))
			return
		}
		if part.FormName() != "file" {
			Fail(c, "", BadParam(part.FormName(), "unknown form field; want file"))
			return
		}
		ts, tfs, err := dutyfile.Read(filepath.Base(part.FileName()), part)
		if err != nil {
			if errors.Is(err, duty.ErrFormat) {
				Fail(c, "", BadParam("file", "%v", err))
			} else {
				Fail(c, "", uploadErr(err, maxDutyUpload))
			}
			return
		}
		tables, fs = append(tables, ts...), append(fs, tfs...)
	}
	if len(tables) == 0 {
		Fail(c, "", BadParam("file", "no duty list to import"))
		return
	}
	r, pfs := duty.Parse(tables)
	fs = append(fs, pfs...)
	body := DutyImportBody{Version: snap.Version(), DryRun: dry, Counts: counts(&r.Roster)}
	var next *duty.Index
	if fs.Errors() == 0 {
		if dry {
			var bfs duty.Findings
			next, bfs = duty.Build(r, snap.DutyCity(), duty.Options{})
			fs = append(fs, bfs...)
		} else {
			// Saved before it is served, under the board's lock: an import answered saved is
			// the one a restart serves, whichever of two at once ends last.
			var save func() error
			if s.duty.Save != nil {
				save = func() error { return s.duty.Save(&r.Roster) }
			}
			var bfs duty.Findings
			var err error
			next, bfs, err = s.duty.Board.Replace(r, snap.DutyCity(), save)
			fs = append(fs, bfs...)
			if err != nil && fs.Errors() == 0 {
				s.log.Error("save duty lists", "err", err)
				Fail(c, "", &Error{Status: http.StatusServiceUnavailable, Code: CodeUnavailable, Message: err.Error()})
				return
			}
			body.Saved = save != nil
		}
	}
	body.Findings = fs
	if body.Findings == nil {
		body.Findings = duty.Findings{}
	}
	if err := fs.Err(); err != nil {
		c.AbortWithStatusJSON(http.StatusUnprocessableEntity, gin.H{"error": &Error{Code: CodeInvalid,
			Message: strings.SplitN(err.Error(), "\n", 2)[0] + " (see findings)"}, "findings": body.Findings, "counts": body.Counts})
		return
	}
	cov := next.Coverage()
	body.Coverage = &cov
	c.JSON(http.StatusOK, body)
}

// counts returns the records of each list.
func counts(r *data.Roster) map[duty.List]int {
	return map[duty.List]int{duty.ListPeople: len(r.People), duty.ListTeams: len(r.Teams), duty.ListZones: len(r.Zones),
		duty.ListSegments: len(r.Segments), duty.ListShifts: len(r.Shifts), duty.ListAssignments: len(r.Assignments),
		duty.ListDelegations: len(r.Delegations)}
}
