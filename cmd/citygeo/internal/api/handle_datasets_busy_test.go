package api_test

import (
	"context"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"citygeo/city"
	"citygeo/cmd/citygeo/internal/api"
	"citygeo/data"
	"citygeo/data/sqlite"
)

// heldStore holds every Save until release is closed, telling saving when one starts.
type heldStore struct {
	data.Store
	saving, release chan struct{}
}

func (s *heldStore) Save(ctx context.Context, ds *data.Dataset, source string) (int64, error) {
	s.saving <- struct{}{}
	<-s.release
	return s.Store.Save(ctx, ds, source)
}

// TestUploadWhileImporting: a second upload while one is importing is a 409 at once, and the
// import metrics count both by result.
func TestUploadWhileImporting(t *testing.T) {
	ctx := context.Background()
	ds, err := smallOnce()
	if err != nil {
		t.Fatal(err)
	}
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "city.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := st.Save(ctx, ds, "test"); err != nil {
		t.Fatal(err)
	}
	held := &heldStore{Store: st, saving: make(chan struct{}, 1), release: make(chan struct{})}
	served := city.New(held, city.Options{}, quietLog)
	if err := served.Load(ctx); err != nil {
		t.Fatal(err)
	}
	auth, toks := authWith(t, api.RoleGIS)
	gis := toks[0]
	srv := api.New(api.Options{Auth: auth, Logger: quietLog, City: served})
	geojson := componentsGeoJSON(t, ds, func(cs []*data.Component) { cs[0].Status = data.StatusDamaged })
	upload := func() *httptest.ResponseRecorder {
		body, ctype := multipartBody(t, map[string][]byte{"component.geojson": geojson}, nil)
		req := httptest.NewRequest("POST", "/v1/datasets", body)
		req.Header.Set("Authorization", "Bearer "+gis)
		req.Header.Set("Content-Type", ctype)
		rec := httptest.NewRecorder()
		srv.Handler().ServeHTTP(rec, req)
		return rec
	}
	first := make(chan *httptest.ResponseRecorder, 1)
	go func() { first <- upload() }()
	<-held.saving
	if rec := upload(); rec.Code != 409 || !strings.Contains(rec.Body.String(), `"code":"conflict"`) {
		t.Errorf("second upload during an import: %d %s, want 409 conflict", rec.Code, rec.Body)
	}
	close(held.release)
	if rec := <-first; rec.Code != 201 {
		t.Fatalf("first upload: %d %s", rec.Code, rec.Body)
	}
	metrics := send(srv.Handler(), "GET", "/metrics", nil, "").Body.String()
	for _, want := range []string{`citygeo_import_duration_seconds_count{result="imported"} 1`, `citygeo_import_duration_seconds_count{result="refused"} 1`} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %s:\n%s", want, grep(metrics, "citygeo_import"))
		}
	}
}
