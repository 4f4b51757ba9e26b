package api_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/golang-jwt/jwt/v5"

	"citygeo/cmd/citygeo/internal/api"
)

// TestOIDCClaims checks each claim rule of the verifier through a guarded read (/v1/info) and a
// GIS route (/v1/datasets), with keys served from a JWKS URL that is rotated mid-test.
func TestOIDCClaims(t *testing.T) {
	k1, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	k2, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	var keys atomic.Value
	publish := func(kid string, k *ecdsa.PrivateKey) {
		b, _ := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &k.PublicKey, KeyID: kid, Algorithm: "ES256", Use: "sig"}}})
		keys.Store(b)
	}
	publish("k1", k1)
	var fetches atomic.Int32
	idp := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		fetches.Add(1)
		_, _ = w.Write(keys.Load().([]byte))
	}))
	defer idp.Close()
	o, err := api.NewOIDC(context.Background(), api.OIDCConfig{JWKS: idp.URL, Issuer: testIssuer, Audience: testAudience,
		ClockSkew: 30 * time.Second, RoleClaim: "groups", Roles: map[string]api.Role{"城管派遣员": api.RoleDispatcher, "gis-staff": api.RoleGIS, "it": api.RoleAdmin},
		AreaClaim: "district", NameClaim: "preferred_username"})
	if err != nil {
		t.Fatal(err)
	}
	auth, _ := api.NewAuth(&api.AuthConfig{GuardReads: true})
	auth.UseOIDC(o)
	srv := api.New(api.Options{Auth: auth, Logger: quietLog})
	h := srv.Handler()

	now := time.Now()
	base := func() jwt.MapClaims {
		return jwt.MapClaims{"iss": testIssuer, "aud": testAudience, "sub": "u1", "preferred_username": "张三",
			"iat": now.Unix(), "exp": now.Add(time.Hour).Unix(), "groups": []string{"gis-staff"}}
	}
	sign := func(method jwt.SigningMethod, kid string, key any, c jwt.MapClaims) string {
		tok := jwt.NewWithClaims(method, c)
		tok.Header["kid"] = kid
		s, err := tok.SignedString(key)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	with := func(k string, v any) jwt.MapClaims {
		c := base()
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
		return c
	}
	tests := []struct {
		name         string
		token        func() string
		info, upload int // statuses of GET /v1/info and GET /v1/datasets
		msg          string
	}{
		{"valid gis", func() string { return sign(jwt.SigningMethodES256, "k1", k1, base()) }, 503, 503, ""},
		{"wrong issuer", func() string { return sign(jwt.SigningMethodES256, "k1", k1, with("iss", "https://evil")) }, 401, 401, "issuer"},
		{"wrong audience", func() string { return sign(jwt.SigningMethodES256, "k1", k1, with("aud", "another-app")) }, 401, 401, "audience"},
		{"no expiry", func() string { return sign(jwt.SigningMethodES256, "k1", k1, with("exp", nil)) }, 401, 401, "exp"},
		{"expired within the skew", func() string {
			return sign(jwt.SigningMethodES256, "k1", k1, with("exp", now.Add(-10*time.Second).Unix()))
		}, 503, 503, ""},
		{"expired past the skew", func() string {
			return sign(jwt.SigningMethodES256, "k1", k1, with("exp", now.Add(-time.Minute).Unix()))
		}, 401, 401, "expired"},
		{"not yet valid", func() string { return sign(jwt.SigningMethodES256, "k1", k1, with("nbf", now.Add(time.Hour).Unix())) }, 401, 401, "not valid yet"},
		{"mapped dispatcher", func() string { return sign(jwt.SigningMethodES256, "k1", k1, with("groups", "城管派遣员")) }, 503, 403, "role dispatcher"},
		{"admin among roles", func() string {
			return sign(jwt.SigningMethodES256, "k1", k1, with("groups", []string{"城管派遣员", "it"}))
		}, 503, 503, ""},
		{"no citygeo role", func() string { return sign(jwt.SigningMethodES256, "k1", k1, with("groups", []string{"finance"})) }, 403, 403, "names no citygeo role"},
		{"bad area claim", func() string { return sign(jwt.SigningMethodES256, "k1", k1, with("district", "44030")) }, 401, 401, "district"},
		{"HMAC with the public key", func() string {
			pub, err := k1.PublicKey.Bytes() // the public key as the HMAC secret: the alg-confusion attack
			if err != nil {
				t.Fatal(err)
			}
			return sign(jwt.SigningMethodHS256, "k1", pub, base())
		}, 401, 401, "signing method"},
		{"rotated key", func() string { publish("k2", k2); return sign(jwt.SigningMethodES256, "k2", k2, base()) }, 503, 503, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok := tt.token()
			for _, c := range []struct {
				path string
				want int
			}{{"/v1/info", tt.info}, {"/v1/datasets", tt.upload}} {
				req := httptest.NewRequest("GET", c.path, nil)
				req.Header.Set("Authorization", "Bearer "+tok)
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != c.want {
					t.Fatalf("%s: status %d, want %d: %s", c.path, rec.Code, c.want, rec.Body)
				}
				if tt.msg != "" && rec.Code < 500 && !strings.Contains(rec.Body.String(), tt.msg) {
					t.Errorf("%s: %s does not say %q", c.path, rec.Body, tt.msg)
				}
			}
		})
	}
	if n := fetches.Load(); n != 2 {
		t.Errorf("JWKS fetched %d times, want 2 (start, then once for the rotated key)", n)
	}
}
