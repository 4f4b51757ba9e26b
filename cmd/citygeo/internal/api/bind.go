package api

import (
	"bytes"
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
)

// bindJSON decodes a JSON body of at most limit bytes into v, rejecting unknown fields so a
// typo in a field name is an error rather than a silent default. A value of the wrong type is
// a 400 naming its JSON path as the client wrote it (points[3].lat) and what was wanted, in
// JSON's words rather than Go's.
func bindJSON(c *gin.Context, v any, limit int64) error {
	b, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, limit))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return &Error{Status: http.StatusRequestEntityTooLarge, Code: CodeTooLarge, Field: "body", Message: fmt.Sprintf("body larger than %d bytes", limit)}
		}
		return BadParam("body", "reading the body: %v", err)
	}
	if f := decodeStrict(b, v); f != nil {
		return f.param("body")
	}
	return nil
}

// jsonFault is why a JSON text does not decode into a value: where (a JSON path from the
// value's root, "" for the root itself) and why.
type jsonFault struct {
	Path   string
	Reason string
}

// param is the fault as a 400 on its path, or on root when it is the whole value's.
func (f *jsonFault) param(root string) *Error {
	if f.Path == "" {
		return BadParam(root, "%s", f.Reason)
	}
	return BadParam(f.Path, "%s", f.Reason)
}

// decodeStrict decodes one JSON value b into v as bindJSON does: unknown fields refused,
// nothing but space after the value. It returns nil or the first fault.
//
// The decoding itself is encoding/json's, so what is accepted does not change. Only when it
// fails is b walked again beside v's type to find the value at fault: encoding/json names a
// field by its Go path without array indexes (points.lat), and errors from a type's own
// decoder (a time) name nothing at all.
func decodeStrict(b []byte, v any) *jsonFault {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil {
		if _, terr := dec.Token(); terr != io.EOF {
			return &jsonFault{Reason: "trailing data after the JSON value"}
		}
		return nil
	}
	var se *json.SyntaxError
	switch {
	case errors.Is(err, io.EOF) && len(bytes.TrimSpace(b)) == 0:
		return &jsonFault{Reason: "empty body; want JSON"}
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return &jsonFault{Reason: "invalid JSON: the text ends before the value does"}
	case errors.As(err, &se):
		return &jsonFault{Reason: fmt.Sprintf("invalid JSON at byte %d: %s", se.Offset, strings.TrimPrefix(se.Error(), "json: "))}
	}
	if f := findFault(reflect.TypeOf(v), firstValue(b), ""); f != nil {
		return f
	}
	return faultOf(err) // the walk disagrees with encoding/json: say what its error can
}

// firstValue returns the first JSON value of b (valid JSON: a decode got past its syntax).
func firstValue(b []byte) []byte {
	var raw json.RawMessage
	if json.NewDecoder(bytes.NewReader(b)).Decode(&raw) != nil {
		return b
	}
	return raw
}

// faultOf turns a decode error that findFault could not place into a fault, naming the field
// as encoding/json does (its dotted path, without indexes) and no Go type.
func faultOf(err error) *jsonFault {
	var ute *json.UnmarshalTypeError
	if errors.As(err, &ute) {
		return &jsonFault{Path: ute.Field, Reason: fmt.Sprintf("want %s, got %s", wantOf(ute.Type), ute.Value)}
	}
	return &jsonFault{Reason: "invalid JSON: " + strings.TrimPrefix(err.Error(), "json: ")}
}

var (
	timeType        = reflect.TypeFor[time.Time]()
	jsonUnmarshaler = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// findFault walks raw (one valid JSON value) beside t and returns the first value that does
// not decode into its place, or nil.
func findFault(t reflect.Type, raw []byte, path string) *jsonFault {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" { // null leaves any value as it is
		return nil
	}
	if decodesItself(t) {
		return leafFault(t, raw, path, nil)
	}
	switch t.Kind() {
	case reflect.Struct:
		if raw[0] != '{' {
			return leafFault(t, raw, path, nil)
		}
		return eachMember(raw, func(key string, val []byte) *jsonFault {
			return memberFault(t, key, val, joinPath(path, key))
		})
	case reflect.Map:
		if raw[0] != '{' {
			return leafFault(t, raw, path, nil)
		}
		return eachMember(raw, func(key string, val []byte) *jsonFault {
			return findFault(t.Elem(), val, joinPath(path, key))
		})
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 || raw[0] != '[' { // []byte is a base64 string
			return leafFault(t, raw, path, nil)
		}
		return eachElement(raw, func(i int, val []byte) *jsonFault {
			return findFault(t.Elem(), val, fmt.Sprintf("%s[%d]", path, i))
		})
	case reflect.Interface:
		return nil
	}
	return leafFault(t, raw, path, nil)
}

// memberFault checks the member key of an object decoded into struct t. The member is decoded
// on its own into a fresh t, so tags and options apply as encoding/json applies them; only a
// member that fails is walked into.
func memberFault(t reflect.Type, key string, val []byte, path string) *jsonFault {
	one := make([]byte, 0, len(key)+len(val)+8)
	one = append(one, '{')
	one, _ = appendJSONString(one, key)
	one = append(append(one, ':'), val...)
	one = append(one, '}')
	dec := json.NewDecoder(bytes.NewReader(one))
	dec.DisallowUnknownFields()
	err := dec.Decode(reflect.New(t).Interface())
	if err == nil {
		return nil
	}
	ft, ok := structField(t, key)
	if !ok {
		return &jsonFault{Path: path, Reason: fmt.Sprintf("unknown field; want one of %s", strings.Join(fieldNames(t), ", "))}
	}
	if f := findFault(ft, val, path); f != nil {
		return f
	}
	return leafFault(ft, bytes.TrimSpace(val), path, err) // a field option (",string") at fault
}

// leafFault decodes raw into a new t and describes the failure; err, when given, is the
// failure already seen.
func leafFault(t reflect.Type, raw []byte, path string, err error) *jsonFault {
	if err == nil {
		if err = json.Unmarshal(raw, reflect.New(t).Interface()); err == nil {
			return nil
		}
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	f := &jsonFault{Path: path}
	var ute *json.UnmarshalTypeError
	switch {
	case t == timeType:
		f.Reason = "want an RFC 3339 time such as 2026-11-20T09:30:00+08:00, got " + gotOf(raw)
	case decodesItself(t) && !errors.As(err, &ute):
		f.Reason = strings.TrimPrefix(err.Error(), "json: ") // its own words, about the value
	case decodesItself(t):
		f.Reason = fmt.Sprintf("want %s, got %s", wantOf(t), gotOf(raw))
	case isIntKind(t.Kind()) && isJSONNumber(raw) && !bytes.ContainsAny(raw, ".eE"):
		f.Reason = fmt.Sprintf("the number %s is out of range: %s", raw, intRange(t))
	case isNumberKind(t.Kind()) && !isIntKind(t.Kind()) && isJSONNumber(raw):
		f.Reason = fmt.Sprintf("the number %s is out of range", raw)
	default:
		f.Reason = fmt.Sprintf("want %s, got %s", wantOf(t), gotOf(raw))
	}
	return f
}

// decodesItself reports whether values of t decode with their own method.
func decodesItself(t reflect.Type) bool {
	p := reflect.PointerTo(t)
	return p.Implements(jsonUnmarshaler) || p.Implements(textUnmarshaler)
}

// wantOf names what a value of t is written as in JSON.
func wantOf(t reflect.Type) string {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t == nil:
		return "another JSON value"
	case t == timeType:
		return "an RFC 3339 time"
	case !reflect.PointerTo(t).Implements(jsonUnmarshaler) && reflect.PointerTo(t).Implements(textUnmarshaler):
		return "a JSON string"
	}
	switch k := t.Kind(); {
	case k == reflect.String:
		return "a JSON string"
	case k == reflect.Bool:
		return "true or false"
	case isIntKind(k):
		return "a whole JSON number"
	case isNumberKind(k):
		return "a JSON number"
	case k == reflect.Struct || k == reflect.Map:
		return "a JSON object"
	case k == reflect.Slice && t.Elem().Kind() == reflect.Uint8:
		return "a base64 JSON string"
	case k == reflect.Slice || k == reflect.Array:
		return "a JSON array"
	}
	return "another JSON value"
}

// gotOf names a JSON value for an error: its kind, and a scalar's text (cut short).
func gotOf(raw []byte) string {
	switch raw[0] {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case 't', 'f':
		return string(raw)
	case '"':
		s := string(raw)
		if len(s) > 42 {
			cut := 40
			for cut > 0 && !utf8.RuneStart(s[cut]) {
				cut--
			}
			s = s[:cut] + `…"`
		}
		return "the string " + s
	}
	if len(raw) > 40 {
		raw = append(raw[:40:40], "…"...)
	}
	return "the number " + string(raw)
}

// isJSONNumber reports whether the JSON value raw is a number.
func isJSONNumber(raw []byte) bool { return raw[0] == '-' || raw[0] >= '0' && raw[0] <= '9' }

func isIntKind(k reflect.Kind) bool {
	return k >= reflect.Int && k <= reflect.Uintptr
}

func isNumberKind(k reflect.Kind) bool {
	return isIntKind(k) || k == reflect.Float32 || k == reflect.Float64
}

// intRange says which whole numbers an integer of type t holds.
func intRange(t reflect.Type) string {
	bits := t.Bits()
	if t.Kind() >= reflect.Uint {
		return fmt.Sprintf("want 0 to %d", uint64(1)<<bits-1)
	}
	return fmt.Sprintf("want %d to %d", -(int64(1) << (bits - 1)), int64(1)<<(bits-1)-1)
}

// structField returns the type of the field of struct t that the JSON key decodes into,
// matched as encoding/json matches: its name exactly, else without case.
func structField(t reflect.Type, key string) (reflect.Type, bool) {
	var fold reflect.Type
	for _, f := range reflect.VisibleFields(t) {
		name, ok := jsonFieldName(f)
		if !ok {
			continue
		}
		if name == key {
			return f.Type, true
		}
		if fold == nil && strings.EqualFold(name, key) {
			fold = f.Type
		}
	}
	return fold, fold != nil
}

// fieldNames lists the JSON names of struct t's fields, for an unknown-field error.
func fieldNames(t reflect.Type) []string {
	var names []string
	for _, f := range reflect.VisibleFields(t) {
		if name, ok := jsonFieldName(f); ok && !slices.Contains(names, name) {
			names = append(names, name)
		}
	}
	return names
}

// jsonFieldName is f's name in JSON; false for a field encoding/json does not decode (unexported,
// "-", or an untagged embedded struct, whose fields are listed on their own).
func jsonFieldName(f reflect.StructField) (string, bool) {
	tag := f.Tag.Get("json")
	if tag == "-" {
		return "", false
	}
	name, _, _ := strings.Cut(tag, ",")
	if f.Anonymous && name == "" {
		ft := f.Type
		if ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if ft.Kind() == reflect.Struct {
			return "", false
		}
	}
	if !f.IsExported() {
		return "", false
	}
	if name == "" {
		name = f.Name
	}
	return name, true
}

// eachMember calls fn with each member of the JSON object raw, in order, until one faults.
func eachMember(raw []byte, fn func(key string, val []byte) *jsonFault) *jsonFault {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if _, err := dec.Token(); err != nil { // {
		return nil
	}
	for dec.More() {
		k, err := dec.Token()
		key, ok := k.(string)
		var val json.RawMessage
		if err != nil || !ok || dec.Decode(&val) != nil {
			return nil
		}
		if f := fn(key, val); f != nil {
			return f
		}
	}
	return nil
}

// eachElement calls fn with each element of the JSON array raw, in order, until one faults.
func eachElement(raw []byte, fn func(i int, val []byte) *jsonFault) *jsonFault {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if _, err := dec.Token(); err != nil { // [
		return nil
	}
	for i := 0; dec.More(); i++ {
		var val json.RawMessage
		if dec.Decode(&val) != nil {
			return nil
		}
		if f := fn(i, val); f != nil {
			return f
		}
	}
	return nil
}

// joinPath appends an object key to a JSON path.
func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// appendJSONString appends s as a JSON string.
func appendJSONString(dst []byte, s string) ([]byte, error) {
	b, err := json.Marshal(s)
	return append(dst, b...), err
}
