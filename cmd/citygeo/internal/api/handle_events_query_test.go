package api_test

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"

	"citygeo/cmd/citygeo/internal/api"
	"citygeo/data"
	"citygeo/data/sample"
	"citygeo/dispatch"
	"citygeo/duty"
)

// TestEventDetail: GET /v1/events/{id} names the class, areas and department beside their codes,
// gives the times in GMT+8, the address as reported, and the history with who wrote each step.
func TestEventDetail(t *testing.T) {
	h, tok, ds := newDispatchServer(t, nil)
	p := interior(gridByCode(ds, "440303003020002"))
	ev := map[string]any{"id": "D1", "lng": p[0], "lat": p[1], "class": "0501", "kind": "event", "address": "东门中路1号",
		"time": "2026-11-18T10:00:00+08:00", "source": "公众举报", "note": "受理"}
	if code, body := doAuth(t, h, "POST", "/v1/events", ev, tok); code != 200 || body["dispatched"] == nil {
		t.Fatalf("create: %d %v", code, body)
	}
	if code, body := doAuth(t, h, "POST", "/v1/events", map[string]any{"id": "D1", "status": "closed", "closed": "2026-11-18T12:00:00+08:00", "note": "已处置"}, tok); code != 200 {
		t.Fatalf("close: %d %v", code, body)
	}
	code, body := do(t, h, "GET", "/v1/events/D1", nil)
	if code != 200 || body["type"] != "Feature" || body["id"] != "D1" {
		t.Fatalf("detail: %d %v", code, body)
	}
	pr := body["properties"].(map[string]any)
	for _, c := range []struct {
		key  string
		want string
	}{
		{"status", "closed"}, {"address", "东门中路1号"}, {"address_source", "reported"}, {"source", "公众举报"},
		{"reported_at", "2026-11-18T10:00:00+08:00"}, {"closed_at", "2026-11-18T12:00:00+08:00"},
	} {
		if pr[c.key] != c.want {
			t.Errorf("%s = %v, want %q", c.key, pr[c.key], c.want)
		}
	}
	named := func(key, code, name string) {
		t.Helper()
		o, _ := pr[key].(map[string]any)
		if o["code"] != code || (name != "" && o["name"] != name) {
			t.Errorf("%s = %v, want code %s name %q", key, pr[key], code, name)
		}
	}
	named("class", "0501", data0501Name(t))
	named("grid", "440303003020002", "")
	named("community", "440303003020", "东门社区")
	named("street", "440303003", "东门街道")
	named("department", "114403033408077387", "深圳市罗湖区东门街道办事处") // the 统一社会信用代码 the sample gives
	if pr["overdue"] != false || pr["dispatched_at"] == nil || pr["deadline"] == nil {
		t.Errorf("overdue %v dispatched_at %v deadline %v", pr["overdue"], pr["dispatched_at"], pr["deadline"])
	}
	hist, _ := pr["history"].([]any)
	var steps []string
	for _, s := range hist {
		m := s.(map[string]any)
		steps = append(steps, fmt.Sprintf("%v %v %v %v", m["action"], m["status"], m["by"], m["note"]))
	}
	if strings.Join(steps, "; ") != "created open desk 受理; closed closed desk 已处置" {
		t.Errorf("history %v", steps)
	}
	if code, body := do(t, h, "GET", "/v1/events/nope", nil); code != 404 || body["error"].(map[string]any)["field"] != "id" {
		t.Errorf("unknown id: %d %v", code, body)
	}
}

func data0501Name(t *testing.T) string {
	t.Helper()
	ref, err := data.ParseClassRef("0501", 0, data.KindEvent)
	if err != nil || ref.Name() == "" {
		t.Fatalf("class 0501: %v", err)
	}
	return ref.Name()
}

// TestEventsQueryPages: GET /v1/events with filters pages newest first through the next cursor
// of the body and the Link header, each event once.
func TestEventsQueryPages(t *testing.T) {
	h, tok, ds := newDispatchServer(t, nil)
	p := interior(gridByCode(ds, "440303003020002"))
	for i := range 5 {
		ev := map[string]any{"id": fmt.Sprintf("Q%d", i), "lng": p[0], "lat": p[1], "class": "0501", "kind": "event",
			"time": fmt.Sprintf("2026-11-%02dT10:00:00+08:00", 10+i), "source": "监督员上报"}
		if i == 2 {
			ev["status"] = "closed"
		}
		if code, body := doAuth(t, h, "POST", "/v1/events", ev, tok); code != 200 {
			t.Fatalf("create: %d %v", code, body)
		}
	}
	url := "/v1/events?status=all&area=440303003&source=%E7%9B%91%E7%9D%A3%E5%91%98%E4%B8%8A%E6%8A%A5&from=2026-11-11&to=2026-11-14&limit=2"
	var ids []string
	for pages := 0; url != "" && pages < 5; pages++ {
		req := httptest.NewRequest("GET", url, nil)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		var fc map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &fc); err != nil || rec.Code != 200 {
			t.Fatalf("%s: %d %s", url, rec.Code, rec.Body)
		}
		for _, f := range fc["features"].([]any) {
			ids = append(ids, f.(map[string]any)["id"].(string))
		}
		url = ""
		if link := rec.Header().Get("Link"); link != "" {
			next, _ := fc["next"].(string)
			if !strings.Contains(link, "cursor="+next) || !strings.HasSuffix(link, `>; rel="next"`) {
				t.Errorf("Link %q, next %q", link, next)
			}
			url = strings.TrimPrefix(strings.Split(link, ">")[0], "<")
		}
		if _, ok := fc["seq"].(float64); !ok {
			t.Errorf("no seq in %v", fc)
		}
	}
	if strings.Join(ids, " ") != "Q4 Q3 Q2 Q1" {
		t.Errorf("paged %v, want Q4 Q3 Q2 Q1 (newest first, from the 11th to the 14th)", ids)
	}
	code, body := do(t, h, "GET", "/v1/events?status=closed", nil)
	if fs := body["features"].([]any); code != 200 || len(fs) != 1 || fs[0].(map[string]any)["id"] != "Q2" {
		t.Errorf("closed: %d %v", code, body)
	}
}

// TestStatsFormats: the CSV has a header row of Chinese names with the JSON keys; by=zone groups
// by the duty lists' zones when they are loaded and says so when they are not.
func TestStatsFormats(t *testing.T) {
	ds, rules := sampleDispatch(t)
	srv, tok, feed := serveDispatch(t, ds, rules, nil)
	h := srv.Handler()
	p := interior(gridByCode(ds, "440303003020002"))
	ev := map[string]any{"id": "S1", "lng": p[0], "lat": p[1], "class": "0501", "kind": "event", "time": "2026-11-18T10:00:00+08:00"}
	if code, body := doAuth(t, h, "POST", "/v1/events", ev, tok); code != 200 {
		t.Fatalf("create: %d %v", code, body)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/v1/stats?by=street&format=csv&from=2026-11-18&to=2026-11-18", nil))
	body := rec.Body.String()
	if rec.Code != 200 || !strings.HasPrefix(body, "\ufeff") || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/csv") {
		t.Fatalf("csv: %d %q %s", rec.Code, body, rec.Header())
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0][0] != "统计周期 period" || rows[0][4] != "上报数 reported" || rows[0][12] != "排名 rank" ||
		strings.Join(rows[1][:5], ",") != "2026-11-18,440303003,东门街道,,1" {
		t.Errorf("csv rows %q", rows)
	}

	code, out := do(t, h, "GET", "/v1/stats?by=zone", nil)
	if code != 200 || out["note"] != dispatch.NoZonesNote || len(out["rows"].([]any)) != 0 {
		t.Errorf("by zone without duty lists: %d %v", code, out)
	}
	snap := srv.Current()
	board := duty.NewBoard(duty.NewRoster(sample.Roster(ds, sample.RosterOptions{})), duty.Options{})
	withDuty := api.New(api.Options{Logger: quietLog, Dispatch: &api.Dispatch{Feed: feed}, Duty: &api.Duty{Board: board}})
	withDuty.Swap(snap)
	ix := board.Index(snap.DutyCity())
	var want []string
	for _, z := range ix.Zones() {
		grids, _ := ix.ZoneGrids(z.ID)
		for _, g := range grids {
			if g.Code == "440303003020002" {
				want = append(want, z.ID+" "+z.Name)
			}
		}
	}
	if len(want) == 0 {
		t.Fatal("the sample roster has no zone over grid 440303003020002")
	}
	code, out = do(t, withDuty.Handler(), "GET", "/v1/stats?by=zone&period=all", nil)
	var got []string
	for _, r := range out["rows"].([]any) {
		m := r.(map[string]any)
		got = append(got, fmt.Sprintf("%v %v", m["code"], m["name"]))
		if m["reported"] != 1.0 {
			t.Errorf("zone row %v, want 1 reported", m)
		}
	}
	if code != 200 || out["note"] != nil || strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("by zone: %d %v, want rows %v", code, out, want)
	}
}

// TestClassFilterParams: on /v1/events and /v1/stats a bad scheme or kind is a 400 naming
// scheme or kind (not class), with or without a class; a good one without a class filters
// nothing and is no error.
func TestClassFilterParams(t *testing.T) {
	h, _, _ := newDispatchServer(t, nil)
	for _, route := range []string{"/v1/events", "/v1/stats"} {
		for _, tc := range []struct {
			query string
			code  int
			field string
		}{
			{"scheme=GB2026", 400, "scheme"},
			{"class=0118&scheme=GB2026", 400, "scheme"},
			{"kind=thing", 400, "kind"},
			{"class=0501&kind=thing", 400, "kind"},
			{"class=0118&scheme=GB/T+47678.5-2026", 400, "class"}, // 4 digits: a CJ/T 214 code
			{"class=0999", 400, "class"},
			{"scheme=CJ/T+214-2007", 200, ""},
			{"kind=event", 200, ""},
			{"class=0118&scheme=CJ/T+214-2007&kind=component", 200, ""},
		} {
			url := route + "?" + tc.query
			code, body := do(t, h, "GET", url, nil)
			e, _ := body["error"].(map[string]any)
			if code != tc.code || tc.code != 200 && e["field"] != tc.field {
				t.Errorf("%s: %d %v, want %d naming %q", url, code, body, tc.code, tc.field)
			}
		}
	}
}
