package api_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"citygeo/cmd/citygeo/internal/api"
)

// TestAuthMatrix walks every route of the table × every credential × open and guarded reads.
func TestAuthMatrix(t *testing.T) {
	roles := []api.Role{api.RoleReader, api.RoleDispatcher, api.RoleGIS, api.RoleAdmin, api.RoleDevice}
	tokens := map[api.Role]string{}
	var entries []api.TokenHash
	for _, r := range roles {
		tok, hash, err := api.NewToken()
		if err != nil {
			t.Fatal(err)
		}
		tokens[r] = tok
		entries = append(entries, api.TokenHash{Name: string(r) + "-test", Role: r, SHA256: hash})
	}
	type cred struct {
		name   string
		header string
		role   api.Role
	}
	creds := []cred{{name: "none"}, {name: "invalid", header: "Bearer not-a-token"}, {name: "malformed", header: "Basic abc"}}
	for _, r := range roles {
		creds = append(creds, cred{name: string(r), header: "Bearer " + tokens[r], role: r})
	}
	for _, guard := range []bool{false, true} {
		auth, err := api.NewAuth(&api.AuthConfig{GuardReads: guard, Tokens: entries})
		if err != nil {
			t.Fatal(err)
		}
		srv := api.New(api.Options{Auth: auth, Logger: quietLog})
		h := srv.Handler()
		routes := srv.Routes()
		if len(routes) < 10 {
			t.Fatalf("only %d routes", len(routes))
		}
		for _, rt := range routes {
			for _, cr := range creds {
				want := expectedAuth(rt.Access, guard, cr.header != "", cr.role)
				name := rt.Method + " " + rt.Path + " " + cr.name
				if guard {
					name += " guarded"
				}
				t.Run(name, func(t *testing.T) {
					req := httptest.NewRequest(rt.Method, concretePath(rt.Path), strings.NewReader("{}"))
					if cr.header != "" {
						req.Header.Set("Authorization", cr.header)
					}
					rec := httptest.NewRecorder()
					h.ServeHTTP(rec, req)
					got, field := answeredStatus(rt.Path, rec), `"field":"Authorization"`
					if strings.HasPrefix(rt.Path, "/v3/") {
						field = `"detail":"Authorization: `
					}
					if got == http.StatusUnauthorized || got == http.StatusForbidden {
						if got != want {
							t.Fatalf("status %d, want %d (body %s)", got, want, rec.Body)
						}
						if !strings.Contains(rec.Body.String(), field) {
							t.Errorf("auth error does not name the Authorization field: %s", rec.Body)
						}
						return
					}
					if want != 0 {
						t.Fatalf("status %d, want %d", got, want)
					}
				})
			}
		}
	}
}

// expectedAuth is the status the auth layer must answer, or 0 when it must let the request through.
func expectedAuth(acc api.Access, guardReads, sent bool, role api.Role) int {
	if acc.Public {
		return 0
	}
	if sent && role == "" {
		return http.StatusUnauthorized
	}
	if acc.Role == "" {
		if guardReads && !sent {
			return http.StatusUnauthorized
		}
		return 0
	}
	if !sent {
		return http.StatusUnauthorized
	}
	if role != acc.Role && role != api.RoleAdmin {
		return http.StatusForbidden
	}
	return 0
}

// concretePath fills gin path parameters with plausible values.
func concretePath(p string) string {
	var out []string
	for _, seg := range strings.Split(p, "/") {
		if strings.HasPrefix(seg, ":") || strings.HasPrefix(seg, "*") {
			seg = "1"
		}
		out = append(out, seg)
	}
	return strings.Join(out, "/")
}

func TestAuthConfigErrors(t *testing.T) {
	tests := []struct {
		name, json, want string
	}{
		{"bad role", `{"tokens":[{"name":"x","role":"root","sha256":"` + strings.Repeat("a", 64) + `"}]}`, "role"},
		{"short hash", `{"tokens":[{"name":"x","role":"gis","sha256":"abc"}]}`, "sha256"},
		{"duplicate", `{"tokens":[{"name":"x","role":"gis","sha256":"` + strings.Repeat("a", 64) + `"},{"name":"y","role":"admin","sha256":"` + strings.Repeat("A", 64) + `"}]}`, "twice"},
		{"unknown field", `{"token":[]}`, "unknown field"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := api.ParseAuthConfig(strings.NewReader(tt.json))
			if err == nil {
				_, err = api.NewAuth(cfg)
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error = %v, want it to mention %q", err, tt.want)
			}
		})
	}
}

// TestAMapKeyAuth checks that the AMap door reads a citygeo token from key= (AMap clients send
// no header), and that any other key, such as the client's AMap key, is anonymous rather than
// refused.
func TestAMapKeyAuth(t *testing.T) {
	tok, hash, err := api.NewToken()
	if err != nil {
		t.Fatal(err)
	}
	for _, guard := range []bool{false, true} {
		auth, err := api.NewAuth(&api.AuthConfig{GuardReads: guard, Tokens: []api.TokenHash{{Name: "app", Role: api.RoleReader, SHA256: hash}}})
		if err != nil {
			t.Fatal(err)
		}
		h := api.New(api.Options{Auth: auth, Logger: quietLog}).Handler()
		for _, c := range []struct {
			url     string
			refused bool // when reads are guarded
		}{
			{"/v3/assistant/coordinate/convert?locations=114.1,22.5&key=" + tok, false},
			{"/v3/assistant/coordinate/convert?locations=114.1,22.5&key=an-amap-key", true},
			{"/v3/assistant/coordinate/convert?locations=114.1,22.5", true},
			{"/v1/info?key=" + tok, true}, // the native API reads only the header
		} {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest("GET", c.url, nil))
			// The door refuses as AMap does a bad key: HTTP 200, status "0", infocode 10001.
			refused := answeredStatus(c.url, rec) == http.StatusUnauthorized
			want := c.refused && guard
			if refused != want {
				t.Errorf("guard=%v %s: %d, want refused=%v", guard, c.url[:40], rec.Code, want)
			}
		}
	}
}
