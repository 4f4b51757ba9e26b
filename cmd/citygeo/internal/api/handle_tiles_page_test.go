package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"citygeo/city"
	"citygeo/cmd/citygeo/internal/api"
	"citygeo/data"
	"citygeo/dispatch"
	"citygeo/field"
	"citygeo/web/webtest"
)

// pageRun is what web/test/page.mjs reports.
type pageRun struct {
	Counts   map[string]int
	Errors   []string
	Console  []string // the page's console errors and warnings
	Requests []string
	Panel    string
	Search   string
	Geocode  string
	// GridsAfterToggle counts rendered grids after unticking their toggle.
	GridsAfterToggle int
	Timings          map[string]int
	// Live: milliseconds from the API's answer to the posted event showing on the map, for the
	// created, closed and resumed (posted while the stream was dropped) events; -1: never.
	Live      map[string]int
	KPIBefore map[string]float64
	KPIAfter  map[string]float64
	// EventPanel is the panel after clicking the posted event.
	EventPanel string
	// Heat and Choropleth count rendered features of those layers.
	Heat, Choropleth int
	// Patroller is the rendered patroller's position before and after it moved.
	Patroller [2][]float64
	// Track: rendered track line features, and the replay head at two moments.
	TrackLines int
	TrackHeads [2][]float64
	// Text maps a viewport ("1920x1080") to the font sizes of the page's text in CSS pixels
	// divided by the viewport's height, per element.
	Text        map[string]map[string]float64
	Screenshots []string
}

// TestWallPageInChromium loads the wall page in headless Chromium against the real server and
// asserts that grids, areas, roads, components and events render (queryRenderedFeatures); that
// an event posted through the API shows within 2 s without a reload, and its closing too, and
// one posted while the stream was down once it resumes; that the KPIs follow; that the heat and
// choropleth layers render; that a patroller moves and a replayed track is drawn; that text at
// 3840×2160 is not smaller, in screen proportion, than at 1920×1080; and that the page asks
// nothing of any other origin.
func TestWallPageInChromium(t *testing.T) {
	if testing.Short() {
		t.Skip("headless Chromium: run without -short")
	}
	webtest.Need(t, "playwright-core")
	chromium := os.Getenv("CHROMIUM")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	if _, err := os.Stat(chromium); err != nil {
		t.Skip("chromium not installed (apt-get install -y chromium)")
	}
	root := webtest.Root(t)
	dist := filepath.Join(root, "web", "dist")
	if _, err := os.Stat(filepath.Join(dist, "vendor", "maplibre-gl", "maplibre-gl.mjs")); err != nil {
		t.Skip("web assets not built (cd web && npm ci && npm run build)")
	}
	ds, err := sampleOnce()
	if err != nil {
		t.Fatal(err)
	}
	snap, err := city.Build(ds, city.Options{})
	if err != nil {
		t.Fatal(err)
	}
	rules, err := dispatch.SampleRules()
	if err != nil {
		t.Fatal(err)
	}
	dispatch.FillDepartmentCodes(rules, ds.Departments)
	set, err := dispatch.NewRuleSet(rules)
	if err != nil {
		t.Fatal(err)
	}
	feed, err := dispatch.NewFeed(nil, dispatch.DupConfig{})
	if err != nil {
		t.Fatal(err)
	}
	tokens := map[api.Role]string{}
	var hashes []api.TokenHash
	for _, r := range []api.Role{api.RoleDispatcher, api.RoleDevice} {
		tok, hash, err := api.NewToken()
		if err != nil {
			t.Fatal(err)
		}
		tokens[r] = tok
		hashes = append(hashes, api.TokenHash{Name: string(r), Role: r, SHA256: hash})
	}
	auth, err := api.NewAuth(&api.AuthConfig{Tokens: hashes})
	if err != nil {
		t.Fatal(err)
	}
	const patroller = "h-wall-01"
	reg, err := field.NewRegistry([]data.Device{{ID: patroller, Kind: data.DevicePerson, Name: "王巡查", Role: "patroller"}})
	if err != nil {
		t.Fatal(err)
	}
	force, err := field.Open(context.Background(), &field.MemTracks{}, field.Options{Devices: reg})
	if err != nil {
		t.Fatal(err)
	}
	defer force.Close()
	srv := api.New(api.Options{Auth: auth, Logger: quietLog, WebDir: dist, Field: force,
		Dispatch: &api.Dispatch{Rules: set, Feed: feed}})
	srv.Swap(snap)
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()

	// Today's events before the page loads, in different grids, a third of them closed: the
	// KPIs, rankings, heat and choropleth have something to show.
	h := srv.Handler()
	var points [][2]float64
	for i := 0; i < 12; i++ {
		g := ds.Grids[(i*7919)%len(ds.Grids)]
		p := interior(g)
		points = append(points, [2]float64{p[0], p[1]})
		id := fmt.Sprintf("W2026-%04d", i)
		if code, body := doAuth(t, h, "POST", "/v1/events", map[string]any{"id": id, "lng": p[0], "lat": p[1], "class": "0501", "kind": "event"}, tokens[api.RoleDispatcher]); code != 200 {
			t.Fatalf("seed %s: %d %v", id, code, body)
		}
		if i%3 == 0 {
			if code, body := doAuth(t, h, "POST", "/v1/events", map[string]any{"id": id, "status": "closed"}, tokens[api.RoleDispatcher]); code != 200 {
				t.Fatalf("close %s: %d %v", id, code, body)
			}
		}
	}
	// The live event goes into the grid at the centre of the view the page opens on.
	centre := ds.Bound().Center()
	near := ds.Grids[0]
	for _, g := range ds.Grids {
		if g.Polygon.Bound().Contains(centre) {
			near = g
			break
		}
	}
	at := interior(near)
	road := ds.Roads[0]
	var walk [][2]float64
	for _, p := range road.Line {
		walk = append(walk, [2]float64{p[0], p[1]})
	}
	shotDir := os.Getenv("CITYGEO_SCREENSHOT_DIR")
	if shotDir == "" {
		shotDir = t.TempDir()
	}
	cfg, _ := json.Marshal(map[string]any{
		"url": ts.URL, "shots": shotDir, "address": road.Name,
		"dispatcher": tokens[api.RoleDispatcher], "device": tokens[api.RoleDevice], "patroller": patroller,
		"event": at, "seeded": points, "walk": walk,
	})
	var got pageRun
	raw := webtest.Node(t, 5*time.Minute, "page.mjs", string(cfg))
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatalf("%v: %s", err, raw)
	}
	t.Logf("rendered features %v, heat %d, choropleth %d, track %d; live %v ms; KPIs %v → %v; timings %v ms; text %v; screenshots %v",
		got.Counts, got.Heat, got.Choropleth, got.TrackLines, got.Live, got.KPIBefore, got.KPIAfter, got.Timings, got.Text, got.Screenshots)
	for _, layer := range []string{"grids", "areas", "roads", "roadNames", "components", "clusters", "events"} {
		if got.Counts[layer] == 0 {
			t.Errorf("no rendered %s features", layer)
		}
	}
	// At z17 most roads in view carry their name along the line.
	if roads, named := got.Counts["roadsZ17"], got.Counts["roadNamesZ17"]; roads == 0 || 2*named < roads {
		t.Errorf("at z17 %d of %d visible roads carry a name; want most", named, roads)
	}
	if len(got.Errors) > 0 {
		t.Errorf("page errors: %v\nconsole: %v", got.Errors, got.Console)
	}
	if len(got.Requests) > 0 {
		t.Errorf("the page requested other origins (must work offline): %v", got.Requests)
	}
	for _, k := range []string{"created", "closed", "resumed"} {
		if ms, ok := got.Live[k]; !ok || ms < 0 || ms > 2000 {
			t.Errorf("%s event shown after %d ms (ok=%v); want within 2000 ms, no reload", k, ms, ok)
		}
	}
	// Two events created (live, resumed), one of them closed, during the page's life.
	for k, d := range map[string]float64{"reported": 2, "closed": 1} {
		if got.KPIAfter[k]-got.KPIBefore[k] != d {
			t.Errorf("KPI %s went %v → %v; want +%v", k, got.KPIBefore[k], got.KPIAfter[k], d)
		}
	}
	for _, want := range []string{"类别", "网格", "责任部门", "上报时间", "处置时限", "状态", near.Code} {
		if !strings.Contains(got.EventPanel, want) {
			t.Errorf("event panel lacks %q: %q", want, got.EventPanel)
		}
	}
	if got.Heat == 0 || got.Choropleth == 0 {
		t.Errorf("heat rendered %d features, choropleth %d; want both", got.Heat, got.Choropleth)
	}
	if p := got.Patroller; len(p[0]) != 2 || len(p[1]) != 2 || (p[0][0] == p[1][0] && p[0][1] == p[1][1]) {
		t.Errorf("patroller at %v then %v; want it shown moving", p[0], p[1])
	}
	if h := got.TrackHeads; got.TrackLines == 0 || len(h[0]) != 2 || len(h[1]) != 2 || (h[0][0] == h[1][0] && h[0][1] == h[1][1]) {
		t.Errorf("track: %d lines rendered, head %v then %v; want a line and a moving head", got.TrackLines, h[0], h[1])
	}
	hd, uhd := got.Text["1920x1080"], got.Text["3840x2160"]
	if len(hd) == 0 {
		t.Error("no text measured at 1920x1080")
	}
	for el, v := range hd {
		if uhd[el] < v*0.98 {
			t.Errorf("%s: text is %.4f of the screen height at 4K, %.4f at 1080p; want not smaller", el, uhd[el], v)
		}
	}
	if !strings.Contains(got.Panel, "#") || !strings.Contains(got.Panel, "\t") {
		t.Errorf("click showed no attribute panel: %q", got.Panel)
	}
	if !strings.Contains(got.Geocode, road.Name) || !strings.Contains(got.Geocode, "网格") {
		t.Errorf("search for %s showed %q, want the geocoded road and its grid", road.Name, got.Geocode)
	}
	if got.GridsAfterToggle != 0 {
		t.Errorf("%d grids still rendered after unticking the grids toggle", got.GridsAfterToggle)
	}
	if !strings.Contains(got.Search, "网格") {
		t.Errorf("search by coordinates showed %q, want the located grid", got.Search)
	}
	if len(got.Screenshots) < 2 {
		t.Errorf("screenshots %v; want 1920x1080 and 3840x2160", got.Screenshots)
	}
}
