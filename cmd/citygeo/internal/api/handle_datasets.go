package api

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"citygeo/city"
	"citygeo/data"
	"citygeo/geo"
	importer "citygeo/import"
)

// DefaultMaxUpload is the largest POST /v1/datasets body accepted unless Options says.
const DefaultMaxUpload = 1 << 30

// DatasetsBody is the body of GET /v1/datasets.
type DatasetsBody struct {
	Versions []data.Version `json:"versions"`
	Serving  int64          `json:"serving"` // the version this process answers from
}

// ImportBody is the body of a successful POST /v1/datasets: the version and whether it is
// served, and the validation report.
type ImportBody struct {
	city.Committed
	Report *importer.Report `json:"report"`
}

func (s *Server) storeOr503(c *gin.Context) data.Store {
	st := s.city.Store()
	if st == nil {
		Fail(c, "", &Error{Status: http.StatusServiceUnavailable, Code: CodeNotReady, Message: "no dataset store: start the server with --store"})
	}
	return st
}

func (s *Server) handleDatasets(c *gin.Context) {
	st := s.storeOr503(c)
	if st == nil {
		return
	}
	vs, err := st.Versions(c.Request.Context())
	if err != nil {
		Fail(c, "", err)
		return
	}
	body := DatasetsBody{Versions: vs}
	if snap := s.Current(); snap != nil {
		body.Serving = snap.Version()
	}
	c.JSON(http.StatusOK, body)
}

func (s *Server) handleActivate(c *gin.Context) {
	if s.storeOr503(c) == nil {
		return
	}
	v, err := strconv.ParseInt(c.Param("version"), 10, 64)
	if err != nil {
		Fail(c, "", BadParam("version", "%q is not a version number", c.Param("version")))
		return
	}
	c.Set(ctxAuditVersion, v)
	done, err := s.city.Activate(c.Request.Context(), v)
	if errors.Is(err, data.ErrNoVersion) {
		Fail(c, "", NotFound("version", "no dataset version %d", v))
		return
	} else if err != nil {
		Fail(c, "", err)
		return
	}
	c.JSON(http.StatusOK, done)
}

// handleUpload takes multipart parts "file" (one or more survey files; a Shapefile as a .zip
// or as its .shp/.dbf/.prj/.cpg parts), optional "map" (a mapping file), "crs" and "charset".
// With ?report=geojson the answer is the report's findings as a GeoJSON FeatureCollection (a
// map layer) with the version, or the error, as members beside the features.
func (s *Server) handleUpload(c *gin.Context) {
	if s.storeOr503(c) == nil {
		return
	}
	defer s.observeImport(c, time.Now())
	mode := c.DefaultQuery("mode", "replace")
	if mode != "replace" && mode != "upsert" {
		Fail(c, "", BadParam("mode", "%q: want replace or upsert", mode))
		return
	}
	if s.city.Importing() { // refuse before reading a body that may be a gigabyte
		Fail(c, "", importBusy())
		return
	}
	if s.uploadTimeout > 0 {
		// The server's read and write timeouts suit queries; an upload of a large survey is sent,
		// validated and imported within its own bound.
		rc := http.NewResponseController(c.Writer)
		deadline := time.Now().Add(s.uploadTimeout)
		if err := errors.Join(rc.SetReadDeadline(deadline), rc.SetWriteDeadline(deadline)); err != nil {
			s.log.Warn("upload: the server's timeouts stay", "request_id", requestIDOf(c), "err", err)
		}
	}
	if c.Request.ContentLength > s.maxUpload {
		Fail(c, "", tooLarge(s.maxUpload))
		return
	}
	dir, err := os.MkdirTemp("", "citygeo-upload-")
	if err != nil {
		Fail(c, "", err)
		return
	}
	defer os.RemoveAll(dir)
	files, opts, err := saveUpload(c, dir, s.maxUpload)
	if err != nil {
		Fail(c, "", err)
		return
	}
	names := make([]string, len(files))
	for i, f := range files {
		names[i] = filepath.Base(f)
	}
	c.Set(ctxAuditTarget, strings.Join(names, " "))
	var done city.Committed
	var rep *importer.Report
	if mode == "upsert" {
		done, rep, err = s.city.Upsert(c.Request.Context(), files, nil, opts)
	} else {
		done, rep, err = s.city.Import(c.Request.Context(), files, opts)
	}
	uploadNames(rep, dir)
	if err == nil {
		c.Set(ctxAuditVersion, done.Version)
	}
	var ve *importer.ValidationError
	switch {
	case errors.As(err, &ve) && c.Query("report") == "geojson":
		fc := rep.FeatureCollection()
		fc.ExtraMembers["error"] = &Error{Code: CodeInvalid, Message: ve.Error()}
		c.AbortWithStatusJSON(http.StatusUnprocessableEntity, fc)
		return
	case errors.As(err, &ve):
		c.AbortWithStatusJSON(http.StatusUnprocessableEntity, gin.H{"error": &Error{Code: CodeInvalid, Message: ve.Error()}, "report": rep})
		return
	case errors.Is(err, city.ErrImportBusy):
		Fail(c, "", importBusy())
		return
	case errors.Is(err, importer.ErrTooLarge):
		Fail(c, "file", &Error{Status: http.StatusRequestEntityTooLarge, Code: CodeTooLarge, Field: "file", Message: err.Error()})
		return
	case errors.Is(err, data.ErrOutsideCity): // files of another city, for a city of a database holding several
		Fail(c, "file", &Error{Status: http.StatusUnprocessableEntity, Code: CodeInvalid, Field: "file", Message: err.Error()})
		return
	case errors.Is(err, city.ErrNoChanges):
		Fail(c, "mode", &Error{Status: http.StatusServiceUnavailable, Code: CodeNotReady, Field: "mode", Message: err.Error()})
		return
	case errors.Is(err, importer.ErrFormat), errors.Is(err, importer.ErrUnsafe), errors.Is(err, importer.ErrCRS), errors.Is(err, importer.ErrUpsert):
		Fail(c, "file", BadParam("file", "%s", strings.ReplaceAll(err.Error(), dir+string(filepath.Separator), "")))
		return
	case err != nil:
		Fail(c, "", err)
		return
	}
	if c.Query("report") == "geojson" { // the findings as a map layer, with the version beside them
		fc := rep.FeatureCollection()
		fc.ExtraMembers["version"], fc.ExtraMembers["served"] = done.Version, done.Served
		c.JSON(http.StatusCreated, fc)
		return
	}
	c.JSON(http.StatusCreated, ImportBody{Committed: done, Report: rep})
}

// uploadNames rewrites the report's paths as the client named its files: the server's
// temporary folder is none of the client's business.
func uploadNames(rep *importer.Report, dir string) {
	if rep == nil {
		return
	}
	strip := func(p string) string { return strings.ReplaceAll(p, dir+string(filepath.Separator), "") }
	for i := range rep.Files {
		rep.Files[i] = strip(rep.Files[i])
	}
	for _, src := range rep.Sources {
		src.Path = strip(src.Path)
	}
	for i := range rep.Findings {
		rep.Findings[i].File = strip(rep.Findings[i].File)
		rep.Findings[i].Reason = strip(rep.Findings[i].Reason)
	}
}

// observeImport records an upload's duration by how it ended.
func (s *Server) observeImport(c *gin.Context, start time.Time) {
	result := "imported"
	switch st := c.Writer.Status(); {
	case st == http.StatusUnprocessableEntity:
		result = "invalid"
	case st >= 500:
		result = "failed"
	case st >= 400:
		result = "refused"
	}
	s.metrics.imports.WithLabelValues(result).Observe(time.Since(start).Seconds())
}

func importBusy() *Error {
	return &Error{Status: http.StatusConflict, Code: CodeConflict, Message: "another import is running on this server; send this one when it has finished"}
}

func tooLarge(limit int64) *Error {
	return &Error{Status: http.StatusRequestEntityTooLarge, Code: CodeTooLarge, Field: "body", Message: fmt.Sprintf("upload larger than %d bytes", limit)}
}

// saveUpload streams the multipart body to dir and returns the files to import (the side files
// of a Shapefile are saved but not listed) and the options from the form fields.
func saveUpload(c *gin.Context, dir string, limit int64) ([]string, importer.Options, error) {
	var opts importer.Options
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, limit)
	mr, err := c.Request.MultipartReader()
	if err != nil {
		return nil, opts, BadParam("body", "want multipart/form-data with file parts: %v", err)
	}
	var files []string
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, opts, uploadErr(err, limit)
		}
		switch part.FormName() {
		case "file":
			name := filepath.Base(filepath.Clean("/" + part.FileName()))
			if name == "/" || name == "." || strings.HasPrefix(name, ".") {
				return nil, opts, BadParam("file", "file part without a usable file name %q", part.FileName())
			}
			p := filepath.Join(dir, name)
			f, err := os.Create(p)
			if err != nil {
				return nil, opts, err
			}
			_, err = io.Copy(f, part)
			f.Close()
			if err != nil {
				return nil, opts, uploadErr(err, limit)
			}
			switch strings.ToLower(filepath.Ext(name)) {
			case ".dbf", ".shx", ".prj", ".cpg", ".sbn", ".sbx", ".xml", ".qix":
			default:
				files = append(files, p)
			}
		case "map":
			m, err := importer.ParseMapping(part)
			if err != nil {
				return nil, opts, BadParam("map", "%v", err)
			}
			opts.Mapping = m
		case "crs", "charset":
			b, err := io.ReadAll(io.LimitReader(part, 256))
			if err != nil {
				return nil, opts, uploadErr(err, limit)
			}
			if part.FormName() == "charset" {
				if err := importer.CheckCharset(string(b)); err != nil {
					return nil, opts, BadParam("charset", "%v", err)
				}
				opts.Read.Charset = string(b)
				continue
			}
			// An empty field is an error here, not geo.ParseCRS's WGS84 default: a survey file's
			// CRS is never assumed.
			crs, err := geo.ParseCRS(string(b))
			if strings.TrimSpace(string(b)) == "" {
				crs, err = geo.CRS{}, fmt.Errorf("crs %q: %w", b, geo.ErrCRS)
			}
			if err != nil {
				return nil, opts, BadParam("crs", "%v", err)
			}
			opts.Read.CRS = &crs
		default:
			return nil, opts, BadParam(part.FormName(), "unknown form field; want file, map, crs or charset")
		}
	}
	if len(files) == 0 {
		return nil, opts, BadParam("file", "no file to import")
	}
	return files, opts, nil
}

func uploadErr(err error, limit int64) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return tooLarge(limit)
	}
	return BadParam("body", "reading the upload: %v", err)
}
