package jsonenc_test

import (
	"encoding/json"
	"math"
	"testing"

	"citygeo/internal/jsonenc"
)

func TestAppendString(t *testing.T) {
	for name, s := range map[string]string{
		"empty":          "",
		"plain":          "440303001001001",
		"chinese":        "福田区园岭街道",
		"quotes":         `say "hi" \ there`,
		"controls":       "a\b\f\n\r\t\x00\x1f\x7f",
		"html":           "<a href='x'>&</a>",
		"line separator": "a\u2028b\u2029c",
		"invalid utf-8":  "a\xffb\xc3(\xe2\x82",
		"astral":         "𠀀😀",
	} {
		t.Run(name, func(t *testing.T) {
			checkString(t, s)
		})
	}
}

func checkString(t *testing.T, s string) {
	t.Helper()
	want, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	if got := jsonenc.AppendString(nil, s); string(got) != string(want) {
		t.Errorf("AppendString(%q) = %s, want %s", s, got, want)
	}
	if got := jsonenc.AppendString(nil, []byte(s)); string(got) != string(want) {
		t.Errorf("AppendString([]byte %q) = %s, want %s", s, got, want)
	}
}

func TestAppendFloat(t *testing.T) {
	for name, f := range map[string]float64{
		"zero": 0, "negative zero": math.Copysign(0, -1), "integer": 114, "degrees": 114.0579123,
		"metres": 1234.5, "tiny": 1e-7, "small boundary": 1e-6, "below boundary": 9.99e-7,
		"large boundary": 1e21, "below large": 9.99e20, "huge": 1.5e300, "negative tiny": -3.2e-9,
		"max": math.MaxFloat64, "smallest": math.SmallestNonzeroFloat64,
	} {
		t.Run(name, func(t *testing.T) { checkFloat(t, f) })
	}
	if got := string(jsonenc.AppendFloat(nil, math.NaN())); got != "null" {
		t.Errorf("NaN = %s, want null", got)
	}
}

func checkFloat(t *testing.T, f float64) {
	t.Helper()
	want, err := json.Marshal(f)
	if err != nil {
		return // NaN, ±Inf: encoding/json refuses them
	}
	if got := jsonenc.AppendFloat(nil, f); string(got) != string(want) {
		t.Errorf("AppendFloat(%v) = %s, want %s", f, got, want)
	}
}

func TestAppendAllocates(t *testing.T) {
	buf := make([]byte, 0, 256)
	b := []byte("a\xffb福")
	if n := testing.AllocsPerRun(100, func() {
		buf = jsonenc.AppendString(buf[:0], b)
		buf = jsonenc.AppendFloat(buf, 114.0579123)
	}); n != 0 {
		t.Errorf("%v allocations per run, want 0", n)
	}
}

// FuzzAppend checks strings and floats against encoding/json.
func FuzzAppend(f *testing.F) {
	f.Add("福田\u2028<&>\x00\xff", 114.0579123)
	f.Add("", 1e-7)
	f.Fuzz(func(t *testing.T, s string, v float64) {
		checkString(t, s)
		checkFloat(t, v)
	})
}
