package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/golang-jwt/jwt/v5"
)

// Single sign-on: a city's 统一登录 (an OIDC provider) signs JWTs; citygeo accepts them beside
// the static tokens of the token file. golang-jwt checks the signature, expiry, not-before,
// issuer and audience with a bounded leeway; go-jose reads the provider's JWKS. Keys are read
// at start and again every Refresh, and at once (at most once every jwksRetry) when a token names
// a key id not held, which is how a provider's key rotation shows itself.

// Defaults of OIDCConfig.
const (
	DefaultJWKSRefresh = 15 * time.Minute
	DefaultRoleClaim   = "roles"
	DefaultNameClaim   = "sub"
	// MaxClockSkew bounds the leeway allowed between the provider's clock and ours: an expired
	// token stays accepted for at most this long.
	MaxClockSkew = 5 * time.Minute
	jwksRetry    = 30 * time.Second
	jwksMaxBytes = 1 << 20
	// ssoTokenKind starts the name a single sign-on user's requests are known by (sso:alice,
	// in logs, the audit and an event's history).
	ssoTokenKind = "sso"
)

// jwtMethods are the signatures accepted: the asymmetric ones a JWKS publishes. HMAC is left
// out on purpose: a public key must never be usable as a shared secret (alg confusion).
var jwtMethods = []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}

// OIDCConfig says which JWTs to accept and how their claims map to a role and an area.
type OIDCConfig struct {
	JWKS      string        // the provider's keys: a JWKS file or an http(s):// URL
	Issuer    string        // the iss every token must carry
	Audience  string        // a value the aud of every token must contain
	ClockSkew time.Duration // leeway for exp, nbf and iat; at most MaxClockSkew
	Refresh   time.Duration // how often the keys are read again; 0: DefaultJWKSRefresh
	RoleClaim string        // claim holding the role(s), a string or a list; "": DefaultRoleClaim
	// Roles maps the provider's values of RoleClaim to citygeo roles (城管派遣员 → dispatcher);
	// nil: the values are citygeo role names themselves.
	Roles     map[string]Role
	AreaClaim string // claim holding the area code (440303); "": tokens carry no area limit
	NameClaim string // claim naming the user in logs, limits and the audit; "": DefaultNameClaim
	// Client fetches a JWKS URL; nil: a client with a 10 s timeout.
	Client *http.Client
}

// OIDC verifies JWTs against a provider's published keys.
type OIDC struct {
	cfg     OIDCConfig
	parser  *jwt.Parser
	keys    atomic.Pointer[jose.JSONWebKeySet]
	fetchMu sync.Mutex
	missed  time.Time // last read for a key id not held, under fetchMu
}

// NewOIDC checks cfg and reads the keys once: a server does not start with keys it cannot read.
func NewOIDC(ctx context.Context, cfg OIDCConfig) (*OIDC, error) {
	switch {
	case cfg.JWKS == "":
		return nil, errors.New("oidc: no JWKS file or URL")
	case cfg.Issuer == "":
		return nil, errors.New("oidc: no issuer")
	case cfg.Audience == "":
		return nil, errors.New("oidc: no audience")
	case cfg.ClockSkew < 0 || cfg.ClockSkew > MaxClockSkew:
		return nil, fmt.Errorf("oidc: clock skew %v: want 0 to %v", cfg.ClockSkew, MaxClockSkew)
	}
	for v, r := range cfg.Roles {
		if !knownRole(r) {
			return nil, fmt.Errorf("oidc: role claim value %q maps to %q: want reader, dispatcher, gis, device or admin", v, r)
		}
	}
	if cfg.Refresh <= 0 {
		cfg.Refresh = DefaultJWKSRefresh
	}
	if cfg.RoleClaim == "" {
		cfg.RoleClaim = DefaultRoleClaim
	}
	if cfg.NameClaim == "" {
		cfg.NameClaim = DefaultNameClaim
	}
	if cfg.Client == nil {
		cfg.Client = &http.Client{Timeout: 10 * time.Second}
	}
	o := &OIDC{cfg: cfg, parser: jwt.NewParser(jwt.WithValidMethods(jwtMethods), jwt.WithIssuer(cfg.Issuer),
		jwt.WithAudience(cfg.Audience), jwt.WithLeeway(cfg.ClockSkew), jwt.WithExpirationRequired(), jwt.WithIssuedAt())}
	if err := o.refresh(ctx); err != nil {
		return nil, err
	}
	return o, nil
}

// Run reads the keys again every Refresh until ctx ends; a failed read keeps the keys held
// and is logged.
func (o *OIDC) Run(ctx context.Context, log *slog.Logger) {
	t := time.NewTicker(o.cfg.Refresh)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := o.refresh(ctx); err != nil {
				log.Error("oidc: keys not refreshed; the previous ones stay in use", "jwks", o.cfg.JWKS, "err", err)
			}
		}
	}
}

// refresh reads the JWKS and replaces the keys held.
func (o *OIDC) refresh(ctx context.Context) error {
	o.fetchMu.Lock()
	defer o.fetchMu.Unlock()
	b, err := o.read(ctx)
	if err != nil {
		return fmt.Errorf("oidc: read JWKS %s: %w", o.cfg.JWKS, err)
	}
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(b, &set); err != nil {
		return fmt.Errorf("oidc: JWKS %s: %w", o.cfg.JWKS, err)
	}
	if len(set.Keys) == 0 {
		return fmt.Errorf("oidc: JWKS %s has no keys", o.cfg.JWKS)
	}
	for i, k := range set.Keys {
		if !k.IsPublic() { // a private key published by mistake: only its public half is used
			set.Keys[i] = k.Public()
		}
	}
	o.keys.Store(&set)
	return nil
}

func (o *OIDC) read(ctx context.Context) ([]byte, error) {
	if !strings.HasPrefix(o.cfg.JWKS, "http://") && !strings.HasPrefix(o.cfg.JWKS, "https://") {
		return os.ReadFile(o.cfg.JWKS)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, o.cfg.JWKS, nil)
	if err != nil {
		return nil, err
	}
	resp, err := o.cfg.Client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("status %s", resp.Status)
	}
	return io.ReadAll(io.LimitReader(resp.Body, jwksMaxBytes))
}

// key finds the verification key a token's header names, reading the keys again once when the
// id is unknown (the provider rotated its keys).
func (o *OIDC) key(ctx context.Context, t *jwt.Token) (any, error) {
	kid, _ := t.Header["kid"].(string)
	find := func() any {
		set := o.keys.Load()
		if kid == "" {
			if len(set.Keys) == 1 {
				return set.Keys[0].Key
			}
			return nil
		}
		for _, k := range set.Key(kid) {
			if k.Use != "enc" {
				return k.Key
			}
		}
		return nil
	}
	if k := find(); k != nil {
		return k, nil
	}
	o.fetchMu.Lock()
	retry := time.Since(o.missed) >= jwksRetry // tokens naming made-up keys cannot hammer the provider
	if retry {
		o.missed = time.Now()
	}
	o.fetchMu.Unlock()
	if retry && o.refresh(ctx) == nil {
		if k := find(); k != nil {
			return k, nil
		}
	}
	return nil, fmt.Errorf("no key %q in the JWKS", kid)
}

// verify checks a JWT and returns who it names: its name claim, role and area.
func (o *OIDC) verify(ctx context.Context, raw string) (TokenHash, *Error) {
	claims := jwt.MapClaims{}
	_, err := o.parser.ParseWithClaims(raw, claims, func(t *jwt.Token) (any, error) { return o.key(ctx, t) })
	switch {
	case errors.Is(err, jwt.ErrTokenExpired):
		return TokenHash{}, unauthorized("bearer token expired")
	case err != nil:
		return TokenHash{}, unauthorized("invalid bearer token: " + err.Error())
	}
	name, _ := claims[o.cfg.NameClaim].(string)
	if name == "" {
		name, _ = claims["sub"].(string)
	}
	t := TokenHash{Name: ssoTokenKind + ":" + name}
	if t.Role = o.role(claims[o.cfg.RoleClaim]); t.Role == "" {
		return t, &Error{Status: http.StatusForbidden, Code: CodeForbidden, Field: "Authorization",
			Message: fmt.Sprintf("token of %s: claim %q names no citygeo role", name, o.cfg.RoleClaim)}
	}
	if o.cfg.AreaClaim != "" {
		switch v := claims[o.cfg.AreaClaim].(type) {
		case nil:
		case string:
			t.Area = v
		case float64: // a provider that writes the code as a JSON number
			t.Area = fmt.Sprintf("%.0f", v)
		default:
			return t, unauthorized(fmt.Sprintf("claim %q: want an area code", o.cfg.AreaClaim))
		}
		if err := checkArea(t.Area); err != nil {
			return t, unauthorized(fmt.Sprintf("claim %q: %v", o.cfg.AreaClaim, err))
		}
	}
	return t, nil
}

// role maps a role claim (one value or a list) to the token's one role: admin when any value
// maps to admin, otherwise the first value that maps to a role; "" when none does.
func (o *OIDC) role(claim any) Role {
	var values []string
	switch v := claim.(type) {
	case string:
		values = strings.Fields(strings.ReplaceAll(v, ",", " "))
	case []any:
		for _, e := range v {
			if s, ok := e.(string); ok {
				values = append(values, s)
			}
		}
	}
	var first Role
	for _, v := range values {
		r := Role(v)
		if o.cfg.Roles != nil {
			r = o.cfg.Roles[v]
		}
		if !knownRole(r) {
			continue
		}
		if r == RoleAdmin {
			return r
		}
		if first == "" {
			first = r
		}
	}
	return first
}

func knownRole(r Role) bool {
	switch r {
	case RoleReader, RoleDispatcher, RoleGIS, RoleAdmin, RoleDevice:
		return true
	}
	return false
}
