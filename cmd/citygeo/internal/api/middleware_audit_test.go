package api_test

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"citygeo/city"
	"citygeo/cmd/citygeo/internal/api"
	"citygeo/cmd/citygeo/internal/audit"
	"citygeo/data/sqlite"
)

// TestAuditWrites: every attempt at a write route is one audit entry with who, role, what,
// version and result; refused ones included; listing routes are not writes.
func TestAuditWrites(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	ds, err := smallOnce()
	if err != nil {
		t.Fatal(err)
	}
	st, err := sqlite.Open(ctx, filepath.Join(dir, "city.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	v1, err := st.Save(ctx, ds, "test")
	if err != nil {
		t.Fatal(err)
	}
	served := city.New(st, city.Options{}, quietLog)
	if err := served.Load(ctx); err != nil {
		t.Fatal(err)
	}
	trail, err := audit.Open(filepath.Join(dir, "audit.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer trail.Close()
	auth, toks := authWith(t, api.RoleGIS, api.RoleReader)
	gis, reader := toks[0], toks[1]
	h := api.New(api.Options{Auth: auth, Logger: quietLog, City: served, Audit: trail}).Handler()
	bearer := func(tok string) map[string]string { return map[string]string{"Authorization": "Bearer " + tok} }
	steps := []struct {
		method, path string
		header       map[string]string
		status       int
		want         *audit.Entry // nil: not audited
	}{
		{"POST", "/v1/datasets/1/activate", bearer(gis), 200,
			&audit.Entry{Who: "gis-1", Role: "gis", Action: "POST /v1/datasets/:version/activate", Target: "version=1", Version: v1, Result: "ok", Status: 200}},
		{"POST", "/v1/datasets/9/activate", bearer(gis), 404,
			&audit.Entry{Who: "gis-1", Role: "gis", Action: "POST /v1/datasets/:version/activate", Target: "version=9", Version: 9, Result: "refused", Status: 404, Message: "no dataset version 9"}},
		{"POST", "/v1/events", bearer(reader), 403,
			&audit.Entry{Who: "reader-1", Role: "reader", Action: "POST /v1/events", Result: "refused", Status: 403}},
		{"POST", "/v1/datasets/1/activate", nil, 401,
			&audit.Entry{Action: "POST /v1/datasets/:version/activate", Target: "version=1", Result: "refused", Status: 401}},
		{"GET", "/v1/datasets", bearer(gis), 200, nil},
		{"GET", "/v1/info", nil, 200, nil},
	}
	var want []audit.Entry
	for _, s := range steps {
		if rec := send(h, s.method, s.path, s.header, ""); rec.Code != s.status {
			t.Fatalf("%s %s: %d, want %d: %s", s.method, s.path, rec.Code, s.status, rec.Body)
		}
		if s.want != nil {
			want = append(want, *s.want)
		}
	}
	f, err := os.Open(trail.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var got []audit.Entry
	if err := audit.Read(f, audit.Filter{}, func(e audit.Entry) bool { got = append(got, e); return true }); err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("%d audit entries, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		g := got[i]
		if g.Time.IsZero() || g.RequestID == "" || g.Remote == "" {
			t.Errorf("entry %d lacks time, request id or remote: %+v", i, g)
		}
		g.Time, g.RequestID, g.Remote = w.Time, "", ""
		if w.Message == "" {
			g.Message = ""
		}
		if g != w {
			t.Errorf("entry %d:\n got %+v\nwant %+v", i, g, w)
		}
	}
	// The accepted write began with a started entry, which Read hides once its result follows.
	f.Seek(0, 0)
	raw, _ := io.ReadAll(f)
	if n := strings.Count(string(raw), `"result":"started"`); n != 2 {
		t.Errorf("%d started entries in the file, want 2 (the two activations the auth let through)", n)
	}
	// A log that cannot be written refuses the write before it changes anything.
	trail.Close()
	if rec := send(h, "POST", "/v1/datasets/1/activate", bearer(gis), ""); rec.Code != 503 {
		t.Errorf("activate with the audit log closed: %d, want 503: %s", rec.Code, rec.Body)
	}
}
