package ogc_test

import (
	"errors"
	"math"
	"testing"
	"time"

	"citygeo/ogc"
)

func TestParseBBox(t *testing.T) {
	tests := []struct {
		in   string
		want [4]float64
		err  bool
	}{
		{"114.1,22.5,114.2,22.6", [4]float64{114.1, 22.5, 114.2, 22.6}, false},
		{" 114.1, 22.5 ,114.2,22.6", [4]float64{114.1, 22.5, 114.2, 22.6}, false},
		{"114.1,22.5,0,114.2,22.6,100", [4]float64{114.1, 22.5, 114.2, 22.6}, false},
		{"2494000,512000,2495000,513000", [4]float64{2494000, 512000, 2495000, 513000}, false},
		{"1e2,2,3,4", [4]float64{100, 2, 3, 4}, false},
		{"114.1,22.5,114.2", [4]float64{}, true},
		{"114.1,22.5,114.2,22.6,1", [4]float64{}, true},
		{"114.1,22.5,100,114.2,22.6,0", [4]float64{}, true}, // heights upside down
		{"a,b,c,d", [4]float64{}, true},
		{"NaN,1,2,3", [4]float64{}, true},
		{"1,Inf,2,3", [4]float64{}, true},
		{"", [4]float64{}, true},
		{"1,,2,3", [4]float64{}, true},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ogc.ParseBBox(tc.in)
			var pe *ogc.ParamError
			if tc.err {
				if !errors.As(err, &pe) || pe.Param != "bbox" {
					t.Fatalf("ParseBBox(%q) = %v, %v; want a bbox ParamError", tc.in, got, err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("ParseBBox(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
			}
		})
	}
}

func TestParseDatetime(t *testing.T) {
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	endOf := func(day string) time.Time { return at(day + "T00:00:00Z").Add(24*time.Hour - time.Nanosecond) }
	tests := []struct {
		in   string
		want ogc.Interval
		err  bool
	}{
		{"2024-05-01T08:00:00+08:00", ogc.Interval{Start: at("2024-05-01T00:00:00Z"), End: at("2024-05-01T00:00:00Z")}, false},
		{"2024-05-01", ogc.Interval{Start: at("2024-05-01T00:00:00Z"), End: endOf("2024-05-01")}, false},
		{"2024-05-01/2024-05-31", ogc.Interval{Start: at("2024-05-01T00:00:00Z"), End: endOf("2024-05-31")}, false},
		{"2024-05-01T00:00:00Z/..", ogc.Interval{Start: at("2024-05-01T00:00:00Z")}, false},
		{"../2024-05-01T00:00:00Z", ogc.Interval{End: at("2024-05-01T00:00:00Z")}, false},
		{"/2024-05-01T00:00:00Z", ogc.Interval{End: at("2024-05-01T00:00:00Z")}, false},
		{"2024-05-01T00:00:00Z/", ogc.Interval{Start: at("2024-05-01T00:00:00Z")}, false},
		{"../..", ogc.Interval{}, true},
		{"/", ogc.Interval{}, true},
		{"2024-05-31/2024-05-01", ogc.Interval{}, true},
		{"2024-13-01", ogc.Interval{}, true},
		{"yesterday", ogc.Interval{}, true},
		{"2024-05-01T08:00:00", ogc.Interval{}, true}, // no zone: ambiguous
		{"2024-05-01/2024-05-02/2024-05-03", ogc.Interval{}, true},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ogc.ParseDatetime(tc.in)
			if tc.err {
				var pe *ogc.ParamError
				if !errors.As(err, &pe) || pe.Param != "datetime" {
					t.Fatalf("ParseDatetime(%q) = %v, %v; want a datetime ParamError", tc.in, got, err)
				}
				return
			}
			if err != nil || !got.Start.Equal(tc.want.Start) || !got.End.Equal(tc.want.End) {
				t.Fatalf("ParseDatetime(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
			}
		})
	}
}

func TestIntervalMeets(t *testing.T) {
	d := func(s string) time.Time { v, _ := time.Parse(time.DateOnly, s); return v }
	may := ogc.Interval{Start: d("2024-05-01"), End: d("2024-05-31")}
	tests := []struct {
		name     string
		iv       ogc.Interval
		from, to time.Time
		want     bool
	}{
		{"instant inside", may, d("2024-05-10"), d("2024-05-10"), true},
		{"instant at the start", may, d("2024-05-01"), d("2024-05-01"), true},
		{"instant at the end", may, d("2024-05-31"), d("2024-05-31"), true},
		{"instant before", may, d("2024-04-30"), d("2024-04-30"), false},
		{"day ending at the start", may, d("2024-04-30"), d("2024-05-01"), false},
		{"day over the start", may, d("2024-04-30"), d("2024-05-01").Add(time.Hour), true},
		{"day after", may, d("2024-06-01"), d("2024-06-02"), false},
		{"open start", ogc.Interval{End: d("2024-05-01")}, d("1990-01-01"), d("1990-01-01"), true},
		{"open end", ogc.Interval{Start: d("2024-05-01")}, d("2030-01-01"), d("2030-01-01"), true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.iv.Meets(tc.from, tc.to); got != tc.want {
				t.Errorf("Meets = %v, want %v", got, tc.want)
			}
		})
	}
}

func FuzzParseBBox(f *testing.F) {
	for _, s := range []string{"114.1,22.5,114.2,22.6", "1,2,3,4,5,6", ",,,", "1e308,1,2,3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ogc.ParseBBox(s)
		if err != nil {
			return
		}
		for _, x := range v {
			if math.IsNaN(x) || math.IsInf(x, 0) {
				t.Fatalf("%q → %v: not finite", s, v)
			}
		}
	})
}

func FuzzParseDatetime(f *testing.F) {
	for _, s := range []string{"2024-05-01", "2024-05-01T08:00:00Z/..", "../2024-05-01", "/", "2024-05-01/2024-04-01"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		iv, err := ogc.ParseDatetime(s)
		if err != nil {
			return
		}
		if iv.Start.IsZero() && iv.End.IsZero() {
			t.Fatalf("%q: an interval with no end at all", s)
		}
		if !iv.Start.IsZero() && !iv.End.IsZero() && iv.End.Before(iv.Start) {
			t.Fatalf("%q: ends before it starts: %v", s, iv)
		}
	})
}
