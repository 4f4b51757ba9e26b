package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"citygeo/city"
	"citygeo/cmd/citygeo/internal/api"
	"citygeo/data"
	"citygeo/field"
	"citygeo/geo"
)

// fieldNow is the field tests' clock: 10:00 in Shenzhen.
var fieldNow = time.Date(2026, 11, 20, 2, 0, 0, 0, time.UTC)

// fieldServer is a server with a field force, a registry of three devices and a token per role.
type fieldServer struct {
	srv    *api.Server
	h      http.Handler
	force  *field.Force
	authz  *api.Auth
	tokens map[api.Role]string
	mu     sync.Mutex
	now    time.Time
}

func (fs *fieldServer) Now() time.Time { fs.mu.Lock(); defer fs.mu.Unlock(); return fs.now }

func (fs *fieldServer) advance(d time.Duration) { fs.mu.Lock(); fs.now = fs.now.Add(d); fs.mu.Unlock() }

// newFieldServer serves the sample city (when withCity) with positions enabled.
func newFieldServer(t testing.TB, withCity bool) *fieldServer {
	t.Helper()
	fs := &fieldServer{now: fieldNow, tokens: map[api.Role]string{}}
	var entries []api.TokenHash
	for _, r := range []api.Role{api.RoleReader, api.RoleDispatcher, api.RoleGIS, api.RoleAdmin, api.RoleDevice} {
		tok, hash, err := api.NewToken()
		if err != nil {
			t.Fatal(err)
		}
		fs.tokens[r] = tok
		entries = append(entries, api.TokenHash{Name: string(r), Role: r, SHA256: hash})
	}
	auth, err := api.NewAuth(&api.AuthConfig{Tokens: entries})
	if err != nil {
		t.Fatal(err)
	}
	fs.authz = auth
	reg, err := field.NewRegistry([]data.Device{
		{ID: "h-001", Kind: data.DevicePerson, Name: "张三", Role: "patroller", Team: "东门中队", Subject: "P001"},
		{ID: "h-002", Kind: data.DevicePerson, Name: "李四", Role: "supervisor", Team: "东门中队", Subject: "P002"},
		{ID: "13912345678", Kind: data.DeviceVehicle, Name: "粤B12345", Role: "sanitation", Subject: "粤B12345"},
	})
	if err != nil {
		t.Fatal(err)
	}
	fs.force, err = field.Open(context.Background(), &field.MemTracks{}, field.Options{Devices: reg, Now: fs.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fs.force.Close() })
	fs.srv = api.New(api.Options{Auth: auth, Logger: quietLog, Field: fs.force})
	if withCity {
		ds, err := sampleOnce()
		if err != nil {
			t.Fatal(err)
		}
		snap, err := city.Build(ds, city.Options{})
		if err != nil {
			t.Fatal(err)
		}
		fs.srv.Swap(snap)
	}
	fs.h = fs.srv.Handler()
	return fs
}

// call sends a JSON request with role's token ("" none) and decodes the JSON answer.
func (fs *fieldServer) call(t testing.TB, role api.Role, method, url string, body any) (int, map[string]any) {
	t.Helper()
	return do(t, fs.h, method, url, body, fs.auth(role)...)
}

// auth is the Authorization header pair of role's token; none for "".
func (fs *fieldServer) auth(role api.Role) []string {
	if role == "" {
		return nil
	}
	return []string{"Authorization", "Bearer " + fs.tokens[role]}
}

func fixJSON(dev string, at time.Time, lng, lat float64) map[string]any {
	return map[string]any{"device": dev, "time": at.Format(time.RFC3339Nano), "lng": lng, "lat": lat, "speed": 1.2, "heading": 90, "accuracy": 5}
}

// TestPositionsArePersonal: who may post positions and who may read them, whatever the read
// guard says: devices post, dispatchers read, nobody else does either.
func TestPositionsArePersonal(t *testing.T) {
	fs := newFieldServer(t, true)
	post := map[string]any{"fixes": []any{fixJSON("h-001", fieldNow, 114.12, 22.55)}}
	tile := tilePath("positions", maptile.At(orb.Point{114.12, 22.55}, 16))
	for _, tc := range []struct {
		method, url string
		body        any
		allowed     []api.Role
	}{
		{"POST", "/v1/positions", post, []api.Role{api.RoleDevice, api.RoleAdmin}},
		{"GET", "/v1/positions", nil, []api.Role{api.RoleDispatcher, api.RoleAdmin}},
		{"GET", "/v1/tracks/h-001", nil, []api.Role{api.RoleDispatcher, api.RoleAdmin}},
		{"GET", "/v1/patrollers/nearest?lng=114.12&lat=22.55", nil, []api.Role{api.RoleDispatcher, api.RoleAdmin}},
		{"POST", "/v1/patrollers/nearest/batch", map[string]any{"points": []any{map[string]any{"lng": 114.12, "lat": 22.55}}}, []api.Role{api.RoleDispatcher, api.RoleAdmin}},
		{"GET", "/tiles/positions.json", nil, []api.Role{api.RoleDispatcher, api.RoleAdmin}},
		{"GET", tile, nil, []api.Role{api.RoleDispatcher, api.RoleAdmin}},
	} {
		for _, role := range []api.Role{"", api.RoleReader, api.RoleGIS, api.RoleDevice, api.RoleDispatcher, api.RoleAdmin} {
			t.Run(fmt.Sprintf("%s %s as %q", tc.method, tc.url, role), func(t *testing.T) {
				var code int
				if tc.method == "GET" && strings.HasSuffix(tc.url, ".mvt") {
					code = get(t, fs.h, tc.url, fs.auth(role)...).Code // a tile is not JSON
				} else {
					code, _ = fs.call(t, role, tc.method, tc.url, tc.body)
				}
				want := http.StatusForbidden
				switch {
				case role == "":
					want = http.StatusUnauthorized
				case contains(tc.allowed, role):
					want = http.StatusOK
				}
				if code == http.StatusNoContent && want == http.StatusOK {
					return // an empty tile is an allowed answer
				}
				if code != want {
					t.Errorf("status %d, want %d", code, want)
				}
			})
		}
	}
	// The style a client gets only has the sources it may read.
	for role, want := range map[api.Role]bool{"": false, api.RoleReader: false, api.RoleDispatcher: true} {
		_, st := fs.call(t, role, "GET", "/styles/wall.json", nil)
		_, has := st["sources"].(map[string]any)["positions"]
		if has != want {
			t.Errorf("style for %q has the positions source: %v, want %v", role, has, want)
		}
	}
}

func contains(rs []api.Role, r api.Role) bool {
	for _, x := range rs {
		if x == r {
			return true
		}
	}
	return false
}

func TestPostPositions(t *testing.T) {
	fs := newFieldServer(t, false)
	gcj := geo.WGS84ToGCJ02(orb.Point{114.12, 22.55})
	missing := map[string]any{"device": "h-001", "time": fieldNow.Format(time.RFC3339), "lng": 114.1}
	badCRS := fixJSON("h-001", fieldNow.Add(-3*time.Second), 114.1, 22.5)
	badCRS["crs"] = "epsg:3857"
	code, rep := fs.call(t, api.RoleDevice, "POST", "/v1/positions", map[string]any{"crs": "gcj02", "fixes": []any{
		fixJSON("h-001", fieldNow.Add(-20*time.Second), gcj[0], gcj[1]), // 0: stored, converted from GCJ-02
		missing, // 1: no lat
		fixJSON("h-001", fieldNow.Add(time.Hour), gcj[0], gcj[1]), // 2: in the future
		badCRS, // 3: a projected crs
		fixJSON("nobody", fieldNow, gcj[0], gcj[1]),                      // 4: not in the registry
		fixJSON("h-001", fieldNow.Add(-10*time.Second), 114.1201, 22.55), // 5: stored; its crs is the batch's, gcj02
	}})
	if code != 200 {
		t.Fatalf("status %d: %v", code, rep)
	}
	if rep["accepted"] != 2.0 {
		t.Errorf("accepted = %v, want 2", rep["accepted"])
	}
	got := map[float64]string{}
	for _, p := range rep["rejected"].([]any) {
		m := p.(map[string]any)
		got[m["index"].(float64)] = m["field"].(string)
	}
	if want := map[float64]string{1: "lng", 2: "time", 3: "crs", 4: "device"}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("rejected = %v, want %v", got, want)
	}
	pos, ok := fs.force.Position("h-001")
	if !ok || geo.Distance(pos.Fix.Point, geo.GCJ02ToWGS84(orb.Point{114.1201, 22.55})) > 0.01 {
		t.Errorf("latest of h-001 = %+v; want the second fix converted from GCJ-02", pos.Fix)
	}

	code, fc := fs.call(t, api.RoleDispatcher, "GET", "/v1/positions?crs=gcj02", nil)
	feats := fc["features"].([]any)
	if code != 200 || len(feats) != 1 {
		t.Fatalf("positions: %d, %v", code, fc)
	}
	props := feats[0].(map[string]any)["properties"].(map[string]any)
	coords := feats[0].(map[string]any)["geometry"].(map[string]any)["coordinates"].([]any)
	if props["name"] != "张三" || props["role"] != "patroller" || props["source"] != "http" || coords[0].(float64)-114.1201 > 1e-6 {
		t.Errorf("position feature = %v at %v", props, coords)
	}
	fs.advance(10 * time.Minute)
	if _, fc := fs.call(t, api.RoleDispatcher, "GET", "/v1/positions?online_within=300", nil); len(fc["features"].([]any)) != 0 {
		t.Error("online_within=300 lists a device last heard 10 minutes ago")
	}

	code, tr := fs.call(t, api.RoleDispatcher, "GET", "/v1/tracks/h-001?date=2026-11-20", nil)
	if code != 200 || tr["geometry"].(map[string]any)["type"] != "LineString" || tr["properties"].(map[string]any)["count"] != 2.0 {
		t.Fatalf("track: %d %v", code, tr)
	}
	times := tr["properties"].(map[string]any)["times"].([]any)
	if times[0] != fieldNow.Add(-20*time.Second).Format(time.RFC3339) {
		t.Errorf("track times = %v", times)
	}
	if code, tr := fs.call(t, api.RoleDispatcher, "GET", "/v1/tracks/h-001?date=2026-11-19", nil); code != 200 || tr["geometry"] != nil {
		t.Errorf("a day without fixes: %d %v", code, tr)
	}
	if code, _ := fs.call(t, api.RoleDispatcher, "GET", "/v1/tracks/nobody", nil); code != 404 {
		t.Errorf("track of an unknown device: %d, want 404", code)
	}
	if code, _ := fs.call(t, api.RoleDispatcher, "GET", "/v1/tracks/h-001?date=20.11.2026", nil); code != 400 {
		t.Errorf("bad date: %d, want 400", code)
	}
}

// TestPostPositionsRefusesBadFixesByIndex: a fix whose values are of the wrong type (a time
// that is no RFC 3339 time, a number sent as a string, a fix that is no object) is refused by
// index with its field and reason, as README says, and the good fixes of the batch are stored.
func TestPostPositionsRefusesBadFixesByIndex(t *testing.T) {
	fs := newFieldServer(t, false)
	good := func(s int) string {
		return fmt.Sprintf(`{"device":"h-001","time":%q,"lng":114.1,"lat":22.5}`, fieldNow.Add(time.Duration(s-60)*time.Second).Format(time.RFC3339))
	}
	body := `{"fixes":[` + strings.Join([]string{
		good(1),
		`{"device":"h-001","time":"yesterday","lng":114.1,"lat":22.5}`, // 1
		good(2),
		`{"device":"h-001","time":"2026-11-20T09:59:00+08:00","lng":"114.1","lat":22.5}`, // 3
		`7`, // 4
		`{"device":"h-001","time":"2026-11-20T09:59:00+08:00","lng":114.1,"lat":22.5,"alt":3}`, // 5
		good(3),
	}, ",") + `]}`
	code, rep := fs.call(t, api.RoleDevice, "POST", "/v1/positions", json.RawMessage(body))
	if code != 200 || rep["accepted"] != 3.0 {
		t.Fatalf("status %d: %v; want 200 with 3 accepted", code, rep)
	}
	type problem struct{ field, reason string }
	var got []problem
	var idx []float64
	for _, p := range rep["rejected"].([]any) {
		m := p.(map[string]any)
		idx = append(idx, m["index"].(float64))
		got = append(got, problem{m["field"].(string), m["reason"].(string)})
	}
	want := []problem{
		{"time", `want an RFC 3339 time such as 2026-11-20T09:30:00+08:00, got the string "yesterday"`},
		{"lng", `want a JSON number, got the string "114.1"`},
		{"", "want a JSON object, got the number 7"},
		{"alt", "unknown field; want one of device, time, lng, lat, crs, speed, heading, accuracy, status"},
	}
	if fmt.Sprint(idx) != "[1 3 4 5]" || fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("rejected %v %q\nwant [1 3 4 5] %q", idx, got, want)
	}
	tr, err := fs.force.Track(context.Background(), "h-001", fieldNow.Add(-time.Hour), fieldNow.Add(time.Minute))
	if err != nil || len(tr) != 3 {
		t.Errorf("track of h-001: %d fixes (%v), want the 3 good ones", len(tr), err)
	}
}

func TestPostPositionsLimits(t *testing.T) {
	fs := newFieldServer(t, false)
	many := make([]any, api.MaxFixes+1)
	for i := range many {
		many[i] = map[string]any{"device": "h-001", "time": fieldNow.Format(time.RFC3339), "lng": 114.1, "lat": 22.5}
	}
	if code, _ := fs.call(t, api.RoleDevice, "POST", "/v1/positions", map[string]any{"fixes": many}); code != 413 {
		t.Errorf("%d fixes: status %d, want 413", len(many), code)
	}
	for _, body := range []any{"not an object", map[string]any{"fixes": []any{}, "extra": 1}, map[string]any{"crs": "mars", "fixes": []any{}}} {
		if code, _ := fs.call(t, api.RoleDevice, "POST", "/v1/positions", body); code != 400 {
			t.Errorf("body %v: status %d, want 400", body, code)
		}
	}
	plain := api.New(api.Options{Logger: quietLog, Auth: fs.authz})
	req := httptest.NewRequest("POST", "/v1/positions", strings.NewReader(`{"fixes":[]}`))
	req.Header.Set("Authorization", "Bearer "+fs.tokens[api.RoleDevice])
	rec := httptest.NewRecorder()
	plain.Handler().ServeHTTP(rec, req)
	if rec.Code != 503 {
		t.Errorf("without a field force: %d, want 503", rec.Code)
	}
}

func TestNearestPatrollers(t *testing.T) {
	fs := newFieldServer(t, false)
	at := fieldNow.Add(-time.Minute)
	if _, err := fs.force.Ingest(context.Background(), []data.Fix{
		{Device: "h-001", Time: at, Point: orb.Point{114.1200, 22.5500}},
		{Device: "h-002", Time: at, Point: orb.Point{114.1210, 22.5500}},
		{Device: "13912345678", Time: at, Point: orb.Point{114.1202, 22.5500}},
	}); err != nil {
		t.Fatal(err)
	}
	fs.advance(time.Minute) // last heard a minute ago
	names := func(m map[string]any) string {
		var out []string
		for _, p := range m["patrollers"].([]any) {
			out = append(out, p.(map[string]any)["device"].(string))
		}
		return strings.Join(out, ",")
	}
	for _, tc := range []struct {
		query, want string
	}{
		{"", "h-001,h-002"},                        // persons by default, nearest first
		{"&kind=any", "h-001,13912345678,h-002"},   // vehicles too
		{"&kind=vehicle", "13912345678"},           //
		{"&role=supervisor", "h-002"},              // by the registry's role
		{"&k=1", "h-001"},                          //
		{"&max_distance=50", "h-001"},              // h-002 is ~103 m away
		{"&online_within=30", ""},                  // heard from a minute ago
		{"&online_within=2m", "h-001,h-002"},       //
		{"&crs=gcj02&kind=vehicle", "13912345678"}, // the query point in GCJ-02 (~500 m off): still found
	} {
		code, out := fs.call(t, api.RoleDispatcher, "GET", "/v1/patrollers/nearest?lng=114.12&lat=22.55"+tc.query, nil)
		if code != 200 || names(out) != tc.want {
			t.Errorf("%q: %d %q, want %q (%v)", tc.query, code, names(out), tc.want, out)
		}
	}
	_, out := fs.call(t, api.RoleDispatcher, "GET", "/v1/patrollers/nearest?lng=114.12&lat=22.55&k=1", nil)
	p := out["patrollers"].([]any)[0].(map[string]any)
	if p["name"] != "张三" || p["distance_m"].(float64) > 0.01 || p["team"] != "东门中队" {
		t.Errorf("answer = %v", p)
	}
	for _, q := range []string{"&on_duty=true", "&kind=drone", "&k=0", "&max_distance=-1", "&online_within=soon"} {
		if code, _ := fs.call(t, api.RoleDispatcher, "GET", "/v1/patrollers/nearest?lng=114.12&lat=22.55"+q, nil); code != 400 {
			t.Errorf("%q: status %d, want 400", q, code)
		}
	}
	code, batch := fs.call(t, api.RoleDispatcher, "POST", "/v1/patrollers/nearest/batch", map[string]any{"k": 1, "kind": "any",
		"points": []any{map[string]any{"id": "case-1", "lng": 114.121, "lat": 22.55}, map[string]any{"id": "case-2", "lng": 114.1202, "lat": 22.5501}}})
	if code != 200 {
		t.Fatalf("batch: %d %v", code, batch)
	}
	res := batch["results"].([]any)
	if names(res[0].(map[string]any)) != "h-002" || names(res[1].(map[string]any)) != "13912345678" || res[0].(map[string]any)["id"] != "case-1" {
		t.Errorf("batch results = %v", res)
	}
}

// TestPositionsTilesFollowTheFixes: a device shows in the positions tile where it is, and a
// stored fix moves it in the next request although tiles are cached.
func TestPositionsTilesFollowTheFixes(t *testing.T) {
	fs := newFieldServer(t, true)
	p, q := orb.Point{114.12, 22.55}, orb.Point{114.13, 22.555}
	tp, tq := tilePath("positions", maptile.At(p, 16)), tilePath("positions", maptile.At(q, 16))
	shows := func(path string) bool {
		t.Helper()
		return tileShows(t, fs.h, path, "positions", "device", "h-001", fs.auth(api.RoleDispatcher)...)
	}
	if shows(tp) || shows(tq) { // also caches both empty tiles
		t.Fatal("a device shown before it reported")
	}
	ingest := func(at time.Duration, pt orb.Point) {
		if _, err := fs.force.Ingest(context.Background(), []data.Fix{{Device: "h-001", Time: fieldNow.Add(at), Point: pt}}); err != nil {
			t.Fatal(err)
		}
	}
	ingest(0, p)
	if !shows(tp) || shows(tq) {
		t.Error("first fix not shown where it is")
	}
	ingest(10*time.Second, q)
	if shows(tp) || !shows(tq) {
		t.Error("moved device not where it moved to in the next tile requests")
	}
	ingest(5*time.Second, p) // a late re-send: stored, the device stays at q
	if shows(tp) || !shows(tq) {
		t.Error("a late fix moved the device on the map")
	}
}
