package config

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/goccy/go-yaml"
)

// Parse reads a YAML configuration over the defaults: keys the file does not name keep their
// default. Every problem names its key (http.read_timeout: "3x" is not a duration), and an
// unknown key is an error, so a typo is never silently ignored.
func Parse(r io.Reader) (*Config, error) {
	c := Default()
	if err := c.ApplyYAML(r); err != nil {
		return nil, err
	}
	return c, nil
}

// Load reads the YAML file at path over the defaults (see Parse).
func Load(path string) (*Config, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("load config: %w", err)
	}
	defer f.Close()
	c, err := Parse(f)
	if err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	return c, nil
}

// ApplyYAML sets the keys a YAML document names. The document is walked as a tree of mappings
// and each leaf goes through the same setter as environment variables and flags, so all three
// give the same errors for the same mistake.
func (c *Config) ApplyYAML(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return fmt.Errorf("read config: %w", err)
	}
	if strings.TrimSpace(string(raw)) == "" {
		return nil
	}
	var doc any
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		return fmt.Errorf("parse config: %w", err)
	}
	if doc == nil {
		return nil
	}
	top, ok := doc.(map[string]any)
	if !ok {
		return errors.New("parse config: want a mapping of keys at the top, like addr: 127.0.0.1:8080")
	}
	var errs []error
	c.applyTree(top, "", &errs)
	return errors.Join(errs...)
}

func (c *Config) applyTree(m map[string]any, prefix string, errs *[]error) {
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	sort.Strings(names) // errors in a stable order
	for _, k := range names {
		key := prefix + k
		if sub, ok := m[k].(map[string]any); ok {
			c.applyTree(sub, key+".", errs)
			continue
		}
		f, ok := lookup(key)
		if !ok {
			*errs = append(*errs, unknownKey(key))
			continue
		}
		if err := c.set(f, m[k]); err != nil {
			*errs = append(*errs, err)
		}
	}
}

// ApplyEnv sets every key whose environment variable lookup finds (os.LookupEnv in a server,
// a map in tests). Variables that are set but empty count: CITYGEO_STORE= clears a store given
// in the file.
func (c *Config) ApplyEnv(lookup func(string) (string, bool)) error {
	var errs []error
	for _, f := range fields() {
		v, ok := lookup(f.Env)
		if !ok {
			continue
		}
		if err := c.set(f, v); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", f.Env, err))
		}
	}
	return errors.Join(errs...)
}
