// Package jsonattr reads a feature's per-class attributes (data.Component.Extra) from a parsed
// JSON object, as both stores keep them: an object of text values. It is not a JSON parser
// (fastjson is) and knows no store.
package jsonattr

import (
	"github.com/valyala/fastjson"

	"citygeo/data"
)

// Extra returns the object v as a map whose keys and values are interned in s; nil for an empty
// object. A value that is not text is an error.
func Extra(v *fastjson.Value, s *data.Strings) (map[string]string, error) {
	o, err := v.Object()
	if err != nil || o.Len() == 0 {
		return nil, err
	}
	m := make(map[string]string, o.Len())
	o.Visit(func(key []byte, v *fastjson.Value) {
		if err != nil {
			return
		}
		var b []byte
		if b, err = v.StringBytes(); err == nil {
			m[s.Intern(key)] = s.Intern(b)
		}
	})
	return m, err
}
