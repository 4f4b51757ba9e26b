package api_test

import (
	"net/http/httptest"
	"testing"

	"citygeo/cmd/citygeo/internal/api"
)

func TestRateLimits(t *testing.T) {
	auth, toks := authWith(t, api.RoleGIS)
	gis := toks[0]
	type req struct {
		path, token, remote, xff string
		status                   int
	}
	tests := map[string]struct {
		opts api.Options
		reqs []req
	}{
		"off by default": {api.Options{}, []req{
			{"/v1/info", "", "", "", 200}, {"/v1/info", "", "", "", 200}, {"/v1/info", "", "", "", 200}, {"/v1/info", "", "", "", 200}}},
		"per address": {api.Options{Limits: api.Limits{AddressRPS: 0.5, AddressBurst: 2}}, []req{
			{"/v1/info", "", "", "", 200}, {"/v1/info", "", "", "", 200}, {"/v1/info", "", "", "", 429},
			{"/v1/info", "", "198.51.100.7:5555", "", 200}, // another address has its own bucket
			{"/healthz", "", "", "", 200},                  // probes are never limited
			{"/v1/info", gis, "", "", 200},                 // a known token is not counted as its address
		}},
		"forwarded-for not believed by default": {api.Options{Limits: api.Limits{AddressRPS: 0.5, AddressBurst: 1}}, []req{
			{"/v1/info", "", "", "203.0.113.1", 200}, {"/v1/info", "", "", "203.0.113.2", 429}}},
		"forwarded-for from a trusted proxy": {api.Options{Limits: api.Limits{AddressRPS: 0.5, AddressBurst: 1}, TrustedProxies: []string{"192.0.2.0/24"}}, []req{
			{"/v1/info", "", "", "203.0.113.1", 200}, {"/v1/info", "", "", "203.0.113.2", 200}, {"/v1/info", "", "", "203.0.113.1", 429}}},
		// Refused requests are counted too: a flood of bad tokens or of writes without the
		// role is throttled, not checked and audited at full speed.
		"refusals counted": {api.Options{Limits: api.Limits{AddressRPS: 0.5, AddressBurst: 2}}, []req{
			{"/v1/info", "not-a-token", "", "", 401}, {"/v1/datasets", "", "", "", 401}, {"/v1/info", "not-a-token", "", "", 429}}},
		"per token": {api.Options{Limits: api.Limits{TokenRPS: 0.5, TokenBurst: 1}}, []req{
			{"/v1/datasets", gis, "", "", 503}, {"/v1/info", gis, "198.51.100.9:1", "", 429}, {"/v1/info", "", "", "", 200}}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			tc.opts.Auth = auth
			srv, _ := newOpsServer(t, tc.opts)
			h := srv.Handler()
			for i, r := range tc.reqs {
				q := httptest.NewRequest("GET", r.path, nil)
				if r.remote != "" {
					q.RemoteAddr = r.remote
				}
				if r.token != "" {
					q.Header.Set("Authorization", "Bearer "+r.token)
				}
				if r.xff != "" {
					q.Header.Set("X-Forwarded-For", r.xff)
				}
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, q)
				if rec.Code != r.status {
					t.Fatalf("request %d %s: %d, want %d: %s", i, r.path, rec.Code, r.status, rec.Body)
				}
				if r.status == 429 {
					if ra := rec.Header().Get("Retry-After"); ra != "2" {
						t.Errorf("request %d: Retry-After %q, want 2 (one request at 0.5/s)", i, ra)
					}
				}
			}
		})
	}
}
