package api_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"citygeo/cmd/citygeo/internal/api"
	"citygeo/data"
	"citygeo/data/sample"
	"citygeo/duty"
	"citygeo/field"
	"citygeo/tiles"
	"citygeo/tiles/mvtcheck"
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
	// The grids its fixes fell in: the grid of each vertex walked, as the snapshot locates it.
	want := map[string]bool{}
	for _, p := range seg.Line {
		if g := fs.srv.Current().Geo.Locate(p).Grid; g != nil {
			want[g.Code] = true
		}
	}
	visited, _ := h001["grids_visited"].([]any)
	if len(visited) != len(want) || len(want) == 0 {
		t.Errorf("grids visited %v, want the %d grids of the walked vertices %v", visited, len(want), want)
	}
	for _, g := range visited {
		if !want[g.(string)] {
			t.Errorf("grid %v visited: no fix there", g)
		}
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

// TestCoverageGroups: a walked segment counts for the walker's team and for the zone its middle
// lies in, whose other segments are listed as not covered; the coverage tile set draws it as
// short; group=zone without duty lists is a 400 naming group.
func TestCoverageGroups(t *testing.T) {
	fs := newFieldServer(t, true)
	ds, _ := sampleOnce()
	snap := fs.srv.Current()
	board := duty.NewBoard(duty.NewRoster(sample.Roster(ds, sample.RosterOptions{})), duty.Options{})
	srv := api.New(api.Options{Auth: fs.authz, Logger: quietLog, Field: fs.force, Duty: &api.Duty{Board: board}})
	srv.Swap(snap)
	h := srv.Handler()
	net := field.NewNetwork(ds.Roads)
	// An arterial segment inside some zone: its middle lies in one of the zone's grids.
	ix := board.Index(snap.DutyCity())
	var seg *field.Segment
	var zone string
	for _, z := range ix.Zones() {
		grids, _ := ix.ZoneGrids(z.ID)
		var polys []orb.Polygon
		for _, g := range grids {
			polys = append(polys, g.Polygon)
		}
		for _, i := range net.Within(polys) {
			if s := &net.Segments[i]; s.Road.Class == data.RoadArterial && s.Length > 100 {
				seg, zone = s, z.ID
				break
			}
		}
		if seg != nil {
			break
		}
	}
	if seg == nil {
		t.Fatal("no zone of the sample holds an arterial segment")
	}
	var fixes []data.Fix
	for i, p := range seg.Line {
		fixes = append(fixes, data.Fix{Device: "h-001", Time: fieldNow.Add(time.Duration(i-len(seg.Line)) * 10 * time.Second), Point: p})
	}
	if _, err := fs.force.Ingest(context.Background(), fixes); err != nil {
		t.Fatal(err)
	}
	disp := []string{"Authorization", "Bearer " + fs.tokens[api.RoleDispatcher]}
	statusOf := func(groups []any, id string) (map[string]any, map[string]string) {
		for _, g := range groups {
			g := g.(map[string]any)
			if g["group"] != id {
				continue
			}
			st := map[string]string{}
			for _, s := range g["segments"].([]any) {
				s := s.(map[string]any)
				st[fmt.Sprint(s["segment"])] = s["status"].(string)
			}
			return g, st
		}
		return nil, nil
	}
	want := fmt.Sprint(seg.ID)
	code, out := do(t, h, "GET", "/v1/coverage?date=2026-11-20&group=team", nil, disp...)
	if g, st := statusOf(out["groups"].([]any), "东门中队"); code != 200 || g == nil || len(st) != 1 || st[want] != field.Short {
		t.Errorf("team: %d, 东门中队 %v (statuses %v), want only segment %s short", code, g, st, want)
	}
	code, out = do(t, h, "GET", "/v1/coverage?date=2026-11-20&group=zone", nil, disp...)
	g, st := statusOf(out["groups"].([]any), zone)
	if code != 200 || g == nil || st[want] != field.Short || g["not_covered"].(float64) != float64(len(st)-1) || len(g["people"].([]any)) != 1 {
		t.Errorf("zone %s: %d %v, want segment %s short, the others not covered, one person", zone, code, g, want)
	}
	if code, out := fs.call(t, api.RoleDispatcher, "GET", "/v1/coverage?group=zone", nil); code != 400 || out["error"].(map[string]any)["field"] != "group" {
		t.Errorf("group=zone without duty lists: %d %v, want 400 naming group", code, out)
	}
	if code, _ := do(t, h, "GET", "/v1/coverage?group=street", nil, disp...); code != 400 {
		t.Errorf("group=street: %d, want 400", code)
	}
	rec := get(t, h, "/v1/coverage?date=2026-11-20&group=team&format=csv", disp...)
	if rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(rec.Body.String(), "\ufeff"))).ReadAll(); err != nil ||
		len(rows) != 2 || rows[0][0] != "team" || rows[1][0] != "东门中队" || rows[1][9] != field.Short {
		t.Errorf("team CSV = %q (%v)", rows, err)
	}
	// The coverage tile at the segment's middle draws it as short; public, it needs no token.
	mid := seg.Line[len(seg.Line)/2]
	rec = get(t, h, tilePath(tiles.SetCoverage, maptile.At(mid, 16)))
	dec, probs := mvtcheck.Check(rec.Body.Bytes(), mvtcheck.Strict)
	if rec.Code != 200 || len(probs) > 0 {
		t.Fatalf("coverage tile: %d %v", rec.Code, probs)
	}
	found := false
	for _, ly := range dec.Layers {
		for _, f := range ly.Features {
			found = found || (ly.Name == tiles.LayerCoverage && f.Tags["road"] == seg.Road.Name && f.Tags["status"] == field.Short)
		}
	}
	if !found {
		t.Errorf("coverage tile at the walked segment: no short %s", seg.Road.Name)
	}
}
