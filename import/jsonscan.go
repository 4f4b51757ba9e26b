package importer

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"unicode/utf8"
)

// This file holds a small scanner for one GeoJSON feature's object text. It is written by hand
// because the decoding libraries measured slower and made twice the garbage, which the import
// pays for again near its 1 GiB memory limit. BenchmarkDecodeFeature (jsonscan_test.go) decodes
// the sample city's exported components and grids with decodeFeature and with library twins:
// goccy/go-json or encoding/json into a struct with a property map (the path before the
// scanner), and go-json into a map of json.RawMessage.
//
//	go test ./import -run '^$' -bench DecodeFeature -benchtime 1s -count 5
//
// On the project's 2-core Xeon, shared with other work (load average 8–12), so comparing the
// process's CPU time per op, medians of 5, in one run: 5,000 components took 30.5 ms with the
// scanner, 43.7 with go-json (1.43×), 43.0 with the raw map (1.41×), 71.4 with encoding/json
// (2.34×); 2,000 grids 10.4, 12.7 (1.22×), 12.7 (1.22×) and 20.8 ms (2.00×). The twins
// allocate 1.7–2.5× the bytes. On the whole path, `citygeo validate` of 1,000,000 exported
// components used 54–57 s of CPU with the scanner and 74–76 s with the go-json struct twin
// (two runs each, /usr/bin/time). Values are converted exactly as jsonValue does;
// TestDecodeFeatureTwinsAgree and FuzzReadGeoJSON cover it.

// scanObject calls fn with each member of the JSON object b: its key and its value's raw
// text, trimmed. A later duplicate key is seen after the earlier one, so it wins, as in a map.
func scanObject(b []byte, fn func(key string, v []byte) error) error {
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return errors.New("not an object")
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		return trailing(b, i+1)
	}
	for {
		if i >= len(b) || b[i] != '"' {
			return errors.New("object key is not a string")
		}
		end, err := scanValue(b, i)
		if err != nil {
			return err
		}
		k, err := rawValue(b[i:end])
		if err != nil {
			return err
		}
		key, _ := k.(string)
		i = skipSpace(b, end)
		if i >= len(b) || b[i] != ':' {
			return fmt.Errorf("no ':' after key %q", key)
		}
		i = skipSpace(b, i+1)
		end, err = scanValue(b, i)
		if err != nil {
			return fmt.Errorf("%q: %v", key, err)
		}
		if err := fn(key, b[i:end]); err != nil {
			return err
		}
		i = skipSpace(b, end)
		switch {
		case i < len(b) && b[i] == ',':
			i = skipSpace(b, i+1)
		case i < len(b) && b[i] == '}':
			return trailing(b, i+1)
		default:
			return fmt.Errorf("no ',' or '}' after %q", key)
		}
	}
}

func trailing(b []byte, i int) error {
	if skipSpace(b, i) != len(b) {
		return errors.New("text after the object")
	}
	return nil
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\n' || b[i] == '\t' || b[i] == '\r') {
		i++
	}
	return i
}

// scanValue returns the end of the JSON value starting at b[i]. Strings, brackets and the
// characters of literals are checked; the values themselves are checked by rawValue.
func scanValue(b []byte, i int) (int, error) {
	if i >= len(b) {
		return 0, errors.New("missing value")
	}
	switch b[i] {
	case '"':
		for j := i + 1; j < len(b); j++ {
			switch b[j] {
			case '\\':
				j++
			case '"':
				return j + 1, nil
			}
		}
		return 0, errors.New("unterminated string")
	case '{', '[':
		var stack []byte
		for j := i; j < len(b); j++ {
			switch c := b[j]; c {
			case '"':
				end, err := scanValue(b, j)
				if err != nil {
					return 0, err
				}
				j = end - 1
			case '{', '[':
				stack = append(stack, c+2) // '}' and ']' are '{'+2 and '['+2
			case '}', ']':
				if len(stack) == 0 || stack[len(stack)-1] != c {
					return 0, fmt.Errorf("unbalanced %q", c)
				}
				stack = stack[:len(stack)-1]
				if len(stack) == 0 {
					return j + 1, nil
				}
			}
		}
		return 0, errors.New("unterminated object or array")
	}
	j := i
	for j < len(b) && (b[j] == '-' || b[j] == '+' || b[j] == '.' || b[j] >= '0' && b[j] <= '9' || b[j] >= 'a' && b[j] <= 'z' || b[j] >= 'A' && b[j] <= 'Z') {
		j++
	}
	if j == i {
		return 0, fmt.Errorf("unexpected %q", b[i])
	}
	return j, nil
}

// rawValue turns one raw JSON value into a Feature attribute value, as jsonValue does for the
// same value decoded with UseNumber; plain strings and numbers skip the decoder.
func rawValue(raw []byte) (any, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return nil, errors.New("missing value")
	}
	switch raw[0] {
	case '"':
		if len(raw) >= 2 && raw[len(raw)-1] == '"' && bytes.IndexByte(raw, '\\') < 0 && utf8.Valid(raw) && noControl(raw) {
			return string(raw[1 : len(raw)-1]), nil
		}
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, err
		}
		return s, nil
	case '{', '[':
		d := json.NewDecoder(bytes.NewReader(raw))
		d.UseNumber()
		var v any
		if err := d.Decode(&v); err != nil {
			return nil, err
		}
		return jsonValue(v), nil
	}
	switch string(raw) {
	case "true":
		return true, nil
	case "false":
		return false, nil
	case "null":
		return nil, nil
	}
	if !validNumber(raw) {
		return nil, fmt.Errorf("invalid value %q", raw)
	}
	return jsonValue(json.Number(raw)), nil
}

func noControl(b []byte) bool {
	for _, c := range b {
		if c < 0x20 {
			return false
		}
	}
	return true
}

// validNumber reports whether b is a JSON number: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
func validNumber(b []byte) bool {
	i := 0
	digits := func() bool {
		j := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		return i > j
	}
	if i < len(b) && b[i] == '-' {
		i++
	}
	if i < len(b) && b[i] == '0' {
		i++
	} else if !digits() {
		return false
	}
	if i < len(b) && b[i] == '.' {
		i++
		if !digits() {
			return false
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if !digits() {
			return false
		}
	}
	return i == len(b)
}
