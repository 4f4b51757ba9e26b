package api_test

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"citygeo/geo"
)

var (
	mvtIDRe    = regexp.MustCompile(`(?m)^  mvt_id \(Integer64\) = (\d+)$`)
	eventIDRe  = regexp.MustCompile(`(?m)^  id \(String\) = (\S+)$`)
	listedRe   = regexp.MustCompile(`(?m)^\d+: (\S+)`)
	mercatorOf = func(p orb.Point) orb.Point { return geo.FromCGCS2000(p, geo.WebMercator) }
)

// TestMVTDriverReadsTileSets: GDAL's MVT driver opens both vector sets at a zoom level with no
// option (it finds the TileJSON beside the set and asks for .pbf tiles), lists their layers,
// and reads in a box exactly the point components /v1 has there, up to the tile grid's
// rounding; the events set holds the open events only.
func TestMVTDriverReadsTileSets(t *testing.T) {
	needGDAL(t)
	ts, ds, open := ogcServer(t)
	layers := listedRe.FindAllStringSubmatch(gdal(t, "ogrinfo", "-ro", "MVT:"+ts.URL+"/tiles/city/16"), -1)
	var names []string
	for _, m := range layers {
		names = append(names, m[1])
	}
	sort.Strings(names)
	if got := strings.Join(names, " "); got != "areas components grids roads" {
		t.Fatalf("city set layers: %s", got)
	}

	// A 250 m box near the centre; at z16 a tile unit is about 15 cm, so points more than
	// 2 m inside the box must come back and none more than 2 m outside it.
	c := ds.Bound().Center()
	box := orb.Bound{Min: orb.Point{c[0] - 0.0012, c[1] - 0.0011}, Max: orb.Point{c[0] + 0.0012, c[1] + 0.0011}}
	lo, hi := mercatorOf(box.Min), mercatorOf(box.Max)
	out := gdal(t, "ogrinfo", "-ro", "-al", "-geom=NO", "MVT:"+ts.URL+"/tiles/city/16", "components",
		"-spat", fmt.Sprint(lo[0]), fmt.Sprint(lo[1]), fmt.Sprint(hi[0]), fmt.Sprint(hi[1]))
	got := map[string]bool{}
	for _, m := range mvtIDRe.FindAllStringSubmatch(out, -1) {
		got[m[1]] = true // a point in two tiles' buffers comes twice: the id says it is one
	}
	const margin = 2.0 / 111000 // degrees, about 2 m
	inner, outer := box.Pad(-margin), box.Pad(margin)
	must := 0
	for _, cp := range ds.Components {
		p, isPoint := cp.Geometry.(orb.Point)
		switch {
		case isPoint && inner.Contains(p):
			must++
			if !got[cp.ID] {
				t.Errorf("component %s at %v is inside the box but not read from the tiles", cp.ID, p)
			}
		case got[cp.ID] && !geo.Intersects(cp.Geometry, outer):
			t.Errorf("component %s at %v is read from the tiles but lies outside the box", cp.ID, cp.Geometry)
		}
	}
	if must < 20 {
		t.Fatalf("only %d components in the test box", must)
	}
	t.Logf("%d components read from z16 tiles in the box, %d well inside it", len(got), must)

	out = gdal(t, "ogrinfo", "-ro", "-al", "-geom=NO", "MVT:"+ts.URL+"/tiles/events/14")
	seen := map[string]bool{}
	for _, m := range eventIDRe.FindAllStringSubmatch(out, -1) {
		seen[m[1]] = true
	}
	if len(seen) != len(open) || !seen[open[0].ID] || !seen[open[1].ID] {
		t.Errorf("events set holds %v, want the open events %s and %s", seen, open[0].ID, open[1].ID)
	}
}
