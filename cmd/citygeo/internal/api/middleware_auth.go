package api

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"

	"github.com/gin-gonic/gin"
)

// Role is what a token may do. Admin may do everything; the others only their own writes plus
// every read.
type Role string

// The roles a token can carry.
const (
	RoleReader     Role = "reader"     // reads only (useful when reads are guarded)
	RoleDispatcher Role = "dispatcher" // events feed, dispatch writes
	RoleGIS        Role = "gis"        // dataset import, activate, rollback
	RoleAdmin      Role = "admin"      // everything
	RoleDevice     Role = "device"     // posts positions only (a handset or its gateway); reads nothing of them
)

// Access is what a route requires: Public routes (health probes) are always open, Read routes
// are open unless the config guards reads, and a route with a Role needs a token of that role
// or admin.
type Access struct {
	Public bool
	Role   Role // "" for a read
}

// Read, Public and Write build the three kinds of access.
var (
	Read   = Access{}
	Public = Access{Public: true}
)

// Write is access for a route that needs role (or admin).
func Write(role Role) Access { return Access{Role: role} }

// AuthConfig is the on-disk token file. Tokens are stored as SHA-256 hex digests, never in
// clear: a token is 32 random bytes, so a fast hash is enough and keeps the check cheap.
type AuthConfig struct {
	GuardReads bool        `json:"guard_reads"` // reads need a token of any role
	Tokens     []TokenHash `json:"tokens"`
}

// TokenHash is one token entry of AuthConfig.
type TokenHash struct {
	Name   string `json:"name"`
	Role   Role   `json:"role"`
	SHA256 string `json:"sha256"`
	// Area limits the token to a district, city or province (a 6-digit GB/T 2260 code: 440303,
	// 440300, 440000); "": the whole of every city served. See area.go for what it guards.
	Area string `json:"area,omitempty"`
}

// Auth checks bearer tokens against an AuthConfig. The zero value (no tokens) allows reads and
// refuses every write.
type Auth struct {
	guardReads bool
	byHash     map[string]TokenHash
	oidc       *OIDC // nil: no single sign-on tokens
}

// UseOIDC makes a accept the JWTs o verifies beside its static tokens.
func (a *Auth) UseOIDC(o *OIDC) { a.oidc = o }

// ParseAuthConfig reads a token file's JSON.
func ParseAuthConfig(r io.Reader) (*AuthConfig, error) {
	var cfg AuthConfig
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&cfg); err != nil {
		return nil, fmt.Errorf("parse auth config: %w", err)
	}
	return &cfg, nil
}

// LoadAuthConfig reads and parses the token file at path.
func LoadAuthConfig(path string) (*AuthConfig, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("load auth config: %w", err)
	}
	defer f.Close()
	return ParseAuthConfig(f)
}

// NewAuth validates cfg and builds the checker.
func NewAuth(cfg *AuthConfig) (*Auth, error) {
	a := &Auth{byHash: map[string]TokenHash{}}
	if cfg == nil {
		return a, nil
	}
	a.guardReads = cfg.GuardReads
	for i, t := range cfg.Tokens {
		switch t.Role {
		case RoleReader, RoleDispatcher, RoleGIS, RoleAdmin, RoleDevice:
		default:
			return nil, fmt.Errorf("auth config: tokens[%d] (%s): role %q: want reader, dispatcher, gis, device or admin", i, t.Name, t.Role)
		}
		h := strings.ToLower(t.SHA256)
		if b, err := hex.DecodeString(h); err != nil || len(b) != sha256.Size {
			return nil, fmt.Errorf("auth config: tokens[%d] (%s): sha256: want 64 hex digits", i, t.Name)
		}
		if err := checkArea(t.Area); err != nil {
			return nil, fmt.Errorf("auth config: tokens[%d] (%s): area: %w", i, t.Name, err)
		}
		if _, dup := a.byHash[h]; dup {
			return nil, fmt.Errorf("auth config: tokens[%d] (%s): sha256: same token listed twice", i, t.Name)
		}
		t.SHA256 = h
		a.byHash[h] = t
	}
	return a, nil
}

// HashToken returns the hex SHA-256 of a clear token, as stored in the config.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// NewToken returns a fresh random token (base-16, 64 characters) and its hash.
func NewToken() (token, hash string, err error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", "", err
	}
	token = hex.EncodeToString(b[:])
	return token, HashToken(token), nil
}

// identify returns who the request's bearer token names: a static token of the file, or the
// subject of a JWT the OIDC verifier accepts. present is false when no token was sent; err
// says why a token that was sent is refused (unknown, malformed, expired, wrong issuer …).
func (a *Auth) identify(r *http.Request) (t TokenHash, present bool, err *Error) {
	h := r.Header.Get("Authorization")
	if h == "" {
		// AMap clients send their key as ?key= and cannot add a header: on the AMap door a
		// citygeo token there identifies them; any other key (their AMap one) is anonymous.
		if !strings.HasPrefix(r.URL.Path, "/v3/") { // not the AMap door: parse no query
			return TokenHash{}, false, nil
		}
		if k := r.URL.Query().Get("key"); k != "" {
			if t, ok := a.byHash[HashToken(k)]; ok {
				return t, true, nil
			}
		}
		return TokenHash{}, false, nil
	}
	scheme, tok, found := strings.Cut(h, " ")
	tok = strings.TrimSpace(tok)
	if !found || !strings.EqualFold(scheme, "Bearer") || tok == "" {
		return TokenHash{}, true, unauthorized("unknown or malformed bearer token")
	}
	if t, ok := a.byHash[HashToken(tok)]; ok {
		return t, true, nil
	}
	if a.oidc != nil && strings.Count(tok, ".") == 2 {
		t, err := a.oidc.verify(r.Context(), tok)
		return t, true, err
	}
	return TokenHash{}, true, unauthorized("unknown or malformed bearer token")
}

func unauthorized(msg string) *Error {
	return &Error{Status: http.StatusUnauthorized, Code: CodeUnauthorized, Field: "Authorization", Message: msg}
}

// Identify returns the middleware that reads a request's token for acc and notes the refusal,
// if any, for Enforce: the rate limit between them counts refused requests too (a flood of bad
// tokens is throttled like any other, rather than each costing a signature check and an audit
// line).
func (a *Auth) Identify(acc Access) gin.HandlerFunc {
	return func(c *gin.Context) {
		t, err := a.check(c.Request, acc)
		if t.Role != "" || t.Name != "" {
			// Who, for the access log, rate limits and the audit, and whose area the area
			// guard limits: a token listed without a name is limited all the same.
			c.Set(ctxToken, t)
		}
		if err != nil {
			c.Set(ctxAuthRefusal, err)
		}
		c.Next()
	}
}

// Enforce returns the middleware that refuses a request Identify found not allowed.
func (a *Auth) Enforce() gin.HandlerFunc {
	return func(c *gin.Context) {
		if v, ok := c.Get(ctxAuthRefusal); ok {
			c.Header("WWW-Authenticate", `Bearer realm="citygeo"`)
			Fail(c, "Authorization", v.(*Error))
			return
		}
		c.Next()
	}
}

// ctxAuthRefusal holds the *Error Identify refused a request with.
const ctxAuthRefusal = "citygeo.auth_refusal"

// check returns the request's token, when it names a known one, and the refusal, when acc
// does not allow the request.
func (a *Auth) check(r *http.Request, acc Access) (TokenHash, *Error) {
	if acc.Public {
		return TokenHash{}, nil
	}
	t, present, err := a.identify(r)
	if err != nil {
		return t, err
	}
	if acc.Role == "" {
		if a.guardReads && !present {
			return t, &Error{Status: http.StatusUnauthorized, Code: CodeUnauthorized, Field: "Authorization", Message: "this server requires a bearer token for reads"}
		}
		return t, nil
	}
	if !present {
		return t, &Error{Status: http.StatusUnauthorized, Code: CodeUnauthorized, Field: "Authorization", Message: fmt.Sprintf("a bearer token with role %s is required", acc.Role)}
	}
	if t.Role != acc.Role && t.Role != RoleAdmin {
		return t, &Error{Status: http.StatusForbidden, Code: CodeForbidden, Field: "Authorization", Message: fmt.Sprintf("token %q has role %s; this route needs %s", t.Name, t.Role, acc.Role)}
	}
	return t, nil
}
