// Package config is the configuration of `citygeo serve`: one YAML file, CITYGEO_… environment
// variables and command-line flags, in that order of precedence (flags win), validated with
// errors that name the key. It is wiring of the binary, not a domain concept: nothing outside
// cmd/citygeo reads it.
//
// Every key is a field of Config with a yaml tag; its environment variable and flag are derived
// from the key (http.read_timeout → CITYGEO_HTTP_READ_TIMEOUT, --http-read-timeout), so a key is
// spelled once.
package config

import (
	"time"

	fieldforce "citygeo/field"
)

// Config is the configuration of a serving process. Default returns the values a bare
// `citygeo serve` uses: the built-in sample city, served openly on 127.0.0.1:8080.
type Config struct {
	Addr  string `yaml:"addr" help:"listen address HOST:PORT"`
	Store string `yaml:"store" secret:"url" help:"dataset store (an SQLite file, or postgres://… for PostgreSQL/PostGIS); empty serves the built-in sample city; it must exist (citygeo import or gen creates one)"`
	// Cities are the cities of a postgres:// store holding several that this process serves,
	// by key, or "all"; empty: the store's own, one city, as before there were several.
	Cities      []string `yaml:"cities" help:"cities of a postgres:// store holding several to serve, by district code (330106,330110), or all (those registered at start); requests pick one by city_code=, or by the point they name; empty: the store's own single city"`
	Events      string   `yaml:"events" secret:"url" help:"SQLite file (or postgres://… URL) keeping the events feed; default: <store>.events.db beside an SQLite store, apart so that imports never block event writes, or the store's database itself for PostgreSQL (memory only on the sample city)"`
	Auth        string   `yaml:"auth" help:"token file (JSON: guard_reads, tokens[{name, role, sha256}]); see citygeo token; empty: reads open, writes refused"`
	Rules       string   `yaml:"rules" help:"duty rules 权责清单 (.csv or .json); default: the sample rules on the sample city, none with a store"`
	Duty        []string `yaml:"duty" help:"duty lists (people, zones, segments, shifts, assignments, delegations) as .csv files named after their list, a .json or an .xlsx; default: the lists saved beside an SQLite store by the last POST /v1/duty/import (<store>.duty.json), or the sample's on the sample city"`
	Duplicates  string   `yaml:"duplicates" help:"duplicate radius and window per class (JSON); default 50 m / 24 h"`
	Calendar    string   `yaml:"calendar" help:"working calendar for deadlines in working hours (JSON: periods, weekend, holidays, workdays 调休); default Monday–Friday 08:30–12:00 and 14:00–18:00 GMT+8, no holidays"`
	WebDir      string   `yaml:"web_dir" help:"serve the map page's MapLibre files from this built folder (web/dist) instead of those embedded at build time"`
	TileCacheMB int64    `yaml:"tile_cache_mb" help:"vector tile cache budget in MiB (0: no cache, every tile built on request)"`
	// TilePrewarmZoom is how deep the city set's pyramid is built into the cache after each
	// version swap, in the background; 0 turns it off.
	TilePrewarmZoom int     `yaml:"tile_prewarm_zoom" help:"after each version swap, build the city tiles down to this zoom into the cache in the background (stops at 3/4 of the cache budget or at the next swap); 0: off"`
	Snap            float64 `yaml:"snap" help:"metres a point may fall outside every grid and still be snapped to the nearest (0 = default 10 m)"`
	MaxUpload       int64   `yaml:"max_upload" help:"largest POST /v1/datasets upload in bytes (larger → 413)"`
	// The field force (handsets and vehicles): top-level keys, so their flags read --jt808,
	// --devices, --tracks.
	Devices       string        `yaml:"devices" help:"device registry (.json or .csv: id, kind person|vehicle, subject, name, role, team); given, only its devices may report"`
	Tracks        string        `yaml:"tracks" help:"where the tracks are kept: an SQLite file or a postgres:// URL; default: <store>.tracks.db beside an SQLite store file, the store's own database for a postgres:// store (memory only on the sample city)"`
	RetentionDays int           `yaml:"retention_days" help:"days of tracks kept (positions are personal data)"`
	JT808         string        `yaml:"jt808" help:"listen for JT/T 808 vehicle terminals (2013/2019) on HOST:PORT; empty: none"`
	JT808Key      string        `yaml:"jt808_key" help:"file with the key of the terminals' authentication codes (created if absent); default: <tracks>.jt808.key"`
	Fences        string        `yaml:"fences" help:"geofences (GeoJSON: id, name, kind forbidden|assigned, roles, devices, hours HH:MM-HH:MM); alerts at /v1/alerts and /v1/alerts/stream"`
	StillFor      time.Duration `yaml:"still_for" help:"a device within 30 m this long raises a stationary alert (negative: never)"`

	Basemap      string `yaml:"basemap" help:"offline base map (.mbtiles or .pmtiles; raster png/jpg/webp or vector pbf) served at /basemap and /wmts/1.0.0/WMTSCapabilities.xml and drawn under the wall and desk styles; empty: none"`
	CaseOutcomes bool   `yaml:"case_outcomes" help:"closing an event with an outcome (部件丢失, 部件损坏, 已修复 …) sets the status of the component it is bound to, recorded in its history with the case id; false: outcomes change no component"`

	PublicURL string `yaml:"public_url" help:"URL clients reach the server at (https://gis.example.gov.cn/citygeo), for the absolute URLs in TileJSON and styles; empty: taken from each request's Host header"`

	Log    Log    `yaml:"log"`
	HTTP   HTTP   `yaml:"http"`
	CORS   CORS   `yaml:"cors"`
	Limits Limits `yaml:"limits"`
	Audit  Audit  `yaml:"audit"`
	OIDC   OIDC   `yaml:"oidc"`
}

// Log configures the process log.
type Log struct {
	Format string `yaml:"format" help:"log format: json (one object a line), text, or auto (text on a terminal, json otherwise)"`
	Level  string `yaml:"level" help:"lowest level logged: debug, info, warn or error"`
	Access bool   `yaml:"access" help:"log one line per request (method, route, status, duration, request id, token name)"`
}

// HTTP configures the listener's timeouts and shutdown. A timeout of 0 means none.
type HTTP struct {
	ReadHeaderTimeout time.Duration `yaml:"read_header_timeout" help:"time a client has to send the request headers"`
	ReadTimeout       time.Duration `yaml:"read_timeout" help:"time a client has to send a whole request, body included (uploads get upload_timeout)"`
	WriteTimeout      time.Duration `yaml:"write_timeout" help:"time to write a response, from the end of reading its request headers (uploads get upload_timeout)"`
	IdleTimeout       time.Duration `yaml:"idle_timeout" help:"how long a kept-alive connection may wait for its next request"`
	UploadTimeout     time.Duration `yaml:"upload_timeout" help:"time a dataset upload has to be sent, validated, imported and answered"`
	DrainTimeout      time.Duration `yaml:"drain_timeout" help:"on SIGTERM, how long requests already sent have to be answered before the process exits anyway"`
	ShutdownDelay     time.Duration `yaml:"shutdown_delay" help:"on SIGTERM, how long to keep accepting new connections after /readyz turns 503, so that load balancers notice first"`
	TrustedProxies    []string      `yaml:"trusted_proxies" help:"addresses or CIDRs of reverse proxies whose X-Forwarded-For is believed (per-address limits, logs); empty: the peer address"`
}

// CORS configures cross-origin access from browsers.
type CORS struct {
	Origins []string      `yaml:"origins" help:"origins (scheme://host[:port]) whose pages may call the API, or * for any; empty: no cross-origin access"`
	MaxAge  time.Duration `yaml:"max_age" help:"how long a browser may cache a preflight answer"`
}

// Limits configures request rate limits. A rate of 0 turns that limit off.
type Limits struct {
	TokenRPS     float64 `yaml:"token_rps" help:"requests per second allowed per bearer token (0 = no limit)"`
	TokenBurst   int     `yaml:"token_burst" help:"requests a token may send at once above its rate (0 = the rate rounded up)"`
	AddressRPS   float64 `yaml:"address_rps" help:"requests per second allowed per client address for requests without a known token (0 = no limit)"`
	AddressBurst int     `yaml:"address_burst" help:"requests an address may send at once above its rate (0 = the rate rounded up)"`
}

// Audit configures the audit trail of writes.
type Audit struct {
	File string `yaml:"file" help:"append-only JSON-lines audit log of every write attempt (who, role, what, version, result), synced to disk; empty: <store>.audit.jsonl beside a store file, none on the sample city or a database URL"`
}

// OIDC configures single sign-on: JWTs of the city's identity provider accepted beside the
// static tokens of the token file.
type OIDC struct {
	JWKS      string        `yaml:"jwks" help:"the identity provider's keys: a JWKS file or an https:// URL; empty: no single sign-on"`
	Issuer    string        `yaml:"issuer" help:"the iss claim every token must carry"`
	Audience  string        `yaml:"audience" help:"a value the aud claim of every token must hold (this service's client id)"`
	ClockSkew time.Duration `yaml:"clock_skew" help:"leeway between the provider's clock and ours for exp, nbf and iat (at most 5m)"`
	Refresh   time.Duration `yaml:"refresh" help:"how often the JWKS is read again (also at once when a token names an unknown key)"`
	RoleClaim string        `yaml:"role_claim" help:"claim holding the role or roles (a string or a list)"`
	Roles     []string      `yaml:"roles" help:"the provider's role values mapped to citygeo roles, as VALUE=ROLE (城管派遣员=dispatcher); empty: the values are citygeo role names"`
	AreaClaim string        `yaml:"area_claim" help:"claim holding the area code (district 440303, city 440300) a token is limited to; empty: no area limit from tokens"`
	NameClaim string        `yaml:"name_claim" help:"claim naming the user in logs, rate limits and the audit"`
}

// Default returns the configuration of a bare `citygeo serve`.
func Default() *Config {
	return &Config{
		Addr:          "127.0.0.1:8080",
		TileCacheMB:   256,
		MaxUpload:     1 << 30,
		RetentionDays: fieldforce.DefaultRetentionDays,
		StillFor:      fieldforce.DefaultStillFor,
		CaseOutcomes:  true,
		Log:           Log{Format: "auto", Level: "info", Access: true},
		HTTP: HTTP{
			ReadHeaderTimeout: 10 * time.Second,
			ReadTimeout:       60 * time.Second,
			WriteTimeout:      60 * time.Second,
			IdleTimeout:       120 * time.Second,
			UploadTimeout:     30 * time.Minute,
			DrainTimeout:      30 * time.Second,
		},
		CORS: CORS{MaxAge: 10 * time.Minute},
		OIDC: OIDC{ClockSkew: time.Minute, Refresh: 15 * time.Minute, RoleClaim: "roles", NameClaim: "sub"},
	}
}
