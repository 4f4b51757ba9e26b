package config

import (
	"fmt"
	"io"
	"strconv"
	"strings"
)

// WriteYAML writes c as a YAML file with every key, its help as a comment, and its
// environment variable and flag, so `citygeo config example > citygeo.yaml` starts a
// configuration that documents itself. Secrets are written masked.
func (c *Config) WriteYAML(w io.Writer) error {
	var b strings.Builder
	b.WriteString("# citygeo serve configuration. Precedence: flags > CITYGEO_… environment > this file > defaults.\n")
	section := ""
	vals := c.Values()
	for i, k := range Keys() {
		sec, leaf, nested := strings.Cut(k.Name, ".")
		if !nested {
			sec, leaf = "", k.Name
		}
		indent := ""
		if sec != "" {
			indent = "  "
			if sec != section {
				fmt.Fprintf(&b, "\n%s:\n", sec)
			}
		}
		section = sec
		fmt.Fprintf(&b, "%s# %s (%s, --%s)\n", indent, k.Help, k.Env, k.Flag)
		fmt.Fprintf(&b, "%s%s: %s\n", indent, leaf, yamlValue(k.Type, vals[i].Value))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func yamlValue(typ, v string) string {
	switch typ {
	case "list":
		if v == "" {
			return "[]"
		}
		parts := strings.Split(v, ",")
		for i, p := range parts {
			parts[i] = strconv.Quote(p)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case "string", "duration":
		return strconv.Quote(v)
	}
	return v
}
