package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"citygeo/city"
	"citygeo/cmd/citygeo/internal/api"
	"citygeo/data"
	"citygeo/data/sample"
)

// twoCities serves the sample (440303) and the sample moved to 440304 behind one Cities front,
// with a reader token limited to 440303 (returned) and one limited to nothing.
func twoCities(t *testing.T) (front *api.Cities, a, b *data.Dataset, limited, open string) {
	t.Helper()
	limited, hl, err := api.NewToken()
	if err != nil {
		t.Fatal(err)
	}
	open, ho, err := api.NewToken()
	if err != nil {
		t.Fatal(err)
	}
	auth, err := api.NewAuth(&api.AuthConfig{Tokens: []api.TokenHash{
		{Name: "a", Role: api.RoleReader, Area: "440303", SHA256: hl}, {Name: "any", Role: api.RoleReader, SHA256: ho}}})
	if err != nil {
		t.Fatal(err)
	}
	var list []api.CityServer
	for _, key := range []string{"440303", "440304"} {
		ds, err := sample.Generate(sample.Options{Grids: 500, Components: 1000})
		if err != nil {
			t.Fatal(err)
		}
		if key != "440303" {
			if err := sample.Relocate(ds, key, 0.1, 0); err != nil {
				t.Fatal(err)
			}
			b = ds
		} else {
			a = ds
		}
		snap, err := city.Build(ds, city.Options{})
		if err != nil {
			t.Fatal(err)
		}
		srv := api.New(api.Options{Logger: quietLog, Auth: auth, CityKey: key, PathPrefix: api.CityPrefix(key)})
		srv.Swap(snap)
		list = append(list, api.CityServer{Key: key, Server: srv})
	}
	return api.NewCities(list), a, b, limited, open
}

// TestCitiesRouting: a request reaches the city its prefix, city_code, point or code names; one
// naming none, an unknown city, a point of no city or places in two cities is refused.
func TestCitiesRouting(t *testing.T) {
	front, a, b, limited, open := twoCities(t)
	h := front.Handler()
	ga, gb := a.Grids[100], b.Grids[100]
	pa, pb := interior(ga), interior(gb)
	q := func(p orb.Point) string { return lnglat(p) + "&crs=cgcs2000" }
	tests := map[string]struct {
		method, url string
		body        any
		token       string
		want        int
		wantGrid    string // of a locate answer
	}{
		"point in A":              {"GET", "/v1/locate?" + q(pa), nil, "", 200, ga.Code},
		"point in B":              {"GET", "/v1/locate?" + q(pb), nil, "", 200, gb.Code},
		"prefix":                  {"GET", "/cities/440304/v1/locate?" + q(pb), nil, "", 200, gb.Code},
		"city_code":               {"GET", "/v1/locate?city_code=440304&" + q(pb), nil, "", 200, gb.Code},
		"city_code wins":          {"GET", "/v1/locate?city_code=440303&" + q(pb), nil, "", 200, ""}, // B's point outside A
		"batch body in B":         {"POST", "/v1/locate/batch", map[string]any{"crs": "cgcs2000", "points": []any{map[string]any{"lng": pb[0], "lat": pb[1]}}}, "", 200, ""},
		"batch in two cities":     {"POST", "/v1/locate/batch", map[string]any{"crs": "cgcs2000", "points": []any{map[string]any{"lng": pa[0], "lat": pa[1]}, map[string]any{"lng": pb[0], "lat": pb[1]}}}, "", 400, ""},
		"grid code":               {"GET", "/v1/grids/" + gb.Code, nil, "", 200, ""},
		"AMap adcode":             {"GET", "/v3/assistant/inputtips?keywords=%E7%BF%A0&city=440304", nil, "", 200, ""},
		"AMap city name":          {"GET", "/v3/assistant/inputtips?keywords=%E7%BF%A0&city=%E6%B7%B1%E5%9C%B3", nil, "", 400, ""},
		"no city":                 {"GET", "/v1/info", nil, "", 400, ""},
		"unknown prefix":          {"GET", "/cities/440305/v1/info", nil, "", 404, ""},
		"unknown city_code":       {"GET", "/v1/info?city_code=440305", nil, "", 404, ""},
		"prefix and city_code":    {"GET", "/cities/440304/v1/info?city_code=440303", nil, "", 400, ""},
		"point of no city":        {"GET", "/v1/locate?lng=113&lat=22&crs=cgcs2000", nil, "", 404, ""},
		"limited token in A":      {"GET", "/v1/locate?" + q(pa), nil, limited, 200, ga.Code},
		"limited token in B":      {"GET", "/v1/locate?" + q(pb), nil, limited, 403, ""},
		"limited token, B's grid": {"GET", "/cities/440304/v1/grids/" + gb.Code, nil, limited, 403, ""},
		"open token in B":         {"GET", "/v1/locate?" + q(pb), nil, open, 200, gb.Code},
		// Another city's token is refused there on routes naming no place too (lists, info).
		"limited token, B's info":   {"GET", "/cities/440304/v1/info", nil, limited, 403, ""},
		"limited token, B's events": {"GET", "/cities/440304/v1/events", nil, limited, 403, ""},
		"limited token, A's info":   {"GET", "/cities/440303/v1/info", nil, limited, 200, ""},
		"open token, B's info":      {"GET", "/cities/440304/v1/info", nil, open, 200, ""},
		"readyz":                    {"GET", "/readyz", nil, "", 200, ""},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			var hdr []string
			if tc.token != "" {
				hdr = []string{"Authorization", "Bearer " + tc.token}
			}
			code, body := do(t, h, tc.method, tc.url, tc.body, hdr...)
			if strings.HasPrefix(tc.url, "/v3/") && code == http.StatusOK && body["infocode"] == "20000" {
				code = http.StatusBadRequest // the AMap door's refusal: HTTP 200, INVALID_PARAMS
			}
			if code != tc.want {
				t.Fatalf("%s %s = %d %v, want %d", tc.method, tc.url, code, body, tc.want)
			}
			if tc.wantGrid != "" {
				if g, _ := body["grid"].(map[string]any); g == nil || g["code"] != tc.wantGrid {
					t.Fatalf("%s %s: grid %v, want %s", tc.method, tc.url, body["grid"], tc.wantGrid)
				}
			}
		})
	}
	code, body := do(t, h, "GET", "/v1/cities", nil)
	cities, _ := body["cities"].([]any)
	if code != http.StatusOK || len(cities) != 2 {
		t.Fatalf("/v1/cities = %d %v", code, body)
	}
	for i, key := range []string{"440303", "440304"} {
		c := cities[i].(map[string]any)
		if c["key"] != key || c["path"] != "/cities/"+key || c["ready"] != true || c["version"] == nil {
			t.Errorf("/v1/cities[%d] = %v, want %s ready", i, c, key)
		}
	}
}

func lnglat(p orb.Point) string { return fmt.Sprintf("lng=%.7f&lat=%.7f", p[0], p[1]) }

// TestOneCityFront: a front over one city answers every URL as the city's own server does, and
// refuses another city's prefix or city_code.
func TestOneCityFront(t *testing.T) {
	srv, ds := newSampleServer(t)
	h := api.NewCities([]api.CityServer{{Key: "440303", Server: srv}}).Handler()
	p := interior(ds.Grids[7])
	for _, tc := range []struct {
		url  string
		want int
	}{
		{"/v1/info", 200},
		{"/v1/locate?" + lnglat(p) + "&crs=cgcs2000", 200},
		{"/v1/locate?lng=113&lat=22&crs=cgcs2000", 200}, // outside, answered as outside
		{"/cities/440303/v1/info", 200},
		{"/v1/info?city_code=440303", 200},
		{"/cities/440304/v1/info", 404},
		{"/v1/info?city_code=440304", 404},
	} {
		if code, body := do(t, h, "GET", tc.url, nil); code != tc.want {
			t.Errorf("GET %s = %d %v, want %d", tc.url, code, body, tc.want)
		}
	}
}
