package main

import (
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"citygeo/cmd/citygeo/internal/api"
)

// TestTokenFile: token add writes the file itself (the token printed once, only its digest
// stored), list never shows a token, revoke removes one, and mistakes leave the file as it was.
func TestTokenFile(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "tokens.json")
	trail := filepath.Join(dir, "audit.jsonl")
	out, err := run(t, "token", "add", "--file", file, "--name", "gis-team", "--role", "gis", "--audit", trail)
	if err != nil {
		t.Fatalf("token add: %v\n%s", err, out)
	}
	tok := out[strings.LastIndex(out, " ")+1:]
	tok = strings.TrimSpace(tok)
	if len(tok) != 64 {
		t.Fatalf("token add printed %q; want the 64-character token last", out)
	}
	if fi, err := os.Stat(file); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("token file: %v, mode %v; want 0600", err, fi.Mode().Perm())
	}
	auth, err := loadAuth(file)
	if err != nil {
		t.Fatal(err)
	}
	srv := api.New(api.Options{Auth: auth})
	req := httptest.NewRequest("POST", "/v1/datasets/1/activate", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	rec := httptest.NewRecorder()
	srv.Handler().ServeHTTP(rec, req)
	if rec.Code == 401 || rec.Code == 403 {
		t.Fatalf("the added gis token is refused: %d %s", rec.Code, rec.Body)
	}
	before, _ := os.ReadFile(file)
	if strings.Contains(string(before), tok) {
		t.Fatal("the token file holds the token in clear")
	}
	tests := map[string]struct {
		args    []string
		wantErr string
		changed bool
	}{
		"same name twice": {[]string{"token", "add", "--file", file, "--name", "gis-team", "--role", "gis"}, "exists", false},
		"unknown role":    {[]string{"token", "add", "--file", file, "--name", "x", "--role", "boss"}, `role "boss"`, false},
		"revoke unknown":  {[]string{"token", "revoke", "--file", file, "--name", "nobody"}, "no token named", false},
		"bad area":        {[]string{"token", "add", "--file", file, "--name", "x", "--role", "dispatcher", "--area", "4403"}, "6-digit", false},
		"area":            {[]string{"token", "add", "--file", file, "--name", "luohu", "--role", "dispatcher", "--area", "440303"}, "", true},
		"list":            {[]string{"token", "list", "--file", file}, "", false},
		"revoke":          {[]string{"token", "revoke", "--file", file, "--name", "gis-team", "--audit", trail}, "", true},
	}
	for _, name := range []string{"same name twice", "unknown role", "revoke unknown", "bad area", "area", "list", "revoke"} {
		tc := tests[name]
		t.Run(name, func(t *testing.T) {
			prev, _ := os.ReadFile(file)
			out, err := run(t, tc.args...)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
				}
			} else if err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			if strings.Contains(out, tok) {
				t.Errorf("output shows the stored token:\n%s", out)
			}
			if name == "list" && !regexp.MustCompile(`luohu\s+dispatcher\s+440303`).MatchString(out) {
				t.Errorf("list does not show the area limit:\n%s", out)
			}
			now, _ := os.ReadFile(file)
			if (string(now) != string(prev)) != tc.changed {
				t.Errorf("file changed: %v, want %v", string(now) != string(prev), tc.changed)
			}
		})
	}
	out, err = run(t, "audit", "--file", trail)
	if err != nil || !strings.Contains(out, "token add") || !strings.Contains(out, "token revoke") {
		t.Errorf("audit of token changes: %v\n%s", err, out)
	}
}
