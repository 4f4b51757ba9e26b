package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"citygeo/cmd/citygeo/internal/api"
	"citygeo/data"
	"citygeo/dispatch"
	"citygeo/geo"
)

// The OGC API is tested with the client GIS staff use: GDAL's OAPIF driver (ogrinfo, ogr2ogr),
// against a real listener on a loopback port, and PROJ's cs2cs as the oracle for EPSG:4547.

func needGDAL(t *testing.T) {
	t.Helper()
	for _, tool := range []string{"ogrinfo", "ogr2ogr"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed (apt-get install gdal-bin): these tests drive GDAL's OAPIF driver against the server", tool)
		}
	}
}

func gdal(t *testing.T, name string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = append(os.Environ(), "GDAL_HTTP_TIMEOUT=60", "CPL_DEBUG=OFF")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, stderr.String())
	}
	return string(out)
}

// ogcServer serves the sample city with a dispatch feed holding two open events and one
// closed one, on a loopback port.
func ogcServer(t *testing.T) (*httptest.Server, *data.Dataset, []data.Event) {
	t.Helper()
	snap, err := sampleSnap()
	if err != nil {
		t.Fatal(err)
	}
	ds := snap.Dataset
	feed, err := dispatch.NewFeed(nil, dispatch.DupConfig{})
	if err != nil {
		t.Fatal(err)
	}
	c := ds.Bound().Center()
	evs := []data.Event{
		{ID: "A2026-0001", Point: orb.Point{c[0] - 0.01, c[1] + 0.005}, Class: data.ClassRef{Scheme: data.CJT214, Kind: data.KindEvent, Code: "0101"}},
		{ID: "A2026-0002", Point: orb.Point{c[0] + 0.02, c[1] - 0.01}, Class: data.ClassRef{Scheme: data.CJT214, Kind: data.KindEvent, Code: "0505"}},
		{ID: "A2026-0003", Point: c, Status: data.EventClosed, Class: data.ClassRef{Scheme: data.CJT214, Kind: data.KindEvent, Code: "0101"}},
	}
	now := time.Now()
	for _, e := range evs {
		if _, err := feed.Put(e, now); err != nil {
			t.Fatal(err)
		}
	}
	srv, _ := ogcSampleServer(t, api.Options{Dispatch: &api.Dispatch{Feed: feed}})
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return ts, ds, evs[:2]
}

// wantCollections computes every collection's count and extent from the dataset itself.
func wantCollections(ds *data.Dataset, open []data.Event) map[string]struct {
	n int
	b orb.Bound
} {
	out := map[string]struct {
		n int
		b orb.Bound
	}{}
	add := func(id string, g orb.Geometry) {
		w, seen := out[id]
		if g != nil {
			if seen && w.n > 0 {
				w.b = w.b.Union(g.Bound())
			} else {
				w.b = g.Bound()
			}
		}
		w.n++
		out[id] = w
	}
	for _, g := range ds.Grids {
		add("grids", g.Polygon)
	}
	for _, a := range ds.Areas {
		add(map[data.AreaLevel]string{data.District: "districts", data.Street: "streets", data.Community: "communities"}[a.Level], a.Polygon)
	}
	for _, cp := range ds.Components {
		add("components", cp.Geometry)
		add("components-"+cp.Major, cp.Geometry)
	}
	for _, r := range ds.Roads {
		add("roads", r.Line)
	}
	for _, a := range ds.Addresses {
		add("addresses", a.Point)
	}
	for _, p := range ds.POIs {
		add("pois", p.Point)
	}
	for _, e := range open {
		add("events", e.Point)
	}
	return out
}

var (
	layerRe  = regexp.MustCompile(`(?m)^Layer name: (\S+)$`)
	countRe  = regexp.MustCompile(`(?m)^Feature Count: (\d+)$`)
	extentRe = regexp.MustCompile(`(?m)^Extent: \(([-\d.]+), ([-\d.]+)\) - \(([-\d.]+), ([-\d.]+)\)$`)
)

// TestOGRInfoListsCollections: ogrinfo lists every collection with the dataset's feature
// count and extent.
func TestOGRInfoListsCollections(t *testing.T) {
	needGDAL(t)
	ts, ds, open := ogcServer(t)
	out := gdal(t, "ogrinfo", "-ro", "-so", "-al", "OAPIF:"+ts.URL+"/ogc")
	want := wantCollections(ds, open)
	blocks := layerRe.FindAllStringSubmatchIndex(out, -1)
	if len(blocks) != len(want) {
		t.Errorf("ogrinfo lists %d layers, want %d:\n%s", len(blocks), len(want), out)
	}
	for i, m := range blocks {
		name := out[m[2]:m[3]]
		end := len(out)
		if i+1 < len(blocks) {
			end = blocks[i+1][0]
		}
		block := out[m[0]:end]
		w, ok := want[name]
		if !ok {
			t.Errorf("unexpected layer %s", name)
			continue
		}
		cm := countRe.FindStringSubmatch(block)
		if cm == nil || cm[1] != strconv.Itoa(w.n) {
			t.Errorf("%s: feature count %v, want %d", name, cm, w.n)
		}
		em := extentRe.FindStringSubmatch(block)
		if em == nil {
			t.Errorf("%s: no extent in\n%s", name, block)
			continue
		}
		for k, v := range []float64{w.b.Min[0], w.b.Min[1], w.b.Max[0], w.b.Max[1]} {
			got, _ := strconv.ParseFloat(em[k+1], 64)
			if math.Abs(got-v) > 6e-7 { // ogrinfo prints six decimals
				t.Errorf("%s: extent %v, want %v", name, em[1:], w.b)
				break
			}
		}
	}
}

// readIDs reads an ogr2ogr GeoJSON output: each feature's "id" property (the component id)
// and its coordinates.
func readIDs(t *testing.T, path string) map[string]orb.Geometry {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	fc, err := geojson.UnmarshalFeatureCollection(b)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	out := map[string]orb.Geometry{}
	for _, f := range fc.Features {
		out[fmt.Sprint(f.Properties["id"])] = f.Geometry
	}
	return out
}

// v1Components asks /v1/components for a lon/lat box: the features the OGC answers must match.
func v1Components(t *testing.T, ts *httptest.Server, b orb.Bound, class string) map[string]orb.Geometry {
	t.Helper()
	u := fmt.Sprintf("%s/v1/components?bbox=%s&limit=10000&crs=cgcs2000", ts.URL, bboxParam(b))
	if class != "" {
		u += "&class=" + class
	}
	resp, err := ts.Client().Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var fc geojson.FeatureCollection
	if err := json.NewDecoder(resp.Body).Decode(&fc); err != nil || resp.StatusCode != 200 {
		t.Fatalf("%s: %d %v", u, resp.StatusCode, err)
	}
	if fc.ExtraMembers["truncated"] == true {
		t.Fatalf("%s: truncated; choose a smaller box", u)
	}
	out := map[string]orb.Geometry{}
	for _, f := range fc.Features {
		out[fmt.Sprint(f.ID)] = f.Geometry
	}
	return out
}

func sortedKeys(m map[string]orb.Geometry) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// TestOGR2OGRCopiesABox: ogr2ogr copying components within a box (and, pushed down to the
// server as a queryable, of one class) gets exactly what /v1/components answers for the box.
func TestOGR2OGRCopiesABox(t *testing.T) {
	needGDAL(t)
	ts, ds, _ := ogcServer(t)
	c := ds.Bound().Center()
	box := orb.Bound{Min: orb.Point{c[0] - 0.006, c[1] - 0.004}, Max: orb.Point{c[0] + 0.006, c[1] + 0.004}}
	dir := t.TempDir()
	for _, tc := range []struct{ name, where, class string }{{"all", "", ""}, {"lamps", "class = '0118'", "0118"}} {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(dir, tc.name+".geojson")
			args := []string{"-f", "GeoJSON", out, "OAPIF:" + ts.URL + "/ogc", "components", "-oo", "PAGE_SIZE=500",
				"-spat", fmt.Sprint(box.Min[0]), fmt.Sprint(box.Min[1]), fmt.Sprint(box.Max[0]), fmt.Sprint(box.Max[1])}
			if tc.where != "" {
				args = append(args, "-where", tc.where)
			}
			gdal(t, "ogr2ogr", args...)
			got, want := readIDs(t, out), v1Components(t, ts, box, tc.class)
			if len(want) < 50 || fmt.Sprint(sortedKeys(got)) != fmt.Sprint(sortedKeys(want)) {
				t.Fatalf("ogr2ogr copied %d components, /v1/components has %d", len(got), len(want))
			}
			t.Logf("%d components copied", len(got))
			for id, g := range want {
				if !orb.Equal(got[id], g) {
					t.Fatalf("%s: ogr2ogr %v, /v1 %v", id, got[id], g)
				}
			}
		})
	}
}

// TestOGR2OGRInEPSG4547 copies components within a Gauss–Krüger box (bbox-crs) with
// coordinates in EPSG:4547 (crs), and checks the set against /v1/components over the lon/lat
// box around it, each converted by PROJ and kept when it meets the metre box, and every
// coordinate against PROJ's to a centimetre, northing first as EPSG orders the axes.
func TestOGR2OGRInEPSG4547(t *testing.T) {
	needGDAL(t)
	if _, err := exec.LookPath("cs2cs"); err != nil {
		t.Skip("cs2cs not installed (apt-get install proj-bin): PROJ is the oracle for EPSG:4547")
	}
	ts, ds, _ := ogcServer(t)
	c := ds.Bound().Center()
	gk, _ := geo.ParseCRS("EPSG:4547")
	en := geo.FromCGCS2000(c, gk)
	// a 1.2 km × 0.9 km box in metres around the centre, to the millimetre
	gkBox := orb.Bound{Min: orb.Point{math.Round(en[0]) - 600, math.Round(en[1]) - 450}, Max: orb.Point{math.Round(en[0]) + 600.5, math.Round(en[1]) + 450.25}}
	const uri = "http://www.opengis.net/def/crs/EPSG/0/4547"
	out := filepath.Join(t.TempDir(), "gk.geojson")
	args := []string{"-f", "GeoJSON", out}
	northFirst := true
	if strings.Contains(gdal(t, "ogrinfo", "--format", "OAPIF"), `name="CRS"`) {
		// GDAL ≥ 3.7 speaks Part 2 itself: it asks for crs and bbox-crs and hands the
		// coordinates back easting first, as GIS software orders them.
		northFirst = false
		args = append(args, "OAPIF:"+ts.URL+"/ogc", "components", "-oo", "CRS=EPSG:4547", "-oo", "PAGE_SIZE=500",
			"-spat", fmt.Sprint(gkBox.Min[0]), fmt.Sprint(gkBox.Min[1]), fmt.Sprint(gkBox.Max[0]), fmt.Sprint(gkBox.Max[1]))
	} else {
		// GDAL 3.6 knows only CRS84; the crs, bbox-crs and bbox parameters ride on the URL,
		// which the driver adds to every request, and the coordinates arrive as served.
		q := url.Values{"crs": {uri}, "bbox-crs": {uri},
			"bbox": {fmt.Sprintf("%v,%v,%v,%v", gkBox.Min[1], gkBox.Min[0], gkBox.Max[1], gkBox.Max[0])}}
		args = append(args, "OAPIF:"+ts.URL+"/ogc?"+q.Encode(), "components", "-oo", "PAGE_SIZE=500", "-a_srs", "EPSG:4547")
	}
	gdal(t, "ogr2ogr", args...)
	got := readIDs(t, out)

	// The oracle: the lon/lat box around the metre box, from /v1, converted by PROJ.
	around := geo.BoundToCGCS2000(gkBox, gk).Pad(0.001)
	cands := v1Components(t, ts, around, "")
	ids := sortedKeys(cands)
	var pts []orb.Point
	for _, id := range ids {
		pts = append(pts, flatten(cands[id])...)
	}
	proj := cs2cs4547(t, pts)
	want := map[string][]orb.Point{}
	k := 0
	for _, id := range ids {
		n := len(flatten(cands[id]))
		en := proj[k : k+n]
		k += n
		g := orb.Geometry(orb.MultiPoint(en))
		if _, ok := cands[id].(orb.Point); !ok {
			g = rebuild(cands[id], en)
		}
		if geo.Intersects(g, gkBox) {
			want[id] = en
		}
	}
	if len(want) < 50 || len(got) != len(want) {
		t.Fatalf("ogr2ogr copied %d components in the EPSG:4547 box, PROJ and /v1 say %d", len(got), len(want))
	}
	t.Logf("%d components in the EPSG:4547 box (of %d around it), northing first %v", len(want), len(cands), northFirst)
	for id, wantPts := range want {
		g, ok := got[id]
		if !ok {
			t.Fatalf("%s missing from the EPSG:4547 copy", id)
		}
		for i, p := range flatten(g) {
			e, n := p[0], p[1]
			if northFirst {
				e, n = p[1], p[0]
			}
			if d := math.Hypot(e-wantPts[i][0], n-wantPts[i][1]); d > 0.01 {
				t.Fatalf("%s: %v, PROJ E %.3f N %.3f (%.3f m; northing first: %v)", id, p, wantPts[i][0], wantPts[i][1], d, northFirst)
			}
		}
	}
}

// flatten lists a geometry's points in order.
func flatten(g orb.Geometry) []orb.Point {
	switch g := g.(type) {
	case orb.Point:
		return []orb.Point{g}
	case orb.LineString:
		return g
	case orb.Polygon:
		var out []orb.Point
		for _, r := range g {
			out = append(out, r...)
		}
		return out
	}
	return nil
}

// rebuild puts converted points back into the shape of g.
func rebuild(g orb.Geometry, pts []orb.Point) orb.Geometry {
	switch g := g.(type) {
	case orb.LineString:
		return orb.LineString(pts)
	case orb.Polygon:
		var out orb.Polygon
		for _, r := range g {
			out = append(out, orb.Ring(pts[:len(r)]))
			pts = pts[len(r):]
		}
		return out
	}
	return orb.MultiPoint(pts)
}

// cs2cs4547 converts CGCS2000 lon/lat points to EPSG:4547 {easting, northing} with PROJ.
func cs2cs4547(t *testing.T, pts []orb.Point) []orb.Point {
	t.Helper()
	var in bytes.Buffer
	for _, p := range pts {
		fmt.Fprintf(&in, "%.10f %.10f\n", p[1], p[0]) // PROJ's EPSG:4490 is latitude first
	}
	cmd := exec.Command("cs2cs", "-f", "%.4f", "EPSG:4490", "EPSG:4547")
	cmd.Stdin = &in
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("cs2cs: %v", err)
	}
	var res []orb.Point
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		n, err1 := strconv.ParseFloat(f[0], 64)
		e, err2 := strconv.ParseFloat(f[1], 64)
		if err1 != nil || err2 != nil {
			t.Fatalf("cs2cs output %q", line)
		}
		res = append(res, orb.Point{e, n})
	}
	if len(res) != len(pts) {
		t.Fatalf("cs2cs: %d points for %d", len(res), len(pts))
	}
	return res
}
