package config

import (
	"fmt"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// Key describes one configuration key and how it is given outside the file.
type Key struct {
	Name   string // dotted YAML path: http.read_timeout
	Env    string // environment variable: CITYGEO_HTTP_READ_TIMEOUT
	Flag   string // command-line flag without dashes: http-read-timeout
	Help   string
	Type   string // string, int, float, bool, duration, list
	Secret string // "url": a URL whose password is masked when shown; "": shown as is
}

// Error is a configuration problem naming the key at fault.
type Error struct {
	Key     string
	Message string
}

// Error returns the key and what is wrong with its value.
func (e *Error) Error() string { return e.Key + ": " + e.Message }

// EnvPrefix starts every configuration environment variable.
const EnvPrefix = "CITYGEO_"

// field is a key together with where its value lives in a Config.
type field struct {
	Key
	index []int
}

// fields lists every key of Config in declaration order. It is computed from the struct tags on
// each call (a few dozen fields), so there is no package state to keep in step.
func fields() []field {
	var out []field
	var walk func(t reflect.Type, prefix string, index []int)
	walk = func(t reflect.Type, prefix string, index []int) {
		for i := range t.NumField() {
			sf := t.Field(i)
			name := sf.Tag.Get("yaml")
			if name == "" || name == "-" {
				continue
			}
			idx := append(append([]int(nil), index...), i)
			if sf.Type.Kind() == reflect.Struct {
				walk(sf.Type, prefix+name+".", idx)
				continue
			}
			full := prefix + name
			out = append(out, field{Key: Key{
				Name:   full,
				Env:    EnvPrefix + strings.ToUpper(strings.NewReplacer(".", "_").Replace(full)),
				Flag:   strings.NewReplacer(".", "-", "_", "-").Replace(full),
				Help:   sf.Tag.Get("help"),
				Type:   typeName(sf.Type),
				Secret: sf.Tag.Get("secret"),
			}, index: idx})
		}
	}
	walk(reflect.TypeFor[Config](), "", nil)
	return out
}

func typeName(t reflect.Type) string {
	switch {
	case t == reflect.TypeFor[time.Duration]():
		return "duration"
	case t.Kind() == reflect.String:
		return "string"
	case t.Kind() == reflect.Bool:
		return "bool"
	case t.Kind() == reflect.Float64:
		return "float"
	case t.Kind() == reflect.Int, t.Kind() == reflect.Int64:
		return "int"
	case t.Kind() == reflect.Slice:
		return "list"
	}
	panic("config: unsupported field type " + t.String()) // a programming error caught by TestKeys
}

// Keys lists every configuration key in the order of Config.
func Keys() []Key {
	fs := fields()
	keys := make([]Key, len(fs))
	for i, f := range fs {
		keys[i] = f.Key
	}
	return keys
}

func lookup(name string) (field, bool) {
	for _, f := range fields() {
		if f.Name == name {
			return f, true
		}
	}
	return field{}, false
}

// Set sets key from its text form, as given in an environment variable or a flag: durations
// as 30s or 2m, lists comma-separated.
func (c *Config) Set(key, value string) error {
	f, ok := lookup(key)
	if !ok {
		return unknownKey(key)
	}
	return c.set(f, value)
}

func (c *Config) set(f field, value any) error {
	v := reflect.ValueOf(c).Elem().FieldByIndex(f.index)
	bad := func(want string) error {
		return &Error{Key: f.Name, Message: fmt.Sprintf("%q is not %s", fmt.Sprint(value), want)}
	}
	s, isString := value.(string)
	if !isString {
		if list, ok := value.([]any); ok && f.Type == "list" {
			// A YAML list reads as its items joined by commas would: an item "a, b" is two
			// and an empty one none, so the file, the environment and a flag agree.
			items := make([]string, len(list))
			for i, e := range list {
				if e != nil {
					items[i] = fmt.Sprint(e)
				}
			}
			value = strings.Join(items, ",")
		}
		if value == nil {
			s = ""
		} else {
			s = fmt.Sprint(value)
		}
	}
	s = strings.TrimSpace(s)
	switch f.Type {
	case "string":
		v.SetString(s)
	case "bool":
		b, err := strconv.ParseBool(s)
		if err != nil {
			return bad("true or false")
		}
		v.SetBool(b)
	case "int":
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return bad("a whole number")
		}
		v.SetInt(n)
	case "float":
		x, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return bad("a number")
		}
		v.SetFloat(x)
	case "duration":
		d, err := time.ParseDuration(s)
		if err != nil {
			return bad("a duration (like 30s, 2m or 1h30m)")
		}
		v.SetInt(int64(d))
	case "list":
		var out []string
		for e := range strings.SplitSeq(s, ",") {
			if e = strings.TrimSpace(e); e != "" {
				out = append(out, e)
			}
		}
		v.Set(reflect.ValueOf(out))
	}
	return nil
}

// Get returns key's value in its text form (the form Set takes), unmasked.
func (c *Config) Get(key string) (string, error) {
	f, ok := lookup(key)
	if !ok {
		return "", unknownKey(key)
	}
	return c.get(f), nil
}

func (c *Config) get(f field) string {
	v := reflect.ValueOf(c).Elem().FieldByIndex(f.index)
	switch f.Type {
	case "duration":
		return time.Duration(v.Int()).String()
	case "list":
		return strings.Join(v.Interface().([]string), ",")
	}
	return fmt.Sprint(v.Interface())
}

// Value is one key and its value as shown to a person: secrets masked.
type Value struct {
	Key, Value string
}

// Values returns every key and its value with secrets masked (a URL's password), for the log
// line a server writes at start and for `citygeo config check`.
func (c *Config) Values() []Value {
	fs := fields()
	out := make([]Value, len(fs))
	for i, f := range fs {
		s := c.get(f)
		if f.Secret == "url" {
			s = maskURL(s)
		}
		out[i] = Value{f.Name, s}
	}
	return out
}

// maskURL hides the password of a URL (postgres://user:secret@host/db); a plain path is shown
// as is.
func maskURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.Scheme == "" {
		return s
	}
	if _, has := u.User.Password(); u.User != nil && has {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	q := u.Query()
	if q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.String()
}

// unknownKey names the key and, when one is close, the key meant.
func unknownKey(key string) error {
	best, bestD := "", 4
	for _, f := range fields() {
		if d := distance(key, f.Name); d < bestD {
			best, bestD = f.Name, d
		}
	}
	msg := "unknown key"
	if best != "" {
		msg += fmt.Sprintf(" (did you mean %s?)", best)
	}
	return &Error{Key: key, Message: msg}
}

// distance is the Levenshtein distance of a and b, for "did you mean".
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
