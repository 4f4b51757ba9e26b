package api_test

import (
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"citygeo/cmd/citygeo/internal/api"
)

// TestOpenAPILint runs Redocly's linter (tools/openapi, installed by make test with npm) on
// the document the server serves: no errors allowed. Without the linter the test is skipped,
// except in CI, where it must be there.
func TestOpenAPILint(t *testing.T) {
	dir, err := filepath.Abs("../../../../tools/openapi")
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "node_modules", ".bin", "redocly")
	if _, err := os.Stat(bin); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("Redocly CLI not installed in %s (make test runs npm ci there)", dir)
		}
		t.Skipf("Redocly CLI not installed: (cd tools/openapi && npm ci)")
	}
	_, doc := doRaw(t, api.New(api.Options{Logger: quietLog}).Handler(), "GET", "/v1/openapi.json")
	path := filepath.Join(t.TempDir(), "openapi.json")
	if err := os.WriteFile(path, doc, 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "lint", "--config", filepath.Join(dir, "redocly.yaml"), "--format", "stylish", path)
	cmd.Env = append(os.Environ(), "REDOCLY_TELEMETRY=off", "REDOCLY_SUPPRESS_UPDATE_NOTICE=true")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("redocly lint: %v\n%s", err, out)
	}
	t.Logf("%s", out)
}

// doRaw does one request and returns the status and the raw body.
func doRaw(t testing.TB, h http.Handler, method, url string) (int, []byte) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, url, nil))
	return rec.Code, rec.Body.Bytes()
}
