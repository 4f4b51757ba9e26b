package api_test

import (
	"errors"
	"math"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"citygeo/cmd/citygeo/internal/api"
	"citygeo/data"
	"citygeo/dispatch"
	"citygeo/geo"
)

// switchStore is an event store whose writes fail while fail is set.
type switchStore struct {
	dispatch.MemStore
	fail atomic.Bool
}

func (s *switchStore) Put(*data.Event) error {
	if s.fail.Load() {
		return errors.New("disk full")
	}
	return nil
}

// TestEventStoreFailure: a failed write (the database is down) is a 503 that says to try again,
// never a 404 (closing) or a 400, and changes nothing.
func TestEventStoreFailure(t *testing.T) {
	st := &switchStore{}
	h, tok, ds := newDispatchServer(t, st)
	p := interior(gridByCode(ds, "440303003020002"))
	ev := map[string]any{"id": "E1", "lng": p[0], "lat": p[1], "class": "0501", "kind": "event"}
	if code, body := doAuth(t, h, "POST", "/v1/events", ev, tok); code != 200 {
		t.Fatalf("create: %d %v", code, body)
	}
	st.fail.Store(true)
	for _, tc := range []struct {
		name string
		req  map[string]any
	}{
		{"close", map[string]any{"id": "E1", "status": "closed"}},
		{"update", ev},
	} {
		code, body := doAuth(t, h, "POST", "/v1/events", tc.req, tok)
		if e, _ := body["error"].(map[string]any); code != 503 || e["code"] != api.CodeUnavailable {
			t.Errorf("%s with a failing store: %d %v; want 503 unavailable", tc.name, code, body)
		}
	}
	if code, body := doAuth(t, h, "GET", "/v1/events?bbox="+bboxParam(orb.Bound{Min: p, Max: p}.Pad(0.001)), nil, tok); code != 200 ||
		len(body["features"].([]any)) != 1 {
		t.Errorf("open events after the failed close: %d %v; want E1 still open", code, body)
	}
	st.fail.Store(false)
	if code, body := doAuth(t, h, "POST", "/v1/events", map[string]any{"id": "nope", "status": "closed"}, tok); code != 404 ||
		body["error"].(map[string]any)["field"] != "id" {
		t.Errorf("close unknown: %d %v; want 404 naming id", code, body)
	}
}

// TestDispatchBatchSize: an empty batch is a bad request naming items; only too many is 413.
func TestDispatchBatchSize(t *testing.T) {
	h, _, ds := newDispatchServer(t, nil)
	p := interior(gridByCode(ds, "440303003020002"))
	tooMany := make([]map[string]any, api.MaxBatch+1)
	for i := range tooMany {
		tooMany[i] = map[string]any{"lng": p[0], "lat": p[1], "class": "0501", "kind": "event"}
	}
	for _, tc := range []struct {
		name   string
		items  []map[string]any
		status int
	}{
		{"empty", []map[string]any{}, 400},
		{"missing", nil, 400},
		{"too many", tooMany, 413},
	} {
		code, body := do(t, h, "POST", "/v1/dispatch/batch", map[string]any{"items": tc.items})
		if e, _ := body["error"].(map[string]any); code != tc.status || e["field"] != "items" {
			t.Errorf("%s: %d %v; want %d naming items", tc.name, code, body, tc.status)
		}
	}
}

// TestEventTimes: an event filed without a time is reported and updated at the same instant,
// and is not shown as reported in the future.
func TestEventTimes(t *testing.T) {
	h, tok, ds := newDispatchServer(t, nil)
	p := interior(gridByCode(ds, "440303003020002"))
	before := time.Now()
	code, body := doAuth(t, h, "POST", "/v1/events", map[string]any{"id": "E1", "lng": p[0], "lat": p[1], "class": "0501", "kind": "event"}, tok)
	after := time.Now()
	if code != 200 {
		t.Fatalf("create: %d %v", code, body)
	}
	reported, err1 := time.Parse(time.RFC3339Nano, body["reported"].(string))
	updated, err2 := time.Parse(time.RFC3339Nano, body["updated"].(string))
	if err := errors.Join(err1, err2); err != nil {
		t.Fatal(err)
	}
	if !reported.Equal(updated) || reported.Before(before) || reported.After(after) {
		t.Errorf("reported %v, updated %v; want the same instant in [%v, %v]", reported, updated, before, after)
	}
	if age := body["age_hours"].(float64); age != 0 || math.Signbit(age) {
		t.Errorf("age_hours %v, want 0", age)
	}
}

// TestEventsCRS: every answer about events speaks the request's crs: closing, the events in a
// box (the box converted by all four corners) and the statistics choropleth.
func TestEventsCRS(t *testing.T) {
	ds, err := sampleOnce()
	if err != nil {
		t.Fatal(err)
	}
	rules, err := dispatch.SampleRules()
	if err != nil {
		t.Fatal(err)
	}
	srv, tok, feed := serveDispatch(t, ds, rules, nil)
	h := srv.Handler()
	p := interior(gridByCode(ds, "440303003020002"))
	sent := geo.FromCGCS2000(p, geo.GCJ02)
	code, body := doAuth(t, h, "POST", "/v1/events", map[string]any{"id": "E1", "lng": sent[0], "lat": sent[1], "crs": "gcj02", "class": "0501", "kind": "event"}, tok)
	if code != 200 {
		t.Fatalf("create: %d %v", code, body)
	}

	// The choropleth's polygons in gcj02 are the stored ones converted.
	code, plain := do(t, h, "GET", "/v1/stats?by=community&format=geojson", nil)
	code2, mars := do(t, h, "GET", "/v1/stats?by=community&format=geojson&crs=gcj02", nil)
	if code != 200 || code2 != 200 {
		t.Fatalf("stats: %d %v / %d %v", code, plain, code2, mars)
	}
	first := func(fc map[string]any) orb.Point {
		f := fc["features"].([]any)[0].(map[string]any)
		c := f["geometry"].(map[string]any)["coordinates"].([]any)
		for {
			inner, ok := c[0].([]any)
			if !ok {
				return orb.Point{c[0].(float64), c[1].(float64)}
			}
			c = inner
			if _, ok := inner[0].(float64); ok {
				return orb.Point{inner[0].(float64), inner[1].(float64)}
			}
		}
	}
	if got, want := first(mars), geo.FromCGCS2000(first(plain), geo.GCJ02); geo.Distance(got, want) > 0.01 {
		t.Errorf("choropleth vertex in gcj02 %v, want %v (stored %v)", got, want, first(plain))
	}

	// Closing answers in the crs sent: the point comes back as it was given.
	code, body = doAuth(t, h, "POST", "/v1/events", map[string]any{"id": "E1", "status": "closed", "crs": "gcj02"}, tok)
	if code != 200 {
		t.Fatalf("close: %d %v", code, body)
	}
	pt := body["point"].(map[string]any)
	if got := (orb.Point{pt["lng"].(float64), pt["lat"].(float64)}); geo.Distance(got, sent) > 0.05 {
		t.Errorf("closed event at %v in gcj02, want %v (%.0f m off)", got, sent, geo.Distance(got, sent))
	}

	// A bd09 box converted by its four corners finds the event that Min and Max alone miss.
	box := cornerBox(t, p)
	if _, err := feed.Put(data.Event{ID: "E2", Class: data.ClassRef{Scheme: data.CJT214, Kind: data.KindEvent, Code: "0501"}, Point: p}, time.Now()); err != nil {
		t.Fatal(err)
	}
	code, body = do(t, h, "GET", "/v1/events?crs=bd09&bbox="+bboxParam(box), nil)
	if feats, _ := body["features"].([]any); code != 200 || len(feats) != 1 {
		t.Errorf("events in a bd09 box around the event: %d %v; want it", code, body)
	}
}

// cornerBox returns a tall thin bd09 box with p's image just inside one corner, such that
// converting only its Min and Max corners to CGCS2000 leaves p out and converting all four
// keeps it in.
func cornerBox(t *testing.T, p orb.Point) orb.Bound {
	t.Helper()
	q := geo.FromCGCS2000(p, geo.BD09)
	const eps, w, hgt = 2e-6, 0.0004, 0.08
	for _, c := range []struct{ dx, dy float64 }{{-eps, -eps}, {-eps, eps}, {eps, -eps}, {eps, eps}} {
		b := orb.Bound{Min: orb.Point{q[0] + c.dx, q[1] + c.dy}, Max: orb.Point{q[0] + c.dx, q[1] + c.dy}}
		if c.dx < 0 {
			b.Max[0] += w
		} else {
			b.Min[0] -= w
		}
		if c.dy < 0 {
			b.Max[1] += hgt
		} else {
			b.Min[1] -= hgt
		}
		old := geo.ToCGCS2000(b.Min, geo.BD09).Bound().Extend(geo.ToCGCS2000(b.Max, geo.BD09))
		if !old.Contains(p) && geo.BoundToCGCS2000(b, geo.BD09).Contains(p) {
			return b
		}
	}
	t.Fatal("no box separates the two conversions around", p)
	return orb.Bound{}
}

func bboxParam(b orb.Bound) string {
	return ftoa(b.Min[0]) + "," + ftoa(b.Min[1]) + "," + ftoa(b.Max[0]) + "," + ftoa(b.Max[1])
}

// TestComponentsBBoxCorners: /v1/components converts a bd09 box by its four corners.
func TestComponentsBBoxCorners(t *testing.T) {
	h, _, ds := newDispatchServer(t, nil)
	var comp *data.Component
	for _, c := range ds.Components {
		if _, ok := c.Geometry.(orb.Point); ok {
			comp = c
			break
		}
	}
	if comp == nil {
		t.Skip("the sample city has no point component")
	}
	box := cornerBox(t, comp.Geometry.(orb.Point))
	code, body := do(t, h, "GET", "/v1/components?crs=bd09&limit=10000&class="+comp.Class()+"&bbox="+bboxParam(box), nil)
	if code != 200 {
		t.Fatalf("%d %v", code, body)
	}
	for _, f := range body["features"].([]any) {
		if f.(map[string]any)["id"] == comp.ID {
			return
		}
	}
	t.Errorf("component %s not in the bd09 box around it: %v", comp.ID, body)
}
