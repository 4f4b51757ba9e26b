package api_test

import (
	"archive/zip"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"citygeo/city"
	"citygeo/cmd/citygeo/internal/api"
	"citygeo/data"
	"citygeo/dispatch"
	"citygeo/export"
	importer "citygeo/import"
)

// get returns the raw answer of a GET with token.
func (e *datasetEnv) get(t *testing.T, url, token string) (int, []byte, string) {
	t.Helper()
	req := httptest.NewRequest("GET", url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	e.srv.Handler().ServeHTTP(rec, req)
	return rec.Code, rec.Body.Bytes(), rec.Header().Get("Content-Type")
}

// unzip writes the files of a zip answer into a new folder and returns their paths, sorted.
func unzip(t *testing.T, b []byte) []string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("not a zip: %v", err)
	}
	dir := t.TempDir()
	var out []string
	for _, f := range zr.File {
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(r)
		r.Close()
		p := filepath.Join(dir, f.Name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// TestExportRoute exports the served version in the exchange profile as zipped Shapefiles and
// as a GeoPackage, reads both back with the importer, and checks the guard and bad parameters.
func TestExportRoute(t *testing.T) {
	e := newDatasetEnv(t, 0)
	for _, tt := range []struct {
		url, token string
		want       int
	}{
		{"/v1/export", "", 401},
		{"/v1/export", e.read, 403},
		{"/v1/export?format=dxf", e.gis, 400},
		{"/v1/export?schema=cjt", e.gis, 400},
		{"/v1/export?crs=gcj02", e.gis, 400},
		{"/v1/export?since=99", e.gis, 404},
		{"/v1/export?format=shp&charset=big5", e.gis, 400},
	} {
		if code, body, _ := e.get(t, tt.url, tt.token); code != tt.want {
			t.Errorf("GET %s: %d %s, want %d", tt.url, code, body, tt.want)
		}
	}
	for _, format := range []string{"shp", "gpkg", "geojson"} {
		t.Run(format, func(t *testing.T) {
			code, body, ctype := e.get(t, "/v1/export?schema=gb47678&format="+format, e.gis)
			if code != 200 {
				t.Fatalf("%d %s", code, body)
			}
			var files []string
			if format == "gpkg" {
				if ctype != "application/geopackage+sqlite3" {
					t.Errorf("content type %s", ctype)
				}
				p := filepath.Join(t.TempDir(), "x.gpkg")
				os.WriteFile(p, body, 0o644)
				files = []string{p}
			} else {
				if ctype != "application/zip" {
					t.Errorf("content type %s", ctype)
				}
				for _, f := range unzip(t, body) {
					if ext := filepath.Ext(f); ext == ".shp" || ext == ".geojson" {
						files = append(files, f)
					}
				}
			}
			got, rep, err := importer.Check(context.Background(), files, nil, importer.Options{})
			if err != nil || rep.Errors != 0 {
				t.Fatalf("re-import: %v, %d errors", err, rep.Errors)
			}
			if len(got.Components) != len(e.ds.Components) || len(got.Grids) != len(e.ds.Grids) || len(got.Components[0].ID) != 17 {
				t.Errorf("re-imported %d components (id %s), %d grids; served %d, %d", len(got.Components), got.Components[0].ID, len(got.Grids), len(e.ds.Components), len(e.ds.Grids))
			}
		})
	}
}

// TestExportRouteSince uploads a second version with one component changed and checks that
// since=1 carries exactly that component.
func TestExportRouteSince(t *testing.T) {
	e := newDatasetEnv(t, 0)
	b := componentsGeoJSON(t, e.ds, func(cs []*data.Component) { cs[3].Note = "re-surveyed" })
	body, ctype := multipartBody(t, map[string][]byte{"component.geojson": b}, nil)
	if code, out := e.request(t, "POST", "/v1/datasets", e.gis, body, ctype); code != 201 {
		t.Fatalf("upload: %d %v", code, out)
	}
	code, zb, _ := e.get(t, fmt.Sprintf("/v1/export?schema=gb47678&format=geojson&since=%d", e.v1), e.gis)
	if code != 200 {
		t.Fatalf("%d %s", code, zb)
	}
	files := unzip(t, zb)
	if len(files) != 1 || filepath.Base(files[0]) != "component.geojson" {
		t.Fatalf("files %q, want only component.geojson", files)
	}
	raw, _ := os.ReadFile(files[0])
	var fc struct {
		Features []struct{ Properties map[string]any }
	}
	json.Unmarshal(raw, &fc)
	want, _ := export.To47678(e.ds.Components[3].ID)
	if len(fc.Features) != 1 || fc.Features[0].Properties["GLBJBSM"] != want || fc.Features[0].Properties["BZ"] != "re-surveyed" {
		t.Errorf("change set %s, want only %s", raw, want)
	}
}

// TestUploadReportGeoJSON asks the upload route for its report as a map layer: a refused upload
// answers 422 with a FeatureCollection whose findings are placed.
func TestUploadReportGeoJSON(t *testing.T) {
	e := newDatasetEnv(t, 0)
	b := componentsGeoJSON(t, e.ds, func(cs []*data.Component) { cs[1].Grid = cs[0].Grid[:12] + "999" })
	body, ctype := multipartBody(t, map[string][]byte{"component.geojson": b}, nil)
	req := httptest.NewRequest("POST", "/v1/datasets?report=geojson", body)
	req.Header.Set("Authorization", "Bearer "+e.gis)
	req.Header.Set("Content-Type", ctype)
	rec := httptest.NewRecorder()
	e.srv.Handler().ServeHTTP(rec, req)
	var fc struct {
		Type     string
		Errors   int
		Error    map[string]any
		Features []struct {
			Geometry   *struct{ Type string }
			Properties map[string]any
		}
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &fc); err != nil || rec.Code != 422 || fc.Type != "FeatureCollection" || fc.Errors == 0 || fc.Error == nil {
		t.Fatalf("%d %v %.300s", rec.Code, err, rec.Body.String())
	}
	found := false
	for _, f := range fc.Features {
		if strings.HasPrefix(fmt.Sprint(f.Properties["check"]), "component.grid") && f.Properties["source_id"] == e.ds.Components[1].ID {
			found = f.Geometry != nil && f.Geometry.Type == "Point"
		}
	}
	if !found {
		t.Errorf("no placed finding for %s: %s", e.ds.Components[1].ID, rec.Body.String())
	}
}

// TestExportRouteEvents serves a dispatch feed with two cases and checks that the exchange
// GeoPackage carries them as the event layer with their 事项代码, which the importer skips.
func TestExportRouteEvents(t *testing.T) {
	e := newDatasetEnv(t, 0)
	feed, err := dispatch.NewFeed(nil, dispatch.DupConfig{})
	if err != nil {
		t.Fatal(err)
	}
	c := e.ds.Components[0]
	for _, ev := range []data.Event{
		{ID: "A1", Point: orb.Point{114.12, 22.55}, District: "440303", Grid: c.Grid, Class: data.ClassRef{Scheme: data.CJT214, Kind: data.KindEvent, Code: "0505"},
			Description: "回电13912345678"},
		{ID: "A2", Point: c.Geometry.(orb.Point), District: "440303", Grid: c.Grid, Component: c.ID, Class: data.ClassRef{Scheme: data.CJT214, Kind: data.KindComponent, Code: c.Class()}},
	} {
		if _, err := feed.Put(ev, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	gis, gisHash, _ := api.NewToken()
	auth, err := api.NewAuth(&api.AuthConfig{Tokens: []api.TokenHash{{Name: "gis", Role: api.RoleGIS, SHA256: gisHash}}})
	if err != nil {
		t.Fatal(err)
	}
	served := city.New(e.st, city.Options{}, quietLog)
	if err := served.Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	srv := api.New(api.Options{Auth: auth, Logger: quietLog, City: served, Dispatch: &api.Dispatch{Feed: feed}})
	req := httptest.NewRequest("GET", "/v1/export?schema=gb47678&format=gpkg", nil)
	req.Header.Set("Authorization", "Bearer "+gis)
	rec := httptest.NewRecorder()
	srv.Handler().ServeHTTP(rec, req)
	if rec.Code != 200 {
		t.Fatalf("%d %s", rec.Code, rec.Body.String())
	}
	path := filepath.Join(t.TempDir(), "x.gpkg")
	os.WriteFile(path, rec.Body.Bytes(), 0o644)
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT AJBH, SXDM, coalesce(GLBJBSM, ''), coalesce(SFWZ, '') FROM event ORDER BY AJBH`)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for rows.Next() {
		var id, code, comp, text string
		rows.Scan(&id, &code, &comp, &text)
		got = append(got, strings.TrimSpace(id+" "+code+" "+comp+" "+text))
	}
	rows.Close()
	comp17, _ := export.To47678(c.ID)
	// The GIS role sees no phones: the reporter's number is masked.
	want := []string{"A1 44030309009  回电*******5678", "A2 440303" + comp17[6:11] + " " + comp17}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("events %q, want %q", got, want)
	}
	if got, rep, err := importer.Check(context.Background(), []string{path}, nil, importer.Options{}); err != nil || rep.Errors != 0 || len(got.Components) != len(e.ds.Components) {
		t.Errorf("re-import: %v %d errors, %d components", err, rep.Errors, len(got.Components))
	}
}

// TestUploadReportGeoJSONCommitted: an accepted upload asked for its report as GeoJSON answers
// 201 with the FeatureCollection and the new version beside the features.
func TestUploadReportGeoJSONCommitted(t *testing.T) {
	e := newDatasetEnv(t, 0)
	b := componentsGeoJSON(t, e.ds, func(cs []*data.Component) { cs[0].Note = "ok" })
	body, ctype := multipartBody(t, map[string][]byte{"component.geojson": b}, nil)
	code, out := e.request(t, "POST", "/v1/datasets?report=geojson", e.gis, body, ctype)
	if _, ok := out["features"].([]any); code != 201 || out["type"] != "FeatureCollection" || !ok || out["version"] != float64(e.v1+1) {
		t.Errorf("%d %.300v", code, out)
	}
}
