package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"citygeo/city"
	"citygeo/geo"
)

// TestLocateBatchMatchesEncodingJSON checks the hand-written batch answer byte for byte
// against what the route answered through encoding/json before (gin.H of the results and the
// version, each result the single locate's answer with the point's id), over random points
// in and around the sample city, ids that need escapes, each CRS, with and without components.
func TestLocateBatchMatchesEncodingJSON(t *testing.T) {
	srv, ds := newSampleServer(t)
	h, snap := srv.Handler(), srv.Current()
	bd := ds.Bound().Pad(0.005)
	rng := rand.New(rand.NewPCG(7, 8))
	for _, tc := range []struct {
		name, crs string
		q         geo.NearestQuery
		opts      string
		query     string // the same for GET /v1/locate
	}{
		{"grid only", "wgs84", geo.NearestQuery{}, `"k":0,`, "k=0"},
		{"default components, gcj02", "gcj02", geo.NearestQuery{K: city.DefaultLocateK, Radius: city.DefaultLocateRadius}, `"crs":"gcj02",`, "crs=gcj02"},
		{"nearest lamp, bd09", "bd09", geo.NearestQuery{K: 1, Radius: 300, Class: "0118"}, `"CRS":"bd09","k":1,"radius":300,"class":"0118",`, "crs=bd09&k=1&radius=300&class=0118"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			crs, err := geo.ParseCRS(tc.crs)
			if err != nil {
				t.Fatal(err)
			}
			var body bytes.Buffer
			var want []city.Located
			fmt.Fprintf(&body, `{%s"points":[`, tc.opts)
			for i := range 300 {
				given := orb.Point{bd.Min[0] + rng.Float64()*(bd.Max[0]-bd.Min[0]), bd.Min[1] + rng.Float64()*(bd.Max[1]-bd.Min[1])}
				id := ""
				switch i % 4 {
				case 1:
					id = "p" + strconv.Itoa(i)
				case 2:
					id = `<a&b> "q" \ 网格` + "\u2028"
				case 3:
					id = "\xff\xfe" // invalid UTF-8: each byte becomes U+FFFD
				}
				if i > 0 {
					body.WriteByte(',')
				}
				item := map[string]any{"lng": given[0], "lat": given[1]}
				if id != "" {
					item["id"] = id
				}
				b, _ := json.Marshal(item)
				if i%4 == 3 {
					b = []byte(fmt.Sprintf(`{"id":"%s","LNG":%v,"lat":%v}`, id, given[0], given[1]))
				}
				body.Write(b)
				loc, _ := snap.Locate(given, geo.ToCGCS2000(given, crs), crs, tc.q, nil)
				if i%10 == 0 { // the single route, written the same way
					single, err := json.Marshal(loc)
					if err != nil {
						t.Fatal(err)
					}
					rec := httptest.NewRecorder()
					h.ServeHTTP(rec, httptest.NewRequest("GET", fmt.Sprintf("/v1/locate?lng=%v&lat=%v&%s", given[0], given[1], tc.query), nil))
					if rec.Code != 200 || rec.Body.String() != string(single) {
						t.Fatalf("GET /v1/locate: %d\n got %s\nwant %s", rec.Code, rec.Body, single)
					}
				}
				loc.ID = strings.ToValidUTF8(id, "\uFFFD\uFFFD")
				want = append(want, loc)
			}
			body.WriteString("]}")
			wantBody, err := json.Marshal(map[string]any{"version": snap.Version(), "results": want})
			if err != nil {
				t.Fatal(err)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest("POST", "/v1/locate/batch", &body))
			if rec.Code != 200 {
				t.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
			if got := rec.Body.String(); got != string(wantBody) {
				t.Fatalf("answer differs from encoding/json's at byte %d:\n got …%s\nwant …%s", diffAt(got, string(wantBody)),
					excerpt(got, diffAt(got, string(wantBody))), excerpt(string(wantBody), diffAt(got, string(wantBody))))
			}
			if ct := rec.Header().Get("Content-Type"); ct != "application/json; charset=utf-8" {
				t.Errorf("Content-Type %q", ct)
			}
		})
	}
}

func diffAt(a, b string) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

func excerpt(s string, at int) string { return s[max(at-80, 0):min(at+80, len(s))] }

// TestLocateBatchCSV checks the text/csv form against the JSON form's grids and snaps.
func TestLocateBatchCSV(t *testing.T) {
	srv, ds := newSampleServer(t)
	h, snap := srv.Handler(), srv.Current()
	bd := ds.Bound().Pad(0.005)
	rng := rand.New(rand.NewPCG(9, 10))
	var body strings.Builder
	body.WriteString("lng,lat\r\n")
	var pts []orb.Point
	for range 2000 {
		lng := strconv.FormatFloat(bd.Min[0]+rng.Float64()*(bd.Max[0]-bd.Min[0]), 'f', 7, 64)
		lat := strconv.FormatFloat(bd.Min[1]+rng.Float64()*(bd.Max[1]-bd.Min[1]), 'f', 7, 64)
		fmt.Fprintf(&body, "%s, %s\r\n", lng, lat)
		var p orb.Point
		p[0], _ = strconv.ParseFloat(lng, 64)
		p[1], _ = strconv.ParseFloat(lat, 64)
		pts = append(pts, p)
	}
	req := httptest.NewRequest("POST", "/v1/locate/batch?crs=gcj02", strings.NewReader(body.String()))
	req.Header.Set("Content-Type", "text/csv; charset=utf-8")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != 200 {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	if v := rec.Header().Get("X-Dataset-Version"); v != strconv.FormatInt(snap.Version(), 10) {
		t.Errorf("X-Dataset-Version %q, want %d", v, snap.Version())
	}
	lines := strings.Split(strings.TrimSuffix(rec.Body.String(), "\n"), "\n")
	if lines[0] != "grid,snap_distance_m" || len(lines) != len(pts)+1 {
		t.Fatalf("header %q and %d lines for %d points", lines[0], len(lines), len(pts))
	}
	inside, snapped, none := 0, 0, 0
	for i, p := range pts {
		loc, _ := snap.Locate(p, geo.ToCGCS2000(p, geo.GCJ02), geo.GCJ02, geo.NearestQuery{}, nil)
		want := ","
		switch {
		case loc.Grid != nil && loc.Snapped:
			want = loc.Grid.Code + "," + strconv.FormatFloat(loc.SnapDist, 'f', -1, 64)
			snapped++
		case loc.Grid != nil:
			want = loc.Grid.Code + ","
			inside++
		default:
			none++
		}
		if lines[i+1] != want {
			t.Fatalf("point %d %v: %q, want %q", i, p, lines[i+1], want)
		}
	}
	if inside == 0 || none == 0 {
		t.Errorf("the points cover too little: %d inside, %d snapped, %d in no grid", inside, snapped, none)
	}
}

func TestLocateBatchErrors(t *testing.T) {
	srv, _ := newSampleServer(t)
	h := srv.Handler()
	many := strings.Repeat("114.05,22.54\n", 100_001)
	for _, tc := range []struct {
		name, ct, url, body string
		status              int
		field               string
	}{
		{"json: a string for lat", "application/json", "/v1/locate/batch", `{"points":[{"lng":114,"lat":"22"}]}`, 400, "points[0].lat"},
		{"json: k not an integer", "application/json", "/v1/locate/batch", `{"k":1.5,"points":[{"lng":114,"lat":22}]}`, 400, "k"},
		{"json: k out of range", "application/json", "/v1/locate/batch", `{"k":1000,"points":[{"lng":114,"lat":22}]}`, 400, "k"},
		{"json: unknown crs", "application/json", "/v1/locate/batch", `{"crs":"utm","points":[{"lng":114,"lat":22}]}`, 400, "crs"},
		{"json: unknown point field", "application/json", "/v1/locate/batch", `{"points":[{"lng":114,"lat":22,"alt":3}]}`, 400, "points[0].alt"},
		{"json: unknown option", "application/json", "/v1/locate/batch", `{"kk":3,"points":[{"lng":114,"lat":22}]}`, 400, "kk"},
		{"json: number out of range", "application/json", "/v1/locate/batch", `{"points":[{"lng":1e400,"lat":22}]}`, 400, "points[0].lng"},
		{"json: k not whole", "application/json", "/v1/locate/batch", `{"k":2.5,"points":[{"lng":114,"lat":22}]}`, 400, "k"},
		{"json: invalid", "application/json", "/v1/locate/batch", `{"points":[{"lng":01,"lat":22}]}`, 400, "body"},
		{"json: trailing data", "application/json", "/v1/locate/batch", `{"points":[{"lng":1,"lat":22}]} {}`, 400, "body"},
		{"json: not an object", "application/json", "/v1/locate/batch", `[1,2]`, 400, "body"},
		{"json: a point not an object", "application/json", "/v1/locate/batch", `{"points":[3]}`, 400, "points[0]"},
		{"json: empty body", "application/json", "/v1/locate/batch", ``, 400, "body"},
		{"csv: bad number", "text/csv", "/v1/locate/batch", "114.05,22.54\n114.05,abc\n", 400, "points[1].lat"},
		{"csv: out of range", "text/csv", "/v1/locate/batch", "lng,lat\n200,22.54\n", 400, "points[0].lng"},
		{"csv: no comma", "text/csv", "/v1/locate/batch", "114.05 22.54\n", 400, "points[0]"},
		{"csv: empty", "text/csv", "/v1/locate/batch", "lng,lat\n", 400, "points"},
		{"csv: components asked", "text/csv", "/v1/locate/batch?k=5", "114.05,22.54\n", 400, "k"},
		{"csv: too many", "text/csv", "/v1/locate/batch", many, 413, "points"},
		{"csv: bad crs", "text/csv", "/v1/locate/batch?crs=utm", "114.05,22.54\n", 400, "crs"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest("POST", tc.url, strings.NewReader(tc.body))
			req.Header.Set("Content-Type", tc.ct)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			var e struct {
				Error struct{ Field, Message string }
			}
			_ = json.Unmarshal(rec.Body.Bytes(), &e)
			if rec.Code != tc.status || e.Error.Field != tc.field {
				t.Errorf("status %d field %q (%s), want %d %q", rec.Code, e.Error.Field, e.Error.Message, tc.status, tc.field)
			}
			for _, goWord := range []string{"float64", "json:", "int,", "Go "} { // the client's words, not Go's
				if strings.Contains(e.Error.Message, goWord) {
					t.Errorf("message %q speaks Go (%q)", e.Error.Message, goWord)
				}
			}
		})
	}
}
