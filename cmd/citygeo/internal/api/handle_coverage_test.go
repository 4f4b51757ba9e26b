package api_test

import (
	"context"
	"encoding/csv"
	"strings"
	"testing"
	"time"

	"citygeo/cmd/citygeo/internal/api"
	"citygeo/data"
	"citygeo/field"
)

// TestCoverageRoute: a patroller walks one segment of a sample arterial end to end; the
// coverage lists it as one pass, short of its target, as JSON and as CSV.
func TestCoverageRoute(t *testing.T) {
	fs := newFieldServer(t, true)
	ds, _ := sampleOnce()
	var seg *field.Segment
	for _, sg := range field.NewNetwork(ds.Roads).Segments {
		if sg.Road.Class == data.RoadArterial && sg.Length > 100 {
			seg = &sg
			break
		}
	}
	road := seg.Road
	var fixes []data.Fix // every vertex of the segment, ten seconds apart
	for i, p := range seg.Line {
		fixes = append(fixes, data.Fix{Device: "h-001", Time: fieldNow.Add(time.Duration(i-len(seg.Line)) * 10 * time.Second), Point: p})
	}
	if _, err := fs.force.Ingest(context.Background(), fixes); err != nil {
		t.Fatal(err)
	}
	code, out := fs.call(t, api.RoleDispatcher, "GET", "/v1/coverage?date=2026-11-20", nil)
	if code != 200 {
		t.Fatalf("%d %v", code, out)
	}
	var h001 map[string]any
	for _, p := range out["people"].([]any) {
		if p.(map[string]any)["device"] == "h-001" {
			h001 = p.(map[string]any)
		}
	}
	segs := h001["segments"].([]any)
	if len(segs) != 1 {
		t.Fatalf("h-001 segments = %v", segs)
	}
	s := segs[0].(map[string]any)
	if s["road"] != road.Name || s["passes"] != 1.0 || s["target"] != 5.0 || s["status"] != "short" || h001["name"] != "张三" {
		t.Errorf("segment = %v of %v", s, h001)
	}
	rec := get(t, fs.h, "/v1/coverage?date=2026-11-20&device=h-001&format=csv", fs.auth(api.RoleDispatcher)...)
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(rec.Body.String(), "\ufeff"))).ReadAll()
	if err != nil || len(rows) != 2 || rows[0][0] != "device" || rows[1][3] != road.Name || rows[1][9] != "short" {
		t.Errorf("CSV = %q (%v)", rows, err)
	}
	if code, _ := fs.call(t, api.RoleDispatcher, "GET", "/v1/coverage?format=xml", nil); code != 400 {
		t.Errorf("format=xml: %d, want 400", code)
	}
	if code, _ := fs.call(t, api.RoleReader, "GET", "/v1/coverage", nil); code != 403 {
		t.Errorf("as a reader: %d, want 403", code)
	}
}
