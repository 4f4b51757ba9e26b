package config_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"citygeo/cmd/citygeo/internal/config"
)

func TestDefaultIsValid(t *testing.T) {
	c := config.Default()
	if err := c.Validate(); err != nil {
		t.Fatalf("default config invalid: %v", err)
	}
	if c.Store != "" || c.Auth != "" {
		t.Errorf("default names a store %q or token file %q; a bare serve must open the sample city openly", c.Store, c.Auth)
	}
}

func TestParse(t *testing.T) {
	tests := map[string]struct {
		yaml    string
		check   func(*config.Config) string // "" when c is as wanted
		wantErr []string                    // substrings every one of which the error must contain
	}{
		"empty file keeps defaults": {
			yaml:  "",
			check: func(c *config.Config) string { return cmp.Diff(config.Default(), c) },
		},
		"nested keys and types": {
			yaml: "addr: 0.0.0.0:9090\nstore: /srv/city.db\ntile_cache_mb: 512\nsnap: 12.5\n" +
				"log:\n  format: json\n  access: false\nhttp:\n  read_timeout: 2m\n  trusted_proxies: [10.0.0.0/8, 192.168.1.1]\n" +
				"cors:\n  origins:\n    - https://wall.example.gov.cn\nlimits:\n  token_rps: 50\n  address_burst: 20\n",
			check: func(c *config.Config) string {
				want := config.Default()
				want.Addr, want.Store, want.TileCacheMB, want.Snap = "0.0.0.0:9090", "/srv/city.db", 512, 12.5
				want.Log.Format, want.Log.Access = "json", false
				want.HTTP.ReadTimeout = 2 * time.Minute
				want.HTTP.TrustedProxies = []string{"10.0.0.0/8", "192.168.1.1"}
				want.CORS.Origins = []string{"https://wall.example.gov.cn"}
				want.Limits.TokenRPS, want.Limits.AddressBurst = 50, 20
				return cmp.Diff(want, c)
			},
		},
		"unknown key names it and the key meant": {
			yaml:    "http:\n  read_timout: 5s\n",
			wantErr: []string{"http.read_timout: unknown key", "did you mean http.read_timeout?"},
		},
		"bad duration names the key": {
			yaml:    "http:\n  drain_timeout: soon\n",
			wantErr: []string{`http.drain_timeout: "soon" is not a duration`},
		},
		"bad number names the key": {
			yaml:    "tile_cache_mb: lots\n",
			wantErr: []string{`tile_cache_mb: "lots" is not a whole number`},
		},
		"every problem at once": {
			yaml:    "snap: x\nlog:\n  level: loud\n  formatt: json\n",
			wantErr: []string{"snap:", "log.formatt: unknown key"},
		},
		"a list at the top is refused": {
			yaml:    "- addr\n",
			wantErr: []string{"want a mapping"},
		},
		"broken YAML": {
			yaml:    "addr: [\n",
			wantErr: []string{"parse config"},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			c, err := config.Parse(strings.NewReader(tc.yaml))
			if tc.wantErr != nil {
				if err == nil {
					t.Fatalf("no error; want one containing %q", tc.wantErr)
				}
				for _, w := range tc.wantErr {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q does not contain %q", err, w)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if d := tc.check(c); d != "" {
				t.Errorf("config (-want +got):\n%s", d)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	tests := map[string]struct {
		set     map[string]string
		wantKey []string // the keys the errors must name; none: valid
	}{
		"defaults":              {},
		"any interface":         {set: map[string]string{"addr": ":8080"}},
		"addr without port":     {set: map[string]string{"addr": "localhost"}, wantKey: []string{"addr"}},
		"port out of range":     {set: map[string]string{"addr": "127.0.0.1:70000"}, wantKey: []string{"addr"}},
		"no tile cache":         {set: map[string]string{"tile_cache_mb": "0"}},
		"negative tile cache":   {set: map[string]string{"tile_cache_mb": "-1"}, wantKey: []string{"tile_cache_mb"}},
		"prewarm":               {set: map[string]string{"tile_prewarm_zoom": "14"}},
		"prewarm too deep":      {set: map[string]string{"tile_prewarm_zoom": "19"}, wantKey: []string{"tile_prewarm_zoom"}},
		"log format":            {set: map[string]string{"log.format": "xml"}, wantKey: []string{"log.format"}},
		"negative timeout":      {set: map[string]string{"http.read_timeout": "-1s"}, wantKey: []string{"http.read_timeout"}},
		"no read timeout is ok": {set: map[string]string{"http.read_timeout": "0s"}},
		"zero drain":            {set: map[string]string{"http.drain_timeout": "0s"}, wantKey: []string{"http.drain_timeout"}},
		"delay past drain": {set: map[string]string{"http.shutdown_delay": "40s", "http.drain_timeout": "30s"},
			wantKey: []string{"http.shutdown_delay"}},
		"origin with path": {set: map[string]string{"cors.origins": "https://a.example/x,https://b.example"},
			wantKey: []string{"cors.origins[0]"}},
		"origin without scheme": {set: map[string]string{"cors.origins": "a.example"}, wantKey: []string{"cors.origins[0]"}},
		"star among others":     {set: map[string]string{"cors.origins": "*,https://a.example"}, wantKey: []string{"cors.origins"}},
		"origins ok":            {set: map[string]string{"cors.origins": "https://a.example:8443, http://10.1.2.3"}},
		"public url":            {set: map[string]string{"public_url": "https://gis.example.gov.cn/citygeo/"}},
		"relative public url":   {set: map[string]string{"public_url": "/citygeo"}, wantKey: []string{"public_url"}},
		"bad proxy":             {set: map[string]string{"http.trusted_proxies": "10.0.0.0/8,proxy.local"}, wantKey: []string{"http.trusted_proxies[1]"}},
		"negative rate":         {set: map[string]string{"limits.token_rps": "-1", "limits.address_burst": "-2"}, wantKey: []string{"limits.token_rps", "limits.address_burst"}},
		"oidc without issuer":   {set: map[string]string{"oidc.jwks": "jwks.json"}, wantKey: []string{"oidc.issuer", "oidc.audience"}},
		"oidc ok": {set: map[string]string{"oidc.jwks": "https://sso.example.gov.cn/jwks", "oidc.issuer": "https://sso.example.gov.cn",
			"oidc.audience": "citygeo", "oidc.roles": "城管派遣员=dispatcher", "oidc.area_claim": "district"}},
		"oidc keys over plain http": {set: map[string]string{"oidc.jwks": "http://sso.example.gov.cn/jwks", "oidc.issuer": "https://sso.example.gov.cn",
			"oidc.audience": "citygeo"}, wantKey: []string{"oidc.jwks"}},
		"oidc keys over http on loopback": {set: map[string]string{"oidc.jwks": "http://127.0.0.1:8081/jwks", "oidc.issuer": "https://sso.example.gov.cn",
			"oidc.audience": "citygeo"}},
		"oidc skew too wide": {set: map[string]string{"oidc.clock_skew": "10m"}, wantKey: []string{"oidc.clock_skew"}},
		"oidc role unknown":  {set: map[string]string{"oidc.roles": "a=dispatcher,b=root"}, wantKey: []string{"oidc.roles[1]"}},
		"cities":             {set: map[string]string{"store": "postgres://h/db", "cities": "330106,330110"}},
		"all cities":         {set: map[string]string{"store": "postgres://h/db", "cities": "all"}},
		"cities of a file":   {set: map[string]string{"store": "city.db", "cities": "330106"}, wantKey: []string{"cities"}},
		"bad city":           {set: map[string]string{"store": "postgres://h/db", "cities": "33010,all"}, wantKey: []string{"cities", "cities"}},
		"one city's events":  {set: map[string]string{"store": "postgres://h/db", "cities": "330106,330110", "events": "e.db"}, wantKey: []string{"events"}},
		"one city, its duty": {set: map[string]string{"store": "postgres://h/db", "cities": "330106", "duty": "people.csv"}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			c := config.Default()
			for k, v := range tc.set {
				if err := c.Set(k, v); err != nil {
					t.Fatal(err)
				}
			}
			err := c.Validate()
			if len(tc.wantKey) == 0 {
				if err != nil {
					t.Fatalf("want valid, got %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("want errors naming %v, got none", tc.wantKey)
			}
			for _, k := range tc.wantKey {
				if !hasKey(err, k) {
					t.Errorf("error %q names no key %s", err, k)
				}
			}
		})
	}
}

// hasKey reports whether err (joined or not) holds a *config.Error for key.
func hasKey(err error, key string) bool {
	var ce *config.Error
	if errors.As(err, &ce) && ce.Key == key {
		return true
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range j.Unwrap() {
			if hasKey(e, key) {
				return true
			}
		}
	}
	return false
}

// TestPrecedence: a key in the file is overridden by its environment variable, which a flag
// (applied last, with Set) overrides again.
func TestPrecedence(t *testing.T) {
	c, err := config.Parse(strings.NewReader("addr: 127.0.0.1:1000\ntile_cache_mb: 10\nlog:\n  level: warn\n"))
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"CITYGEO_ADDR": "127.0.0.1:2000", "CITYGEO_LOG_LEVEL": "debug", "CITYGEO_MAIN": "1"}
	if err := c.ApplyEnv(func(k string) (string, bool) { v, ok := env[k]; return v, ok }); err != nil {
		t.Fatal(err)
	}
	if err := c.Set("addr", "127.0.0.1:3000"); err != nil { // a flag
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:3000" || c.Log.Level != "debug" || c.TileCacheMB != 10 {
		t.Errorf("addr %s (want the flag's), log.level %s (want env's debug), tile_cache_mb %d (want the file's 10)", c.Addr, c.Log.Level, c.TileCacheMB)
	}
	err = c.ApplyEnv(func(k string) (string, bool) {
		if k == "CITYGEO_HTTP_IDLE_TIMEOUT" {
			return "forever", true
		}
		return "", false
	})
	if err == nil || !strings.Contains(err.Error(), "CITYGEO_HTTP_IDLE_TIMEOUT: http.idle_timeout:") {
		t.Errorf("bad env value: error %v, want one naming the variable and the key", err)
	}
}

func TestKeys(t *testing.T) {
	seen := map[string]bool{}
	for _, k := range config.Keys() {
		for i, s := range []string{k.Name, k.Env, k.Flag} {
			kind := []string{"key ", "variable ", "flag "}[i]
			if seen[kind+s] {
				t.Errorf("%s%s given twice", kind, s)
			}
			seen[kind+s] = true
		}
		if k.Help == "" {
			t.Errorf("key %s has no help", k.Name)
		}
	}
	for _, want := range []string{"key http.read_timeout", "variable CITYGEO_HTTP_READ_TIMEOUT", "flag http-read-timeout", "flag tile-cache-mb", "variable CITYGEO_STORE"} {
		if !seen[want] {
			t.Errorf("no key, variable or flag %s", want)
		}
	}
}

func TestValuesMaskSecrets(t *testing.T) {
	c := config.Default()
	c.Store = "postgres://citygeo:s3cret@db.internal:5432/city?sslmode=disable"
	var shown string
	for _, v := range c.Values() {
		if v.Key == "store" {
			shown = v.Value
		}
	}
	if strings.Contains(shown, "s3cret") || !strings.Contains(shown, "citygeo:xxxxx@db.internal") {
		t.Errorf("store shown as %q; want the password masked and the rest kept", shown)
	}
	c.Store = "postgres://db.internal/city?user=citygeo&password=s3cret"
	for _, v := range c.Values() {
		if v.Key == "store" && strings.Contains(v.Value, "s3cret") {
			t.Errorf("store shown as %q; want the password parameter masked", v.Value)
		}
	}
}

// TestExampleRoundTrip: the example file WriteYAML writes parses back to the same config.
func TestExampleRoundTrip(t *testing.T) {
	c := config.Default()
	c.CORS.Origins = []string{"https://a.example", "https://b.example"}
	c.HTTP.TrustedProxies = []string{"10.0.0.0/8"}
	c.Duty = []string{"people.csv", "zones.csv"}
	c.Cities = []string{"330106", "330110"}
	c.OIDC.Roles = []string{"城管派遣员=dispatcher", "gis-staff=gis"}
	var buf bytes.Buffer
	if err := c.WriteYAML(&buf); err != nil {
		t.Fatal(err)
	}
	back, err := config.Parse(&buf)
	if err != nil {
		t.Fatalf("%v\n%s", err, buf.String())
	}
	if d := cmp.Diff(c, back); d != "" {
		t.Errorf("round trip (-want +got):\n%s", d)
	}
}

func TestCheckFiles(t *testing.T) {
	dir := t.TempDir()
	auth := filepath.Join(dir, "tokens.json")
	if err := os.WriteFile(auth, []byte(`{"tokens":[]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	c := config.Default()
	c.Auth = auth
	c.Store = filepath.Join(dir, "ctiy.db") // a typo
	c.Rules = dir
	err := c.CheckFiles()
	if !hasKey(err, "store") || !hasKey(err, "rules") || hasKey(err, "auth") {
		t.Errorf("CheckFiles = %v; want store (missing) and rules (a directory), not auth", err)
	}
	c.Store, c.Rules = "postgres://db/city", ""
	if err := c.CheckFiles(); err != nil {
		t.Errorf("a database URL is not a file: %v", err)
	}
}
