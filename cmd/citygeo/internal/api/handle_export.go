package api

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"citygeo/data"
	"citygeo/export"
	"citygeo/geo"
)

// handleExport writes the served version for a GIS: GET /v1/export?schema=citygeo|gb47678
// &format=gpkg|shp|geojson[&crs=EPSG:n][&charset=utf-8|gbk][&since=VERSION]. A GeoPackage is
// sent as the file; Shapefiles and GeoJSON files as a zip. With since, only the changes after
// that stored version (export.Since: added and changed features, removed ids in the layer
// "deleted"). The GB/T 47678.5 export carries the dispatch feed's events as its layer "event"
// (表3), those changed after the version since when since is given.
func (s *Server) handleExport(c *gin.Context) {
	// >> Args
	opts := export.Options{Format: export.Format(c.DefaultQuery("format", "gpkg")), Charset: c.Query("charset")}
	p, err := export.ProfileNamed(c.DefaultQuery("schema", "citygeo"))
	if err != nil {
		Fail(c, "schema", BadParam("schema", "%v", err))
		return
	}
	opts.Profile = p
	if crs := c.Query("crs"); crs != "" {
		cr, err := geo.ParseCRS(crs)
		if err != nil {
			Fail(c, "crs", BadParam("crs", "%v", err))
			return
		}
		opts.CRS = &cr
	}
	snap := s.city.Current()
	if snap == nil {
		Fail(c, "", &Error{Status: http.StatusServiceUnavailable, Code: CodeNotReady, Message: "no dataset loaded"})
		return
	}
	ds := snap.Dataset
	var since time.Time // when the version since was made
	if q := c.Query("since"); q != "" {
		v, err := strconv.ParseInt(q, 10, 64)
		if err != nil {
			Fail(c, "since", BadParam("since", "%q is not a version number", q))
			return
		}
		st := s.storeOr503(c)
		if st == nil {
			return
		}
		old, err := st.Load(c.Request.Context(), v)
		if errors.Is(err, data.ErrNoVersion) {
			Fail(c, "since", NotFound("since", "no dataset version %d", v))
			return
		} else if err != nil {
			Fail(c, "", err)
			return
		}
		opts.Whole = ds
		ds, opts.Deleted = export.Since(old, ds)
		since = old.CreatedAt
	}
	if p == &export.GB47678 {
		t, err := export.Events47678(s.exchangeEvents(since, s.seesPhones(c)))
		if err != nil {
			Fail(c, "", &Error{Status: http.StatusUnprocessableEntity, Code: CodeInvalid, Message: err.Error()})
			return
		}
		opts.Tables = append(opts.Tables, t)
	}

	// >> Operation
	dir, err := os.MkdirTemp("", "citygeo-export-")
	if err != nil {
		Fail(c, "", err)
		return
	}
	defer os.RemoveAll(dir)
	name := fmt.Sprintf("citygeo-%s-v%d", p.Name, snap.Version())
	if c.Query("since") != "" {
		name += "-since-" + c.Query("since")
	}
	out := filepath.Join(dir, name)
	if opts.Format == export.GeoPackage {
		out += ".gpkg"
	}
	_, err = export.Write(ds, out, opts)
	switch {
	case errors.Is(err, export.ErrOption), errors.Is(err, geo.ErrCRS):
		Fail(c, "", BadParam("", "%v", err))
		return
	case errors.Is(err, export.ErrUnwritable):
		Fail(c, "", &Error{Status: http.StatusUnprocessableEntity, Code: CodeInvalid, Message: err.Error()})
		return
	case err != nil:
		Fail(c, "", err)
		return
	}

	// >> Response
	if opts.Format == export.GeoPackage {
		c.Header("Content-Type", "application/geopackage+sqlite3") // ServeFile keeps a type set before it
		c.FileAttachment(out, name+".gpkg")
		return
	}
	c.Header("Content-Disposition", `attachment; filename="`+name+`.zip"`)
	c.Header("Content-Type", "application/zip")
	c.Status(http.StatusOK)
	if err := zipDir(c.Writer, out); err != nil {
		_ = c.Error(err) // the status is sent: the client sees a broken zip, the log says why
	}
}

// exchangeEvents are the dispatch feed's events (none when dispatch is not configured), those
// changed after since when it is set, their phone numbers masked unless phones is set.
func (s *Server) exchangeEvents(since time.Time, phones bool) []*data.Event {
	var events []*data.Event
	if s.disp != nil {
		s.disp.Feed.Each(func(e *data.Event) bool {
			cp := *e // the feed's copy may change after Each returns
			if !phones {
				cp = PublicEvent(cp)
			}
			events = append(events, &cp)
			return true
		})
	}
	if !since.IsZero() {
		events = export.EventsChangedSince(events, since)
	}
	return events
}

// zipDir writes the files of dir into a zip on w, under their base names.
func zipDir(w io.Writer, dir string) error {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	zw := zip.NewWriter(w)
	for _, e := range ents {
		f, err := os.Open(filepath.Join(dir, e.Name()))
		if err != nil {
			return err
		}
		zf, err := zw.Create(e.Name())
		if err == nil {
			_, err = io.Copy(zf, f)
		}
		f.Close()
		if err != nil {
			return err
		}
	}
	return zw.Close()
}
