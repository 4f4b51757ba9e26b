package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"citygeo/cmd/citygeo/internal/api"
	"citygeo/data"
	"citygeo/data/postgis/pgtest"
	"citygeo/data/sample"
	"citygeo/export"
)

// TestCitiesOnPostgres keeps two cities in one PostgreSQL database, each imported by `citygeo
// import --city` from survey files: the sample (Luohu, 440303) and the sample moved to 440304.
// One replica serves both: a point picks its city, as do the path prefix and city_code; a token
// limited to 440303 reads and writes there and is refused (403) in 440304, for reads about a
// place and for every write; each city keeps its own events. A replica of 440303 alone answers
// nothing of 440304.
func TestCitiesOnPostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("process test; skipped in -short")
	}
	dsn := pgtest.Schema(t)
	dir := t.TempDir()
	const keyA, keyB = "440303", "440304"
	cityA, err := sample.Generate(sample.Options{Grids: 500, Components: 3000, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	cityB, err := sample.Generate(sample.Options{Grids: 500, Components: 3000, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	if err := sample.Relocate(cityB, keyB, 0.1, 0); err != nil {
		t.Fatal(err)
	}
	filesOf := map[string][]string{}
	for key, ds := range map[string]*data.Dataset{keyA: cityA, keyB: cityB} {
		files, err := export.Write(ds, filepath.Join(dir, key), export.Options{})
		if err != nil {
			t.Fatal(err)
		}
		filesOf[key] = files
		if out, err := citygeo("import", "-q", "--store", dsn, "--city", key).args(files...).CombinedOutput(); err != nil {
			t.Fatalf("import --city %s: %v\n%s", key, err, out)
		}
	}
	// Another city's files are refused, naming the district.
	out, err := citygeo("import", "-q", "--store", dsn, "--city", keyA).args(filesOf[keyB]...).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "area 440304") {
		t.Fatalf("import of 440304's files into city 440303: %v\n%s", err, out)
	}
	out, err = citygeo("cities", "--store", dsn).CombinedOutput()
	if err != nil || !strings.Contains(string(out), keyA) || !strings.Contains(string(out), keyB) {
		t.Fatalf("citygeo cities: %v\n%s", err, out)
	}
	t.Logf("citygeo cities:\n%s", out)

	tok := cityTokens(t, dir)
	both := startReplicaArgs(t, "both", "--store", dsn, "--auth", tok.path, "--cities", keyA+","+keyB)
	onlyA := startReplicaArgs(t, "only-a", "--store", dsn, "--auth", tok.path, "--cities", keyA)
	t.Logf("replica of both cities ready after %v, of 440303 alone after %v", both.started, onlyA.started)

	gridA, gridB := cityA.Grids[len(cityA.Grids)/2], cityB.Grids[len(cityB.Grids)/2]
	pA, pB := gridA.Polygon.Bound().Center(), gridB.Polygon.Bound().Center()
	at := func(p orb.Point) string { return fmt.Sprintf("lng=%.7f&lat=%.7f&crs=cgcs2000", p[0], p[1]) }

	// Locate picks the city by the point, or by the prefix or city_code naming it.
	for _, tc := range []struct {
		r        *replica
		path     string
		wantGrid string
	}{
		{both, "/v1/locate?" + at(pA), gridA.Code},
		{both, "/v1/locate?" + at(pB), gridB.Code},
		{both, "/cities/440304/v1/locate?" + at(pB), gridB.Code},
		{both, "/v1/locate?city_code=440304&" + at(pB), gridB.Code},
		{onlyA, "/v1/locate?" + at(pA), gridA.Code},
		{onlyA, "/v1/locate?city_code=440303&" + at(pA), gridA.Code},
	} {
		code, body := tc.r.get(t, tc.path)
		var loc struct{ Grid struct{ Code string } }
		if code != http.StatusOK || json.Unmarshal(body, &loc) != nil || loc.Grid.Code != tc.wantGrid {
			t.Errorf("%s %s = %d %s, want grid %s", tc.r.name, tc.path, code, body, tc.wantGrid)
		}
	}
	// A replica of 440303 alone serves nothing of 440304, and a request of both replicas that
	// names no city is refused, not answered from one at random.
	for _, tc := range []struct {
		r    *replica
		path string
		want int
	}{
		{onlyA, "/cities/440304/v1/info", http.StatusNotFound},
		{onlyA, "/v1/info?city_code=440304", http.StatusNotFound},
		{both, "/v1/info", http.StatusBadRequest},
		{both, "/v1/locate?lng=113&lat=22&crs=cgcs2000", http.StatusNotFound},
		{both, "/cities/440305/v1/info", http.StatusNotFound},
		{both, "/v1/grids/" + gridB.Code, http.StatusOK}, // by the code's district
	} {
		if code, body := tc.r.get(t, tc.path); code != tc.want {
			t.Errorf("%s %s = %d %s, want %d", tc.r.name, tc.path, code, body, tc.want)
		}
	}
	// /v1/cities lists what each replica serves.
	for r, want := range map[*replica][]string{both: {keyA, keyB}, onlyA: {keyA}} {
		code, body := r.get(t, "/v1/cities")
		var got api.CitiesBody
		if code != http.StatusOK || json.Unmarshal(body, &got) != nil || len(got.Cities) != len(want) {
			t.Fatalf("%s /v1/cities = %d %s", r.name, code, body)
		}
		for i, c := range got.Cities {
			if c.Key != want[i] || !c.Ready || c.Info == nil || c.Version == 0 {
				t.Errorf("%s /v1/cities[%d] = %+v, want city %s ready", r.name, i, c, want[i])
			}
		}
	}
	// The TileJSON of a city reached by its prefix keeps map clients in that city.
	if code, body := both.get(t, "/cities/440304/tiles/city.json"); code != http.StatusOK || !strings.Contains(string(body), both.base+"/cities/440304/tiles/city/") {
		t.Errorf("TileJSON of 440304 = %d %s", code, body)
	}

	// A token limited to 440303: its reads about places and its writes work there and are
	// refused in 440304; an unlimited token works in both. Each city keeps its own events.
	event := func(id string, p orb.Point) map[string]any {
		return map[string]any{"id": id, "lng": p[0], "lat": p[1], "crs": "cgcs2000", "class": "0501", "kind": "event"}
	}
	for _, tc := range []struct {
		name, method, path, token string
		body                      any
		want                      int
	}{
		{"limited read in its city", "GET", "/v1/locate?" + at(pA), tok.dispA, nil, http.StatusOK},
		{"limited read in the other city", "GET", "/v1/locate?" + at(pB), tok.dispA, nil, http.StatusForbidden},
		{"limited read of the other city by code", "GET", "/v1/grids/" + gridB.Code, tok.dispA, nil, http.StatusForbidden},
		{"limited event in its city", "POST", "/v1/events", tok.dispA, event("A-1", pA), http.StatusOK},
		{"limited event in the other city", "POST", "/v1/events", tok.dispA, event("B-1", pB), http.StatusForbidden},
		{"limited event in the other city by prefix", "POST", "/cities/440304/v1/events", tok.dispA, event("B-2", pB), http.StatusForbidden},
		{"limited activate in its city", "POST", "/v1/datasets/1/activate?city_code=440303", tok.gisA, nil, http.StatusOK},
		{"limited activate in the other city", "POST", "/v1/datasets/1/activate?city_code=440304", tok.gisA, nil, http.StatusForbidden},
		{"unlimited read in the other city", "GET", "/v1/locate?" + at(pB), tok.disp, nil, http.StatusOK},
		{"unlimited event in the other city", "POST", "/v1/events", tok.disp, event("B-3", pB), http.StatusOK},
	} {
		req, _ := http.NewRequest(tc.method, both.base+tc.path, nil)
		if tc.body != nil {
			b, _ := json.Marshal(tc.body)
			req, _ = http.NewRequest(tc.method, both.base+tc.path, strings.NewReader(string(b)))
			req.Header.Set("Content-Type", "application/json")
		}
		req.Header.Set("Authorization", "Bearer "+tc.token)
		if code, body := both.do(t, req); code != tc.want {
			t.Errorf("%s: %s %s = %d %s, want %d", tc.name, tc.method, tc.path, code, body, tc.want)
		}
	}
	for key, want := range map[string][]string{keyA: {"A-1"}, keyB: {"B-3"}} {
		code, body := both.get(t, "/v1/events?city_code="+key)
		var fc struct{ Features []struct{ ID string } }
		if code != http.StatusOK || json.Unmarshal(body, &fc) != nil {
			t.Fatalf("events of %s = %d %s", key, code, body)
		}
		var ids []string
		for _, f := range fc.Features {
			ids = append(ids, f.ID)
		}
		if fmt.Sprint(ids) != fmt.Sprint(want) {
			t.Errorf("events of %s = %v, want %v", key, ids, want)
		}
	}
	// Each city follows its own active version: a new version of 440304, imported by another
	// process, is served for 440304 alone.
	if out, err := citygeo("import", "-q", "--store", dsn, "--city", keyB).args(filesOf[keyB]...).CombinedOutput(); err != nil {
		t.Fatalf("second import --city %s: %v\n%s", keyB, err, out)
	}
	took := until(t, 5*time.Second, "440304 served at version 2", func() bool {
		code, body := both.get(t, "/v1/cities")
		var got api.CitiesBody
		if code != http.StatusOK || json.Unmarshal(body, &got) != nil || len(got.Cities) != 2 || got.Cities[1].Info == nil {
			t.Fatalf("/v1/cities = %d %s", code, body)
		}
		if got.Cities[0].Version != 1 {
			t.Fatalf("440303 at version %d after an import into 440304", got.Cities[0].Version)
		}
		return got.Cities[1].Version == 2
	})
	t.Logf("a new version of 440304 served %v after its import returned", took)
	// An upload of 440304's files to 440303 is refused like the CLI's import.
	code, body := uploadTo(t, both, "/cities/440303/v1/datasets", tok.gis, filesOf[keyB])
	if code != http.StatusUnprocessableEntity || !strings.Contains(string(body), "440304") {
		t.Errorf("upload of 440304's files to 440303 = %d %s, want 422", code, body)
	}
}

// cityTestTokens are TestCitiesOnPostgres's tokens and the auth file holding them.
type cityTestTokens struct {
	path                   string
	gis, disp, gisA, dispA string // the last two limited to 440303
}

func cityTokens(t *testing.T, dir string) cityTestTokens {
	t.Helper()
	var out cityTestTokens
	cfg := api.AuthConfig{}
	for _, tok := range []struct {
		role api.Role
		area string
		dst  *string
	}{{api.RoleGIS, "", &out.gis}, {api.RoleDispatcher, "", &out.disp}, {api.RoleGIS, "440303", &out.gisA}, {api.RoleDispatcher, "440303", &out.dispA}} {
		token, hash, err := api.NewToken()
		if err != nil {
			t.Fatal(err)
		}
		*tok.dst = token
		cfg.Tokens = append(cfg.Tokens, api.TokenHash{Name: string(tok.role) + tok.area, Role: tok.role, Area: tok.area, SHA256: hash})
	}
	b, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	out.path = filepath.Join(dir, "tokens.json")
	if err := os.WriteFile(out.path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return out
}
