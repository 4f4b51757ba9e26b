package jsonenc_test

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"strconv"
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

// TestAppendFloatDecimals checks floats read from short decimals (coordinates, areas, metres:
// AppendFloat's fast path) and the floats next to them, at every magnitude of the fast path and
// past it, against encoding/json.
func TestAppendFloatDecimals(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for range 200000 {
		digits := 1 + rng.IntN(17)
		text := strconv.FormatUint(rng.Uint64N(uint64(math.Pow10(digits))), 10)
		point := rng.IntN(len(text) + 1)
		f, err := strconv.ParseFloat(text[:point]+"."+text[point:]+"0", 64)
		if err != nil {
			t.Fatal(err)
		}
		if rng.IntN(2) == 0 {
			f = -f
		}
		for _, v := range []float64{f, math.Nextafter(f, math.Inf(1)), math.Nextafter(f, math.Inf(-1))} {
			checkFloat(t, v)
		}
	}
	for _, f := range []float64{1, 9.999999999999999e14, 1e15, 999999999999999, 99999999999999.9, 123456789012345.6} {
		checkFloat(t, f)
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
	f.Add("福田\u2028<&>\x00\xff", 114.0579123, uint64(0), uint8(0))
	f.Add("", 1e-7, uint64(1), uint8(1))
	f.Add("", 1.0, uint64(114231612), uint8(6))
	f.Fuzz(func(t *testing.T, s string, v float64, m uint64, d uint8) {
		checkString(t, s)
		checkFloat(t, v)
		checkFloat(t, float64(m)/math.Pow10(int(d%23))) // a decimal, as coordinates are
		checkTenths(t, v)
		checkTenths(t, float64(m)/10)
	})
}

// TestAppendTenths checks AppendTenths against AppendFloat on tenths at every magnitude of
// its fast path and past it, and on values that are not tenths.
func TestAppendTenths(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for range 200000 {
		f := float64(rng.Uint64N(uint64(math.Pow10(1+rng.IntN(17))))) / 10
		if rng.IntN(2) == 0 {
			f = -f
		}
		for _, v := range []float64{f, math.Nextafter(f, math.Inf(1)), math.Nextafter(f, math.Inf(-1)), f / 3} {
			checkTenths(t, v)
		}
	}
	for _, f := range []float64{0, 0.1, 0.9, 1, 9.9, 99999999999999.9, 1e14, 1e14 + 0.5, math.NaN(), math.Inf(-1), 6660.3} {
		checkTenths(t, f)
	}
}

func checkTenths(t *testing.T, f float64) {
	t.Helper()
	if got, want := string(jsonenc.AppendTenths(nil, f)), string(jsonenc.AppendFloat(nil, f)); got != want {
		t.Fatalf("AppendTenths(%v) = %s, AppendFloat writes %s", f, got, want)
	}
}

// BenchmarkAppendFloat is a coordinate and an area (one decimal) through AppendFloat, an area
// through AppendTenths and, their naive twin, both through strconv's shortest formatting.
func BenchmarkAppendFloat(b *testing.B) {
	buf := make([]byte, 0, 64)
	for _, in := range []struct {
		name string
		a, b float64
	}{{"coordinate", 114.231612, 22.667324}, {"area", 6660.3, 10213}} {
		for _, bc := range []struct {
			name string
			fn   func([]byte, float64) []byte
		}{
			{"jsonenc", jsonenc.AppendFloat},
			{"tenths", jsonenc.AppendTenths},
			{"strconv", func(b []byte, f float64) []byte { return strconv.AppendFloat(b, f, 'f', -1, 64) }},
		} {
			if bc.name == "tenths" && in.name != "area" {
				continue
			}
			b.Run(in.name+"/"+bc.name, func(b *testing.B) {
				for b.Loop() {
					buf = bc.fn(buf[:0], in.a)
					buf = bc.fn(buf[:0], in.b)
				}
			})
		}
	}
}
