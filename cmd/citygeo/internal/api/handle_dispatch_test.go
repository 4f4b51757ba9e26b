package api_test

import (
	"math"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"citygeo/city"
	"citygeo/cmd/citygeo/internal/api"
	"citygeo/data"
	"citygeo/data/sqlite"
	"citygeo/dispatch"
)

// newDispatchServer serves the sample city with the sample duty rules, a feed over store and a
// dispatcher token; it returns the handler and the token.
func newDispatchServer(t testing.TB, store data.EventStore) (http.Handler, string, *data.Dataset) {
	t.Helper()
	ds, err := sampleOnce()
	if err != nil {
		t.Fatal(err)
	}
	rules, err := dispatch.SampleRules()
	if err != nil {
		t.Fatal(err)
	}
	dispatch.FillDepartmentCodes(rules, ds.Departments)
	srv, tok, _ := serveDispatch(t, ds, rules, store)
	return srv.Handler(), tok, ds
}

// serveDispatch serves ds with the rules, a feed over store (nil: memory) and a dispatcher token.
func serveDispatch(t testing.TB, ds *data.Dataset, rules []*data.DutyRule, store data.EventStore) (*api.Server, string, *dispatch.Feed) {
	t.Helper()
	set, err := dispatch.NewRuleSet(rules)
	if err != nil {
		t.Fatal(err)
	}
	feed, err := dispatch.NewFeed(store, dispatch.DupConfig{})
	if err != nil {
		t.Fatal(err)
	}
	tok, hash, err := api.NewToken()
	if err != nil {
		t.Fatal(err)
	}
	auth, err := api.NewAuth(&api.AuthConfig{Tokens: []api.TokenHash{{Name: "desk", Role: api.RoleDispatcher, SHA256: hash}}})
	if err != nil {
		t.Fatal(err)
	}
	snap, err := city.Build(ds, city.Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv := api.New(api.Options{Auth: auth, Logger: quietLog, Dispatch: &api.Dispatch{Rules: set, Feed: feed}})
	srv.Swap(snap)
	return srv, tok, feed
}

func gridByCode(ds *data.Dataset, code string) *data.Grid {
	for _, g := range ds.Grids {
		if g.Code == code {
			return g
		}
	}
	return nil
}

func TestDispatchHTTP(t *testing.T) {
	h, _, ds := newDispatchServer(t, nil)
	ped := interior(gridByCode(ds, "440303003020001"))
	code, body := do(t, h, "POST", "/v1/dispatch", map[string]any{"lng": ped[0], "lat": ped[1], "class": "0102", "kind": "event", "time": "2026-11-18T10:00:00+08:00"})
	if code != 200 {
		t.Fatalf("status %d: %v", code, body)
	}
	dept := body["department"].(map[string]any)
	rule := body["rule"].(map[string]any)
	if dept["name"] != "东门步行街管理办公室" || body["path"] != "rule" || rule["level"] != "grid" || body["grid"] != "440303003020001" {
		t.Errorf("got %v", body)
	}
	if body["deadline"] != "2026-11-18T12:00:00+08:00" {
		t.Errorf("deadline %v, want 2 working hours later", body["deadline"])
	}
	if _, ok := body["duplicates"].([]any); !ok {
		t.Errorf("duplicates is not a list: %v", body["duplicates"])
	}

	comp := ds.Components[0]
	tests := []struct {
		name   string
		req    map[string]any
		status int
		field  string
	}{
		{"unknown class", map[string]any{"lng": ped[0], "lat": ped[1], "class": "0999"}, 400, "class"},
		{"malformed time", map[string]any{"lng": ped[0], "lat": ped[1], "class": "0102", "time": "yesterday"}, 400, "time"},
		{"outside the city", map[string]any{"lng": 116.4, "lat": 39.9, "class": "0102"}, 422, "lng"},
		{"lng out of range", map[string]any{"lng": 214.1, "lat": ped[1], "class": "0102"}, 400, "lng"},
		{"lat out of range", map[string]any{"lng": ped[0], "lat": -122.5, "class": "0102"}, 400, "lat"},
		{"no position", map[string]any{"class": "0102"}, 400, "lng"},
		{"unknown component", map[string]any{"lng": ped[0], "lat": ped[1], "class": "0118", "component": "4403030118999999"}, 404, "component"},
		{"lat missing", map[string]any{"lng": ped[0], "class": "0102"}, 400, "lng"},
		{"bad crs", map[string]any{"lng": ped[0], "lat": ped[1], "crs": "utm", "class": "0102"}, 400, "crs"},
		{"unknown field", map[string]any{"lng": ped[0], "lat": ped[1], "klass": "0102"}, 400, "klass"},
		{"component only", map[string]any{"class": comp.Class(), "component": comp.ID}, 200, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, body := do(t, h, "POST", "/v1/dispatch", tc.req)
			if code != tc.status {
				t.Fatalf("status %d, want %d: %v", code, tc.status, body)
			}
			if tc.field != "" {
				e := body["error"].(map[string]any)
				if e["field"] != tc.field {
					t.Errorf("field %v, want %s (%v)", e["field"], tc.field, e)
				}
			}
		})
	}

	// By address, through the snapshot's gazetteer.
	addr := ds.Addresses[len(ds.Addresses)/2]
	code, body = do(t, h, "POST", "/v1/dispatch", map[string]any{"address": addr.Full, "class": "0501", "kind": "event"})
	if code != 200 || body["grid"] == nil || body["department"] == nil {
		t.Fatalf("by address %q: %d %v", addr.Full, code, body)
	}
	if got := body["point"].(map[string]any); math.Abs(got["lng"].(float64)-addr.Point[0]) > 0.001 || math.Abs(got["lat"].(float64)-addr.Point[1]) > 0.001 {
		t.Errorf("address %q placed at %v, want near %v", addr.Full, got, addr.Point)
	}
	code, body = do(t, h, "POST", "/v1/dispatch", map[string]any{"address": "火星大道99999号", "class": "0501", "kind": "event"})
	if code != 404 || body["error"].(map[string]any)["field"] != "address" {
		t.Errorf("unknown address: %d %v", code, body)
	}

	code, body = do(t, h, "POST", "/v1/dispatch/batch", map[string]any{"items": []map[string]any{
		{"id": "a", "lng": ped[0], "lat": ped[1], "class": "0501", "kind": "event"},
		{"id": "b", "lng": ped[0], "lat": ped[1], "class": "0999"},
	}})
	if code != 200 {
		t.Fatalf("batch status %d: %v", code, body)
	}
	res := body["results"].([]any)
	a, b := res[0].(map[string]any), res[1].(map[string]any)
	if a["id"] != "a" || a["department"] == nil || b["error"].(map[string]any)["field"] != "items[1].class" {
		t.Errorf("batch results %v", res)
	}
}

func TestEventsHTTP(t *testing.T) {
	store, err := sqlite.OpenEvents(filepath.Join(t.TempDir(), "events.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	h, tok, ds := newDispatchServer(t, store)
	p := interior(gridByCode(ds, "440303003020002"))
	ev := map[string]any{"id": "2026111800001", "lng": p[0], "lat": p[1], "class": "0501", "kind": "event",
		"time": "2026-11-18T10:00:00+08:00", "source": "监督员上报", "description": "占道经营"}
	if code, body := do(t, h, "POST", "/v1/events", ev); code != 401 {
		t.Fatalf("without a token: %d %v", code, body)
	}
	post := func(body map[string]any) (int, map[string]any) {
		t.Helper()
		return doAuth(t, h, "POST", "/v1/events", body, tok)
	}
	code, body := post(ev)
	if code != 200 || body["street"] != "440303003" || body["department"].(map[string]any)["name"] != "深圳市罗湖区东门街道办事处" || body["status"] != "open" {
		t.Fatalf("create: %d %v", code, body)
	}
	created := body
	// An update without a time keeps the report time and the deadline that runs from it.
	code, body = post(map[string]any{"id": "2026111800001", "lng": p[0], "lat": p[1], "class": "0501", "kind": "event", "description": "占道经营 (复核)"})
	if code != 200 || body["reported"] != created["reported"] || body["deadline"] != created["deadline"] || body["description"] != "占道经营 (复核)" {
		t.Fatalf("update: %d %v\nwas %v", code, body, created)
	}
	// A second report nearby is a duplicate candidate of the first.
	code, body = do(t, h, "POST", "/v1/dispatch", map[string]any{"lng": p[0] + 0.0001, "lat": p[1], "class": "0501", "kind": "event", "time": "2026-11-18T11:00:00+08:00"})
	dups := body["duplicates"].([]any)
	if code != 200 || len(dups) != 1 || dups[0].(map[string]any)["event_id"] != "2026111800001" {
		t.Fatalf("duplicates: %d %v", code, body)
	}
	bbox := "/v1/events?bbox=" + strings.Join([]string{ftoa(p[0] - 0.01), ftoa(p[1] - 0.01), ftoa(p[0] + 0.01), ftoa(p[1] + 0.01)}, ",")
	code, body = do(t, h, "GET", bbox, nil)
	if code != 200 || len(body["features"].([]any)) != 1 {
		t.Fatalf("events in bbox: %d %v", code, body)
	}
	code, body = do(t, h, "GET", "/v1/stats?by=street&from=2026-11-18T00:00:00%2B08:00&to=2026-11-19T00:00:00%2B08:00", nil)
	rows := body["rows"].([]any)
	if code != 200 || len(rows) != 1 || rows[0].(map[string]any)["reported"] != 1.0 {
		t.Fatalf("stats: %d %v", code, body)
	}
	code, body = do(t, h, "GET", "/v1/stats?by=community&format=geojson", nil)
	if feats, _ := body["features"].([]any); code != 200 || len(feats) != 1 ||
		feats[0].(map[string]any)["properties"].(map[string]any)["name"] != "东门社区" {
		t.Fatalf("stats choropleth: %d %v", code, body)
	}
	if code, body = post(map[string]any{"id": "2026111800001", "status": "closed", "closed": "2026-11-18T15:00:00+08:00"}); code != 200 || body["status"] != "closed" {
		t.Fatalf("close: %d %v", code, body)
	}
	if code, body = post(map[string]any{"id": "nope", "status": "closed"}); code != 404 {
		t.Fatalf("close unknown: %d %v", code, body)
	}
	code, body = do(t, h, "GET", bbox, nil)
	if code != 200 || len(body["features"].([]any)) != 0 {
		t.Fatalf("closed event still shown: %v", body)
	}
	for _, tc := range []struct{ url, field string }{
		{"/v1/stats?by=county", "by"}, {"/v1/stats?from=today", "from"}, {"/v1/stats?class=0999", "class"},
		{"/v1/events?bbox=1,2", "bbox"}, {"/v1/stats?format=xml", "format"}, {"/v1/stats?from=2026-11-19T00:00:00Z&to=2026-11-18T00:00:00Z", "to"},
		{"/v1/stats?period=year", "period"}, {"/v1/stats?by=department&format=geojson", "format"}, {"/v1/stats?from=2026-11-19&to=2026-11-18", "to"},
		{"/v1/events?status=pending", "status"}, {"/v1/events?cursor=zzz", "cursor"}, {"/v1/events?limit=0", "limit"},
		{"/v1/events?from=yesterday", "from"}, {"/v1/events/stream?after=-1", "after"},
	} {
		code, body := do(t, h, "GET", tc.url, nil)
		if code != 400 || body["error"].(map[string]any)["field"] != tc.field {
			t.Errorf("%s: %d %v, want 400 naming %s", tc.url, code, body, tc.field)
		}
	}
}

func doAuth(t testing.TB, h http.Handler, method, url string, body any, tok string) (int, map[string]any) {
	t.Helper()
	return do(t, authed{h, tok}, method, url, body)
}

// authed adds a bearer token to every request.
type authed struct {
	h   http.Handler
	tok string
}

func (a authed) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	r.Header.Set("Authorization", "Bearer "+a.tok)
	a.h.ServeHTTP(w, r)
}

func ftoa(v float64) string { return strconv.FormatFloat(v, 'f', 7, 64) }

// TestEventsSurviveSwap files an event, swaps in a new dataset version and finds the event
// still there: the feed lives beside the snapshots.
func TestEventsSurviveSwap(t *testing.T) {
	ds, err := sampleOnce()
	if err != nil {
		t.Fatal(err)
	}
	rules, err := dispatch.SampleRules()
	if err != nil {
		t.Fatal(err)
	}
	srv, _, feed := serveDispatch(t, ds, rules, nil)
	p := interior(ds.Grids[0])
	if _, err := feed.Put(data.Event{ID: "A1", Class: data.ClassRef{Scheme: data.CJT214, Kind: data.KindEvent, Code: "0501"}, Point: p}, time.Now()); err != nil {
		t.Fatal(err)
	}
	v2 := *ds
	v2.Version = 2
	snap2, err := city.Build(&v2, city.Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv.Swap(snap2)
	code, body := do(t, srv.Handler(), "POST", "/v1/dispatch", map[string]any{"lng": p[0], "lat": p[1], "class": "0501", "kind": "event"})
	if code != 200 || body["version"] != 2.0 || len(body["duplicates"].([]any)) != 1 {
		t.Fatalf("after swap: %d %v", code, body)
	}
}
