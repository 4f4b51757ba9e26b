package config

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"citygeo/data"
)

// Validate checks every key and returns all problems at once, each an *Error naming its key
// (joined with errors.Join), or nil. It reads no file: CheckFiles does.
func (c *Config) Validate() error {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, &Error{Key: key, Message: fmt.Sprintf(format, args...)})
	}
	if host, port, err := net.SplitHostPort(c.Addr); err != nil {
		bad("addr", "%q is not HOST:PORT (like 127.0.0.1:8080 or :8080)", c.Addr)
	} else if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		bad("addr", "port %q is not a number in 0–65535", port)
	} else if host != "" && net.ParseIP(host) == nil && strings.ContainsAny(host, " /") {
		bad("addr", "host %q is not an address or a host name", host)
	}
	c.validateCities(bad)
	if c.TileCacheMB < 0 {
		bad("tile_cache_mb", "%d: want 0 (no cache) or more MiB", c.TileCacheMB)
	}
	if c.TilePrewarmZoom < 0 || c.TilePrewarmZoom > 18 {
		bad("tile_prewarm_zoom", "%d: want 0 (off) or a zoom up to 18", c.TilePrewarmZoom)
	}
	if c.Snap < 0 {
		bad("snap", "%g: want 0 or more metres", c.Snap)
	}
	if c.RetentionDays < 1 {
		bad("retention_days", "%d: want at least 1 day", c.RetentionDays)
	}
	if c.MaxUpload <= 0 {
		bad("max_upload", "%d: want at least 1 byte", c.MaxUpload)
	}
	if c.PublicURL != "" {
		if u, err := url.Parse(c.PublicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			bad("public_url", "%q: want an absolute http:// or https:// URL with no query", c.PublicURL)
		}
	}
	if !slices.Contains([]string{"auto", "json", "text"}, c.Log.Format) {
		bad("log.format", "%q: want auto, json or text", c.Log.Format)
	}
	if !slices.Contains([]string{"debug", "info", "warn", "error"}, c.Log.Level) {
		bad("log.level", "%q: want debug, info, warn or error", c.Log.Level)
	}
	for _, d := range []struct {
		key  string
		v    time.Duration
		zero bool // 0 allowed (no timeout)
	}{
		{"http.read_header_timeout", c.HTTP.ReadHeaderTimeout, false},
		{"http.read_timeout", c.HTTP.ReadTimeout, true},
		{"http.write_timeout", c.HTTP.WriteTimeout, true},
		{"http.idle_timeout", c.HTTP.IdleTimeout, true},
		{"http.upload_timeout", c.HTTP.UploadTimeout, true},
		{"http.drain_timeout", c.HTTP.DrainTimeout, false},
		{"http.shutdown_delay", c.HTTP.ShutdownDelay, true},
		{"cors.max_age", c.CORS.MaxAge, true},
	} {
		switch {
		case d.v < 0:
			bad(d.key, "%v: a duration cannot be negative", d.v)
		case d.v == 0 && !d.zero:
			bad(d.key, "0: want a duration above zero (like 30s)")
		}
	}
	if c.HTTP.ShutdownDelay >= c.HTTP.DrainTimeout && c.HTTP.DrainTimeout > 0 {
		bad("http.shutdown_delay", "%v: must be shorter than http.drain_timeout (%v), which bounds the whole shutdown", c.HTTP.ShutdownDelay, c.HTTP.DrainTimeout)
	}
	for i, p := range c.HTTP.TrustedProxies {
		if _, err := netip.ParsePrefix(p); err != nil {
			if _, err := netip.ParseAddr(p); err != nil {
				bad(fmt.Sprintf("http.trusted_proxies[%d]", i), "%q is not an IP address or CIDR", p)
			}
		}
	}
	for i, o := range c.CORS.Origins {
		if err := checkOrigin(o); err != nil {
			bad(fmt.Sprintf("cors.origins[%d]", i), "%q: %v", o, err)
		}
	}
	if len(c.CORS.Origins) > 1 && slices.Contains(c.CORS.Origins, "*") {
		bad("cors.origins", "* allows every origin; list it alone")
	}
	for _, l := range []struct {
		key   string
		rate  float64
		burst int
	}{{"limits.token", c.Limits.TokenRPS, c.Limits.TokenBurst}, {"limits.address", c.Limits.AddressRPS, c.Limits.AddressBurst}} {
		if l.rate < 0 {
			bad(l.key+"_rps", "%g: want 0 (no limit) or more requests per second", l.rate)
		}
		if l.burst < 0 {
			bad(l.key+"_burst", "%d: want 0 (the rate rounded up) or more", l.burst)
		}
	}
	if o := c.OIDC; o.JWKS != "" {
		if o.Issuer == "" {
			bad("oidc.issuer", "required with oidc.jwks")
		}
		if o.Audience == "" {
			bad("oidc.audience", "required with oidc.jwks")
		}
		switch {
		case strings.HasPrefix(o.JWKS, "http://") && !loopbackURL(o.JWKS):
			// Keys read over plain HTTP can be swapped on the way, and with them every token.
			bad("oidc.jwks", "%q: want an https:// URL (plain http only to this machine) or a file", o.JWKS)
		case !strings.HasPrefix(o.JWKS, "https://") && !strings.HasPrefix(o.JWKS, "http://") && IsURL(o.JWKS):
			bad("oidc.jwks", "%q: want a file or an https:// URL", o.JWKS)
		}
	}
	if c.OIDC.ClockSkew < 0 || c.OIDC.ClockSkew > 5*time.Minute {
		bad("oidc.clock_skew", "%v: want 0 to 5m", c.OIDC.ClockSkew)
	}
	if c.OIDC.Refresh < time.Minute {
		bad("oidc.refresh", "%v: want at least 1m", c.OIDC.Refresh)
	}
	if _, err := c.OIDC.RoleMap(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// RoleMap parses oidc.roles (VALUE=ROLE pairs); nil when none are given.
func (o OIDC) RoleMap() (map[string]string, error) {
	if len(o.Roles) == 0 {
		return nil, nil
	}
	m := map[string]string{}
	for i, pair := range o.Roles {
		v, role, ok := strings.Cut(pair, "=")
		v, role = strings.TrimSpace(v), strings.TrimSpace(role)
		if !ok || v == "" || !slices.Contains([]string{"reader", "dispatcher", "gis", "device", "admin"}, role) {
			return nil, &Error{Key: fmt.Sprintf("oidc.roles[%d]", i), Message: fmt.Sprintf("%q: want VALUE=ROLE with ROLE reader, dispatcher, gis, device or admin", pair)}
		}
		m[v] = role
	}
	return m, nil
}

// checkOrigin accepts "*" or a browser origin: scheme://host[:port], nothing after.
func checkOrigin(o string) error {
	if o == "*" {
		return nil
	}
	u, err := url.Parse(o)
	switch {
	case err != nil:
		return err
	case u.Scheme != "http" && u.Scheme != "https":
		return errors.New("want http:// or https://")
	case u.Host == "":
		return errors.New("no host")
	case u.Path != "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil:
		return errors.New("an origin is scheme://host[:port] only, with no path")
	}
	return nil
}

// CheckFiles checks that the files the configuration names exist and can be read: the store
// (when it is a path, not a database URL), the token file, the duty rules and the duplicate
// settings. Validate does not, so that a configuration can be checked on another machine.
func (c *Config) CheckFiles() error {
	var errs []error
	for _, f := range []struct{ key, path string }{
		{"store", c.Store}, {"auth", c.Auth}, {"rules", c.Rules}, {"duplicates", c.Duplicates}, {"calendar", c.Calendar}, {"oidc.jwks", c.OIDC.JWKS},
	} {
		if f.path == "" || ((f.key == "store" || f.key == "oidc.jwks") && IsURL(f.path)) {
			continue
		}
		st, err := os.Stat(f.path)
		switch {
		case errors.Is(err, os.ErrNotExist):
			errs = append(errs, &Error{Key: f.key, Message: fmt.Sprintf("%s does not exist", f.path)})
		case err != nil:
			errs = append(errs, &Error{Key: f.key, Message: err.Error()})
		case st.IsDir():
			errs = append(errs, &Error{Key: f.key, Message: fmt.Sprintf("%s is a directory, want a file", f.path)})
		}
	}
	return errors.Join(errs...)
}

// IsURL reports whether a store value is a database URL (postgres://…) rather than a file path.
func IsURL(s string) bool {
	scheme, _, ok := strings.Cut(s, "://")
	return ok && scheme != "" && !strings.ContainsAny(scheme, `/\.`)
}

// validateCities checks the cities key: codes (or all) of a postgres:// store, and, when several
// are served, none of the keys naming one city's own files (each city keeps its events, tracks
// and lists in its schema).
func (c *Config) validateCities(bad func(key, format string, args ...any)) {
	if len(c.Cities) == 0 {
		return
	}
	if !IsURL(c.Store) {
		bad("cities", "needs a postgres:// store (an SQLite file holds one city)")
		return
	}
	for _, k := range c.Cities {
		if k == "all" && len(c.Cities) == 1 {
			continue
		}
		if err := data.ParseCityKey(k); err != nil {
			bad("cities", "%v, or all alone", err)
		}
	}
	if len(c.Cities) == 1 && c.Cities[0] != "all" {
		return
	}
	for _, k := range []struct{ key, v string }{{"events", c.Events}, {"tracks", c.Tracks}, {"jt808", c.JT808}, {"fences", c.Fences},
		{"devices", c.Devices}, {"rules", c.Rules}, {"duty", strings.Join(c.Duty, ",")}} {
		if k.v != "" {
			bad(k.key, "is one city's: not with several cities (each keeps its events, tracks and duty lists in its schema); serve that city alone")
		}
	}
}

// loopbackURL reports whether an http:// URL names this machine (localhost, 127.0.0.0/8, ::1).
func loopbackURL(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	if h := u.Hostname(); h == "localhost" {
		return true
	} else if ip := net.ParseIP(h); ip != nil {
		return ip.IsLoopback()
	}
	return false
}
