package main

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"citygeo/city"
	"citygeo/cmd/citygeo/internal/api"
	"citygeo/data/sample"
)

// TestLocateMatchesAPI: `citygeo locate` prints exactly the bytes GET /v1/locate answers, for
// the defaults and for every query option, on the built-in sample city.
func TestLocateMatchesAPI(t *testing.T) {
	ds, err := sample.Generate(sample.Options{})
	if err != nil {
		t.Fatal(err)
	}
	snap, err := city.Build(ds, city.Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv := api.New(api.Options{})
	srv.Swap(snap)
	for _, tc := range []struct {
		name  string
		query string
		args  []string
	}{
		{"defaults", "lng=114.118&lat=22.548", []string{"--lng", "114.118", "--lat", "22.548"}},
		{"gcj02 lamps", "lng=114.1229&lat=22.5452&crs=gcj02&class=0118&k=3",
			[]string{"--lng", "114.1229", "--lat", "22.5452", "--crs", "gcj02", "--class", "0118", "--k", "3"}},
		{"radius and no components", "lng=114.13&lat=22.56&radius=20&k=0",
			[]string{"--lng", "114.13", "--lat", "22.56", "--radius", "20", "--k", "0"}},
		{"outside", "lng=100&lat=30", []string{"--lng", "100", "--lat", "30"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			srv.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/v1/locate?"+tc.query, nil))
			if rec.Code != http.StatusOK {
				t.Fatalf("GET /v1/locate?%s = %d %s", tc.query, rec.Code, rec.Body)
			}
			want, _ := io.ReadAll(rec.Body)
			got, err := run(t, append([]string{"locate"}, tc.args...)...)
			if err != nil {
				t.Fatalf("citygeo locate: %v\n%s", err, got)
			}
			if strings.TrimSuffix(got, "\n") != string(want) {
				t.Errorf("citygeo locate printed\n%s\nGET /v1/locate answered\n%s", got, want)
			}
			if !strings.Contains(got, `"grid"`) && tc.name != "outside" {
				t.Errorf("no grid in %s", got)
			}
		})
	}
}

// TestLocateRefusesBadPoints: a coordinate that is no place is refused as a usage error naming
// its flag, NaN included (pflag reads "nan" as a float).
func TestLocateRefusesBadPoints(t *testing.T) {
	for _, tc := range []struct{ args []string }{
		{[]string{"--lng", "nan", "--lat", "22.5"}},
		{[]string{"--lng", "114.1", "--lat", "NaN"}},
		{[]string{"--lng", "181", "--lat", "22.5"}},
		{[]string{"--lng", "114.1", "--lat", "-inf"}},
	} {
		out, err := run(t, append([]string{"locate"}, tc.args...)...)
		var ee *exitError
		if !errors.As(err, &ee) || ee.code != 2 || !strings.Contains(err.Error(), "outside") {
			t.Errorf("locate %v: %v (%s), want a usage error naming the flag", tc.args, err, out)
		}
	}
}
