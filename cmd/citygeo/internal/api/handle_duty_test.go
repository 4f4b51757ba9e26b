package api_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paulmach/orb"
	orbgeo "github.com/paulmach/orb/geo"
	"github.com/paulmach/orb/maptile"

	"citygeo/cmd/citygeo/internal/api"
	"citygeo/data"
	"citygeo/data/sample"
	"citygeo/duty"
	"citygeo/geo"
	"citygeo/tiles"
	"citygeo/tiles/mvtcheck"
)

// dutyEnv serves the sample city with its duty lists and a token per role.
type dutyEnv struct {
	h      http.Handler
	ds     *data.Dataset
	tokens map[api.Role]string
	seg    *duty.Segment // the sample's first segment, whose crew has a night stand-in (D1)

	mu      sync.Mutex
	saved   int          // lists saved
	last    *data.Roster // the lists saved last
	saveErr error        // what saving answers (nil: it succeeds)
	slow    atomic.Bool  // saving takes a few milliseconds, as a file write can
}

func newDutyEnv(t *testing.T) *dutyEnv { t.Helper(); return newDutyEnvWith(t, nil) }

// newDutyEnvWith is newDutyEnv with the sample roster changed by edit first (nil: as it is).
func newDutyEnvWith(t *testing.T, edit func(*data.Roster)) *dutyEnv {
	t.Helper()
	plain, ds := newSampleServer(t)
	snap := plain.Current()
	e := &dutyEnv{ds: ds, tokens: map[api.Role]string{}}
	var entries []api.TokenHash
	for _, r := range []api.Role{api.RoleReader, api.RoleDispatcher, api.RoleGIS, api.RoleAdmin} {
		tok, hash, err := api.NewToken()
		if err != nil {
			t.Fatal(err)
		}
		e.tokens[r] = tok
		entries = append(entries, api.TokenHash{Name: string(r), Role: r, SHA256: hash})
	}
	auth, err := api.NewAuth(&api.AuthConfig{Tokens: entries})
	if err != nil {
		t.Fatal(err)
	}
	roster := sample.Roster(ds, sample.RosterOptions{})
	if edit != nil {
		edit(roster)
	}
	board := duty.NewBoard(duty.NewRoster(roster), duty.Options{})
	ix := board.Index(snap.DutyCity())
	if err := ix.Findings().Err(); err != nil {
		t.Fatal(err)
	}
	e.seg = ix.Segments()[0]
	srv := api.New(api.Options{Auth: auth, Logger: quietLog, Dispatch: &api.Dispatch{},
		Duty: &api.Duty{Board: board, Save: func(r *data.Roster) error {
			if e.slow.Load() {
				time.Sleep(time.Duration(rand.IntN(4)) * time.Millisecond)
			}
			e.mu.Lock()
			defer e.mu.Unlock()
			if e.saveErr != nil {
				return e.saveErr
			}
			e.saved++
			e.last = r
			return nil
		}}})
	srv.Swap(snap)
	e.h = srv.Handler()
	return e
}

// get sends a request with the token of role ("" none) and decodes the JSON answer.
func (e *dutyEnv) send(t *testing.T, method, target string, role api.Role, body io.Reader, ctype string) (int, map[string]any) {
	t.Helper()
	req := httptest.NewRequest(method, target, body)
	if role != "" {
		req.Header.Set("Authorization", "Bearer "+e.tokens[role])
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, req)
	var out map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
		t.Fatalf("%s %s: not JSON: %q", method, target, rec.Body.String())
	}
	return rec.Code, out
}

// besideSegment is a WGS84 point 10 m off the middle of the segment's line.
func besideSegment(s *duty.Segment) (lng, lat float64) {
	l := s.Line[0]
	a, b := l[len(l)/2-1], l[len(l)/2]
	mid := geo.Offset(a, geo.Bearing(a, b), geo.Distance(a, b)/2)
	p := geo.Offset(mid, geo.Bearing(a, b)+90, 10)
	return p[0], p[1]
}

// maintainer returns the maintainer answer of people, or nil.
func maintainer(people []any) map[string]any {
	for _, p := range people {
		if m := p.(map[string]any); m["post"] == "maintainer" {
			return m
		}
	}
	return nil
}

func TestDutyRoute(t *testing.T) {
	e := newDutyEnv(t)
	lng, lat := besideSegment(e.seg)
	for _, tc := range []struct {
		name, time string
		person     string // the maintainer to call
		delegation string
	}{
		{"by day: the segment's own crew", "2026-11-20T10:00:00+08:00", "YH00001", ""},
		{"at 20:00: the night stand-in (18:00–08:00)", "2026-11-20T20:00:00+08:00", "YH00002", "D1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out := e.send(t, "GET", fmt.Sprintf("/v1/duty?lng=%f&lat=%f&time=%s", lng, lat, url.QueryEscape(tc.time)), "", nil, "")
			if code != http.StatusOK {
				t.Fatalf("%d %v", code, out)
			}
			m := maintainer(out["people"].([]any))
			if m == nil {
				t.Fatalf("no maintainer in %v", out["people"])
			}
			seg := m["segment"].(map[string]any)
			if seg["id"] != e.seg.ID || seg["distance_m"].(float64) < 9 || seg["distance_m"].(float64) > 11 {
				t.Errorf("segment %v, want %s at ~10 m", seg, e.seg.ID)
			}
			if p := m["person"].(map[string]any); p["id"] != tc.person {
				t.Errorf("person %v, want %s", p["id"], tc.person)
			}
			if tc.delegation != "" && (m["delegation"] == nil || m["delegation"].(map[string]any)["id"] != tc.delegation) {
				t.Errorf("delegation %v, want %s", m["delegation"], tc.delegation)
			}
			posts := map[string]bool{}
			for _, p := range out["people"].([]any) {
				posts[p.(map[string]any)["post"].(string)] = true
			}
			for _, want := range []string{"supervisor", "street_chief", "enforcer", "maintainer"} {
				if !posts[want] {
					t.Errorf("no %s in %v", want, posts)
				}
			}
		})
	}
	for q, field := range map[string]string{"lng=200&lat=22.5": "lng", "lng=114.1&lat=22.5&time=yesterday": "time", "lng=114.1&lat=22.5&role=mayor": "role"} {
		if code, out := e.send(t, "GET", "/v1/duty?"+q, "", nil, ""); code != 400 || out["error"].(map[string]any)["field"] != field {
			t.Errorf("%s: %d %v, want 400 naming %s", q, code, out, field)
		}
	}
	code, out := e.send(t, "GET", fmt.Sprintf("/v1/duty?lng=%f&lat=%f&role=监督员", lng, lat), "", nil, "")
	if ps := out["people"].([]any); code != 200 || len(ps) != 1 || ps[0].(map[string]any)["post"] != "supervisor" {
		t.Errorf("role=监督员: %d %v, want one supervisor", code, out)
	}
}

// TestPhonesByRole: phones reach dispatcher and admin only, in every route that names people;
// so do handset ids that are phone numbers (a SIM's), masked for the other roles.
func TestPhonesByRole(t *testing.T) {
	e := newDutyEnvWith(t, func(r *data.Roster) {
		for i, p := range r.People {
			p.Device = fmt.Sprintf("1391234%04d", i)
		}
	})
	lng, lat := besideSegment(e.seg)
	dispatchBody := fmt.Sprintf(`{"lng":%f,"lat":%f,"class":"0501","time":"2026-11-20T20:00:00+08:00"}`, lng, lat)
	for _, role := range []api.Role{"", api.RoleReader, api.RoleGIS, api.RoleDispatcher, api.RoleAdmin} {
		want := role == api.RoleDispatcher || role == api.RoleAdmin
		t.Run(string(role)+"-token", func(t *testing.T) {
			check := func(where string, v any) {
				t.Helper()
				b, _ := json.Marshal(v)
				if got := bytes.Contains(b, []byte(`"phone"`)); got != want {
					t.Errorf("%s: phones shown %v, want %v: %s", where, got, want, b[:min(len(b), 300)])
				}
				if got, masked := bytes.Contains(b, []byte(`"device":"1391234`)), bytes.Contains(b, []byte(`"device":"*******`)); got != want || masked == want {
					t.Errorf("%s: handset numbers shown %v, masked %v; want shown %v: %s", where, got, masked, want, b[:min(len(b), 300)])
				}
			}
			_, out := e.send(t, "GET", fmt.Sprintf("/v1/duty?lng=%f&lat=%f&time=2026-11-20T20:00:00%%2B08:00", lng, lat), role, nil, "")
			check("GET /v1/duty", out["people"])
			m := maintainer(out["people"].([]any))
			check("the delegation's from", m["delegation"])
			_, out = e.send(t, "GET", "/v1/people", role, nil, "")
			check("GET /v1/people", out["people"])
			_, out = e.send(t, "GET", "/v1/people/YH00001", role, nil, "")
			check("GET /v1/people/:id", out)
			code, out := e.send(t, "POST", "/v1/dispatch", role, strings.NewReader(dispatchBody), "application/json")
			if code != 200 || len(out["people"].([]any)) == 0 {
				t.Fatalf("dispatch: %d %v", code, out)
			}
			check("POST /v1/dispatch", out["people"])
		})
	}
}

func TestDutyReads(t *testing.T) {
	e := newDutyEnv(t)
	for _, tc := range []struct {
		target string
		check  func(map[string]any) bool
	}{
		{"/v1/zones", func(o map[string]any) bool { return len(o["features"].([]any)) == 80 }},
		{"/v1/zones/Z440303001-1", func(o map[string]any) bool { return len(o["properties"].(map[string]any)["grids"].([]any)) > 0 }},
		{"/v1/segments", func(o map[string]any) bool { return len(o["features"].([]any)) > 100 }},
		{"/v1/segments/" + e.seg.ID + "?crs=gcj02", func(o map[string]any) bool { return o["geometry"].(map[string]any)["type"] == "MultiLineString" }},
		{"/v1/teams", func(o map[string]any) bool { return len(o["teams"].([]any)) == 10 }},
		{"/v1/assignments", func(o map[string]any) bool {
			return len(o["shifts"].([]any)) == 2 && len(o["delegations"].([]any)) == 4
		}},
		{"/v1/people?post=街长", func(o map[string]any) bool { return len(o["people"].([]any)) == 80 }},
		{"/v1/duty/coverage", func(o map[string]any) bool {
			c := o["coverage"].(map[string]any)
			return c["grids"].(float64) == float64(len(e.ds.Grids)) && len(c["unsupervised"].([]any)) == 0
		}},
	} {
		code, out := e.send(t, "GET", tc.target, "", nil, "")
		if code != 200 || !tc.check(out) {
			t.Errorf("GET %s: %d %.300v", tc.target, code, out)
		}
	}
	for _, target := range []string{"/v1/zones/nope", "/v1/segments/nope", "/v1/people/nope"} {
		if code, _ := e.send(t, "GET", target, "", nil, ""); code != 404 {
			t.Errorf("GET %s: %d, want 404", target, code)
		}
	}
}

// TestDutyImport: gis imports lists; errors come back as findings naming the row; nothing
// changes on a refusal.
func TestDutyImport(t *testing.T) {
	e := newDutyEnv(t)
	grid := e.ds.Grids[0]
	people := "工号,姓名,岗位,手机号\nN1,新人甲,监督员,13900000001\nN2,新人乙,监督员,13900000002\n"
	good := fmt.Sprintf("编号,岗位,区域,人员\nA1,监督员,%s,N1\n", grid.Code)
	bad := fmt.Sprintf("编号,岗位,区域,人员\nA1,监督员,%s,N1\nA2,监督员,%s,N2\n", grid.Code, grid.Code)
	upload := func(role api.Role, query string, files map[string]string) (int, map[string]any) {
		bs := map[string][]byte{}
		for k, v := range files {
			bs[k] = []byte(v)
		}
		body, ctype := multipartBody(t, bs, nil)
		return e.send(t, "POST", "/v1/duty/import"+query, role, body, ctype)
	}
	if code, _ := upload(api.RoleReader, "", map[string]string{"people.csv": people}); code != http.StatusForbidden {
		t.Errorf("reader import: %d, want 403", code)
	}
	code, out := upload(api.RoleGIS, "", map[string]string{"人员.csv": people, "责任分配.csv": bad})
	if code != http.StatusUnprocessableEntity {
		t.Fatalf("double claim: %d %v, want 422", code, out)
	}
	f := out["findings"].([]any)[0].(map[string]any)
	if f["source"] != "责任分配.csv" || f["row"].(float64) != 3 || f["field"] != "post" {
		t.Errorf("finding %v, want 责任分配.csv row 3 field post", f)
	}
	for _, q := range []string{"?dry_run=true", "?dry_run=1", "?dry_run=TRUE"} {
		if code, out = upload(api.RoleGIS, q, map[string]string{"人员.csv": people, "责任分配.csv": good}); code != 200 || out["dry_run"] != true {
			t.Fatalf("dry run %s: %d %v", q, code, out)
		}
	}
	// A dry run misread as a real one would replace the lists: a value that is no boolean is refused.
	if code, out = upload(api.RoleGIS, "?dry_run=yes", map[string]string{"人员.csv": people, "责任分配.csv": good}); code != 400 {
		t.Fatalf("dry_run=yes: %d %v, want 400", code, out["error"])
	}
	p := interior(grid)
	if _, out = e.send(t, "GET", fmt.Sprintf("/v1/duty?lng=%f&lat=%f&role=supervisor", p[0], p[1]), "", nil, ""); strings.Contains(fmt.Sprint(out), "N1") || e.saved != 0 {
		t.Fatalf("a refused import or a dry run changed the lists: %v (saved %d)", out, e.saved)
	}
	if code, out = upload(api.RoleGIS, "", map[string]string{"人员.csv": people, "责任分配.csv": good}); code != 200 || out["saved"] != true {
		t.Fatalf("import: %d %v", code, out)
	}
	_, out = e.send(t, "GET", fmt.Sprintf("/v1/duty?lng=%f&lat=%f&role=supervisor", p[0], p[1]), "", nil, "")
	if ps := out["people"].([]any); len(ps) != 1 || ps[0].(map[string]any)["person"].(map[string]any)["id"] != "N1" {
		t.Errorf("after import: %v, want N1 via grid", out["people"])
	}
	if code, _ := upload(api.RoleGIS, "", map[string]string{"名单.txt": people}); code != 400 {
		t.Errorf("a .txt file: %d, want 400", code)
	}
}

// TestDutyImportSaveFails: lists that cannot be saved are refused (503) and not served: a
// restart would otherwise lose what the answer said was taken.
func TestDutyImportSaveFails(t *testing.T) {
	e := newDutyEnv(t)
	e.saveErr = errors.New("disk full")
	grid := e.ds.Grids[0]
	body, ctype := multipartBody(t, map[string][]byte{
		"人员.csv":   []byte("工号,姓名,岗位\nN1,新人甲,监督员\n"),
		"责任分配.csv": []byte(fmt.Sprintf("编号,岗位,区域,人员\nA1,监督员,%s,N1\n", grid.Code)),
	}, nil)
	if code, out := e.send(t, "POST", "/v1/duty/import", api.RoleGIS, body, ctype); code != http.StatusServiceUnavailable {
		t.Fatalf("import with a failing save: %d (saved %v, error %v), want 503", code, out["saved"], out["error"])
	}
	p := interior(grid)
	if _, out := e.send(t, "GET", fmt.Sprintf("/v1/duty?lng=%f&lat=%f&role=supervisor", p[0], p[1]), "", nil, ""); strings.Contains(fmt.Sprint(out), "N1") {
		t.Errorf("lists that were not saved are served: %v", out)
	}
}

// TestDutyImportConcurrent: of two imports at once, the lists served after both are the ones
// saved last, the ones a restart serves.
func TestDutyImportConcurrent(t *testing.T) {
	e := newDutyEnv(t)
	e.slow.Store(true)
	grid := e.ds.Grids[0]
	p := interior(grid)
	lists := func(id string) (*bytes.Buffer, string) {
		return multipartBody(t, map[string][]byte{
			"人员.csv":   []byte(fmt.Sprintf("工号,姓名,岗位\n%s,新人,监督员\n", id)),
			"责任分配.csv": []byte(fmt.Sprintf("编号,岗位,区域,人员\nA1,监督员,%s,%s\n", grid.Code, id)),
		}, nil)
	}
	for round := range 10 {
		var wg sync.WaitGroup
		for _, id := range []string{"N1", "N2"} {
			body, ctype := lists(id)
			wg.Go(func() {
				if code, out := e.send(t, "POST", "/v1/duty/import", api.RoleGIS, body, ctype); code != 200 || out["saved"] != true {
					t.Errorf("round %d, import %s: %d (saved %v, error %v)", round, id, code, out["saved"], out["error"])
				}
			})
		}
		wg.Wait()
		_, out := e.send(t, "GET", fmt.Sprintf("/v1/duty?lng=%f&lat=%f&role=supervisor", p[0], p[1]), "", nil, "")
		ps, _ := out["people"].([]any)
		if len(ps) != 1 {
			t.Fatalf("round %d: %d people on duty, want 1", round, len(ps))
		}
		served := ps[0].(map[string]any)["person"].(map[string]any)["id"]
		if saved := e.last.People[0].ID; served != saved {
			t.Fatalf("round %d: %s served, %s saved last", round, served, saved)
		}
	}
}

// TestDutyTiles: the zones and segments sets draw the duty lists — a segment's line and label
// in the tile at its middle, a zone's outline — valid MVT, described by TileJSON, styled.
func TestDutyTiles(t *testing.T) {
	e := newDutyEnv(t)
	l := e.seg.Line[0]
	mid := l[len(l)/2]
	for _, tc := range []struct{ set, kind, id string }{
		{tiles.SetSegments, "segment", e.seg.ID},
		{tiles.SetSegments, "label", e.seg.ID},
		{tiles.SetZones, "outline", ""},
	} {
		rec := httptest.NewRecorder()
		e.h.ServeHTTP(rec, httptest.NewRequest("GET", tilePath(tc.set, maptile.At(mid, 16)), nil))
		if rec.Code != 200 {
			t.Fatalf("%s tile: %d", tc.set, rec.Code)
		}
		dec, probs := mvtcheck.Check(rec.Body.Bytes(), mvtcheck.Strict)
		if len(probs) > 0 {
			t.Fatalf("%s tile: %v", tc.set, probs)
		}
		found := false
		for _, ly := range dec.Layers {
			for _, f := range ly.Features {
				found = found || (f.Tags["kind"] == tc.kind && (tc.id == "" || f.Tags["id"] == tc.id))
			}
		}
		if !found {
			t.Errorf("%s tile at the segment's middle: no %s %s", tc.set, tc.kind, tc.id)
		}
	}
	for target, want := range map[string]string{"/tiles/zones.json": `"id":"zones"`, "/tiles/segments.json": `"id":"segments"`,
		"/styles/wall.json": `"id":"segments-line"`, "/styles/desk.json": `"id":"zones-label"`} {
		code, out := e.send(t, "GET", target, "", nil, "")
		if b, _ := json.Marshal(out); code != 200 || !bytes.Contains(b, []byte(want)) {
			t.Errorf("GET %s: %d, no %s in %.300s", target, code, want, b)
		}
	}
}

func TestGeocodeSegment(t *testing.T) {
	e := newDutyEnv(t)
	code, out := e.send(t, "GET", "/v1/geocode/segment?q="+url.QueryEscape(e.seg.Name), "", nil, "")
	if code != 200 || out["properties"].(map[string]any)["level"] != "道路区段" || out["geometry"].(map[string]any)["type"] != "MultiLineString" {
		t.Fatalf("%d %v", code, out)
	}
	if l := out["properties"].(map[string]any)["length_m"].(float64); math.Abs(l-e.seg.Length) > 0.1 {
		t.Errorf("length %.1f m, the roster's segment %.1f m", l, e.seg.Length)
	}
	for q, want := range map[string]int{"人民南路（春风路至不存在路）": 404, "（春风路至深南东路）": 400, "": 400} {
		if code, out := e.send(t, "GET", "/v1/geocode/segment?q="+url.QueryEscape(q), "", nil, ""); code != want {
			t.Errorf("%q: %d %v, want %d", q, code, out, want)
		}
	}
}

// TestGeocodeFindsSegment checks that /v1/geocode answers a segment text with the stretch of
// road (道路区段, its line, the same length as the roster's segment) ranked first, and that a
// segment whose end does not resolve falls back to the road, never to a made-up stretch.
func TestGeocodeFindsSegment(t *testing.T) {
	e := newDutyEnv(t)
	code, out := e.send(t, "GET", "/v1/geocode?q="+url.QueryEscape(e.seg.Name), "", nil, "")
	if code != 200 {
		t.Fatalf("%d %v", code, out)
	}
	rs := out["results"].([]any)
	first := rs[0].(map[string]any)
	line, _ := first["line"].(map[string]any)
	if first["level"] != "道路区段" || line == nil || line["type"] != "MultiLineString" {
		t.Fatalf("first answer %v, want 道路区段 with a line", first)
	}
	var ml orb.MultiLineString
	for _, l := range line["coordinates"].([]any) {
		var ls orb.LineString
		for _, p := range l.([]any) {
			xy := p.([]any)
			ls = append(ls, orb.Point{xy[0].(float64), xy[1].(float64)})
		}
		ml = append(ml, ls)
	}
	length := 0.0
	for _, l := range ml {
		length += orbgeo.Length(l)
	}
	if math.Abs(length-e.seg.Length) > 0.02*e.seg.Length {
		t.Errorf("line %.1f m, the roster's segment %.1f m", length, e.seg.Length)
	}
	if len(rs) < 2 || rs[1].(map[string]any)["level"] == "道路区段" {
		t.Errorf("the gazetteer's own answers should follow the segment: %v", rs)
	}
	code, out = e.send(t, "GET", "/v1/geocode?q="+url.QueryEscape(e.seg.Road+"（"+e.seg.From+"至不存在路）"), "", nil, "")
	if code != 200 {
		t.Fatalf("%d %v", code, out)
	}
	if rs := out["results"].([]any); len(rs) > 0 && rs[0].(map[string]any)["level"] == "道路区段" {
		t.Errorf("an end that does not resolve answered as a segment: %v", rs[0])
	}
}
