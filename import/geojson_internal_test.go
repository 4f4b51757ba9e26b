package importer

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"testing"
	"time"

	"citygeo/geo"

	json "github.com/goccy/go-json"
)

// rawFeatures returns a next func yielding n raw features {"i":k}, then io.EOF; n < 0 never ends.
func rawFeatures(n int, calls *int) func() (json.RawMessage, error) {
	return func() (json.RawMessage, error) {
		if n >= 0 && *calls >= n {
			return nil, io.EOF
		}
		*calls++
		return json.RawMessage(fmt.Sprintf(`{"i":%d}`, *calls-1)), nil
	}
}

// slowDecode decodes {"i":k} with a delay that varies by k, so that workers finish out of order.
func slowDecode(i int, raw []byte) (*Feature, error) {
	var v struct{ I int }
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, err
	}
	if v.I != i {
		return nil, fmt.Errorf("feature %d decoded as index %d", v.I, i)
	}
	if i%decodeBatch == 0 && (i/decodeBatch)%2 == 0 {
		time.Sleep(2 * time.Millisecond)
	}
	return &Feature{Index: i}, nil
}

// waitGoroutines fails the test when more goroutines than before are still running after a
// short grace period.
func waitGoroutines(t *testing.T, before int) {
	t.Helper()
	for range 200 {
		if runtime.NumGoroutine() <= before {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Errorf("%d goroutines running, %d before: decodeFeatures leaked", runtime.NumGoroutine(), before)
}

// TestDecodeFeaturesOrder checks that fn sees every feature once, in input order, whatever
// order the workers finish their batches in.
func TestDecodeFeaturesOrder(t *testing.T) {
	for _, n := range []int{0, 1, decodeBatch - 1, decodeBatch, 9*decodeBatch + 3} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			before := runtime.NumGoroutine()
			calls, got := 0, 0
			err := decodeFeatures(rawFeatures(n, &calls), slowDecode, func(f *Feature) error {
				if f.Index != got {
					return fmt.Errorf("fn got feature %d, want %d", f.Index, got)
				}
				got++
				return nil
			})
			if err != nil || got != n {
				t.Errorf("decodeFeatures = %v after %d features, want nil after %d", err, got, n)
			}
			waitGoroutines(t, before)
		})
	}
}

// TestDecodeFeaturesFirstError checks that the first error in input order is returned (not a
// later one a faster worker hit first), that fn has seen exactly the features before it, and
// that every goroutine has ended, also when the input would never end.
func TestDecodeFeaturesFirstError(t *testing.T) {
	const at = 3*decodeBatch + 17
	errFn := errors.New("fn refuses")
	tests := []struct {
		name    string
		n       int // features in the input; -1: endless
		decode  func(i int, raw []byte) (*Feature, error)
		next    func(calls *int) func() (json.RawMessage, error)
		fnErrAt int
		want    string
		wantIs  error
	}{
		{name: "decode error, later ones too", n: -1,
			decode: func(i int, raw []byte) (*Feature, error) {
				if i >= at {
					return nil, fmt.Errorf("bad feature %d", i)
				}
				return slowDecode(i, raw)
			},
			want: fmt.Sprintf("bad feature %d", at)},
		{name: "read error", n: -1, decode: slowDecode,
			next: func(calls *int) func() (json.RawMessage, error) {
				inner := rawFeatures(-1, calls)
				return func() (json.RawMessage, error) {
					if *calls == at {
						return nil, errors.New("unexpected end")
					}
					return inner()
				}
			},
			want: fmt.Sprintf("feature %d: unexpected end", at), wantIs: ErrFormat},
		{name: "fn error", n: -1, decode: slowDecode, fnErrAt: at, wantIs: errFn},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := runtime.NumGoroutine()
			calls, seen := 0, 0
			next := rawFeatures(tt.n, &calls)
			if tt.next != nil {
				next = tt.next(&calls)
			}
			err := decodeFeatures(next, tt.decode, func(f *Feature) error {
				if tt.fnErrAt > 0 && f.Index == tt.fnErrAt {
					return errFn
				}
				if f.Index != seen {
					t.Errorf("fn got feature %d, want %d", f.Index, seen)
				}
				seen++
				return nil
			})
			switch {
			case err == nil:
				t.Fatal("decodeFeatures = nil, want an error")
			case tt.want != "" && !strings.Contains(err.Error(), tt.want):
				t.Errorf("decodeFeatures = %v, want %q", err, tt.want)
			case tt.wantIs != nil && !errors.Is(err, tt.wantIs):
				t.Errorf("decodeFeatures = %v, want %v", err, tt.wantIs)
			}
			if seen != at {
				t.Errorf("fn saw %d features before the error, want %d", seen, at)
			}
			// Reading stops soon after the error: the in-flight batches, not the whole input.
			if limit := at + (3*runtime.GOMAXPROCS(0)+3)*decodeBatch; calls > limit {
				t.Errorf("read %d features, want at most %d", calls, limit)
			}
			waitGoroutines(t, before)
		})
	}
}

// TestRawValue checks that attribute values converted from raw JSON text equal those of the
// former path, a UseNumber decode into any followed by jsonValue.
func TestRawValue(t *testing.T) {
	for _, raw := range []string{
		`"plain"`, `"中文 路灯"`, `"esc\"aped\\n\u4e2d"`, `""`, `"\ud800"`, `"<tag>&"`,
		`0`, `-12`, `9007199254740993`, `1.5`, `-2.5e-3`, `1e300`, `123456789012345678901234567890`,
		`true`, `false`, `null`,
		`{"b":1,"a":[1,"x",null]}`, `[1.0, 2]`, `{}`, `[]`, ` "spaced" `,
	} {
		d := json.NewDecoder(bytes.NewReader([]byte(raw)))
		d.UseNumber()
		var v any
		if err := d.Decode(&v); err != nil {
			t.Fatalf("%s: %v", raw, err)
		}
		want, got := jsonValue(v), must(rawValue([]byte(raw)))
		if fmt.Sprintf("%T %#v", want, want) != fmt.Sprintf("%T %#v", got, got) {
			t.Errorf("rawValue(%s) = %T %#v, want %T %#v", raw, got, got, want, want)
		}
	}
}

func must(v any, err error) any {
	if err != nil {
		return err
	}
	return v
}

// TestDecodeFeature checks the feature scanner on well-formed features (attribute values, id,
// geometry) and that malformed ones are errors naming the feature, never a panic or a silent
// partial feature.
func TestDecodeFeature(t *testing.T) {
	ok := []struct {
		raw       string
		wantProps map[string]any
		wantGeom  bool
	}{
		{`{"type":"Feature","properties":{"a":"x","n":3,"f":1.5,"b":true,"z":null,"o":{"k":[1]}},"geometry":{"type":"Point","coordinates":[1,2]}}`,
			map[string]any{"a": "x", "n": int64(3), "f": 1.5, "b": true, "z": nil, "o": `{"k":[1]}`}, true},
		{` { "geometry" : null , "id" : 12, "type" : "Feature", "properties" : null } `, map[string]any{"id": int64(12)}, false},
		{`{"type":"Feature","id":"a","properties":{"id":"own","esc\"key":"v\u4e2d"},"geometry":null}`,
			map[string]any{"id": "own", `esc"key`: "v中"}, false},
		{`{"Type":"Feature","Properties":{"a":1},"extra":[{"x":"]}"}]}`, map[string]any{"a": int64(1)}, false},
	}
	for _, tt := range ok {
		f, err := decodeFeature(7, []byte(tt.raw), geo.CGCS2000)
		if err != nil {
			t.Errorf("%s: %v", tt.raw, err)
			continue
		}
		if fmt.Sprint(f.Props) != fmt.Sprint(tt.wantProps) || f.Index != 7 || (f.Geometry != nil) != tt.wantGeom {
			t.Errorf("%s: props %v geometry %v, want %v (geometry %v)", tt.raw, f.Props, f.Geometry, tt.wantProps, tt.wantGeom)
		}
	}
	for _, raw := range []string{
		``, `[]`, `"Feature"`, `{"type":"Feature"`, `{"type":"Feature",}`, `{"type":"Feature"} x`,
		`{"type":"Point"}`, `{"type":"Feature","properties":{"a":tru}}`, `{"type":"Feature","properties":{"a":01}}`,
		`{"type":"Feature","properties":{"a":"x}}`, `{"type":"Feature","properties":{"a":[1,}}`,
		`{"type":"Feature","properties":{"a":[1}]}}`, `{"type":"Feature","properties":[1]}`,
		`{"type":"Feature","properties":{a:1}}`, `{"type":"Feature","properties":{"a" 1}}`,
		`{"type":"Feature","geometry":{"type":"Point","coordinates":[1]}}`, `{"type":"Feature","id":-}`,
	} {
		f, err := decodeFeature(7, []byte(raw), geo.CGCS2000)
		if err == nil {
			t.Errorf("%s: decoded %+v, want an error", raw, f)
		} else if !errors.Is(err, ErrFormat) || !strings.HasPrefix(err.Error(), "feature 7") {
			t.Errorf("%s: error %v, want ErrFormat naming feature 7", raw, err)
		}
	}
}

func TestCRSFromURN(t *testing.T) {
	tests := []struct {
		name    string
		want    string // geo.CRS.Code; "" for an error
		wantErr bool
	}{
		{"urn:ogc:def:crs:EPSG::4549", "EPSG:4549", false},
		{"EPSG:4490", "EPSG:4490", false},
		{"urn:ogc:def:crs:OGC:1.3:CRS84", "EPSG:4326", false},
		{"urn:ogc:def:crs:EPSG::", "", true},
		{"urn:ogc:def:crs:EPSG::3857", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := crsFromURN(tt.name)
			if (err != nil) != tt.wantErr || (err == nil && c.Code() != tt.want) {
				t.Fatalf("crsFromURN(%q) = %v, %v; want %s, error %v", tt.name, c.Code(), err, tt.want, tt.wantErr)
			}
			if err != nil && !errors.Is(err, ErrCRS) {
				t.Errorf("error %v does not wrap ErrCRS", err)
			}
		})
	}
}
