package config_test

import (
	"bytes"
	"strings"
	"testing"

	"citygeo/cmd/citygeo/internal/config"
)

// FuzzParse: a configuration file is refused or read into a configuration that validates or
// not without a panic, and that, written back as YAML, reads back to the same values.
func FuzzParse(f *testing.F) {
	f.Add("http:\n  addr: 127.0.0.1:8080\n  read_timeout: 10s\n")
	f.Add("store: postgres://u:p@h/db\ncities:\n  - key: \"440303\"\n")
	f.Add("http: [1, 2]\n")
	f.Fuzz(func(t *testing.T, in string) {
		c, err := config.Parse(strings.NewReader(in))
		if err != nil {
			return
		}
		_ = c.Validate()
		var out bytes.Buffer
		if err := c.WriteYAML(&out); err != nil {
			t.Fatalf("write back: %v", err)
		}
		again, err := config.Parse(&out)
		if err != nil {
			t.Fatalf("what was read does not read back: %v\n%s", err, out.String())
		}
		a, b := c.Values(), again.Values()
		for i := range a {
			if a[i].Value != b[i].Value {
				t.Fatalf("%s read back as %q, was %q", a[i].Key, b[i].Value, a[i].Value)
			}
		}
	})
}
