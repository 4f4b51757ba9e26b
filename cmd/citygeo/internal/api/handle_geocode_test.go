package api_test

import (
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestGeocodeSample(t *testing.T) {
	srv, ds := newSampleServer(t)
	h := srv.Handler()
	for i := 0; i < len(ds.Addresses); i += len(ds.Addresses)/20 + 1 {
		a := ds.Addresses[i]
		code, body := do(t, h, "GET", "/v1/geocode?limit=3&crs=cgcs2000&q="+url.QueryEscape("深圳市罗湖区"+a.Full), nil)
		if code != http.StatusOK {
			t.Fatalf("geocode %s: %d %v", a.Full, code, body)
		}
		rs := body["results"].([]any)
		if len(rs) == 0 {
			t.Fatalf("geocode %s: no results", a.Full)
		}
		r := rs[0].(map[string]any)
		pt := r["point"].(map[string]any)
		if r["level"] != "门牌号" || r["score"].(float64) != 1 {
			t.Errorf("geocode %s: level %v score %v", a.Full, r["level"], r["score"])
		}
		if math.Abs(pt["lng"].(float64)-a.Point[0]) > 1e-6 || math.Abs(pt["lat"].(float64)-a.Point[1]) > 1e-6 {
			t.Errorf("geocode %s: point %v, want %v", a.Full, pt, a.Point)
		}
		if g, _ := r["grid"].(string); !strings.HasPrefix(g, "440303") {
			t.Errorf("geocode %s: grid %q", a.Full, g)
		}
		if len(r["elements"].([]any)) == 0 {
			t.Errorf("geocode %s: no elements", a.Full)
		}
	}
}

func TestGeocodeErrors(t *testing.T) {
	srv, _ := newSampleServer(t)
	h := srv.Handler()
	cases := []struct {
		method, url string
		body        any
		status      int
		field       string
	}{
		{"GET", "/v1/geocode", nil, 400, "q"},
		{"GET", "/v1/geocode?q=" + strings.Repeat("路", 201), nil, 400, "q"},
		{"GET", "/v1/geocode?q=x&limit=0", nil, 400, "limit"},
		{"GET", "/v1/geocode?q=x&crs=utm", nil, 400, "crs"},
		{"POST", "/v1/geocode/batch", map[string]any{"addresses": []any{}}, 400, "addresses"},
		{"POST", "/v1/geocode/batch", map[string]any{"addresses": []any{map[string]any{"q": ""}}}, 400, "addresses[0].q"},
		{"POST", "/v1/geocode/batch", map[string]any{"addresses": make([]map[string]string, 1001)}, 413, "addresses"},
		{"GET", "/v1/reverse?lng=114.1", nil, 400, "lat"},
		{"GET", "/v1/reverse?lng=114.1&lat=22.55&radius=5000", nil, 400, "radius"},
		{"GET", "/v1/suggest", nil, 400, "q"},
	}
	for _, c := range cases {
		code, body := do(t, h, c.method, c.url, c.body)
		e, _ := body["error"].(map[string]any)
		if code != c.status || e == nil || e["field"] != c.field {
			t.Errorf("%s %s: %d %v, want %d on field %s", c.method, c.url[:min(len(c.url), 60)], code, body, c.status, c.field)
		}
	}
}

func TestGeocodeBatch(t *testing.T) {
	srv, ds := newSampleServer(t)
	var items []map[string]string
	for i := range 1000 {
		a := ds.Addresses[i%len(ds.Addresses)]
		items = append(items, map[string]string{"id": fmt.Sprint(i), "q": a.Full})
	}
	code, body := do(t, srv.Handler(), "POST", "/v1/geocode/batch", map[string]any{"limit": 1, "addresses": items})
	if code != http.StatusOK {
		t.Fatalf("batch: %d %v", code, body)
	}
	rs := body["results"].([]any)
	if len(rs) != 1000 {
		t.Fatalf("batch: %d answers", len(rs))
	}
	for i, r := range rs {
		m := r.(map[string]any)
		if m["id"] != fmt.Sprint(i) || len(m["results"].([]any)) != 1 {
			t.Fatalf("batch answer %d: %v", i, m)
		}
	}
}

func TestReverseAndSuggest(t *testing.T) {
	srv, ds := newSampleServer(t)
	h := srv.Handler()
	a := ds.Addresses[len(ds.Addresses)/3]
	code, body := do(t, h, "GET", fmt.Sprintf("/v1/reverse?lng=%v&lat=%v&crs=cgcs2000", a.Point[0], a.Point[1]), nil)
	if code != http.StatusOK {
		t.Fatalf("reverse: %d %v", code, body)
	}
	house, _ := body["house"].(map[string]any)
	if house == nil || house["name"] != a.Full || house["distance_m"].(float64) > 0.5 {
		t.Errorf("reverse at %s: house %v", a.Full, house)
	}
	if body["phrase"] != a.Full || body["grid"] == nil || body["road"] == nil {
		t.Errorf("reverse at %s: %v", a.Full, body)
	}
	road := []rune(a.Road)
	code, body = do(t, h, "GET", "/v1/suggest?q="+url.QueryEscape(string(road[:2])), nil)
	if code != http.StatusOK {
		t.Fatalf("suggest: %d %v", code, body)
	}
	found := false
	for _, r := range body["results"].([]any) {
		found = found || strings.HasPrefix(r.(map[string]any)["name"].(string), string(road[:2]))
	}
	if !found {
		t.Errorf("suggest %s: %v", string(road[:2]), body)
	}
	// Every suggestion carries an id and a point, so a marker needs no second call.
	for _, r := range body["results"].([]any) {
		m := r.(map[string]any)
		pt, _ := m["point"].(map[string]any)
		if id, _ := m["id"].(string); id == "" || pt == nil || pt["lng"].(float64) < 113 || pt["lat"].(float64) < 22 {
			t.Errorf("suggestion without an id or a point: %v", m)
		}
	}
}

// TestGeocodeDeploymentCity checks that the server's gazetteer knows its city from the
// dataset's codes (深圳市): an address naming another city is doubtful, and so is one asked
// for in another city (city=广州): the answer is Shenzhen's namesake either way.
func TestGeocodeDeploymentCity(t *testing.T) {
	srv, ds := newSampleServer(t)
	h := srv.Handler()
	a := ds.Addresses[len(ds.Addresses)/2]
	for _, c := range []struct {
		q, city string
		score   float64
	}{
		{"深圳市罗湖区" + a.Full, "", 1},
		{"广州市" + a.Full, "", 0.5},
		{"浙江省杭州市西湖区" + a.Full, "", 0.5},
		{"广州市" + a.Full, "广州", 0.5},
		{a.Full, "广州", 0.5},
		{a.Full, "深圳", 1},
	} {
		code, body := do(t, h, "GET", "/v1/geocode?q="+url.QueryEscape(c.q)+"&city="+url.QueryEscape(c.city), nil)
		if code != http.StatusOK {
			t.Fatalf("geocode %s: %d %v", c.q, code, body)
		}
		rs := body["results"].([]any)
		if len(rs) == 0 {
			t.Fatalf("geocode %s: no results", c.q)
		}
		r := rs[0].(map[string]any)
		if got, elsewhere := r["score"].(float64), r["elsewhere"] == true; got != c.score || elsewhere != (c.score < 1) {
			t.Errorf("geocode %s city %q: score %v, elsewhere %v; want %v", c.q, c.city, got, elsewhere, c.score)
		}
	}
}

// TestGeocodeHonest checks that /v1/geocode renders what an answer vouches for: the part of
// the query it answers, what the index matched and why they differ.
func TestGeocodeHonest(t *testing.T) {
	srv, _ := newSampleServer(t)
	h := srv.Handler()
	cases := []struct {
		q, level, reason, asked, matched string
	}{
		{"建设路18号", "门牌号", "", "建设路18号", "建设路18号"},
		{"建国路1号", "道路", "fuzzy_road", "建国路1号", "建设路"},
		{"建设路99999号", "道路", "out_of_range", "建设路99999号", "建设路"},
		{"罗湖区", "区县", "", "罗湖区", "罗湖区"},
	}
	for _, c := range cases {
		code, body := do(t, h, "GET", "/v1/geocode?q="+url.QueryEscape(c.q), nil)
		if code != http.StatusOK {
			t.Fatalf("geocode %s: %d %v", c.q, code, body)
		}
		rs := body["results"].([]any)
		if len(rs) == 0 {
			t.Fatalf("geocode %s: no results", c.q)
		}
		r := rs[0].(map[string]any)
		reason, _ := r["reason"].(string)
		if r["level"] != c.level || reason != c.reason || r["asked"] != c.asked || r["matched"] != c.matched {
			t.Errorf("geocode %s: level %v reason %q asked %v matched %v, want %s %q %s %s",
				c.q, r["level"], reason, r["asked"], r["matched"], c.level, c.reason, c.asked, c.matched)
		}
		if c.reason != "" && r["score"].(float64) >= 0.5 {
			t.Errorf("geocode %s: %s scores %v, want below dispatch's 0.5", c.q, c.reason, r["score"])
		}
	}
}
