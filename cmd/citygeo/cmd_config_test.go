package main

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func TestConfigCheck(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tokens := write("tokens.json", `{"tokens":[]}`)
	badTokens := write("bad-tokens.json", `{"tokens":[{"name":"x","role":"boss","sha256":"00"}]}`)
	tests := map[string]struct {
		yaml    string
		want    []string // in the output (ok) or the error
		wantErr bool
	}{
		"ok": {
			yaml: "addr: :9000\nauth: " + tokens + "\nstore: postgres://u:pw@db/city\nhttp:\n  drain_timeout: 5s\n",
			want: []string{"addr = :9000", "http.drain_timeout = 5s", "store = postgres://u:xxxxx@db/city", ": ok"},
		},
		"typo in a key": {
			yaml: "http:\n  idle_timout: 5s\n", wantErr: true,
			want: []string{"http.idle_timout: unknown key (did you mean http.idle_timeout?)"},
		},
		"bad values, all named": {
			yaml: "addr: localhost\nlog:\n  format: xml\n", wantErr: true,
			want: []string{"addr: ", "log.format: "},
		},
		"missing store file": {
			yaml: "store: " + filepath.Join(dir, "ctiy.db") + "\n", wantErr: true,
			want: []string{"store: ", "does not exist"},
		},
		"bad token file": {
			yaml: "auth: " + badTokens + "\n", wantErr: true,
			want: []string{"auth: ", `role "boss"`},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			f := write(strings.ReplaceAll(name, " ", "-")+".yaml", tc.yaml)
			out, err := run(t, "config", "check", f)
			if (err != nil) != tc.wantErr {
				t.Fatalf("error %v, want error %v\n%s", err, tc.wantErr, out)
			}
			text := out
			if err != nil {
				text = err.Error()
			}
			for _, w := range tc.want {
				if !strings.Contains(text, w) {
					t.Errorf("%q not in\n%s", w, text)
				}
			}
			if strings.Contains(text, ":pw@") {
				t.Errorf("a secret is shown:\n%s", text)
			}
		})
	}
}

// TestServeConfigErrors: a bad setting from any source stops serve before it listens, with
// exit code 2 and the key named.
func TestServeConfigErrors(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "citygeo.yaml")
	if err := os.WriteFile(cfg, []byte("tile_cache_mb: -1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := map[string]struct {
		args []string
		env  map[string]string
		want string
	}{
		"flag":           {args: []string{"--http-read-timeout", "soon"}, want: "http.read_timeout"},
		"file":           {args: []string{"--config", cfg}, want: "tile_cache_mb: -1"},
		"env":            {env: map[string]string{"CITYGEO_LOG_LEVEL": "loud"}, want: "log.level"},
		"missing file":   {args: []string{"--config", filepath.Join(dir, "nope.yaml")}, want: "nope.yaml"},
		"flag wins file": {args: []string{"--config", cfg, "--tile-cache-mb", "1", "--addr", "nohost"}, want: "addr:"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			_, err := run(t, append([]string{"serve"}, tc.args...)...)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one naming %q", err, tc.want)
			}
			if name != "flag" && exitCode(err) != 2 { // a flag that does not parse is cobra's error
				t.Errorf("exit code %d, want 2", exitCode(err))
			}
			if name == "flag wins file" && strings.Contains(err.Error(), "tile_cache_mb") {
				t.Errorf("the flag did not override the file: %v", err)
			}
		})
	}
}

func TestVersion(t *testing.T) {
	out, err := run(t, "version")
	if err != nil || !strings.HasPrefix(out, "citygeo ") || !strings.Contains(out, runtime.Version()) {
		t.Fatalf("version: %v %q", err, out)
	}
	out, err = run(t, "version", "--json")
	if err != nil || !strings.Contains(out, `"go":"`+runtime.Version()+`"`) {
		t.Fatalf("version --json: %v %q", err, out)
	}
}
