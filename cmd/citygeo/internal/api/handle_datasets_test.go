package api_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"citygeo/city"
	"citygeo/cmd/citygeo/internal/api"
	"citygeo/data"
	"citygeo/data/sample"
	"citygeo/data/sqlite"
	"citygeo/export"
)

type datasetEnv struct {
	srv       *api.Server
	st        *sqlite.Store
	gis, read string // tokens
	ds        *data.Dataset
	v1        int64
}

func newDatasetEnv(t *testing.T, maxUpload int64, snapOpts ...city.Options) *datasetEnv {
	t.Helper()
	ctx := context.Background()
	ds, err := sample.Generate(sample.Options{Grids: 500, Components: 3000, Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "city.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	v1, err := st.Save(ctx, ds, "test")
	if err != nil {
		t.Fatal(err)
	}
	gis, gisHash, _ := api.NewToken()
	read, readHash, _ := api.NewToken()
	auth, err := api.NewAuth(&api.AuthConfig{Tokens: []api.TokenHash{
		{Name: "gis", Role: api.RoleGIS, SHA256: gisHash}, {Name: "r", Role: api.RoleReader, SHA256: readHash}}})
	if err != nil {
		t.Fatal(err)
	}
	var so city.Options
	if len(snapOpts) > 0 {
		so = snapOpts[0]
	}
	served := city.New(st, so, quietLog)
	if err := served.Load(ctx); err != nil {
		t.Fatal(err)
	}
	srv := api.New(api.Options{Auth: auth, Logger: quietLog, City: served, MaxUpload: maxUpload})
	return &datasetEnv{srv: srv, st: st, gis: gis, read: read, ds: served.Current().Dataset, v1: v1}
}

// multipartBody builds an upload of the given files (name → content).
func multipartBody(t *testing.T, files map[string][]byte, fields map[string]string) (*bytes.Buffer, string) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for name, b := range files {
		fw, err := w.CreateFormFile("file", name)
		if err != nil {
			t.Fatal(err)
		}
		fw.Write(b)
	}
	for k, v := range fields {
		w.WriteField(k, v)
	}
	w.Close()
	return &buf, w.FormDataContentType()
}

func (e *datasetEnv) request(t *testing.T, method, url, token string, body io.Reader, ctype string) (int, map[string]any) {
	t.Helper()
	req := httptest.NewRequest(method, url, body)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	rec := httptest.NewRecorder()
	e.srv.Handler().ServeHTTP(rec, req)
	var out map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
		t.Fatalf("%s %s: %d, body not JSON: %q", method, url, rec.Code, rec.Body.String())
	}
	return rec.Code, out
}

// componentsGeoJSON exports the components of ds (after edit) as one GeoJSON file.
func componentsGeoJSON(t *testing.T, ds *data.Dataset, edit func(c []*data.Component)) []byte {
	t.Helper()
	cs := make([]*data.Component, len(ds.Components))
	for i, c := range ds.Components {
		cp := *c
		cs[i] = &cp
	}
	edit(cs)
	files, err := export.Write(&data.Dataset{Components: cs}, t.TempDir(), export.Options{})
	if err != nil {
		t.Fatal(err)
	}
	// The export writes a file per geometry type (component, component_line …): one upload
	// file holds them all.
	var all []json.RawMessage
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var fc struct{ Features []json.RawMessage }
		if err := json.Unmarshal(b, &fc); err != nil {
			t.Fatal(err)
		}
		all = append(all, fc.Features...)
	}
	b, err := json.Marshal(map[string]any{"type": "FeatureCollection", "features": all})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDatasetsAuth(t *testing.T) {
	e := newDatasetEnv(t, 0)
	for _, tt := range []struct {
		method, url, token string
		want               int
	}{
		{"GET", "/v1/datasets", "", 401},
		{"GET", "/v1/datasets", e.read, 403},
		{"POST", "/v1/datasets/1/activate", e.read, 403},
		{"GET", "/v1/datasets/1/diff/1", e.read, 403},
		{"POST", "/v1/datasets", "", 401},
		{"GET", "/v1/datasets", e.gis, 200},
	} {
		if code, body := e.request(t, tt.method, tt.url, tt.token, nil, ""); code != tt.want {
			t.Errorf("%s %s: %d %v, want %d", tt.method, tt.url, code, body, tt.want)
		}
	}
}

func TestDatasetsUploadListActivate(t *testing.T) {
	e := newDatasetEnv(t, 0)
	first := e.srv.Current()
	// Re-survey: the first component is now damaged.
	b := componentsGeoJSON(t, e.ds, func(cs []*data.Component) { cs[0].Status = data.StatusDamaged })
	body, ctype := multipartBody(t, map[string][]byte{"component.geojson": b}, nil)
	code, out := e.request(t, "POST", "/v1/datasets", e.gis, body, ctype)
	if code != 201 {
		t.Fatalf("upload: %d %v", code, out["error"])
	}
	v2 := int64(out["version"].(float64))
	cur := e.srv.Current()
	if cur.Version() != v2 || cur.Dataset.Components[0].Status != data.StatusDamaged {
		t.Fatalf("after upload serving v%d (status %s), want v%d", cur.Version(), cur.Dataset.Components[0].Status, v2)
	}
	if len(cur.Dataset.Grids) != len(e.ds.Grids) {
		t.Errorf("component upload changed the grids: %d → %d", len(e.ds.Grids), len(cur.Dataset.Grids))
	}
	code, out = e.request(t, "GET", "/v1/datasets", e.gis, nil, "")
	if vs := out["versions"].([]any); code != 200 || len(vs) != 2 || int64(out["serving"].(float64)) != v2 {
		t.Errorf("list: %d %v", code, out)
	}
	// The diff names the re-surveyed component as changed, in its status only.
	code, out = e.request(t, "GET", fmt.Sprintf("/v1/datasets/%d/diff/%d", e.v1, v2), e.gis, nil, "")
	want := fmt.Sprintf("[map[fields:[map[key:status new:%s old:%s]] id:%s]]", data.StatusDamaged, e.ds.Components[0].Status, e.ds.Components[0].ID)
	if comps, _ := out["components"].(map[string]any); code != 200 || fmt.Sprint(comps["changed"]) != want || len(comps["added"].([]any))+len(comps["removed"].([]any)) != 0 {
		t.Errorf("diff v%d v%d: %d %v\nwant changed %s", e.v1, v2, code, out["components"], want)
	}
	if code, _ := e.request(t, "GET", fmt.Sprintf("/v1/datasets/%d/diff/99", e.v1), e.gis, nil, ""); code != 404 {
		t.Errorf("diff to 99: %d, want 404", code)
	}
	if code, _ := e.request(t, "GET", "/v1/datasets/x/diff/1", e.gis, nil, ""); code != 400 {
		t.Errorf("diff x: %d, want 400", code)
	}
	if code, out = e.request(t, "POST", fmt.Sprintf("/v1/datasets/%d/activate", e.v1), e.gis, nil, ""); code != 200 {
		t.Fatalf("activate: %d %v", code, out)
	}
	if cur := e.srv.Current(); cur.Version() != e.v1 || cur.Dataset.Components[0].Status == data.StatusDamaged {
		t.Errorf("after rollback serving v%d", cur.Version())
	}
	// Rolling back to the version served just before swaps its snapshot back, not a rebuild,
	// and so does rolling forward again.
	if e.srv.Current() != first {
		t.Errorf("rollback to v%d rebuilt its snapshot instead of reusing the one it replaced", e.v1)
	}
	if code, out = e.request(t, "POST", fmt.Sprintf("/v1/datasets/%d/activate", v2), e.gis, nil, ""); code != 200 || e.srv.Current() != cur {
		t.Errorf("roll forward to v%d: %d %v, same snapshot: %v", v2, code, out, e.srv.Current() == cur)
	}
	if code, _ := e.request(t, "POST", "/v1/datasets/99/activate", e.gis, nil, ""); code != 404 {
		t.Errorf("activate 99: %d, want 404", code)
	}
	if code, _ := e.request(t, "POST", "/v1/datasets/x/activate", e.gis, nil, ""); code != 400 {
		t.Errorf("activate x: %d, want 400", code)
	}
}

func TestDatasetsUploadRefused(t *testing.T) {
	e := newDatasetEnv(t, 64<<10)
	dup := componentsGeoJSON(t, &data.Dataset{Components: e.ds.Components[:50]}, func(cs []*data.Component) { cs[1].ID = cs[0].ID })
	big := componentsGeoJSON(t, e.ds, func([]*data.Component) {})
	bad := []byte(`{"type":"FeatureCollection","features":[{"type":"Feature",`)
	for _, tt := range []struct {
		name   string
		files  map[string][]byte
		fields map[string]string
		want   int
	}{
		{"validation errors", map[string][]byte{"component.geojson": dup}, nil, 422},
		{"too large", map[string][]byte{"component.geojson": big}, nil, 413},
		{"truncated", map[string][]byte{"component.geojson": bad}, nil, 400},
		{"no file", map[string][]byte{}, nil, 400},
		{"zip slip name", map[string][]byte{"../../component.geojson": dup}, nil, 422},
		// an empty crs field is refused, not read as WGS84
		{"empty crs", map[string][]byte{"component.geojson": dup}, map[string]string{"crs": " "}, 400},
		{"unknown crs", map[string][]byte{"component.geojson": dup}, map[string]string{"crs": "EPSG:3857"}, 400},
		{"unknown charset", map[string][]byte{"component.geojson": dup}, map[string]string{"charset": "klingon"}, 400},
		// upload mistakes are the client's: 4xx naming the file, and no version
		{"layer not identified", map[string][]byte{"stuff.geojson": dup}, nil, 422},
		{"header-only csv", map[string][]byte{"component.csv": []byte("id,class,name,lng,lat\n")}, map[string]string{"crs": "wgs84"}, 422},
		{"zip member with a drive path", map[string][]byte{"survey.zip": zipOf(t, map[string][]byte{"C:/component.shp": dup})}, nil, 400},
		{"zip member with a backslash drive path", map[string][]byte{"survey.zip": zipOf(t, map[string][]byte{`C:\component.shp`: dup})}, nil, 400},
	} {
		t.Run(tt.name, func(t *testing.T) {
			body, ctype := multipartBody(t, tt.files, tt.fields)
			code, out := e.request(t, "POST", "/v1/datasets", e.gis, body, ctype)
			if code != tt.want {
				t.Errorf("%d %v, want %d", code, out, tt.want)
			}
			if vs, _ := e.st.Versions(context.Background()); len(vs) != 1 {
				t.Errorf("%d versions after a refused upload", len(vs))
			}
			if tt.want == 422 && out["report"] == nil {
				t.Error("422 without a report")
			}
			if msg := fmt.Sprint(out); tt.want != 413 && tt.fields == nil && len(tt.files) == 1 {
				if strings.HasPrefix(tt.name, "zip member") && !strings.Contains(msg, "escapes the archive") {
					t.Errorf("a drive path is not refused as escaping: %s", msg)
				}
				if strings.Contains(msg, os.TempDir()) {
					t.Errorf("the answer shows the server's temporary folder: %s", msg)
				}
				for name := range tt.files {
					if !strings.Contains(msg, filepath.Base(name)) {
						t.Errorf("the answer does not name the file %s: %s", name, msg)
					}
				}
			}
		})
	}
}

// TestSwapUnderLoad swaps dataset versions back and forth (and imports one) while clients
// hammer /v1/locate over real HTTP: no request may fail.
func TestSwapUnderLoad(t *testing.T) {
	e := newDatasetEnv(t, 0)
	hs := httptest.NewServer(e.srv.Handler())
	defer hs.Close()
	b := componentsGeoJSON(t, e.ds, func(cs []*data.Component) { cs[0].Name = "改" })
	body, ctype := multipartBody(t, map[string][]byte{"component.geojson": b}, nil)
	code, out := e.request(t, "POST", "/v1/datasets", e.gis, body, ctype)
	if code != 201 {
		t.Fatalf("upload: %d %v", code, out)
	}
	v2 := int64(out["version"].(float64))
	var ok, failed atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				p := interior(e.ds.Grids[(i*7+w)%len(e.ds.Grids)])
				resp, err := http.Get(fmt.Sprintf("%s/v1/locate?lng=%.7f&lat=%.7f", hs.URL, p[0], p[1]))
				if err != nil || resp.StatusCode != 200 {
					failed.Add(1)
				} else {
					ok.Add(1)
				}
				if resp != nil {
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
			}
		}(w)
	}
	for i := 0; i < 20; i++ {
		v := e.v1
		if i%2 == 1 {
			v = v2
		}
		if code, out := e.request(t, "POST", fmt.Sprintf("/v1/datasets/%d/activate", v), e.gis, nil, ""); code != 200 {
			t.Errorf("activate %d: %d %v", v, code, out)
		}
		time.Sleep(20 * time.Millisecond)
	}
	close(stop)
	wg.Wait()
	t.Logf("%d locate requests during 20 swaps, %d failed", ok.Load(), failed.Load())
	if failed.Load() > 0 || ok.Load() == 0 {
		t.Errorf("%d requests failed, %d succeeded", failed.Load(), ok.Load())
	}
}

// TestDatasetsReloadFails commits versions that cannot be loaded back (a trigger corrupts a
// version's component rows and its image as it becomes active): activate and upload must say the version is stored and active
// but not served, with 200 and 201, and the server must keep answering from the old version.
func TestDatasetsReloadFails(t *testing.T) {
	ctx := context.Background()
	e := newDatasetEnv(t, 0)
	v2, err := e.st.Save(ctx, e.ds, "second")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.st.DB().ExecContext(ctx, `CREATE TRIGGER corrupt_active AFTER UPDATE ON active BEGIN
		UPDATE feature SET props = '{' WHERE version = NEW.version AND layer = 'component';
		UPDATE layer_image SET data = x'00' WHERE version = NEW.version AND layer = 'component'; END`); err != nil {
		t.Fatal(err)
	}
	b := componentsGeoJSON(t, e.ds, func(cs []*data.Component) { cs[0].Name = "改" })
	body, ctype := multipartBody(t, map[string][]byte{"component.geojson": b}, nil)
	for _, tt := range []struct {
		name, url   string
		body        io.Reader
		ctype       string
		wantCode    int
		wantVersion int64 // 0: any new version
	}{
		{"activate", fmt.Sprintf("/v1/datasets/%d/activate", v2), nil, "", 200, v2},
		{"upload", "/v1/datasets", body, ctype, 201, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, out := e.request(t, "POST", tt.url, e.gis, tt.body, tt.ctype)
			if code != tt.wantCode {
				t.Fatalf("%d %v, want %d", code, out, tt.wantCode)
			}
			v, _ := out["version"].(float64)
			if tt.wantVersion != 0 && int64(v) != tt.wantVersion {
				t.Errorf("version = %v, want %d", out["version"], tt.wantVersion)
			}
			if served, ok := out["served"].(bool); !ok || served {
				t.Errorf("served = %v, want false", out["served"])
			}
			if msg, _ := out["message"].(string); !strings.Contains(msg, "not yet served") {
				t.Errorf("message = %q, want it to say the version is not yet served", msg)
			}
			if active, err := e.st.ActiveVersion(ctx); err != nil || active != int64(v) {
				t.Errorf("store active = %d, %v; want %v", active, err, v)
			}
			if cur := e.srv.Current().Version(); cur != e.v1 {
				t.Errorf("serving version %d, want still %d", cur, e.v1)
			}
		})
	}
}

// TestDatasetsUpload2GB refuses a body announced as 2 GB before reading any of it.
func TestDatasetsUpload2GB(t *testing.T) {
	e := newDatasetEnv(t, 0)
	body, ctype := multipartBody(t, map[string][]byte{"component.geojson": []byte("{}")}, nil)
	req := httptest.NewRequest("POST", "/v1/datasets", body)
	req.ContentLength = 2 << 30
	req.Header.Set("Content-Type", ctype)
	req.Header.Set("Authorization", "Bearer "+e.gis)
	rec := httptest.NewRecorder()
	e.srv.Handler().ServeHTTP(rec, req)
	if rec.Code != http.StatusRequestEntityTooLarge || !bytes.Contains(rec.Body.Bytes(), []byte(`"too_large"`)) {
		t.Errorf("2 GB upload: %d %s", rec.Code, rec.Body.String())
	}
}

// zipOf returns a zip archive of the given members (name → content), names written as given.
func zipOf(t *testing.T, members map[string][]byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for name, b := range members {
		f, err := w.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.Write(b); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
