package api

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"citygeo/data/store"
	"citygeo/geo"
	importer "citygeo/import"
)

// DefaultMaxUpload is the largest POST /v1/datasets body accepted unless Options says.
const DefaultMaxUpload = 1 << 30

// DatasetsBody is the body of GET /v1/datasets.
type DatasetsBody struct {
	Versions []store.Version `json:"versions"`
	Serving  int64           `json:"serving"` // the version this process answers from
}

// ImportBody is the body of a successful POST /v1/datasets.
type ImportBody struct {
	Version int64            `json:"version"`
	Report  *importer.Report `json:"report"`
	Served  bool             `json:"served"`            // false: stored and active, not yet answered from (see Message)
	Message string           `json:"message,omitempty"` // why the version is not served yet
}

// ActivateBody is the body of a successful POST /v1/datasets/{version}/activate.
type ActivateBody struct {
	Version int64  `json:"version"`
	Served  bool   `json:"served"`            // false: active in the store, not yet answered from (see Message)
	Message string `json:"message,omitempty"` // why the version is not served yet
}

func (s *Server) storeOr503(c *gin.Context) *store.Store {
	if s.store == nil {
		Fail(c, "", &Error{Status: http.StatusServiceUnavailable, Code: CodeNotReady, Message: "no dataset store: start the server with --store"})
	}
	return s.store
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
	st := s.storeOr503(c)
	if st == nil {
		return
	}
	v, err := strconv.ParseInt(c.Param("version"), 10, 64)
	if err != nil {
		Fail(c, "", BadParam("version", "%q is not a version number", c.Param("version")))
		return
	}
	s.importMu.Lock()
	defer s.importMu.Unlock()
	if err := st.Activate(c.Request.Context(), v); errors.Is(err, store.ErrNoVersion) {
		Fail(c, "", NotFound("version", "no dataset version %d", v))
		return
	} else if err != nil {
		Fail(c, "", err)
		return
	}
	served, msg := s.serveCommitted(c.Request.Context(), v)
	c.JSON(http.StatusOK, ActivateBody{Version: v, Served: served, Message: msg})
}

// handleUpload takes multipart parts "file" (one or more survey files; a Shapefile as a .zip
// or as its .shp/.dbf/.prj/.cpg parts), optional "map" (a mapping file), "crs" and "charset".
func (s *Server) handleUpload(c *gin.Context) {
	st := s.storeOr503(c)
	if st == nil {
		return
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
	s.importMu.Lock()
	defer s.importMu.Unlock()
	v, rep, err := importer.Import(c.Request.Context(), st, files, opts)
	var ve *importer.ValidationError
	switch {
	case errors.As(err, &ve):
		c.AbortWithStatusJSON(http.StatusUnprocessableEntity, gin.H{"error": &Error{Code: CodeInvalid, Message: ve.Error()}, "report": rep})
		return
	case errors.Is(err, importer.ErrTooLarge):
		Fail(c, "file", &Error{Status: http.StatusRequestEntityTooLarge, Code: CodeTooLarge, Field: "file", Message: err.Error()})
		return
	case errors.Is(err, importer.ErrFormat), errors.Is(err, importer.ErrUnsafe), errors.Is(err, importer.ErrCRS):
		Fail(c, "file", BadParam("file", "%s", strings.ReplaceAll(err.Error(), dir+string(filepath.Separator), "")))
		return
	case err != nil:
		Fail(c, "", err)
		return
	}
	served, msg := s.serveCommitted(c.Request.Context(), v)
	c.JSON(http.StatusCreated, ImportBody{Version: v, Report: rep, Served: served, Message: msg})
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

// serveCommitted swaps in version v, already committed as the store's active version. The
// store has changed whatever happens to the request now, so a client that disconnects must not
// cancel the reload (context.WithoutCancel). A reload that fails all the same is logged and
// told to the client instead of a bare 500: the version is stored and active, and this process
// serves it once a later reload succeeds (Follow, restart).
func (s *Server) serveCommitted(ctx context.Context, v int64) (served bool, msg string) {
	err := s.reload(context.WithoutCancel(ctx), v)
	if err == nil {
		return true, ""
	}
	s.log.Error("reload after commit", "version", v, "err", err)
	prev := "no version"
	if cur := s.Current(); cur != nil {
		prev = fmt.Sprintf("version %d", cur.Version())
	}
	return false, fmt.Sprintf("version %d is stored and active in the store but not yet served: loading it failed (%v); this server still answers from %s", v, err, prev)
}

// reload loads version v from the store and swaps it in. The snapshot it replaces is kept, so
// rolling back to the version served just before is a pointer swap, not a rebuild (a stored
// version never changes, so its snapshot stays valid). Callers hold importMu.
func (s *Server) reload(ctx context.Context, v int64) error {
	cur := s.Current()
	if cur != nil && cur.Version() == v {
		return nil
	}
	snap := s.previous
	if snap == nil || snap.Version() != v {
		ds, err := s.store.Load(ctx, v)
		if err != nil {
			return err
		}
		if snap, err = NewSnapshot(ds, s.snapOpts); err != nil {
			return err
		}
	}
	s.Swap(snap)
	s.previous = cur
	s.log.Info("dataset swapped", "version", v, "grids", len(snap.Dataset.Grids), "components", len(snap.Dataset.Components))
	return nil
}
